# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/demo: modemuxd on a private system bus, driven by the real mmcli.

Usage: /usr/bin/python3 test/harness/demo.py BUILDDIR
Later components extend it with the simulated modem and a real connect."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mxharness  # noqa: E402


def show(h, *args):
    result = h.mmcli(*args)
    print(f"$ mmcli {' '.join(args)}")
    for line in (result.stdout + result.stderr).rstrip().splitlines():
        print("    " + line)
    if result.returncode != 0:
        print(f"    (exit status {result.returncode})")
    print()
    return result.returncode == 0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: demo.py BUILDDIR")
    build = os.path.abspath(sys.argv[1])
    ok = True
    with mxharness.Harness(build_dir=build) as h:
        print(f"private system bus: {h.address}")
        print("polkit mock: allowing every action")
        h.start_daemon("--log-level=INFO")
        print(f"modemuxd: {mxharness.daemon_path(build)} "
              f"(pid {h.daemon.pid}, bus name owner {h.daemon_unique_name})\n")
        ok &= show(h, "-L")
        ok &= show(h, "-B")
        status = h.stop_daemon()
        print(f"modemuxd stopped with SIGTERM, exit status {status}")
        ok &= status == 0
        print("\nmodemuxd log:")
        for line in h.daemon_log().rstrip().splitlines():
            print("    " + line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
