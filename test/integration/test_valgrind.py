# SPDX-License-Identifier: GPL-2.0-or-later
"""modemuxd under valgrind: every Manager method, allowed and denied, then
SIGTERM; no memory errors and nothing definitely lost. (The ASan build covers
the same ground differently; valgrind cannot run ASan binaries.)"""

import os
import shutil
import unittest

import mxharness
from mxharness import MM_NAME, HarnessTestCase

VALGRIND = shutil.which("valgrind")


@unittest.skipIf(os.environ.get("MX_SANITIZE", "none") != "none", "ASan build: valgrind cannot run it")
@unittest.skipIf(VALGRIND is None, "valgrind not installed")
class Valgrind(HarnessTestCase):
    start_daemon = False

    def test_daemon_is_clean_under_valgrind(self):
        daemon = self.h.spawn([VALGRIND, "-q", "--leak-check=full", "--num-callers=30",
                               "--errors-for-leak-kinds=definite", "--error-exitcode=99",
                               mxharness.daemon_path(), "--log-level=DEBUG"], "valgrind")
        self.h.daemon = daemon
        self.h.wait_for_name(MM_NAME, daemon)
        for args in (["-L"], ["-B"], ["-G", "DEBUG"], ["-S"],
                     ["--report-kernel-event=action=add,subsystem=net,name=wwan0"]):
            self.h.mmcli(*args)
        self.h.polkit_allow_unknown(False)
        for args in (["-G", "INFO"], ["-S"]):
            self.h.mmcli(*args)
        status = self.h.stop_daemon()
        self.assertEqual(status, 0, self.h.daemon_log())


if __name__ == "__main__":
    mxharness.main()
