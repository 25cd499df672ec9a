# SPDX-License-Identifier: GPL-2.0-or-later
"""MBIM modems through the daemon that ships, seen by the real mmcli.

modemuxd under the umockdev preload with the MHI MBIM fixture (Foxconn
T99W175 class: wwan0mbim0 + the mhi_wwan_mbim netdev wwan0) or the USB
cdc_mbim one (Sierra EM7565: cdc-wdm0 + wwan0), the simulator as the fake
mbim-proxy in this test's private network namespace (scenario
test/modem/scenarios/mbim.conf). Expected values are the scenario's, as
Device Caps, Subscriber Ready Status and Register State carry them, written
here by hand.

Environment as test_modem_mmcli.py (meson sets it)."""

import os
import subprocess
import sys
import unittest

import test_modem_mmcli
from test_modem_mmcli import ModemStack, mmcli_kv, values

if __name__ == "__main__":
    test_modem_mmcli._reexec()

from gi.repository import GLib  # noqa: E402
import mxharness  # noqa: E402
from mxharness import TIMEOUT, wait_until  # noqa: E402

MHI_PHYSDEV = "/sys/devices/pci0000:00/0000:00:1d.0/0000:04:00.0"
USB_PHYSDEV = "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-3"


class MbimStack(ModemStack):
    """ModemStack with the simulator serving MBIM as mbim-proxy."""

    scenario = "mbim.conf"
    fixture = "mhi-mbim-t99w175.umockdev"
    control_port = "wwan0mbim0"
    plugin = "mhi"
    drivers = ["mhi-pci-generic"]
    manufacturer = "mhi"    # a PCIe device has no manufacturer string
    physdev = MHI_PHYSDEV

    def start_daemon(self):
        """As ModemStack's, and once more if (and only if) the daemon died of
        umockdev 0.17's preload race (docs/testing.md) while libmbim opened the
        port: libmbim stats the char device in GIO's thread pool, which can
        run after the bus name is taken, where the harness' retries end."""
        for start in range(1, self.h.UMOCKDEV_RACE_STARTS + 1):
            super().start_daemon()
            try:
                wait_until(lambda: self.h.daemon.poll() is not None or "/Modem/" in self.h.mmcli("-L").stdout,
                           "a modem in mmcli -L (or the daemon gone)")
            except TimeoutError:
                return      # the test's own wait says what is missing
            if (start == self.h.UMOCKDEV_RACE_STARTS or self.h.daemon.poll() is None
                    or self.h.UMOCKDEV_RACE not in self.h.log_of(self.h.daemon)):
                return
            print(f"modemuxd hit umockdev's preload race while opening the MBIM port (start {start} "
                  f"of {self.h.UMOCKDEV_RACE_STARTS}); starting it again", file=sys.stderr, flush=True)

    def start_simulator(self):
        # The same simulator, answering MBIM on @mbim-proxy instead of QMI.
        import select
        import tempfile
        self.sim_dir = tempfile.mkdtemp(prefix="mx-mbim-sim-", dir=self.h.tmpdir)
        self.control = os.path.join(self.sim_dir, "control")
        scenario = os.path.join(test_modem_mmcli.MODEM_SCENARIOS, self.scenario)
        # A TUN named wwan0 stands for the data netdev (the testbed has none).
        self.sim = self.h.spawn([test_modem_mmcli.SIM, "--scenario", scenario, "--mbim-proxy",
                                 "--data-tun", "wwan0",
                                 "--control", self.control,
                                 "--log", os.path.join(self.sim_dir, "sim.log")],
                                "modemux-sim", stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.sim.stdout], [], [], TIMEOUT)
        line = self.sim.stdout.readline().decode().strip() if ready else ""
        self.sim.stdout.close()
        self.assertEqual(line, "modemux-sim ready")

    def sim_log(self):
        with open(os.path.join(self.sim_dir, "sim.log")) as f:
            return f.read()

    def sessions(self):
        out = subprocess.run([test_modem_mmcli.SIM, "--ctl", self.control, "sessions"], check=True,
                             timeout=TIMEOUT, env=self.h.env, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line.startswith("session ")]

    def modem_property(self, name):
        return self.h.call(mxharness.MM_NAME, "/org/freedesktop/ModemManager1/Modem/0",
                           "org.freedesktop.DBus.Properties", "Get",
                           GLib.Variant("(ss)", ("org.freedesktop.ModemManager1.Modem", name)), "(v)")[0]

    def modem(self):
        return mmcli_kv(self.h, "-m", "0")


