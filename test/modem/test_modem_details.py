# SPDX-License-Identifier: GPL-2.0-or-later
"""What the real mmcli shows of a modem beyond its identity, and what its
changes do: signal quality and the Signal interface, bands and modes,
packet service, network scan, 3GPP profiles and the initial EPS bearer,
firmware, PIN2 retries and facility locks. The stack is test_modem_mmcli's
(modemuxd under umockdev with the MHI fixture, the simulator as fake
qmi-proxy); the expected values are the scenarios' (test/modem/scenarios/
details.conf, details-faults.conf), written here by hand, and every change
is checked in the simulator's state too (its control socket)."""

import subprocess

import test_modem_mmcli
from test_modem_mmcli import SIM, ModemStack, mmcli_kv, values

if __name__ == "__main__":
    test_modem_mmcli._reexec()

import mxharness  # noqa: E402
from mxharness import TIMEOUT, wait_until  # noqa: E402


class DetailsStack(ModemStack):
    """The stack plus the simulator's answers to control commands."""

    def sim_out(self, *command):
        return subprocess.run([SIM, "--ctl", self.control, *command], check=True, timeout=TIMEOUT,
                              env=self.h.env, capture_output=True, text=True).stdout

    def sim_radio(self):
        """The simulator's `radio` line as a dict (modes=..., lte-bands=...)."""
        line = self.sim_out("radio").splitlines()[0]
        return dict(field.split("=", 1) for field in line.split())

    def signal_reads(self):
        """The NAS Get Signal Info (0x4F) and Get Signal Strength (0x20)
        requests in the simulator's request log."""
        return [line for line in self.sim_out("requests").splitlines()
                if "service=nas" in line and ("message=0x004f" in line or "message=0x0020" in line)]

    def last_signal_poll_decision(self):
        """The daemon's last word on reading the signal periodically."""
        lines = [line for line in self.h.daemon_log().splitlines()
                 if "signal: reading every" in line or "no periodic read" in line]
        return lines[-1] if lines else ""

    def enable(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("registered")


class Details(DetailsStack):
    scenario = "details.conf"

    def test_signal_quality_is_the_scenario_rssi_and_recent(self):
        self.enable()
        # RSSI -71 dBm: 68 % as ModemManager computes it (-113..-51 dBm).
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.generic.signal-quality.recent") == "yes",
                   "a recent signal quality")
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(kv["modem.generic.signal-quality.value"], "68")
        self.assertEqual(kv["modem.3gpp.packet-service-state"], "attached")

    def test_set_packet_service_state_detaches_and_attaches(self):
        self.enable()
        r = self.h.mmcli("-m", "0", "--3gpp-set-packet-service-state=detached")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sim_radio()["ps"], "detached")
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.3gpp.packet-service-state"], "detached")
        r = self.h.mmcli("-m", "0", "--3gpp-set-packet-service-state=attached")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sim_radio()["ps"], "attached")
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.3gpp.packet-service-state"], "attached")

    def test_scan_lists_the_scenario_networks(self):
        self.enable()
        kv = mmcli_kv(self.h, "-m", "0", "--3gpp-scan", "--timeout=60")
        self.assertEqual(sorted(values(kv, "modem.3gpp.scan-networks")), [
            "operator-code: 00101, operator-name: Simulated Network, access-technologies: lte, availability: current",
            "operator-code: 00102, operator-name: Other Net, access-technologies: umts, availability: available",
            "operator-code: 00103, operator-name: Closed Net, access-technologies: 5gnr, availability: forbidden",
        ])

    def test_signal_quality_follows_signal_strength_indications(self):
        self.enable()
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.generic.signal-quality.value") == "68",
                   "the first signal quality")
        # -89 dBm crosses the -95/-85 thresholds: a NAS Event Report.
        self.sim_out("--", "signal", "-89")   # "--": negative numbers are not options
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.generic.signal-quality.value") == "39",
                   "signal quality 39 % from the indication")

    def test_signal_quality_follows_signal_info_indications_without_reads(self):
        self.enable()
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.generic.signal-quality.value") == "68",
                   "the first signal quality")
        # Enabling asked the modem to report RSSI changes across these steps.
        self.assertIn("signal info RSSI thresholds -105,-95,-85,-75,-65", self.sim_out("log"))
        self.sim_out("requests", "clear")
        self.sim_out("--", "signal", "-89")   # crosses -85 and -75
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.generic.signal-quality.value") == "39",
                   "signal quality 39 % from the indications")
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.signal-quality.recent"], "yes")
        # The modem reports changes: the daemon reads nothing and arms no poll.
        self.assertEqual(self.signal_reads(), [])
        self.assertIn("Signal Info indications on, no periodic read", self.last_signal_poll_decision())

    def test_signal_values_follow_signal_info_indications(self):
        self.enable()
        r = self.h.mmcli("-m", "0", "--signal-setup=3600")
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_until(lambda: mmcli_kv(self.h, "-m", "0", "--signal-get").get("modem.signal.lte.rsrp", "").startswith("-97.0"),
                   "the first LTE values (the read Signal.Setup makes)")
        self.sim_out("requests", "clear")
        # RSRP is only in Signal Info (Event Report carries RSSI alone).
        self.sim_out("--", "signal", "-89", "-112", "-14", "20")
        wait_until(lambda: mmcli_kv(self.h, "-m", "0", "--signal-get").get("modem.signal.lte.rsrp", "").startswith("-112.0"),
                   "LTE RSRP -112 dBm from the indication")
        kv = mmcli_kv(self.h, "-m", "0", "--signal-get")
        self.assertEqual(float(kv["modem.signal.lte.rssi"]), -89.0)
        self.assertEqual(float(kv["modem.signal.lte.rsrq"]), -14.0)
        self.assertEqual(float(kv["modem.signal.lte.snr"]), 2.0)
        self.assertEqual(self.signal_reads(), [])
        self.assertIn("reading every 3600 s", self.last_signal_poll_decision())

    def test_signal_setup_then_get_shows_lte_rsrp_rsrq_snr(self):
        self.enable()
        r = self.h.mmcli("-m", "0", "--signal-setup=10")
        self.assertEqual(r.returncode, 0, r.stderr)

        def lte():
            kv = mmcli_kv(self.h, "-m", "0", "--signal-get")
            return kv.get("modem.signal.lte.rsrp", "--") != "--" and kv
        kv = wait_until(lte, "LTE values in --signal-get")
        self.assertEqual(kv["modem.signal.refresh.rate"], "10")
        self.assertEqual(float(kv["modem.signal.lte.rssi"]), -71.0)
        self.assertEqual(float(kv["modem.signal.lte.rsrp"]), -97.0)
        self.assertEqual(float(kv["modem.signal.lte.rsrq"]), -11.0)
        self.assertEqual(float(kv["modem.signal.lte.snr"]), 13.5)

    def test_signal_is_not_read_while_not_registered(self):
        self.sim_out("register", "none")
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "-e")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.wait_for_state("enabled")
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(kv["modem.generic.signal-quality.value"], "0")
        self.assertNotIn("NAS Get Signal", self.h.daemon_log())
        self.assertNotIn("Get Signal Info", self.sim_out("log"))
        self.assertNotIn("Get Signal Strength", self.sim_out("log"))

    def test_bands_and_modes_are_the_scenario_ones(self):
        self.wait_for_modem()
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(sorted(values(kv, "modem.generic.supported-bands")),
                         sorted(["utran-1", "utran-8", "eutran-1", "eutran-3", "eutran-7", "eutran-20",
                                 "eutran-28", "ngran-1", "ngran-28", "ngran-78"]))
        self.assertEqual(sorted(values(kv, "modem.generic.current-bands")),
                         sorted(values(kv, "modem.generic.supported-bands")))
        # ModemManager's 12 combinations for a 3G/4G/5G modem.
        self.assertEqual(values(kv, "modem.generic.supported-modes"), [
            "allowed: 3g; preferred: none",
            "allowed: 4g; preferred: none",
            "allowed: 3g, 4g; preferred: 4g",
            "allowed: 3g, 4g; preferred: 3g",
            "allowed: 5g; preferred: none",
            "allowed: 3g, 5g; preferred: 5g",
            "allowed: 3g, 5g; preferred: 3g",
            "allowed: 4g, 5g; preferred: 5g",
            "allowed: 4g, 5g; preferred: 4g",
            "allowed: 3g, 4g, 5g; preferred: 5g",
            "allowed: 3g, 4g, 5g; preferred: 4g",
            "allowed: 3g, 4g, 5g; preferred: 3g",
        ])
        self.assertEqual(kv["modem.generic.current-modes"], "allowed: 3g, 4g, 5g; preferred: 4g")

    def test_set_current_bands_changes_the_modem_and_mmcli(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--set-current-bands=eutran-3|eutran-20|ngran-78")
        self.assertEqual(r.returncode, 0, r.stderr)
        radio = self.sim_radio()
        self.assertEqual(radio["lte-bands"], "3,20")
        self.assertEqual(radio["nr5g-bands"], "78")
        self.assertEqual(radio["gsm-umts-bands"], "")
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(sorted(values(kv, "modem.generic.current-bands")), ["eutran-20", "eutran-3", "ngran-78"])

        r = self.h.mmcli("-m", "0", "--set-current-bands=any")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sim_radio()["lte-bands"], "1,3,7,20,28")

        r = self.h.mmcli("-m", "0", "--set-current-bands=eutran-66")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Band 'eutran-66' is not supported", r.stderr)

    def test_set_allowed_modes_changes_the_modem_and_mmcli(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--set-allowed-modes=4g|5g", "--set-preferred-mode=5g")
        self.assertEqual(r.returncode, 0, r.stderr)
        radio = self.sim_radio()
        self.assertEqual(radio["modes"], "lte,5gnr")
        self.assertEqual(radio["order"].split(",")[0], "5gnr")
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.current-modes"],
                         "allowed: 4g, 5g; preferred: 5g")

        r = self.h.mmcli("-m", "0", "--set-allowed-modes=4g")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sim_radio()["modes"], "lte")
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.current-modes"],
                         "allowed: 4g; preferred: none")

        # 2G is not a technology of this modem.
        r = self.h.mmcli("-m", "0", "--set-allowed-modes=2g|4g")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("is not supported", r.stderr)
        self.assertEqual(self.sim_radio()["modes"], "lte")

    def test_firmware_list_is_the_running_revision(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--firmware-list")
        self.assertEqual(r.returncode, 0, r.stderr)
        kv = mmcli_kv(self.h, "-m", "0", "--firmware-list")
        self.assertEqual(values(kv, "modem.firmware.list"), ["unique-id: SIM.1.0-00001-STD, current: yes"])

    def test_unlock_retries_include_pin2_and_puk2(self):
        self.wait_for_modem()
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(sorted(values(kv, "modem.generic.unlock-retries")),
                         ["sim-pin (3)", "sim-pin2 (2)", "sim-puk (10)", "sim-puk2 (8)"])
        # No PIN on this card: no facility lock (mmcli prints "--").
        self.assertEqual(values(kv, "modem.3gpp.enabled-locks"), [])

    def profile_list(self):
        return values(mmcli_kv(self.h, "-m", "0", "--3gpp-profile-manager-list"),
                      "modem.3gpp.profile-manager.list")

    def test_profile_manager_lists_the_scenario_apns(self):
        self.enable()   # mmcli lists profiles of an enabled modem only
        self.assertEqual(self.profile_list(), [
            "profile-id: 1, profile-name: internet, apn: internet, ip-type: ipv4v6",
            "profile-id: 2, profile-name: mms, apn: mms, ip-type: ipv4",
        ])

    def test_initial_eps_bearer_settings_are_the_default_profile_and_can_be_set(self):
        self.wait_for_modem()   # read while disabled already
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.3gpp.eps.initial-bearer.settings.apn")
                   == "internet", "the initial EPS bearer APN")
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(kv["modem.3gpp.eps.initial-bearer.settings.ip-type"], "ipv4v6")

        self.enable()   # mmcli sets it on an enabled modem only
        r = self.h.mmcli("-m", "0", "--3gpp-set-initial-eps-bearer-settings=apn=ims")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("profile index=1 name=internet apn=ims pdp=ipv4-or-ipv6", self.sim_out("profiles"))
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.3gpp.eps.initial-bearer.settings.apn"], "ims")

    def test_profile_manager_set_and_delete_change_the_modem(self):
        self.enable()
        r = self.h.mmcli("-m", "0", "--3gpp-profile-manager-set=apn=web,ip-type=ipv6")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("profile index=3 name= apn=web pdp=ipv6", self.sim_out("profiles"))
        self.assertIn("profile-id: 3, apn: web, ip-type: ipv6", self.profile_list())

        r = self.h.mmcli("-m", "0", "--3gpp-profile-manager-set=profile-id=2,apn=mms2,user=bob")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("profile index=2 name=mms apn=mms2 pdp=ipv4 auth=none user=bob", self.sim_out("profiles"))

        r = self.h.mmcli("-m", "0", "--3gpp-profile-manager-delete=3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("index=3", self.sim_out("profiles"))
        self.assertEqual(len(self.profile_list()), 2)


class PinLockedDetails(ModemStack):
    scenario = "pin-locked.conf"

    def test_a_pin_locked_sim_shows_the_sim_facility_lock(self):
        self.wait_for_modem()
        kv = mmcli_kv(self.h, "-m", "0")
        self.assertEqual(kv["modem.generic.state"], "locked")
        self.assertEqual(values(kv, "modem.3gpp.enabled-locks"), ["sim"])
        self.assertIn("sim-pin2 (3)", values(kv, "modem.generic.unlock-retries"))



class FailingFirmware(DetailsStack):
    """details-faults.conf: Get Signal Info and Config Signal Info unknown,
    no band capabilities, System Selection Preference changes refused."""
    scenario = "details-faults.conf"

    def test_signal_quality_falls_back_to_get_signal_strength(self):
        self.enable()
        wait_until(lambda: mmcli_kv(self.h, "-m", "0").get("modem.generic.signal-quality.recent") == "yes",
                   "a recent signal quality")
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.signal-quality.value"], "68")
        self.assertIn("Get Signal Strength", self.sim_out("log"))

    def test_without_config_signal_info_the_signal_is_read_every_30_s(self):
        self.enable()
        wait_until(lambda: "signal: reading every" in self.last_signal_poll_decision(),
                   "the daemon's poll decision")
        self.assertIn("signal: reading every 30 s", self.last_signal_poll_decision())
        self.assertIn("NAS Config Signal Info failed", self.h.daemon_log())

    def test_without_band_capabilities_bands_are_unknown_and_cannot_be_set(self):
        self.wait_for_modem()
        kv = mmcli_kv(self.h, "-m", "0")
        # SupportedBands is [unknown], which mmcli prints as "--".
        self.assertEqual(values(kv, "modem.generic.supported-bands"), [])
        r = self.h.mmcli("-m", "0", "--set-current-bands=eutran-1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("did not tell its supported bands", r.stderr)

    def test_a_refused_mode_change_says_so_and_changes_nothing(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--set-allowed-modes=4g")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NAS Set System Selection Preference", r.stderr)
        self.assertEqual(mmcli_kv(self.h, "-m", "0")["modem.generic.current-modes"],
                         "allowed: 3g, 4g, 5g; preferred: 4g")
        self.assertEqual(self.sim_radio()["modes"], "umts,lte,5gnr")


if __name__ == "__main__":
    mxharness.main()
