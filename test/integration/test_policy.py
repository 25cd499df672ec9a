# SPDX-License-Identifier: GPL-2.0-or-later
"""data/modemux.conf on a bus with system.conf-like defaults: root may own
org.freedesktop.ModemManager1, anyone may read state, and state-changing calls
reach modemuxd so that polkit (not the bus) decides."""

import os

import mxharness
from mxharness import MM_NAME, HarnessTestCase, Harness

POLICY = os.path.join(mxharness.source_root(), "data", "modemux.conf")


class Policy(HarnessTestCase):
    start_daemon = False

    def setUp(self):
        self.h = Harness(policy_files=[POLICY])
        self.h.__enter__()
        self.addCleanup(self.h.close)
        self.h.start_daemon()
        self.addCleanup(self._check_daemon_exit)

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
        # Stop root's daemon so the name is free; nobody still may not take it.
        self.assertEqual(self.h.stop_daemon(), 0)
        self.h.daemon = None
        self.h.wait_for_name_gone(MM_NAME)
        daemon = self.h.spawn_daemon(user="nobody", name="nobody-daemon")
        self.assertEqual(daemon.wait(mxharness.TIMEOUT), 1)
        self.assertIn("not allowed by the bus policy", self.h.log_of(daemon))


if __name__ == "__main__":
    mxharness.main()
