# SPDX-License-Identifier: GPL-2.0-or-later
"""Test harness: modemuxd on a private system-like D-Bus with a polkit mock.

Run with Debian's /usr/bin/python3 (it has python3-gi and python3-dbusmock).

    with Harness() as h:           # private bus + polkit mock (allows all)
        h.start_daemon()           # modemuxd from the build dir, waits for the name
        print(h.mmcli("-L").stdout)

Every process is started in its own process group, dies with the harness
(PR_SET_PDEATHSIG) and is killed on exit, even when a test fails or the test
runner is interrupted; temporary files live in one directory removed at the end.

Later components extend this by adding processes with Harness.spawn() (the
simulator in a private network namespace, umockdev) and by passing extra
daemon options to start_daemon().
"""

import atexit
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

from gi.repository import Gio, GLib

MM_NAME = "org.freedesktop.ModemManager1"
MM_PATH = "/org/freedesktop/ModemManager1"
POLKIT_NAME = "org.freedesktop.PolicyKit1"
POLKIT_PATH = "/org/freedesktop/PolicyKit1/Authority"
MOCK_IFACE = "org.freedesktop.DBus.Mock"
MMCLI = "/usr/bin/mmcli"

# Bounded waits: generous so that ASan builds and loaded CI machines pass.
from mxwait import TIMEOUT, wait_until  # noqa: E402,F401  (re-exported)

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
{policy}
</busconfig>
"""

PERMISSIVE_POLICY = """  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>"""

# Like Debian's /usr/share/dbus-1/system.conf: only root may own names and
# call methods unless a policy file (ours, included below) says otherwise.
STRICT_POLICY = """  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <policy user="root">
    <allow own="org.freedesktop.PolicyKit1"/>
    <allow send_destination="org.freedesktop.PolicyKit1"/>
  </policy>
{includes}"""

_live = set()  # every Popen still running, for the atexit/signal safety net


def _kill_all():
    for proc in list(_live):
        _kill_group(proc)


def _kill_group(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    _live.discard(proc)


def _on_fatal_signal(signum, frame):
    # meson test sends SIGTERM on timeout; turn it into a normal exit so
    # that finally blocks and atexit run.
    raise SystemExit(128 + signum)


atexit.register(_kill_all)
signal.signal(signal.SIGTERM, _on_fatal_signal)

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _die_with_parent():
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def build_root():
    """The meson build dir under test: MX_BUILD_ROOT (set by meson test) or ./build."""
    root = os.environ.get("MX_BUILD_ROOT")
    if root:
        return root
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")


def source_root():
    return os.environ.get("MX_SOURCE_ROOT") or \
        os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def as_user(user, argv):
    """argv run as @user (None: unchanged), without a login session."""
    if user is None:
        return list(argv)
    import pwd
    pw = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups",
            "--", *argv]


def daemon_path(root=None):
    return os.path.join(root or build_root(), "src", "daemon", "modemuxd")




class Harness:
    """A private system-like bus, the polkit mock and (on request) modemuxd."""

    def __init__(self, build_dir=None, polkit=True, policy_files=None):
        """policy_files: None for a permissive bus; else a list of D-Bus policy
        files (e.g. data/modemux.conf) on top of system.conf-like defaults."""
        self.build_dir = build_dir or build_root()
        self.tmpdir = tempfile.mkdtemp(prefix="mx-harness-")
        self.socket = os.path.join(self.tmpdir, "system_bus_socket")
        self.address = "unix:path=" + self.socket
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address,
                        # Clients must never reach the real session bus.
                        DBUS_SESSION_BUS_ADDRESS=self.address, LC_ALL="C.UTF-8")
        self.procs = []
        self.bus = None
        self.daemon = None
        self._daemon_logs = []
        self._want_polkit = polkit
        self.policy_files = policy_files

    # context manager -----------------------------------------------------

    def __enter__(self):
        try:
            self.start_bus()
            if self._want_polkit:
                self.start_polkit()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Kills whatever still runs (daemon last-but-one, bus last) and
        removes the temporary directory."""
        for proc in reversed(self.procs):
            _kill_group(proc)
        self.procs.clear()
        if self.bus is not None:
            try:
                self.bus.close_sync(None)
            except GLib.Error:
                pass
            self.bus = None
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # processes -----------------------------------------------------------

    def spawn(self, argv, name, **kwargs):
        """Starts argv in its own process group with the harness environment;
        stdout/stderr go to <tmpdir>/<name>.log unless given."""
        with open(os.path.join(self.tmpdir, name + ".log"), "wb") as log:
            kwargs.setdefault("stdout", log)
            kwargs.setdefault("stderr", subprocess.STDOUT if kwargs["stdout"] is log else log)
            kwargs.setdefault("env", self.env)
            proc = subprocess.Popen(argv, start_new_session=True, preexec_fn=_die_with_parent,
                                    **kwargs)
        proc.log_path = log.name
        self.procs.append(proc)
        _live.add(proc)
        return proc

    def log_of(self, proc):
        with open(proc.log_path, "r", errors="replace") as f:
            return f.read()

    def start_bus(self):
        conf = os.path.join(self.tmpdir, "bus.conf")
        with open(conf, "w") as f:
            if self.policy_files is None:
                policy = PERMISSIVE_POLICY
            else:
                includes = "\n".join(f"  <include>{os.path.abspath(p)}</include>"
                                      for p in self.policy_files)
                policy = STRICT_POLICY.format(includes=includes)
                # Unprivileged clients must reach the socket.
                os.chmod(self.tmpdir, 0o755)
            f.write(BUS_CONFIG.format(socket=self.socket, policy=policy))
        proc = self.spawn(["dbus-daemon", "--config-file=" + conf, "--nofork", "--nopidfile",
                           "--print-address=1"], "dbus-daemon", stdout=subprocess.PIPE)
        # dbus-daemon prints its address once it listens: no guessing.
        line = proc.stdout.readline().decode().strip()
        proc.stdout.close()
        if not line:
            raise RuntimeError("dbus-daemon did not start")
        self.bus = Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    # bus helpers ---------------------------------------------------------

    def call(self, dest, path, iface, method, args=None, reply_type=None, timeout=TIMEOUT):
        """Synchronous D-Bus call on the private bus; returns the unpacked reply
        or raises GLib.Error."""
        reply = self.bus.call_sync(dest, path, iface, method, args,
                                   GLib.VariantType(reply_type) if reply_type else None,
                                   Gio.DBusCallFlags.NONE, int(timeout * 1000), None)
        return reply.unpack() if reply is not None else None

    def name_owner(self, name):
        try:
            return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                             "org.freedesktop.DBus", "GetNameOwner",
                             GLib.Variant("(s)", (name,)), "(s)")[0]
        except GLib.Error:
            return None

    def pid_of(self, unique_name):
        return self.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "GetConnectionUnixProcessID", GLib.Variant("(s)", (unique_name,)),
                         "(u)")[0]

    def wait_for_name(self, name, proc=None, timeout=TIMEOUT):
        def owned():
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before "
                                   f"owning {name}:\n{self.log_of(proc)}")
            return self.name_owner(name)
        return wait_until(owned, f"{name} on the private bus", timeout)

    # umockdev 0.17's preload can abort a process that stats /dev in one
    # thread (GIO's pool, for libqmi's open) while another reads sysfs
    # (libumockdev-preload.c, is_emulated_device: Assertion `res > 0'). Only
    # the daemon under umockdev starts that way, and only at start-up.
    UMOCKDEV_RACE = "libumockdev-preload.c:299: is_emulated_device: Assertion"

    # Under ASan on a loaded 2-core machine the race was seen twice in a row;
    # four starts make a spurious failure rare while a real early exit still
    # fails at once (it never carries that assertion).
    UMOCKDEV_RACE_STARTS = 4

    def spawn_under_umockdev(self, argv, name, env):
        """Starts a daemon under the umockdev preload and waits for the
        ModemManager name; starts it again, up to UMOCKDEV_RACE_STARTS times
        in all, if (and only if) it died of umockdev's own race above."""
        for attempt in range(1, self.UMOCKDEV_RACE_STARTS + 1):
            proc = self.spawn(argv, name, env=env)
            try:
                self.wait_for_name(MM_NAME, proc)
                return proc
            except RuntimeError:
                if attempt == self.UMOCKDEV_RACE_STARTS or self.UMOCKDEV_RACE not in self.log_of(proc):
                    raise
                print(f"{name} hit umockdev's preload race at start (start {attempt} of "
                      f"{self.UMOCKDEV_RACE_STARTS}); starting it again", file=sys.stderr, flush=True)

    def wait_for_name_gone(self, name, timeout=TIMEOUT):
        wait_until(lambda: self.name_owner(name) is None, f"{name} to be released", timeout)

    # polkit mock ---------------------------------------------------------

    def start_polkit(self, allow_all=True):
        self.polkit = self.spawn(["/usr/bin/python3", "-m", "dbusmock", "--system",
                                  "--template", "polkitd"], "polkitd")
        self.wait_for_name(POLKIT_NAME, self.polkit)
        self.polkit_allow_unknown(allow_all)

    def polkit_allow_unknown(self, allow):
        """Allow (True) or deny (False) every action not set with polkit_set_allowed()."""
        self.call(POLKIT_NAME, POLKIT_PATH, MOCK_IFACE, "AllowUnknown", GLib.Variant("(b)", (allow,)))

    def polkit_set_allowed(self, actions):
        self.call(POLKIT_NAME, POLKIT_PATH, MOCK_IFACE, "SetAllowed",
                  GLib.Variant("(as)", (list(actions),)))

    # modemuxd ------------------------------------------------------------

    def spawn_daemon(self, *args, name="modemuxd", user=None, wrapper=(), env=None):
        """Starts modemuxd without waiting (e.g. to watch it fail).
        wrapper: argv prefix, e.g. ["unshare", "-n"] for a private network
        namespace (the bus is a path socket, so it stays reachable) or
        ["umockdev-wrapper"]; env: extra environment variables."""
        argv = as_user(user, [*wrapper, daemon_path(self.build_dir), *args])
        return self.spawn(argv, name, env=dict(self.env, **(env or {})))

    def start_daemon(self, *args, wrapper=(), env=None):
        """Starts modemuxd (default: --log-level=DEBUG) and waits until it owns
        org.freedesktop.ModemManager1."""
        if not args:
            args = ("--log-level=DEBUG",)
        self.daemon = self.spawn_daemon(*args, wrapper=wrapper, env=env)
        self.daemon_unique_name = self.wait_for_name(MM_NAME, self.daemon)
        return self.daemon

    def stop_daemon(self, sig=signal.SIGTERM, timeout=TIMEOUT):
        """Signals modemuxd and returns its exit status (leak checkers in ASan
        builds make it non-zero, so callers assert on it)."""
        proc = self.daemon
        proc.send_signal(sig)
        try:
            return proc.wait(timeout)
        finally:
            _kill_group(proc)

    def daemon_log(self):
        return self.log_of(self.daemon) if self.daemon else ""

    # clients -------------------------------------------------------------

    def run(self, argv, timeout=TIMEOUT, check=False):
        """Runs a client to completion with the private bus as its system bus."""
        return subprocess.run(argv, env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=check)

    def mmcli(self, *args, timeout=TIMEOUT, user=None):
        """Runs the real mmcli; user="nobody" runs it unprivileged."""
        return self.run(as_user(user, [MMCLI, *args]), timeout=timeout)


