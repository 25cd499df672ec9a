#!/usr/bin/python3
# The cycle loop of bench/soak.sh in the VM (run by it):
# connect every bearer at once over D-Bus (Bearer.Connect, the call mmcli -b
# N --connect makes), check that each has its link, disconnect them all at
# once, and so on. One process for all cycles: spawning mmcli sixteen times a
# cycle cost ~25 s per cycle under TCG, far more than the daemon's own work.
#
#   soak-cycles.py SUMMARY PID CYCLES BEARER_PATH...
#
# A disconnect replies once its link is deleted, so every cycle also checks
# that no link of ours is left.
#
# Prints "cycle rss_kB fds links" at the start, every 100 cycles and at the
# end (the daemon's /proc figures and the links carrying our ownership
# marker); writes "CYCLES_DONE SECS RSS_AT_100" to SUMMARY for the shell's
# verdict; exits 1 with the failing call on stderr if a connect or a
# disconnect fails, a connect leaves the wrong number of links or a
# disconnect leaves one.
import os
import sys
import time

from gi.repository import Gio, GLib

BEARER_IFACE = "org.freedesktop.ModemManager1.Bearer"
CALL_TIMEOUT_MS = 120 * 1000


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def our_links():
    links = []
    for name in os.listdir("/sys/class/net"):
        try:
            with open(f"/sys/class/net/{name}/ifalias") as f:
                if f.read().startswith("modemux:"):
                    links.append(name)
        except OSError:
            pass    # gone while listing
    return links


def call_all(bus, loop, paths, method):
    """Calls METHOD on every bearer at once; returns the first error or None."""
    pending = set(paths)
    errors = []

    def done(conn, res, path):
        try:
            conn.call_finish(res)
        except GLib.Error as e:
            errors.append(f"{method} {path}: {e.message}")
        pending.discard(path)
        if not pending:
            loop.quit()

    for path in paths:
        bus.call("org.freedesktop.ModemManager1", path, BEARER_IFACE, method, None, None,
                 Gio.DBusCallFlags.NONE, CALL_TIMEOUT_MS, None, done, path)
    loop.run()
    return errors[0] if errors else None


def cycle(bus, loop, paths, i):
    """One cycle; returns what went wrong, or None."""
    err = call_all(bus, loop, paths, "Connect")
    if err:
        return f"connect failed in cycle {i}: {err}"
    n = len(our_links())
    if n != len(paths):
        return f"cycle {i}: {n} links for {len(paths)} bearers"
    err = call_all(bus, loop, paths, "Disconnect")
    if err:
        return f"disconnect failed in cycle {i}: {err}"
    left = our_links()
    return f"cycle {i}: links left after the disconnects: {' '.join(left)}" if left else None


def main():
    summary, pid, cycles, paths = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    loop = GLib.MainLoop()

    def row(label):
        print(f"{label:>6} {rss_kb(pid):>8} {fds(pid):>5} {len(our_links()):>6}", flush=True)

    row(0)
    rss100 = ""
    start = time.monotonic()
    done = 0
    failure = None
    while done < cycles and failure is None:
        failure = cycle(bus, loop, paths, done + 1)
        if failure is None:
            done += 1
            if done == 100:
                rss100 = rss_kb(pid)
            if done % 100 == 0 or done == cycles:
                row(done)
    with open(summary, "w") as f:
        f.write(f"{done} {int(time.monotonic() - start)} {rss100}\n")
    if failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
