# SPDX-License-Identifier: GPL-2.0-or-later
"""modemuxd with the MHI QMI fixture (RM500Q class), also with its data
netdevs tagged ID_MM_MAX_MULTIPLEXED_LINKS=0, and a USB qmi_wwan modem for
the data port's framing switch, as seen by the real mmcli.

The whole stack as a user runs it: modemuxd discovers the fixture's ports
through udev (umockdev testbed, daemon under the umockdev preload), opens
wwan0qmi0 through qmi-proxy -- answered by the simulator acting as the fake
proxy in this test's private network namespace -- and exports the modem on a
private system bus with the polkit mock. Every check is a real /usr/bin/mmcli
invocation.

Environment (set by meson): MODEMUX_SIM, MODEMUX_SIM_SCENARIOS,
MX_MODEM_FIXTURE (the .umockdev file), plus the harness' MX_BUILD_ROOT."""

import os
import select
import subprocess
import sys
import tempfile
import unittest

NETNS_MARK = "MX_MODEM_TEST_NETNS"


def _reexec():
    """Runs this file inside `unshare -n` (private @qmi-proxy) and under
    umockdev-wrapper (the testbed's uevents need the preload here too)."""
    if os.environ.get(NETNS_MARK) != "1":
        env = dict(os.environ, **{NETNS_MARK: "1"})
        os.execvpe("unshare", ["unshare", "-n", sys.executable] + sys.argv, env)
    if "umockdev-preload" not in os.environ.get("LD_PRELOAD", ""):
        os.execvp("umockdev-wrapper", ["umockdev-wrapper", sys.executable] + sys.argv)


if __name__ == "__main__":
    _reexec()

import gi  # noqa: E402
gi.require_version("UMockdev", "1.0")
from gi.repository import GLib, UMockdev  # noqa: E402

import mxharness  # noqa: E402
from mxharness import TIMEOUT, Harness, wait_until  # noqa: E402

SIM = os.environ.get("MODEMUX_SIM", "")
SCENARIOS = os.environ.get("MODEMUX_SIM_SCENARIOS", "")
MODEM_SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
FIXTURE = os.environ.get("MX_MODEM_FIXTURE", "")
WWAN = "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/mhi0/wwan/wwan0/"
PHYSDEV = "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0"


def _without_preload(env):
    env = dict(env)
    env["LD_PRELOAD"] = " ".join(p for p in env.get("LD_PRELOAD", "").replace(":", " ").split()
                                 if "umockdev" not in p)
    env.pop("UMOCKDEV_DIR", None)
    return env


def mmcli_kv(h, *args):
    """`mmcli ... -K` as a dict; fails the test on a non-zero exit."""
    r = h.mmcli(*args, "-K")
    if r.returncode != 0:
        raise AssertionError(f"mmcli {args} failed: {r.stderr}\ndaemon log:\n{h.daemon_log()}")
    kv = {}
    for line in r.stdout.splitlines():
        key, sep, value = line.partition(" : ")
        if sep:
            kv[key.strip()] = value.strip()
    return kv


def values(kv, prefix):
    """The list an mmcli -K key holds (prefix.value[1], prefix.value[2], ...)."""
    out, i = [], 1
    while f"{prefix}.value[{i}]" in kv:
        out.append(kv[f"{prefix}.value[{i}]"])
        i += 1
    return out


