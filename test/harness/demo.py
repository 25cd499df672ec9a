# SPDX-License-Identifier: GPL-2.0-or-later
"""Step 0 of tools/demo, on this machine: modemuxd on a private system bus
answers the real mmcli as ModemManager would (no modem here). The rest of the
demo needs rmnet and QRTR, which the host kernel lacks, and runs in the VM
(test/vm/guest/demo.sh).

Usage: /usr/bin/python3 test/harness/demo.py BUILDDIR
Exit status 1 if a command fails or modemuxd does not exit cleanly."""

import os
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mxharness  # noqa: E402

RULE = "=" * 66


def say(text):
    print(textwrap.fill(text, 78))


def show(argv, result):
    print("$ " + " ".join(argv))
    for line in (result.stdout + result.stderr).rstrip().splitlines():
        print("  " + line)
    if result.returncode != 0:
        print(f"  (exit status {result.returncode})")
    return result.returncode == 0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: demo.py BUILDDIR")
    build = os.path.abspath(sys.argv[1])
    daemon = mxharness.daemon_path(build)
    ok = True
    print(f"\n{RULE}\nStep 0, on this machine: modemuxd answers as ModemManager\n{RULE}")
    with mxharness.Harness(build_dir=build) as h:
        ok &= show(["modemuxd", "--version"],
                   subprocess.run([daemon, "--version"], capture_output=True, text=True))
        say("A private system bus (not the machine's own) and a polkit mock that "
            "allows every request:")
        # --no-auto-scan: the demo leaves this machine's own devices alone.
        h.start_daemon("--log-level=INFO", "--no-auto-scan")
        print("$ modemuxd --log-level=INFO --no-auto-scan &")
        print(f"  (pid {h.daemon.pid}, owns org.freedesktop.ModemManager1 as {h.daemon_unique_name})")
        ok &= show(["mmcli", "-B"], h.mmcli("-B"))
        listing = h.mmcli("-L")
        ok &= show(["mmcli", "-L"], listing)
        ok &= "No modems were found" in listing.stdout
        status = h.stop_daemon()
        print(f"$ kill -TERM {h.daemon.pid}\n  (modemuxd exited with status {status})")
        if status != 0:
            ok = False
            print(h.daemon_log())
    say("This machine has no modem, and its kernel has neither rmnet (QMAP "
        "multiplexing) nor QRTR. The rest of the demo therefore runs in a VM with "
        "its own kernel, and a simulated modem.")
    if not ok:
        print("DEMO FAILED in step 0", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
