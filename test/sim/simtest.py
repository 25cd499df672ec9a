"""Shared harness for the 'sim' suite: run modemux-sim in a private network
namespace and drive it with the real qmicli (docs/simulator.md)."""

import configparser
import ctypes
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SIM = os.environ.get('MODEMUX_SIM', '')
SCENARIOS = os.environ.get('MODEMUX_SIM_SCENARIOS',
                           os.path.join(os.path.dirname(os.path.abspath(__file__)), 'scenarios'))
QMICLI = '/usr/bin/qmicli'
MBIMCLI = '/usr/bin/mbimcli'
PRIVATE_NETNS_MARK = 'MODEMUX_SIM_PRIVATE_NETNS'


def ensure_private_netns():
    """Re-exec the test inside `unshare -n`: the abstract @qmi-proxy socket is
    then private, so neither the real qmi-proxy nor a parallel test can ever
    answer our clients."""
    if os.environ.get(PRIVATE_NETNS_MARK) == '1':
        return
    env = dict(os.environ, **{PRIVATE_NETNS_MARK: '1'})
    os.execvpe('unshare', ['unshare', '-n', sys.executable] + sys.argv, env)


def load_scenario(name):
    """The scenario as the simulator sees it (defaults + file), for expected values."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str
    cp.read_dict({
        'identity': {'imei': '490154203237518', 'manufacturer': 'QUALCOMM INCORPORATED',
                     'model': 'SIMULATED SDX55', 'revision': 'SIM.1.0-00001-STD',
                     'iccid': '8944500102198304826', 'imsi': '001010123456789',
                     'mcc': '001', 'mnc': '01', 'operator-name': 'Simulated Network'},
    })
    cp.read(os.path.join(SCENARIOS, name))
    return cp


def _die_with_parent():
    # PR_SET_PDEATHSIG: if the test runner is killed (meson timeout), the
    # simulator goes too instead of lingering in the namespace.
    ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)


class Simulator:
    """One modemux-sim process with a control socket; mbim=True adds the
    MBIM function (fake mbim-proxy and an MBIM pty)."""

    def __init__(self, scenario, proxy=True, pty=False, mbim=False, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix='modemux-sim-')
        self.control = os.path.join(self.dir, 'control')
        self.log = os.path.join(self.dir, 'sim.log')
        self.pty = os.path.join(self.dir, 'wwan0qmi0') if pty else None
        self.mbim_pty = os.path.join(self.dir, 'wdm-mbim') if mbim else None
        # libqmi needs a special file as the device even through the proxy.
        self.dev = os.path.join(self.dir, 'cdc-wdm0')
        os.mknod(self.dev, 0o600 | 0o020000, os.makedev(1, 3))
        # e.g. MODEMUX_SIM_WRAPPER="valgrind --error-exitcode=1 --leak-check=full"
        wrapper = os.environ.get('MODEMUX_SIM_WRAPPER', '').split()
        args = wrapper + [SIM, '--scenario', os.path.join(SCENARIOS, scenario),
                '--control', self.control, '--log', self.log, '--die-with-parent']
        if proxy:
            args.append('--qmi-proxy')
        if pty:
            args += ['--pty', self.pty]
        if mbim:
            args += ['--mbim-proxy', '--pty-mbim=' + self.mbim_pty]
        args += list(extra_args)
        self.stderr = open(os.path.join(self.dir, 'stderr'), 'w+')
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     preexec_fn=_die_with_parent)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ''
        if line.strip() != 'modemux-sim ready':
            self.proc.kill()
            self.proc.communicate()
            self.stderr.seek(0)
            raise RuntimeError('simulator did not start: %r %s' % (line, self.stderr.read()))

    def ctl(self, *command, check=True):
        r = subprocess.run([SIM, '--ctl', self.control] + list(command),
                           capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            raise AssertionError('control %s failed: %s' % (command, r.stderr))
        return r.stdout

    def qmicli(self, *args, timeout=30, pty=False):
        """Run the real qmicli; returns (exit status, stdout + stderr)."""
        assert self.proc.poll() is None, 'simulator died (qmicli would spawn the real qmi-proxy)'
        device = ['-d', self.pty] if pty else ['-p', '-d', self.dev]
        r = subprocess.run([QMICLI] + device + ['--device-open-qmi'] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        out = '\n'.join(l for l in (r.stdout + r.stderr).splitlines() if 'Warning **' not in l)
        return r.returncode, out

    def mbimcli(self, *args, pty=False):
        """Run the real mbimcli (through the proxy, or on the MBIM pty);
        returns (exit status, stdout + stderr)."""
        assert self.proc.poll() is None, 'simulator died (mbimcli would spawn the real mbim-proxy)'
        device = ['-d', self.mbim_pty] if pty else ['-p', '-d', self.dev]
        r = subprocess.run([MBIMCLI] + device + list(args), capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def stop(self):
        """Clean shutdown; returns the exit status and stderr (ASan reports land there)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
        self.stderr.seek(0)
        err = self.stderr.read()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode, err


class SimTestCase(unittest.TestCase):
    """One simulator per test class, stopped (and checked for a clean,
    leak-free exit) at the end."""
    scenario = 'default.conf'
    proxy = True
    pty = False
    mbim = False
    extra_args = ()     # more simulator options

    @classmethod
    def setUpClass(cls):
        cls.sc = load_scenario(cls.scenario)
        cls.sim = Simulator(cls.scenario, proxy=cls.proxy, pty=cls.pty, mbim=cls.mbim,
                            extra_args=cls.extra_args)

    @classmethod
    def tearDownClass(cls):
        status, err = cls.sim.stop()
        if status != 0:
            raise AssertionError('simulator exited with %d:\n%s' % (status, err[-4000:]))

    def client(self, *args, **kw):
        """The client that ok() and fails() run: qmicli."""
        return self.sim.qmicli(*args, **kw)

    def ok(self, *args, **kw):
        status, out = self.client(*args, **kw)
        self.assertEqual(status, 0, out)
        return out

    def fails(self, *args, **kw):
        status, out = self.client(*args, **kw)
        self.assertNotEqual(status, 0, out)
        return out

    def field(self, out, name):
        m = re.search(r"%s:\s*'?([^'\n]*)'?" % re.escape(name), out)
        self.assertIsNotNone(m, 'no %r in:\n%s' % (name, out))
        return m.group(1).strip()


def main():
    ensure_private_netns()
    if not SIM or not os.access(SIM, os.X_OK):
        print('MODEMUX_SIM not set (run through meson test)', file=sys.stderr)
        sys.exit(1)
    unittest.main(verbosity=2)
