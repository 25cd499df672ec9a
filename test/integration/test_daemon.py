# SPDX-License-Identifier: GPL-2.0-or-later
"""modemuxd as a process: options, bus name ownership, shutdown."""

import os
import re
import signal
import subprocess
import unittest

from gi.repository import GLib

import mxharness
from mxharness import MM_NAME, TIMEOUT, Harness, HarnessTestCase

VERSION = os.environ.get("MX_VERSION", "")


class CommandLine(unittest.TestCase):
    def run_daemon(self, *args):
        return subprocess.run([mxharness.daemon_path(), *args], capture_output=True, text=True,
                              timeout=TIMEOUT)

    def test_version_option_prints_the_version(self):
        for option in ("--version", "-V"):
            result = self.run_daemon(option)
            self.assertEqual(result.returncode, 0)
            self.assertEqual(result.stdout.strip(), f"modemuxd {VERSION}")

    def test_unknown_option_prints_usage_and_exits_2(self):
        result = self.run_daemon("--no-such-option")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--no-such-option", result.stderr)
        self.assertIn("Usage:", result.stderr)
        self.assertIn("--log-level", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_bad_log_level_exits_2(self):
        result = self.run_daemon("--log-level=LOUD")
        self.assertEqual(result.returncode, 2)
        self.assertIn("invalid log level 'LOUD'", result.stderr)

    def test_stray_argument_exits_2(self):
        result = self.run_daemon("wwan0")
        self.assertEqual(result.returncode, 2)
        self.assertIn("unexpected argument 'wwan0'", result.stderr)

    def test_man_page_documents_every_option(self):
        result = self.run_daemon("--help")
        self.assertEqual(result.returncode, 0)
        options = set(re.findall(r"^\s+(?:-\w, )?--([a-z-]+)", result.stdout, re.M))
        self.assertIn("log-level", options)
        with open(os.path.join(mxharness.source_root(), "docs", "modemuxd.8")) as f:
            man = f.read()
        for option in sorted(options):
            self.assertIn("\\-\\-" + option.replace("-", "\\-"), man, f"--{option} not in modemuxd.8")


class BusName(HarnessTestCase):
    start_daemon = False

    def test_owns_the_modemmanager_name_and_releases_it_on_sigterm(self):
        self.h.start_daemon()
        self.assertEqual(self.h.pid_of(self.h.name_owner(MM_NAME)), self.h.daemon.pid)
        self.assertEqual(self.h.stop_daemon(signal.SIGTERM), 0, self.h.daemon_log())
        self.h.wait_for_name_gone(MM_NAME)

    def test_sigint_also_exits_0(self):
        self.h.start_daemon()
        self.assertEqual(self.h.stop_daemon(signal.SIGINT), 0, self.h.daemon_log())
        self.h.wait_for_name_gone(MM_NAME)

    def test_name_is_free_for_a_successor_after_shutdown(self):
        self.h.start_daemon()
        self.assertEqual(self.h.stop_daemon(), 0)
        self.h.start_daemon()
        self.assertEqual(self.h.stop_daemon(), 0)

    def test_second_instance_exits_1_naming_the_owner_and_never_steals(self):
        first = self.h.start_daemon()
        owner = self.h.name_owner(MM_NAME)
        second = self.h.spawn_daemon(name="second")
        self.assertEqual(second.wait(TIMEOUT), 1)
        lines = self.h.log_of(second).strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(owner, lines[0])
        self.assertIn(f"pid {first.pid}", lines[0])
        self.assertIn(MM_NAME, lines[0])
        # The first daemon keeps the name and keeps answering.
        self.assertEqual(self.h.name_owner(MM_NAME), owner)
        self.assertIn("No modems were found", self.h.mmcli("-L").stdout)
        self.assertEqual(self.h.stop_daemon(), 0)

    def test_name_held_by_another_program_is_not_taken(self):
        # Stands in for a running ModemManager: the harness itself owns the name,
        # and even allows replacement (flag 1), so only modemuxd's restraint keeps it.
        reply = self.h.call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                            "RequestName", GLib.Variant("(su)", (MM_NAME, 1)), "(u)")
        self.assertEqual(reply[0], 1)  # primary owner
        me = self.h.bus.get_unique_name()
        daemon = self.h.spawn_daemon()
        self.assertEqual(daemon.wait(TIMEOUT), 1)
        line = self.h.log_of(daemon).strip()
        self.assertRegex(line, rf"^modemuxd: .*{re.escape(me)} \(pid {os.getpid()}\)")
        self.assertEqual(self.h.name_owner(MM_NAME), me)

    def test_exits_1_when_the_bus_goes_away(self):
        self.h.start_daemon()
        bus = self.h.procs[0]
        mxharness._kill_group(bus)
        self.assertEqual(self.h.daemon.wait(TIMEOUT), 1)
        self.assertIn("bus went away", self.h.daemon_log())
        self.h.daemon = None  # its exit status was the point of this test

    def test_no_system_bus_exits_1_with_a_message(self):
        self.h.env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + self.h.tmpdir + "/nothing-here"
        daemon = self.h.spawn_daemon()
        self.assertEqual(daemon.wait(TIMEOUT), 1)
        self.assertIn("cannot connect to the system bus", self.h.log_of(daemon))

    def test_tells_systemd_ready_once_the_name_is_owned_and_stopping_at_exit(self):
        import socket
        path = os.path.join(self.h.tmpdir, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        sock.settimeout(TIMEOUT)
        self.h.env["NOTIFY_SOCKET"] = path
        daemon = self.h.spawn_daemon()
        self.h.daemon = daemon
        self.assertEqual(sock.recv(4096), b"READY=1")
        self.assertEqual(self.h.pid_of(self.h.name_owner(MM_NAME)), daemon.pid)
        daemon.send_signal(signal.SIGTERM)
        self.assertEqual(sock.recv(4096), b"STOPPING=1")
        # No second SIGTERM: once the daemon has dropped its handler on the
        # way out (ASan's leak check at exit takes a while), it would kill it.
        self.assertEqual(daemon.wait(TIMEOUT), 0)

    def test_runs_in_a_private_network_namespace(self):
        # What later tiers do (simulator and daemon share a netns): the bus is a
        # path socket, so it is still reachable from there.
        self.h.start_daemon(wrapper=["unshare", "-n"])
        self.assertIn("No modems were found", self.h.mmcli("-L").stdout)
        self.assertEqual(self.h.stop_daemon(), 0)

    def test_log_lines_carry_syslog_priorities_when_stderr_is_the_journal(self):
        # systemd sets JOURNAL_STREAM=<dev>:<ino> of the stream it gives us.
        log = os.path.join(self.h.tmpdir, "modemuxd.log")
        open(log, "wb").close()
        st = os.stat(log)
        self.h.start_daemon("--log-level=DEBUG", env={"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"})
        self.assertEqual(self.h.stop_daemon(), 0)
        lines = self.h.daemon_log().splitlines()
        self.assertIn("<6><info>  [mx-daemon] caught signal, shutting down", lines)
        self.assertIn("<7><debug> [mx-daemon] exiting with status 0", lines)

    def test_test_session_serves_the_session_bus(self):
        # The harness points DBUS_SESSION_BUS_ADDRESS at the private bus too.
        self.h.start_daemon("--test-session", "--debug")
        result = self.h.mmcli("--test-session", "-B")
        self.assertRunOk(result)
        self.assertIn(VERSION, result.stdout)


if __name__ == "__main__":
    mxharness.main()
