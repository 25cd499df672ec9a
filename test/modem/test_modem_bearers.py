# SPDX-License-Identifier: GPL-2.0-or-later
"""A modem's whole life with bearers, through the daemon that ships.

modemuxd as a user starts it (under umockdev with the MHI QMI fixture, the
simulator as the fake qmi-proxy behind wwan0qmi0 and as the TUNs mhi_hwip0
and mhi_swip0), driven by the real mmcli. The host kernel has no rmnet, so
bearers here are not multiplexed: one per data port. The multiplexed
counterparts run in the VM tier (test/vm/guest/bearers-lifecycle.sh).

What ModemManager does, and so modemuxd must: Disable disconnects every
bearer first; SIGTERM stops every session on the modem before the control
port closes; the modem state goes registered -> connecting -> connected and
connected -> disconnecting -> registered; D-Bus calls racing the modem's
removal or a port hang-up end with an answer, never a crash."""

import os
import shutil
import signal
import subprocess
import unittest

import test_modem_mmcli
from test_modem_mmcli import ModemStack, mmcli_kv, values, WWAN

if __name__ == "__main__":
    test_modem_mmcli._reexec()

from gi.repository import GLib  # noqa: E402
import mxharness  # noqa: E402
from mxharness import TIMEOUT, wait_until  # noqa: E402

STATE_NAMES = {8: "registered", 9: "disconnecting", 10: "connecting", 11: "connected",
               4: "disabling", 3: "disabled", 6: "enabled", 7: "searching"}


class TwoBearers(ModemStack):
    scenario = "mhi-two-apns.conf"
    data_tuns = ("mhi_hwip0", "mhi_swip0")

    def sim_log(self):
        with open(os.path.join(self.sim_dir, "sim.log")) as f:
            return f.read()

    def sessions(self):
        out = subprocess.run([test_modem_mmcli.SIM, "--ctl", self.control, "sessions"], check=True,
                             timeout=TIMEOUT, env=self.h.env, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.startswith("session ")]

    def connect(self, apn):
        """Simple.Connect; returns the index of the bearer it used."""
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", f"--simple-connect=apn={apn}")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        for path in values(mmcli_kv(self.h, "-m", "0"), "modem.generic.bearers"):
            index = path.rsplit("/", 1)[-1]
            if mmcli_kv(self.h, "-b", index)["bearer.properties.apn"] == apn:
                return index
        self.fail(f"no bearer with apn {apn}")

    def connect_two(self):
        self.wait_for_modem()
        first, second = self.connect("internet"), self.connect("work")
        self.assertEqual(len(self.sessions()), 2)
        for bearer in (first, second):
            self.assertEqual(mmcli_kv(self.h, "-b", bearer)["bearer.status.connected"], "yes")
        return first, second

    def assert_disconnected(self, *bearers):
        for bearer in bearers:
            self.assertEqual(mmcli_kv(self.h, "-b", bearer)["bearer.status.connected"], "no")


class Disable(TwoBearers):
    def test_disable_disconnects_every_bearer_first(self):
        first, second = self.connect_two()
        r = self.h.mmcli("-m", "0", "--disable")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.state"], "disabled")
        self.assert_disconnected(first, second)
        # Each session ended by a Stop Network, not by releasing the client.
        self.assertEqual(self.sim_log().count("Stop Network: session"), 2, self.sim_log())
        self.assertEqual(self.sessions(), [])


class Shutdown(TwoBearers):
    scenario = "mhi-slow-stop.conf"

    def test_sigterm_stops_every_session_before_closing_the_port(self):
        self.connect_two()
        self.h.daemon.send_signal(signal.SIGTERM)
        self.assertEqual(self.h.daemon.wait(TIMEOUT), 0, self.h.daemon_log())
        # Stop Network takes 1.5 s here: both were answered before the port closed.
        self.assertEqual(self.sim_log().count("Stop Network: session"), 2, self.sim_log())
        self.assertEqual(self.sessions(), [])
        self.assertNotIn("Stop Network failed", self.h.daemon_log())