class ModemStack(unittest.TestCase):
    """One testbed + simulator + modemuxd per test."""

    scenario = "mhi.conf"
    fixture = None      # another .umockdev file next to MX_MODEM_FIXTURE
    data_tuns = ()      # the simulator's TUNs standing in for the data netdevs
    daemon_wrapper = () # argv prefix for modemuxd, e.g. valgrind
    daemon_args = ()    # extra modemuxd arguments, e.g. --debug

    def prepare_testbed(self):
        """Changes to the fixture before modemuxd starts."""

    def setUp(self):
        self.testbed = UMockdev.Testbed.new()
        fixture = os.path.join(os.path.dirname(FIXTURE), self.fixture) if self.fixture else FIXTURE
        self.assertTrue(self.testbed.add_from_file(fixture))
        self.prepare_testbed()
        self.h = Harness()
        # The bus, polkit mock and simulator run without the preload.
        self.h.env = _without_preload(self.h.env)
        self.h.__enter__()
        self.addCleanup(self.h.close)
        self.start_simulator()
        self.start_daemon()
        self.addCleanup(self.check_daemon_exit)

    def start_daemon(self):
        """modemuxd under the testbed's preload, as self.h.daemon."""
        env = dict(self.h.env)
        env["UMOCKDEV_DIR"] = self.testbed.get_root_dir()
        env["LD_PRELOAD"] = "libumockdev-preload.so.0"
        env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
        self.h.daemon = self.h.spawn_under_umockdev(
            [*self.daemon_wrapper, mxharness.daemon_path(self.h.build_dir),
             "--log-level=DEBUG", "--test-no-qrtr", *self.daemon_args], "modemuxd", env)

    def start_simulator(self):
        self.sim_dir = tempfile.mkdtemp(prefix="mx-modem-sim-", dir=self.h.tmpdir)
        self.control = os.path.join(self.sim_dir, "control")
        scenario = os.path.join(MODEM_SCENARIOS, self.scenario)
        if not os.path.exists(scenario):
            scenario = os.path.join(SCENARIOS, self.scenario)
        data = [arg for tun in self.data_tuns for arg in ("--data-tun", tun)]
        self.sim = self.h.spawn([SIM, "--scenario", scenario, *data,
                                 "--qmi-proxy", "--control", self.control,
                                 "--log", os.path.join(self.sim_dir, "sim.log")],
                                "modemux-sim", stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.sim.stdout], [], [], TIMEOUT)
        line = self.sim.stdout.readline().decode().strip() if ready else ""
        self.sim.stdout.close()
        self.assertEqual(line, "modemux-sim ready")

    def sim_ctl(self, *command):
        subprocess.run([SIM, "--ctl", self.control, *command], check=True, timeout=TIMEOUT,
                       env=self.h.env, capture_output=True)

    def check_daemon_exit(self):
        if self.h.daemon.poll() is None:
            status = self.h.stop_daemon()
        else:
            status = self.h.daemon.returncode
        self.assertEqual(status, 0, "modemuxd did not exit cleanly:\n" + self.h.daemon_log())

    def wait_for_modem(self):
        def listed():
            r = self.h.mmcli("-L")
            return r.returncode == 0 and "/Modem/" in r.stdout and r.stdout
        return wait_until(listed, "a modem in mmcli -L")

    def wait_for_state(self, state):
        wait_until(lambda: mmcli_kv(self.h, "-m", "any").get("modem.generic.state") == state,
                   f"modem state {state}")


