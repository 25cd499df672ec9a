# SPDX-License-Identifier: GPL-2.0-or-later
"""Two USB modems on one hub (Quectel EG25-G and Sierra EM7455, fixture
usb-eg25-em7455-hub), as the real mmcli sees them through modemuxd.

The whole stack as a user runs it (test_modem_mmcli's ModemStack): modemuxd
under the umockdev preload discovers both modems through udev, their ttys
included, and opens cdc-wdm0 and cdc-wdm1 through qmi-proxy (the simulator
as the fake proxy answers both paths). The AT ports answer `AT` with `OK`
through umockdev scripts (test/fixtures/scripts/), as the modems' firmware
does; the QCDM and GPS ports are typed from the vendors' USB interface
layouts. `mmcli -m` then lists the ttys with ModemManager's port types, and
Modem.Command runs on the EG25's primary AT port only with --debug."""

import os
import unittest

import test_modem_mmcli
from test_modem_mmcli import ModemStack, mmcli_kv, values

if __name__ == "__main__":
    test_modem_mmcli._reexec()

from mxharness import wait_until  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(test_modem_mmcli.FIXTURE), "scripts")

# What ModemManager lists for these modems (mmcli -m: "ports").
EG25_PORTS = ["cdc-wdm0 (qmi)", "ttyUSB0 (qcdm)", "ttyUSB1 (gps)", "ttyUSB2 (at)", "ttyUSB3 (at)",
              "wwan0 (net)"]
EM7455_PORTS = ["cdc-wdm1 (qmi)", "ttyUSB4 (qcdm)", "ttyUSB5 (gps)", "ttyUSB6 (at)", "wwan1 (net)"]
HUB = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"


class UsbModemsStack(ModemStack):
    fixture = "usb-eg25-em7455-hub.umockdev"

    def prepare_testbed(self):
        for dev in ("/dev/ttyUSB2", "/dev/ttyUSB3", "/dev/ttyUSB6"):
            self.assertTrue(self.testbed.load_script(dev, os.path.join(SCRIPTS, "at-ok.script")))

    def modems_by_primary_port(self):
        """{primary port: mmcli -m -K of that modem} for every listed modem."""
        listing = self.h.mmcli("-L").stdout
        out = {}
        for word in listing.split():
            if "/Modem/" in word:
                kv = mmcli_kv(self.h, "-m", word.rsplit("/", 1)[1])
                out[kv["modem.generic.primary-port"]] = kv
        return out

    def wait_for_ports(self, primary, expected):
        """The modem with @primary lists exactly @expected (AT probes done)."""
        def listed():
            kv = self.modems_by_primary_port().get(primary)
            return kv is not None and sorted(values(kv, "modem.generic.ports")) == sorted(expected) and kv
        return wait_until(listed, f"{primary}'s ports {expected}")

    def eg25_index(self):
        self.wait_for_ports("cdc-wdm0", EG25_PORTS)
        for word in self.h.mmcli("-L").stdout.split():
            if "/Modem/" in word:
                index = word.rsplit("/", 1)[1]
                if mmcli_kv(self.h, "-m", index)["modem.generic.primary-port"] == "cdc-wdm0":
                    return index
        self.fail("no EG25 modem")


class TwoUsbModems(UsbModemsStack):
    def test_each_modem_lists_its_ttys_with_modemmanagers_types(self):
        eg25 = self.wait_for_ports("cdc-wdm0", EG25_PORTS)
        em7455 = self.wait_for_ports("cdc-wdm1", EM7455_PORTS)
        # Two modems, one per USB device (not one per hub).
        self.assertEqual(eg25["modem.generic.device"], HUB + "/1-1.1")
        self.assertEqual(em7455["modem.generic.device"], HUB + "/1-1.2")
        self.assertEqual(values(eg25, "modem.generic.drivers"), ["option", "qmi_wwan"])
        self.assertEqual(values(em7455, "modem.generic.drivers"), ["qcserial", "qmi_wwan"])
        self.assertEqual(eg25["modem.generic.plugin"], "generic")

    def test_command_is_refused_without_debug(self):
        r = self.h.mmcli("-m", self.eg25_index(), "--command=ATI")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("Unauthorized", r.stderr)
        self.assertIn("debug mode", r.stderr)


class TwoUsbModemsDebug(UsbModemsStack):
    """modemuxd --debug: Modem.Command reaches the EG25's primary AT port.
    (at-ok.script answers `AT` twice: the probe's, then the command's, whether
    umockdev continues the script on the next open or restarts it after the
    probe's close; the reply is the empty response of a bare OK.)"""
    daemon_args = ("--debug",)

    def test_command_runs_on_the_primary_at_port(self):
        r = self.h.mmcli("-m", self.eg25_index(), "--command=AT")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        self.assertIn("response: ''", r.stdout)
        self.assertIn("AT command on ttyUSB2", self.h.daemon_log())


if __name__ == "__main__":
    unittest.main()
