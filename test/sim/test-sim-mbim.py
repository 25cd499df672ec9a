#!/usr/bin/python3
"""The simulator's MBIM function answers the real mbimcli 1.28.2 with the
scenario's values, through a fake mbim-proxy (private network namespace)
and on a pty, and shares its state with the QMI side."""

import ipaddress
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402

MBIMCLI = '/usr/bin/mbimcli'


class MbimSimulator:
    """modemux-sim with --mbim-proxy, --pty-mbim and --qmi-proxy at once."""

    def __init__(self, scenario):
        self.dir = tempfile.mkdtemp(prefix='modemux-sim-mbim-')
        self.control = os.path.join(self.dir, 'control')
        self.log = os.path.join(self.dir, 'sim.log')
        self.pty = os.path.join(self.dir, 'wdm-mbim')
        # libmbim wants a special file even when it only talks to the proxy.
        self.dev = os.path.join(self.dir, 'cdc-wdm0')
        os.mknod(self.dev, 0o600 | 0o020000, os.makedev(1, 3))
        # MODEMUX_SIM_WRAPPER="valgrind --error-exitcode=1 --leak-check=full" as in simtest.
        args = os.environ.get('MODEMUX_SIM_WRAPPER', '').split() + [simtest.SIM, '--scenario', os.path.join(simtest.SCENARIOS, scenario),
                '--control', self.control, '--log', self.log,
                '--mbim-proxy', '--pty-mbim=' + self.pty, '--qmi-proxy', '--die-with-parent']
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline() if ready else ''
        if line.strip() != 'modemux-sim ready':
            self.proc.kill()
            _, err = self.proc.communicate()
            raise RuntimeError('simulator did not start: %r %s' % (line, err))

    def mbimcli(self, *args, pty=False):
        # If the simulator died, mbimcli would spawn the real mbim-proxy.
        assert self.proc.poll() is None, 'simulator died'
        device = ['-d', self.pty] if pty else ['-p', '-d', self.dev]
        r = subprocess.run([MBIMCLI] + device + list(args), capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def qmicli(self, *args):
        assert self.proc.poll() is None, 'simulator died'
        r = subprocess.run(['/usr/bin/qmicli', '-p', '-d', self.dev, '--device-open-qmi'] + list(args),
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def ctl(self, *command):
        r = subprocess.run([simtest.SIM, '--ctl', self.control] + list(command),
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError('control %s failed: %s' % (command, r.stderr))
        return r.stdout

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode, err


class MbimTestCase(unittest.TestCase):
    scenario = 'default.conf'

    @classmethod
    def setUpClass(cls):
        cls.sc = simtest.load_scenario(cls.scenario)
        cls.sim = MbimSimulator(cls.scenario)

    @classmethod
    def tearDownClass(cls):
        status, err = cls.sim.stop()
        if status != 0:
            raise AssertionError('simulator exited with %d:\n%s' % (status, err[-4000:]))

    def ok(self, *args, pty=False):
        status, out = self.sim.mbimcli(*args, pty=pty)
        self.assertEqual(status, 0, out)
        return out

    def fails(self, *args):
        status, out = self.sim.mbimcli(*args)
        self.assertNotEqual(status, 0, out)
        return out

    def field(self, out, name):
        m = re.search(r"%s:\s*'?([^'\n]*)'?" % re.escape(name), out)
        self.assertIsNotNone(m, 'no %r in:\n%s' % (name, out))
        return m.group(1).strip()


class Identity(MbimTestCase):
    def test_device_caps_report_the_scenario_identity(self):
        out = self.ok('--query-device-caps')
        self.assertEqual(self.field(out, 'Device ID'), self.sc['identity']['imei'])
        self.assertEqual(self.field(out, 'Firmware info'), self.sc['identity']['revision'])
        self.assertEqual(self.field(out, 'Max sessions'), self.sc['sessions']['max'])
        self.assertEqual(self.field(out, 'Cellular class'), 'gsm')

    def test_subscriber_ready_status_shows_imsi_and_iccid(self):
        out = self.ok('--query-subscriber-ready-status')
        self.assertEqual(self.field(out, 'Ready state'), 'initialized')
        self.assertEqual(self.field(out, 'Subscriber ID'), self.sc['identity']['imsi'])
        self.assertEqual(self.field(out, 'SIM ICCID'), self.sc['identity']['iccid'])

    def test_the_pty_serves_the_same_modem(self):
        out = self.ok('--query-device-caps', pty=True)
        self.assertEqual(self.field(out, 'Device ID'), self.sc['identity']['imei'])


class RadioAndRegistration(MbimTestCase):
    def test_registration_state_is_home_on_the_scenario_operator(self):
        out = self.ok('--query-registration-state')
        self.assertEqual(self.field(out, 'Register state'), 'home')
        self.assertEqual(self.field(out, 'Provider ID'), self.sc['identity']['mcc'] + self.sc['identity']['mnc'])
        self.assertEqual(self.field(out, 'Provider name'), self.sc['identity']['operator-name'])

    def test_home_provider_is_the_scenario_operator(self):
        out = self.ok('--query-home-provider')
        self.assertEqual(self.field(out, 'Provider ID'), self.sc['identity']['mcc'] + self.sc['identity']['mnc'])
        self.assertEqual(self.field(out, 'Provider name'), self.sc['identity']['operator-name'])
        self.assertIn('home', self.field(out, 'State'))

    def test_radio_state_is_shared_with_qmi(self):
        out = self.ok('--query-radio-state')
        self.assertEqual(self.field(out, 'Hardware radio state'), 'on')
        self.assertEqual(self.field(out, 'Software radio state'), 'on')
        status, out = self.sim.qmicli('--dms-set-operating-mode=low-power')
        self.assertEqual(status, 0, out)
        self.assertEqual(self.field(self.ok('--query-radio-state'), 'Software radio state'), 'off')
        self.assertEqual(self.field(self.ok('--query-registration-state'), 'Register state'), 'deregistered')
        self.ok('--set-radio-state=on')
        status, out = self.sim.qmicli('--dms-get-operating-mode')
        self.assertEqual(self.field(out, 'Mode'), 'online')

    def test_registration_loss_injected_through_control(self):
        self.sim.ctl('register', 'searching')
        self.assertEqual(self.field(self.ok('--query-registration-state'), 'Register state'), 'searching')
        self.assertIn('NotRegistered', self.fails('--connect=access-string=internet,session-id=5'))
        self.sim.ctl('register', 'home')
        self.assertEqual(self.field(self.ok('--query-registration-state'), 'Register state'), 'home')


class Sessions(MbimTestCase):
    def test_connect_ip_configuration_disconnect(self):
        apn = self.sc['apn internet']
        out = self.ok('--connect=apn=internet,session-id=2')
        self.assertIn('Successfully connected', out)
        self.assertEqual(self.field(out, 'Activation state'), 'activated')
        self.assertEqual(self.field(out, 'Session ID'), '2')

        out = self.ok('--query-ip-configuration=2')
        addr = re.search(r"IPv4 configuration available: '[^']*'\s+IP \[0\]: '([^']+)'", out)
        self.assertIsNotNone(addr, out)
        iface = ipaddress.ip_interface(addr.group(1))
        self.assertIn(iface.ip, ipaddress.ip_network(apn['ipv4']))
        self.assertEqual(iface.network.prefixlen, ipaddress.ip_network(apn['ipv4']).prefixlen)
        for dns in apn['dns4'].split(';'):
            self.assertIn("'%s'" % dns, out)
        self.assertIn("MTU: '%s'" % apn['mtu'], out)
        addr6 = re.search(r"IPv6 configuration available: '[^']*'\s+IP \[0\]: '([^']+)'", out)
        self.assertIsNotNone(addr6, out)
        self.assertIn(ipaddress.ip_interface(addr6.group(1)).ip, ipaddress.ip_network(apn['ipv6']))

        # The engine holds the PDN under the session id (the data path's mux id).
        sessions = self.sim.ctl('sessions')
        self.assertRegex(sessions, r'mux[ =]2\b')

        out = self.ok('--disconnect=2')
        self.assertIn('Successfully disconnected', out)
        self.assertEqual(self.field(out, 'Activation state'), 'deactivated')
        self.assertIn('ContextNotActivated', self.fails('--query-ip-configuration=2'))

    def test_connect_on_an_unknown_apn_fails(self):
        out = self.fails('--connect=access-string=nowhere,session-id=3')
        self.assertIn('Failure', out)
        self.assertNotRegex(self.sim.ctl('sessions'), r'mux[ =]3\b')

    def test_network_disconnect_ends_the_session(self):
        self.ok('--connect=access-string=internet,ip-type=ipv4,session-id=4')
        self.assertEqual(self.field(self.ok('--query-connection-state=4'), 'Activation state'), 'activated')
        self.sim.ctl('disconnect', 'all')
        self.assertEqual(self.field(self.ok('--query-connection-state=4'), 'Activation state'), 'deactivated')


if __name__ == '__main__':
    simtest.main()
