# SPDX-License-Identifier: GPL-2.0-or-later
"""The QMI requests modemuxd sends while nothing happens (bench/idle-qmi.sh)."""

import os
import subprocess
import sys
import time

import test_modem_mmcli as stack

if __name__ == "__main__":
    stack._reexec()

SECONDS = int(os.environ.get("MX_BENCH_SECONDS", "65"))


class Bench(stack.ModemStack):
    scenario = "details.conf"

    def runTest(self):
        pass

    def requests(self):
        out = subprocess.run([stack.SIM, "--ctl", self.control, "request-count"], check=True,
                             capture_output=True, text=True, env=self.h.env).stdout
        return int(out.split("=")[1])

    def measure(self, what):
        # A benchmark, not a test: it waits on purpose, to count.
        before = self.requests()
        time.sleep(SECONDS)
        print(f"{what:<34} {self.requests() - before:>5} QMI requests in {SECONDS} s", flush=True)


def main():
    b = Bench()
    b.setUp()
    try:
        b.wait_for_modem()
        b.wait_for_state("disabled")
        print(f"modemuxd, simulated MHI modem, QMI requests the daemon sent over {SECONDS} s:")
        b.measure("disabled (idle)")
        b.sim_ctl("register", "none")
        b.h.mmcli("-m", "0", "-e")
        b.wait_for_state("enabled")
        b.measure("enabled, not registered")
        b.sim_ctl("register", "home")
        b.wait_for_state("registered")
        b.measure("registered, idle")
    finally:
        b.doCleanups()


if __name__ == "__main__":
    main()