class HarnessTestCase(unittest.TestCase):
    """Each test gets a fresh private bus, polkit mock (allowing everything)
    and a running modemuxd; set start_daemon = False to start it yourself.
    The daemon must exit 0 on SIGTERM at the end of every test, so crashes and
    (under ASan) leaks fail the test that caused them."""

    start_daemon = True
    daemon_args = ()
    harness_args = {}   # e.g. {"policy_files": [...]}

    def setUp(self):
        self.h = Harness(**self.harness_args)
        self.h.__enter__()
        self.addCleanup(self.h.close)
        self.addCleanup(self._dump_logs_on_failure)
        if self.start_daemon:
            self.h.start_daemon(*self.daemon_args)
            self.addCleanup(self._check_daemon_exit)

    def _dump_logs_on_failure(self):
        # Runs before Harness.close() removes the logs (cleanups run last-in first-out).
        result = getattr(getattr(self, "_outcome", None), "result", None)
        failed = result is not None and any(
            test is self for test, _ in result.failures + result.errors)
        if not failed:
            return
        for proc in self.h.procs:
            if getattr(proc, "log_path", None) and os.path.exists(proc.log_path):
                sys.stderr.write(f"----- {os.path.basename(proc.log_path)} -----\n")
                sys.stderr.write(self.h.log_of(proc))
        sys.stderr.flush()

    def _check_daemon_exit(self):
        daemon = self.h.daemon
        if daemon is None:
            return
        status = self.h.stop_daemon() if daemon.poll() is None else daemon.returncode
        self.assertEqual(status, 0, "modemuxd did not exit cleanly:\n" + self.h.daemon_log())

    def assertRunOk(self, result, msg=None):
        self.assertEqual(result.returncode, 0,
                         msg or f"{result.args} failed ({result.returncode}):\n"
                                f"stdout: {result.stdout}\nstderr: {result.stderr}\n"
                                f"daemon log:\n{self.h.daemon_log()}")


def main():
    """unittest.main() that exits non-zero on failure, for meson test."""
    unittest.main(verbosity=2)


if __name__ == "__main__":
    sys.exit("this module is imported by tests; see test/harness/demo.py")