class MhiMbimIdentity(MbimStack):
    def test_mmcli_shows_the_mbim_modem_its_ports_and_sim(self):
        listing = self.wait_for_modem()
        self.assertIn("/org/freedesktop/ModemManager1/Modem/0 ", listing)
        kv = self.modem()
        self.assertEqual(kv["modem.generic.plugin"], self.plugin)
        self.assertEqual(kv["modem.generic.primary-port"], self.control_port)
        self.assertEqual(kv["modem.generic.device"], self.physdev)
        ports = values(kv, "modem.generic.ports")
        self.assertIn(f"{self.control_port} (mbim)", ports)
        self.assertIn("wwan0 (net)", ports)
        self.assertEqual(values(kv, "modem.generic.drivers"), self.drivers)
        # No manufacturer in Device Caps: the USB device's manufacturer
        # string, else the plugin's name (ModemManager does the same).
        self.assertEqual(kv["modem.generic.manufacturer"], self.manufacturer)
        # Device Caps: HardwareInfo, FirmwareInfo, DeviceId.
        self.assertEqual(kv["modem.generic.model"], "T99W175")
        self.assertEqual(kv["modem.generic.revision"], "T99W175.F0.1.0.0.9.GC.004")
        self.assertEqual(kv["modem.generic.equipment-identifier"], "359998765432109")
        self.assertEqual(kv["modem.3gpp.imei"], "359998765432109")
        self.assertEqual(kv["modem.generic.state"], "disabled")
        self.assertEqual(kv["modem.generic.unlock-required"], "--")
        # One non-multiplexed bearer on the data netdev (session 0); mmcli
        # does not print these, the bus has them.
        self.assertEqual(self.modem_property("MaxBearers"), 1)
        self.assertEqual(self.modem_property("MaxActiveBearers"), 1)
        # Subscriber Ready Status: the SIM object.
        sim = mmcli_kv(self.h, "-i", kv["modem.generic.sim"].rsplit("/", 1)[-1])
        self.assertEqual(sim["sim.properties.iccid"], "8949000000000000034")
        self.assertEqual(sim["sim.properties.imsi"], "262019876543210")
        self.assertEqual(sim["sim.properties.operator-code"], "26201")
        # Its TelephoneNumbers: the modem's own numbers.
        self.assertEqual(values(kv, "modem.generic.own-numbers"), ["+4915790000034"])

    def test_enable_registers_with_the_scenario_operator_and_disable_powers_down(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.wait_for_state("registered")
        kv = self.modem()
        self.assertEqual(kv["modem.3gpp.registration-state"], "home")
        self.assertEqual(kv["modem.3gpp.operator-code"], "26201")
        self.assertEqual(kv["modem.3gpp.operator-name"], "MBIM Net")
        self.assertEqual(kv["modem.3gpp.packet-service-state"], "attached")
        self.assertEqual(kv["modem.generic.power-state"], "on")
        # -71 dBm: CSQ 21 = -71 dBm, (-51 - -71) * 100 / 62 = 32 -> 68 %.
        self.assertEqual(kv["modem.generic.signal-quality.value"], "68")
        r = self.h.mmcli("-m", "0", "-d")
        self.assertEqual(r.returncode, 0, r.stderr)
        kv = self.modem()
        self.assertEqual(kv["modem.generic.state"], "disabled")
        self.assertEqual(kv["modem.generic.power-state"], "low")
        self.assertEqual(kv["modem.3gpp.registration-state"], "idle")
        # And back.
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")


    def test_simple_connect_brings_up_wwan0_with_the_scenario_ipv4_settings(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.assertEqual(self.modem()["modem.generic.state"], "connected")
        bearer = values(self.modem(), "modem.generic.bearers")[0].rsplit("/", 1)[-1]
        kv = mmcli_kv(self.h, "-b", bearer)
        self.assertEqual(kv["bearer.status.connected"], "yes")
        self.assertEqual(kv["bearer.status.interface"], "wwan0")
        # mbim.conf's [apn internet]: pool 10.77.0.0/24 (host .2, gateway .1),
        # DNS 10.77.255.1 and .2, MTU 1420.
        self.assertEqual(kv["bearer.ipv4-config.method"], "static")
        self.assertEqual(kv["bearer.ipv4-config.address"], "10.77.0.2")
        self.assertEqual(kv["bearer.ipv4-config.prefix"], "24")
        self.assertEqual(kv["bearer.ipv4-config.gateway"], "10.77.0.1")
        self.assertEqual(values(kv, "bearer.ipv4-config.dns"), ["10.77.255.1", "10.77.255.2"])
        self.assertEqual(kv["bearer.ipv4-config.mtu"], "1420")
        # The simulator's engine holds one session, MBIM session id 0.
        sessions = self.sessions()
        self.assertEqual(len(sessions), 1, sessions)
        self.assertIn("mux=0", sessions[0])
        # The real netdev (the TUN), not the testbed's sysfs: ip without the preload.
        link = subprocess.run(["ip", "-o", "link", "show", "wwan0"], check=True, capture_output=True, text=True,
                              env=test_modem_mmcli._without_preload(os.environ)).stdout
        self.assertIn(",UP", link)

        r = self.h.mmcli("-b", bearer, "--disconnect")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(mmcli_kv(self.h, "-b", bearer)["bearer.status.connected"], "no")
        self.assertEqual(self.modem()["modem.generic.state"], "registered")
        self.assertEqual(self.sessions(), [])
        # And again: the session id is free on the modem.
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())


    def test_disable_while_connected_ends_the_session_first(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        bearer = values(self.modem(), "modem.generic.bearers")[0].rsplit("/", 1)[-1]
        r = self.h.mmcli("-m", "0", "-d")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(mmcli_kv(self.h, "-b", bearer)["bearer.status.connected"], "no")
        self.assertEqual(self.sessions(), [])
        self.assertIn("mbim connect session 0", self.sim_log())
        self.assertIn("ActivationCommand = 'deactivate'", self.sim_log())
        self.assertEqual(self.modem()["modem.generic.state"], "disabled")

    def test_registration_follows_register_state_indications(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")
        self.sim_ctl("register", "searching")
        self.wait_for_state("searching")
        self.assertEqual(self.modem()["modem.3gpp.operator-code"], "--")
        self.sim_ctl("register", "roaming")
        self.wait_for_state("registered")
        kv = self.modem()
        self.assertEqual(kv["modem.3gpp.registration-state"], "roaming")
        self.assertEqual(kv["modem.3gpp.operator-code"], "26201")

    def test_sim_removed_in_use_fails_the_modem_with_sim_missing(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.sim_ctl("remove-sim")
        self.wait_for_state("failed")
        kv = self.modem()
        self.assertEqual(kv["modem.generic.state-failed-reason"], "sim-missing")
        self.assertEqual(kv["modem.generic.sim"], "--")
        wait_until(lambda: self.sessions() == [], "the MBIM session to end")

    def test_ipv4v6_is_one_mbim_context_with_both_families(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,ip-type=ipv4v6")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        bearer = values(self.modem(), "modem.generic.bearers")[0].rsplit("/", 1)[-1]
        kv = mmcli_kv(self.h, "-b", bearer)
        self.assertEqual(kv["bearer.ipv4-config.address"], "10.77.0.2")
        # mbim.conf's IPv6 pool 2001:db8:77::/64: host ::2, gateway ::1.
        self.assertEqual(kv["bearer.ipv6-config.method"], "static")
        self.assertEqual(kv["bearer.ipv6-config.address"], "2001:db8:77::2")
        self.assertEqual(kv["bearer.ipv6-config.prefix"], "64")
        self.assertEqual(kv["bearer.ipv6-config.gateway"], "2001:db8:77::1")
        self.assertEqual(values(kv, "bearer.ipv6-config.dns"), ["2001:db8:77:ffff::1"])
        # Two engine sessions (one per family), both on MBIM session id 0.
        sessions = self.sessions()
        self.assertEqual(len(sessions), 2, sessions)
        self.assertTrue(all("mux=0" in line for line in sessions), sessions)
        r = self.h.mmcli("-b", bearer, "--disconnect")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sessions(), [])

    def test_the_control_port_going_away_removes_the_modem(self):
        self.wait_for_modem()
        # The simulator drops every mbim-proxy connection (the proxy lost the port).
        self.sim_ctl("hangup")
        wait_until(lambda: "No modems were found" in self.h.mmcli("-L").stdout, "the modem to disappear")


class UsbCdcMbimIdentity(MhiMbimIdentity):
    fixture = "usb-em7565-mbim.umockdev"
    control_port = "cdc-wdm0"
    plugin = "generic"
    drivers = ["cdc_mbim", "qcserial"]
    manufacturer = "Sierra Wireless, Incorporated"
    physdev = USB_PHYSDEV

    def prepare_testbed(self):
        # The fixture records no USB strings; this test gives the device the
        # manufacturer string an EM7565 reports (iManufacturer).
        self.testbed.set_attribute(USB_PHYSDEV, "manufacturer", self.manufacturer)


class MbimFaults(MbimStack):
    """Refusals and silence from the modem: a D-Bus error naming the step,
    and a modem that still works once the fault is gone."""

    def fault(self, *rule):
        self.sim_ctl("fault", "add", *rule)

    def enabled(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.wait_for_state("registered")

    def test_a_refused_connect_names_the_step_and_the_next_connect_works(self):
        self.enabled()
        self.fault("service=mbim", "message=0x800C", "action=error", "error=MaxActivatedContexts",
                   "count=1")
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Error.Core.TooMany", r.stderr)
        self.assertIn("IPv4 session", r.stderr)
        self.assertIn("MBIM Connect (activate)", r.stderr)
        self.assertEqual(self.sessions(), [])
        self.assertEqual(self.modem()["modem.generic.state"], "registered")
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())

    def test_a_failed_ip_configuration_deactivates_what_was_activated(self):
        self.enabled()
        self.fault("service=mbim", "message=0x000F", "action=error", "error=Failure", "count=1")
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("IPv4 session", r.stderr)
        self.assertIn("MBIM IP Configuration", r.stderr)
        # Activated, then deactivated again: nothing left on the modem.
        self.assertIn("ActivationCommand = 'deactivate'", self.sim_log())
        self.assertEqual(self.sessions(), [])
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())

    def test_an_unknown_apn_is_the_3gpp_cause_as_on_qmi(self):
        self.enabled()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=nosuchapn")
        self.assertNotEqual(r.returncode, 0)
        # NwError 27 from the simulator: ModemManager's MissingOrUnknownApn.
        self.assertIn("MobileEquipment.MissingOrUnknownApn", r.stderr)
        self.assertIn("3GPP cause 27", r.stderr)

    def test_a_refused_radio_on_fails_enable_naming_it_and_leaves_the_modem_disabled(self):
        self.wait_for_modem()
        self.fault("service=mbim", "message=0x8003", "action=error", "error=Failure", "count=1")
        r = self.h.mmcli("-m", "0", "-e")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Core.Failed", r.stderr)
        self.assertIn("MBIM Radio State (on)", r.stderr)
        self.assertEqual(self.modem()["modem.generic.state"], "disabled")
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")

    def test_no_answer_to_register_state_fails_enable_naming_it(self):
        self.wait_for_modem()
        self.fault("service=mbim", "message=0x0009", "action=drop", "count=1")
        r = self.h.mmcli("-m", "0", "-e")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("MBIM Register State", r.stderr)
        self.assertIn("no answer from the modem", r.stderr)
        self.assertEqual(self.modem()["modem.generic.state"], "disabled")
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")

    def test_each_enable_query_refused(self):
        # Enable's queries after the radio is on, each refused once. Register
        # State is what Enable reports on: its refusal fails Enable naming
        # it, the modem falls back to disabled and the next Enable registers.
        # Packet Service and Signal State only fill in what their indications
        # keep up to date: refused, Enable still registers.
        self.wait_for_modem()
        for cid, step, fatal in (("0x0009", "MBIM Register State", True),
                                 ("0x000A", "MBIM Packet Service", False),
                                 ("0x000B", "MBIM Signal State", False)):
            with self.subTest(step=step):
                self.fault("service=mbim", f"message={cid}", "action=error", "error=Failure",
                           "count=1")
                r = self.h.mmcli("-m", "0", "-e")
                if fatal:
                    self.assertNotEqual(r.returncode, 0, step)
                    self.assertIn(step, r.stderr)
                    self.wait_for_state("disabled")
                    r = self.h.mmcli("-m", "0", "-e")
                self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
                self.wait_for_state("registered")
                r = self.h.mmcli("-m", "0", "-d")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.wait_for_state("disabled")

    def test_a_refused_deactivation_ends_the_bearer_and_the_next_connect_ends_the_stale_session(self):
        # The user asked for the session to end: the bearer ends whatever
        # the modem says. The modem still holds session 0, so the next
        # activation is answered Busy: the daemon ends that stale session
        # and activates again, and the connect succeeds.
        self.enabled()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.fault("service=mbim", "message=0x800C", "action=error", "error=Failure", "count=1")
        r = self.h.mmcli("-m", "0", "--simple-disconnect")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.assertEqual(self.modem()["modem.generic.state"], "registered")
        self.assertEqual(len(self.sessions()), 1, "the modem kept session 0")
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.assertIn("MBIM session 0 is already active on the modem", self.h.daemon_log())
        self.assertEqual(len(self.sessions()), 1, self.sessions())
        self.assertEqual(self.modem()["modem.generic.state"], "connected")

    def test_network_initiated_deactivation_disconnects_the_bearer(self):
        self.enabled()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        bearer = values(self.modem(), "modem.generic.bearers")[0].rsplit("/", 1)[-1]
        self.sim_ctl("disconnect", "all")
        wait_until(lambda: mmcli_kv(self.h, "-b", bearer)["bearer.status.connected"] == "no",
                   "the bearer disconnected by the network")
        self.wait_for_state("registered")

    def test_multiplex_required_fails_naming_what_is_missing(self):
        self.enabled()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,multiplex=required")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Core.Unsupported", r.stderr)
        # this host kernel has no wwan links (test_modem_mbim_mux.py checks
        # that premise; the VM tier creates the links)
        self.assertIn("the kernel cannot create wwan links (CONFIG_WWAN is not enabled)", r.stderr)
        self.assertEqual(self.sessions(), [])

    def test_multiplex_requested_connects_without_and_logs_why(self):
        self.enabled()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,multiplex=requested")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        bearer = values(self.modem(), "modem.generic.bearers")[0].rsplit("/", 1)[-1]
        self.assertEqual(mmcli_kv(self.h, "-b", bearer)["bearer.status.interface"], "wwan0")
        self.assertIn("connecting without multiplexing (MBIM session 0 on wwan0) because the kernel "
                      "cannot create wwan links", self.h.daemon_log())


class MbimQmiOnlyMethods(MbimStack):
    """What the QMI backend does with QMI services (bands, modes, scan,
    packet service changes, profiles, extended signal) answers
    Core.Unsupported naming MBIM, and the modem carries on."""

    def test_qmi_only_methods_are_unsupported_on_mbim(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")
        for args in (["--set-current-bands=eutran-1"], ["--set-allowed-modes=4g"], ["--3gpp-scan"],
                     ["--3gpp-set-packet-service-state=detached"],
                     ["--3gpp-set-initial-eps-bearer-settings=apn=x"]):
            r = self.h.mmcli("-m", "0", *args)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn("Core.Unsupported", r.stderr, args)
            self.assertIn("not supported on MBIM modems", r.stderr, args)
        # No Signal or ProfileManager interface to call at all.
        for args in (["--signal-get"], ["--3gpp-profile-manager-list"]):
            r = self.h.mmcli("-m", "0", *args)
            self.assertNotEqual(r.returncode, 0, args)
        self.assertIsNone(self.h.daemon.poll())
        self.assertEqual(self.modem()["modem.generic.state"], "registered")


class MbimPinLocked(MbimStack):
    scenario = "mbim-pin.conf"

    def test_wrong_pin_shows_the_retries_and_the_right_one_unlocks(self):
        self.wait_for_modem()
        kv = self.modem()
        self.assertEqual(kv["modem.generic.state"], "locked")
        self.assertEqual(kv["modem.generic.unlock-required"], "sim-pin")
        self.assertEqual(values(kv, "modem.generic.unlock-retries"), ["sim-pin (3)"])
        sim = kv["modem.generic.sim"].rsplit("/", 1)[-1]
        r = self.h.mmcli("-i", sim, "--pin=1111")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("IncorrectPassword", r.stderr)
        self.assertIn("2 attempts left", r.stderr)
        self.assertEqual(values(self.modem(), "modem.generic.unlock-retries"), ["sim-pin (2)"])
        r = self.h.mmcli("-i", sim, "--pin=4321")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.wait_for_state("disabled")
        self.assertEqual(mmcli_kv(self.h, "-i", sim)["sim.properties.imsi"], "262019876543210")


if __name__ == "__main__":
    unittest.main(verbosity=2)
