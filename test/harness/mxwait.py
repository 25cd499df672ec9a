# SPDX-License-Identifier: GPL-2.0-or-later
"""The harness' one polling wait, without the harness' process safety net
(importing it installs no handler), for scripts that also run in the VM."""

import os
import time

TIMEOUT = float(os.environ.get("MX_TEST_TIMEOUT", "30"))


def wait_until(predicate, what, timeout=TIMEOUT, interval=0.05):
    """Polls predicate() until true or the deadline passes (harness only; the
    daemon itself never polls)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