class Identity(ModemStack):
    def test_mmcli_lists_one_modem_with_the_scenario_identity(self):
        listing = self.wait_for_modem()
        self.assertEqual(listing.count("/org/freedesktop/ModemManager1/Modem/"), 1, listing)
        self.assertIn("SIMULATED MHI SDX65", listing)

        # The exact commands: the first modem is Modem/0.
        self.assertIn("/org/freedesktop/ModemManager1/Modem/0 ", listing)
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(kv["modem.generic.manufacturer"], "QUALCOMM INCORPORATED")
        self.assertEqual(kv["modem.generic.model"], "SIMULATED MHI SDX65")
        self.assertEqual(kv["modem.generic.revision"], "SIM.1.0-00001-STD")
        self.assertEqual(kv["modem.generic.equipment-identifier"], "490154203237518")
        self.assertEqual(kv["modem.3gpp.imei"], "490154203237518")
        self.assertEqual(kv["modem.generic.plugin"], "mhi")
        self.assertEqual(kv["modem.generic.primary-port"], "wwan0qmi0")
        self.assertEqual(kv["modem.generic.device"], PHYSDEV)
        ports = values(kv, "modem.generic.ports")
        for port in ("wwan0qmi0 (qmi)", "mhi_hwip0 (net)", "mhi_swip0 (net)"):
            self.assertIn(port, ports)
        self.assertEqual(values(kv, "modem.generic.drivers"), ["mhi-pci-generic", "mhi_net"])
        self.assertEqual(kv["modem.generic.state"], "disabled")

    def test_enable_reaches_registered_with_the_scenario_operator(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")
        kv = mmcli_kv(self.h, "-m", "any")
        self.assertEqual(kv["modem.3gpp.registration-state"], "home")
        self.assertEqual(kv["modem.3gpp.operator-code"], "00101")
        self.assertEqual(kv["modem.3gpp.operator-name"], "Simulated Network")

    def test_enable_is_refused_when_polkit_denies(self):
        self.wait_for_modem()
        self.h.polkit_allow_unknown(False)
        r = self.h.mmcli("-m", "any", "-e")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Unauthorized", r.stderr)
        self.assertEqual(mmcli_kv(self.h, "-m", "any")["modem.generic.state"], "disabled")

    def test_hot_unplug_removes_the_modem(self):
        self.wait_for_modem()
        # The control ports go (as on a surprise removal of the card).
        for port in ("wwan0qmi0", "wwan0at0", "wwan0qcdm0", "wwan0firehose0"):
            self.testbed.uevent(WWAN + port, "remove")
        wait_until(lambda: "No modems were found" in self.h.mmcli("-L").stdout,
                   "the modem to disappear")
        # Replug of the QMI port: a new modem (new index, as in ModemManager).
        self.testbed.uevent(WWAN + "wwan0qmi0", "add")
        listing = self.wait_for_modem()
        self.assertIn("/org/freedesktop/ModemManager1/Modem/1", listing)
        self.assertEqual(mmcli_kv(self.h, "-m", "any")["modem.generic.state"], "disabled")


class SilentPort(ModemStack):
    """The control port opens, then DMS never answers."""
    scenario = "silent-dms.conf"

    def test_no_modem_is_created_and_the_log_says_why(self):
        wait_until(lambda: "no modem on wwan0qmi0: initialization failed: DMS Get Manufacturer failed: "
                   in self.h.daemon_log(), "the initialization failure in the log")
        self.assertIn("No modems were found", self.h.mmcli("-L").stdout)
        self.assertNotIn("exported at", self.h.daemon_log())


class PinLocked(ModemStack):
    scenario = "pin-locked.conf"

    def test_locked_modem_unlocks_with_the_right_pin(self):
        self.wait_for_modem()
        kv = mmcli_kv(self.h, "-m", "any")
        self.assertEqual(kv["modem.generic.state"], "locked")
        self.assertEqual(kv["modem.generic.unlock-required"], "sim-pin")
        self.assertIn("sim-pin (3)", values(kv, "modem.generic.unlock-retries"))

        r = self.h.mmcli("-i", "any", "--pin=0000")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("IncorrectPassword", r.stderr)
        kv = mmcli_kv(self.h, "-m", "any")
        self.assertIn("sim-pin (2)", values(kv, "modem.generic.unlock-retries"))

        r = self.h.mmcli("-i", "0", "--pin=1234")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("disabled")
        kv = mmcli_kv(self.h, "-i", "any")
        self.assertEqual(kv["sim.properties.operator-code"], "26201")


USB_NET = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.4/net/wwan0"


class UsbQmiWwan(ModemStack):
    """A USB modem on qmi_wwan (cdc-wdm0 + wwan0), wwan0 in 802.3 framing as
    qmi_wwan binds it. The simulator's TUN wwan0 is the netdev netlink sees;
    qmi/raw_ip and qmi/pass_through are the testbed's files."""
    fixture = "usb-qmi-wwan-qmimux.umockdev"
    data_tuns = ("wwan0",)

    def prepare_testbed(self):
        self.testbed.set_attribute(USB_NET, "qmi/raw_ip", "N")

    def qmi_switch(self, name):
        path = os.path.join(self.testbed.get_root_dir(), USB_NET.lstrip("/"), "qmi", name)
        with open(path) as f:
            return f.read().strip()

    def sessions(self):
        out = subprocess.run([SIM, "--ctl", self.control, "sessions"], check=True, timeout=TIMEOUT,
                             env=self.h.env, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.startswith("session ")]

    def test_connect_switches_wwan0_to_raw_ip_framing(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.qmi_switch("raw_ip"), "Y")
        self.assertEqual(self.qmi_switch("pass_through"), "N")
        self.assertIn("qmi_wwan port wwan0 switched to raw-ip framing", self.h.daemon_log())
        kv = mmcli_kv(self.h, "-b", "0")
        self.assertEqual(kv["bearer.status.connected"], "yes")
        self.assertEqual(kv["bearer.status.interface"], "wwan0")
        self.assertEqual(kv["bearer.status.multiplexed"], "no")
        self.assertEqual(len(self.sessions()), 1)

    def test_a_port_without_the_qmi_switches_fails_the_connect_clearly(self):
        # Not a qmi_wwan netdev after all (no qmi/ group): nothing is started.
        os.remove(os.path.join(self.testbed.get_root_dir(), USB_NET.lstrip("/"), "qmi", "raw_ip"))
        self.assertRaises(FileNotFoundError, self.qmi_switch, "raw_ip")
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Cannot set the framing of wwan0: wwan0 is not a qmi_wwan network interface",
                      r.stderr)
        self.assertEqual(self.sessions(), [])
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.state"], "registered")


