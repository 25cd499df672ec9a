# SPDX-License-Identifier: GPL-2.0-or-later
"""What data/ installs. modemux.conf on a bus with system.conf-like defaults:
root may own org.freedesktop.ModemManager1, anyone may read state, and
state-changing calls reach modemuxd so that polkit (not the bus) decides.
modemuxd.service: systemd accepts it."""

import os
import shutil
import subprocess
import unittest

import mxharness
from mxharness import MM_NAME, HarnessTestCase

POLICY = os.path.join(mxharness.source_root(), "data", "modemux.conf")


class Policy(HarnessTestCase):
    harness_args = {"policy_files": [POLICY]}

    def test_unprivileged_clients_can_read_state(self):
        result = self.h.mmcli("-L", user="nobody")
        self.assertRunOk(result)
        self.assertIn("No modems were found", result.stdout)
        self.assertRunOk(self.h.mmcli("-B", user="nobody"))

    def test_state_changes_reach_polkit_not_a_bus_denial(self):
        self.h.polkit_allow_unknown(False)
        result = self.h.mmcli("-G", "DEBUG", user="nobody")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Error.Core.Unauthorized", result.stderr)
        self.assertNotIn("AccessDenied", result.stderr)
        self.h.polkit_allow_unknown(True)
        self.assertRunOk(self.h.mmcli("-G", "DEBUG", user="nobody"))

    def test_unprivileged_process_cannot_own_the_name(self):
        probe = self.h.run(mxharness.as_user("nobody", ["test", "-x", mxharness.daemon_path()]))
        if probe.returncode != 0:
            self.skipTest("the build tree is not accessible to user nobody")
        # Stop root's daemon so the name is free; nobody still may not take it.
        self.assertEqual(self.h.stop_daemon(), 0)
        self.h.daemon = None
        self.h.wait_for_name_gone(MM_NAME)
        daemon = self.h.spawn_daemon(user="nobody", name="nobody-daemon")
        self.assertEqual(daemon.wait(mxharness.TIMEOUT), 1)
        self.assertIn("not allowed by the bus policy", self.h.log_of(daemon))


@unittest.skipIf(shutil.which("systemd-analyze") is None, "systemd-analyze not installed")
class SystemdUnit(unittest.TestCase):
    def test_unit_verifies_and_does_not_claim_modemmanagers_bus_name(self):
        unit = os.path.join(mxharness.build_root(), "data", "modemuxd.service")
        with open(unit) as f:
            text = f.read()
        # systemd refuses to load two units with one BusName= (ModemManager.service has it).
        self.assertNotRegex(text, r"(?m)^BusName=")
        self.assertRegex(text, r"(?m)^Type=notify$")
        self.assertRegex(text, r"(?m)^Conflicts=ModemManager.service$")
        result = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True,
                                text=True, timeout=60)
        # Not installed here, so the binary and the man page are absent; anything
        # else (unknown keys, bad values) is a defect in the unit.
        problems = [line for line in (result.stdout + result.stderr).splitlines()
                    if line.strip() and "is not executable" not in line
                    and "man modemuxd(8)" not in line]
        self.assertEqual(problems, [])


if __name__ == "__main__":
    mxharness.main()