class States(TwoBearers):
    """The StateChanged signals the modem emits, as NetworkManager sees them."""

    def setUp(self):
        super().setUp()
        self.transitions = []
        self.h.bus.signal_subscribe(mxharness.MM_NAME, "org.freedesktop.ModemManager1.Modem",
                                    "StateChanged", None, None, 0, self.on_state_changed)

    def on_state_changed(self, conn, sender, path, iface, signal_name, params):
        old, new, _ = params.unpack()
        self.transitions.append((STATE_NAMES.get(old, old), STATE_NAMES.get(new, new)))

    def take_transitions(self):
        # A round trip on our connection: every signal sent before it is queued.
        self.h.name_owner(mxharness.MM_NAME)
        context = GLib.MainContext.default()
        while context.pending():
            context.iteration(False)
        taken, self.transitions = self.transitions, []
        return taken

    def test_connect_and_disconnect_pass_through_connecting_and_disconnecting(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")
        self.take_transitions()
        first = self.connect("internet")
        self.assertEqual(self.take_transitions(),
                         [("registered", "connecting"), ("connecting", "connected")])
        # A second bearer: the modem stays connected throughout.
        second = self.connect("work")
        self.assertEqual(self.take_transitions(), [])
        self.assertEqual(self.h.mmcli("-b", second, "--disconnect").returncode, 0)
        self.assertEqual(self.take_transitions(), [])
        self.assertEqual(self.h.mmcli("-b", first, "--disconnect").returncode, 0)
        self.assertEqual(self.take_transitions(),
                         [("connected", "disconnecting"), ("disconnecting", "registered")])


class Races(TwoBearers):
    """Calls in flight when the modem goes: each gets an answer; no crash.
    Under ASan (tools/check's second host run) an invalid read fails here."""
    scenario = "mhi-slow.conf"

    def start(self, *args):
        return subprocess.Popen([mxharness.MMCLI, *args], env=self.h.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def unplug_control_port(self):
        self.testbed.uevent(WWAN + "wwan0qmi0", "remove")

    def finish(self, proc):
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertIsNone(self.h.daemon.poll(), "modemuxd died:\n" + self.h.daemon_log())
        wait_until(lambda: "No modems were found" in self.h.mmcli("-L").stdout, "the modem to go")
        return proc.returncode, out + err

    def wait_for_log(self, text):
        wait_until(lambda: text in self.sim_log(), f"'{text}' in the simulator log")

    def test_delete_bearer_racing_modem_removal(self):
        first = self.connect("internet")
        proc = self.start("-m", "0", f"--delete-bearer={first}")
        self.wait_for_log("Stop Network: session")   # answered 1.5 s later
        self.unplug_control_port()
        status, text = self.finish(proc)
        if status:
            self.assertIn("error", text.lower())

    def test_bearer_connect_racing_modem_removal(self):
        self.wait_for_modem()
        self.assertEqual(self.h.mmcli("-m", "0", "-e").returncode, 0)
        self.wait_for_state("registered")
        r = self.h.mmcli("-m", "0", "--create-bearer=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr)
        proc = self.start("-b", "0", "--connect")
        self.wait_for_state("connecting")    # Start Network is answered 1.5 s later
        self.unplug_control_port()
        status, text = self.finish(proc)
        self.assertNotEqual(status, 0, text)
        self.assertIn("error", text.lower())

    def test_simple_disconnect_racing_port_hangup(self):
        self.connect("internet")
        proc = self.start("-m", "0", "--simple-disconnect")
        self.wait_for_log("Stop Network: session")
        self.sim_ctl("hangup")
        out, err = proc.communicate(timeout=TIMEOUT)
        self.assertIsNone(self.h.daemon.poll(), "modemuxd died:\n" + self.h.daemon_log())
        if proc.returncode:
            self.assertIn("error", (out + err).lower())


VALGRIND = shutil.which("valgrind")


@unittest.skipIf(os.environ.get("MX_SANITIZE", "none") != "none", "ASan build: valgrind cannot run it")
@unittest.skipIf(VALGRIND is None, "valgrind not installed")
class RacesUnderValgrind(Races):
    """The same races with modemuxd under memcheck: an invalid read or a
    definite leak makes it exit 99, which check_daemon_exit reports."""
    daemon_wrapper = (VALGRIND, "-q", "--leak-check=full", "--num-callers=30",
                      "--errors-for-leak-kinds=definite", "--error-exitcode=99",
                      "--suppressions=/usr/share/glib-2.0/valgrind/glib.supp")


if __name__ == "__main__":
    mxharness.main()
