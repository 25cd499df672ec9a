#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The host half of bench/soak.sh (run it through that script): modemuxd
under valgrind memcheck on the umockdev MHI stack (the fault matrix's
HostStack, test/faults/fault-matrix.py), CYCLES non-multiplexed
connect/disconnect cycles through the real mmcli. Prints RSS/fds every 25
cycles; the last line is "result: flat" or what grew / what valgrind found."""

import importlib.util
import os
import sys
import time

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "test", "modem"))
sys.path.insert(0, os.path.join(SRC, "test", "harness"))
os.environ.setdefault("MX_TEST_TIMEOUT", "120")  # valgrind is ~20x slower

if __name__ == "__main__":
    import test_modem_mmcli
    test_modem_mmcli._reexec()

spec = importlib.util.spec_from_file_location("fault_matrix", os.path.join(SRC, "test", "faults", "fault-matrix.py"))
fm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fm)

# As test/integration/test_valgrind.py runs it.
VALGRIND = ["valgrind", "-q", "--leak-check=full", "--num-callers=30", "--errors-for-leak-kinds=definite",
            "--error-exitcode=99", "--log-file=/tmp/mx-soak-valgrind.%p.log"]


def proc_figures(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def main():
    cycles = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    stack = fm.HostStack(daemon_wrapper=VALGRIND)
    verdict = "flat"
    try:
        fm.wait_until(stack.modem_path, "the modem", timeout=fm.WAIT_S)
        m = fm.Matrix(stack, [], [])
        m.to_base()
        print(f"modemuxd soak on the host: {cycles} connect/disconnect cycles, valgrind memcheck", flush=True)
        print(f"{'cycle':>6} {'rss_kB':>8} {'fds':>5}", flush=True)
        rss0, fds0 = proc_figures(stack.daemon_pid)
        print(f"{0:>6} {rss0:>8} {fds0:>5}", flush=True)
        rss_base = None
        start = time.monotonic()
        i = 0
        for i in range(1, cycles + 1):
            ok, text = m.run_connect()
            if not ok:
                verdict = f"connect {i} failed: {text}"
                break
            ok, text = m.run_disconnect()
            if not ok:
                verdict = f"disconnect {i} failed: {text}"
                break
            # valgrind's own queue of freed blocks (20 MB) and its translation
            # cache fill during the first cycles: the baseline is cycle 50.
            if i == 50:
                rss_base = proc_figures(stack.daemon_pid)[0]
            if i % 25 == 0 or i == cycles:
                rss, fds = proc_figures(stack.daemon_pid)
                print(f"{i:>6} {rss:>8} {fds:>5}", flush=True)
        secs = time.monotonic() - start
        print(f"{i} cycles in {secs:.0f} s ({i / secs:.2f} cycles/s)", flush=True)
        rss, fds = proc_figures(stack.daemon_pid)
        if verdict == "flat" and fds > fds0:
            verdict = f"fds grew: {fds0} -> {fds}"
        if verdict == "flat" and rss_base and rss * 100 > rss_base * 105:
            verdict = f"rss grew: {rss_base} -> {rss} kB"
    finally:
        status = stack.close()
    if verdict == "flat" and status != 0:
        verdict = f"valgrind/modemuxd exited with {status} (see /tmp/mx-soak-valgrind.*.log)"
    print("result: " + ("flat" if verdict == "flat" else "FAIL: " + verdict))
    return 0 if verdict == "flat" else 1


if __name__ == "__main__":
    sys.exit(main())