MHI = "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/mhi0/"
NO_MUX_TAG = "the udev tag ID_MM_MAX_MULTIPLEXED_LINKS=0 of mhi_hwip0 forbids multiplexing"


class NoMultiplexingTag(ModemStack):
    """The MHI modem with both data netdevs tagged ID_MM_MAX_MULTIPLEXED_LINKS=0,
    as a udev rule for the device would: no multiplexing on this modem, as in
    ModemManager 1.22. The simulator's TUN mhi_hwip0 carries the plain session."""
    data_tuns = ("mhi_hwip0",)

    def prepare_testbed(self):
        for net in ("mhi0_IP_HW0/net/mhi_hwip0", "mhi0_IP_SW0/net/mhi_swip0"):
            self.testbed.set_property(MHI + net, "ID_MM_MAX_MULTIPLEXED_LINKS", "0")

    def modem_property(self, iface, name):
        return self.h.call(mxharness.MM_NAME, "/org/freedesktop/ModemManager1/Modem/0",
                           "org.freedesktop.DBus.Properties", "Get",
                           GLib.Variant("(ss)", (iface, name)), "(v)")[0]

    def data_ports(self):
        return {p["name"]: p for p in self.modem_property("org.modemux.DataPorts1", "DataPorts")}

    def test_max_active_multiplexed_bearers_is_zero(self):
        self.wait_for_modem()
        # This mmcli (1.20) does not print the property: read it from the bus.
        self.assertEqual(self.modem_property("org.freedesktop.ModemManager1.Modem",
                                             "MaxActiveMultiplexedBearers"), 0)
        # Per port, whatever the kernel can do: the tag's 0.
        ports = self.data_ports()
        self.assertEqual(ports["mhi_hwip0"]["max-links"], 0, ports)
        self.assertEqual(ports["mhi_swip0"]["max-links"], 0, ports)
        # The mhi plugin's profile of an mhi_net port; the tag does not change it.
        self.assertEqual((ports["mhi_hwip0"]["driver"], ports["mhi_hwip0"]["link-kinds"],
                          ports["mhi_hwip0"]["raw-ip"], ports["mhi_hwip0"]["multiplex-default"]),
                         ("mhi_net", "rmnet", True, "requested"), ports)

    def test_requested_connects_without_multiplexing_and_says_why(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,multiplex=requested")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        kv = mmcli_kv(self.h, "-b", "0")
        self.assertEqual(kv["bearer.status.connected"], "yes")
        self.assertEqual(kv["bearer.status.multiplexed"], "no")
        self.assertEqual(kv["bearer.status.interface"], "mhi_hwip0")
        self.assertIn("multiplex=requested: connecting without multiplexing because " + NO_MUX_TAG,
                      self.h.daemon_log())

    def test_required_fails_naming_the_tag(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,multiplex=required")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Multiplexing required but not supported: " + NO_MUX_TAG, r.stderr)
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.state"], "registered")


if __name__ == "__main__":
    mxharness.main()
