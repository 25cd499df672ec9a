# SPDX-License-Identifier: GPL-2.0-or-later
"""Multiplexed MBIM bearers through the daemon that ships, seen by the real
mmcli, where the kernel cannot create the session links.

The MBIM stack of test_modem_mbim.py (MHI T99W175: sessions on wwan links of
the wwan device; USB EM7565 on cdc_mbim: sessions on 802.1Q VLAN links). The
host kernel of this tier has neither CONFIG_WWAN nor CONFIG_VLAN_8021Q (each
test first checks that with iproute2, and skips if the kernel has the
feature): multiplex=required must fail naming the missing kernel option and
leave no MBIM session and no link; multiplex=requested connects without
multiplexing on the data netdev (MBIM session 0) and logs why. The links
themselves are proven in the VM tier (test/vm/guest/bearers-daemon-mbim-*.sh).

Environment as test_modem_mmcli.py (meson sets it)."""

import os
import subprocess
import unittest

import test_modem_mmcli
from test_modem_mmcli import mmcli_kv, values

if __name__ == "__main__":
    test_modem_mmcli._reexec()

from test_modem_mbim import MbimStack  # noqa: E402


def kernel_can(ip_args):
    """True unless iproute2 says the kernel lacks the link type."""
    r = subprocess.run(["ip", "link", "add"] + ip_args, capture_output=True, text=True,
                       env=test_modem_mmcli._without_preload(os.environ))
    if r.returncode == 0:
        subprocess.run(["ip", "link", "del", ip_args[ip_args.index("name") + 1]],
                       env=test_modem_mmcli._without_preload(os.environ))
    return "Unknown device type" not in r.stderr


class MhiMbimMultiplexWithoutKernelSupport(MbimStack):
    kernel_option = "CONFIG_WWAN"
    link_kind = "wwan"
    probe = ["name", "mxprobe9", "parentdev", "mxprobe-none", "type", "wwan", "linkid", "1"]

    def setUp(self):
        if kernel_can(self.probe):
            self.skipTest("this kernel has %s links; the VM tier covers them" % self.link_kind)
        super().setUp()

    def test_required_fails_naming_the_kernel_option(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,multiplex=required")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("Multiplexing required but not supported", r.stderr)
        self.assertIn(self.kernel_option, r.stderr)
        self.assertEqual(self.sessions(), [], "no MBIM session may be left")
        self.assertNotEqual(self.modem()["modem.generic.state"], "connected")

    def test_requested_falls_back_to_session_0_and_says_why(self):
        self.wait_for_modem()
        r = self.h.mmcli("-m", "0", "--simple-connect=apn=internet,multiplex=requested")
        self.assertEqual(r.returncode, 0, r.stderr + self.h.daemon_log())
        bearer = values(self.modem(), "modem.generic.bearers")[0].rsplit("/", 1)[-1]
        kv = mmcli_kv(self.h, "-b", bearer)
        self.assertEqual(kv["bearer.status.connected"], "yes")
        self.assertEqual(kv["bearer.status.interface"], "wwan0")
        sessions = self.sessions()
        self.assertEqual(len(sessions), 1, sessions)
        self.assertIn("mux=0", sessions[0])
        self.assertIn("connecting without multiplexing (MBIM session 0 on wwan0) because", self.h.daemon_log())
        self.assertIn(self.kernel_option, self.h.daemon_log())
        r = self.h.mmcli("-b", bearer, "--disconnect")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.sessions(), [])


class UsbCdcMbimMultiplexWithoutKernelSupport(MhiMbimMultiplexWithoutKernelSupport):
    fixture = "usb-em7565-mbim.umockdev"
    control_port = "cdc-wdm0"
    plugin = "generic"
    drivers = ["cdc_mbim", "qcserial"]
    kernel_option = "CONFIG_VLAN_8021Q"
    link_kind = "802.1Q VLAN"
    probe = ["link", "lo", "name", "mxprobe9", "type", "vlan", "id", "9"]


if __name__ == "__main__":
    unittest.main(verbosity=2)
