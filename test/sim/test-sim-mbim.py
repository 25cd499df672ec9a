#!/usr/bin/python3
"""The simulator's MBIM function answers the real mbimcli 1.28.2 with the
scenario's values, through a fake mbim-proxy (private network namespace)
and on a pty, and shares its state with the QMI side."""

import ipaddress
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simtest  # noqa: E402


class MbimTestCase(simtest.SimTestCase):
    """ok() and fails() run mbimcli (pty=True: on the MBIM pty); self.sim
    also serves qmicli through its qmi-proxy."""
    mbim = True

    def client(self, *args, **kw):
        return self.sim.mbimcli(*args, **kw)


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
