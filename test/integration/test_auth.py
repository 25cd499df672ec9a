# SPDX-License-Identifier: GPL-2.0-or-later
"""Authorization: state-changing methods ask polkit with ModemManager's action ids."""

import mxharness
from mxharness import HarnessTestCase

CONTROL = "org.freedesktop.ModemManager1.Control"


class Authorization(HarnessTestCase):
    daemon_args = ("--log-level=ERR",)

    def log_lines(self, text):
        return [line for line in self.h.daemon_log().splitlines() if text in line]

    def test_set_logging_succeeds_when_polkit_allows_and_changes_the_level(self):
        self.assertRunOk(self.h.mmcli("-G", "DEBUG"))
        # The daemon now prints INFO and DEBUG lines it suppressed before.
        self.assertTrue(self.log_lines("log level set to DEBUG"), self.h.daemon_log())
        self.assertRunOk(self.h.mmcli("-G", "ERR"))
        self.assertRunOk(self.h.mmcli("-G", "INFO"))
        self.assertFalse(self.log_lines("log level set to ERR"))
        self.assertTrue(self.log_lines("log level set to INFO"))

    def test_set_logging_fails_not_authorized_when_polkit_denies(self):
        self.h.polkit_allow_unknown(False)
        result = self.h.mmcli("-G", "DEBUG")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Unauthorized", result.stderr)
        self.assertIn("not authorized", result.stderr)
        self.assertIn(CONTROL, result.stderr)
        self.assertFalse(self.log_lines("log level set to"))

    def test_modemmanager_control_action_is_what_is_asked(self):
        self.h.polkit_allow_unknown(False)
        self.h.polkit_set_allowed([CONTROL])
        self.assertRunOk(self.h.mmcli("-G", "DEBUG"))
        self.h.polkit_set_allowed(["org.freedesktop.ModemManager1.Device.Control"])
        self.assertNotEqual(self.h.mmcli("-G", "DEBUG").returncode, 0)

    def test_no_polkit_means_not_authorized(self):
        mxharness._kill_group(self.h.polkit)
        self.h.wait_for_name_gone(mxharness.POLKIT_NAME)
        result = self.h.mmcli("-G", "DEBUG")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("not authorized", result.stderr)

    def test_denied_methods_do_not_reach_their_implementation(self):
        self.h.polkit_allow_unknown(False)
        result = self.h.mmcli("-S")
        self.assertIn("Unauthorized", result.stderr)
        self.assertNotIn("Unsupported", result.stderr)


class TestSessionAuthorization(HarnessTestCase):
    # --test-session: no polkit on a session bus, every request is allowed.
    daemon_args = ("--test-session",)

    def test_everything_is_allowed_even_if_polkit_would_deny(self):
        self.h.polkit_allow_unknown(False)
        self.assertRunOk(self.h.mmcli("--test-session", "-G", "DEBUG"))


if __name__ == "__main__":
    mxharness.main()
