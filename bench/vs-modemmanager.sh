#!/bin/bash
# Benchmark (not a test): the real ModemManager (Debian's /usr/sbin/ModemManager,
# 1.20.4 on Debian 12) and modemuxd, alternately, RUNS times each, on the same
# modemux-sim scenario (mhi.conf at 0 and 10 ms per QMI message) and the MHI
# QMI fixture (RM500Q class) under umockdev; prints one table of medians,
# ranges and the ratio modemuxd/ModemManager. See docs/performance.md.
#
#   bench/vs-modemmanager.sh [BUILD_DIR]      (default: ./build)
#   RUNS=5 IDLE_S=30 LATENCIES="0 10" bench/vs-modemmanager.sh
#
# Both daemons run as their systemd units start them (no options: production
# log level), plus --test-no-qrtr; each run gets a fresh private system bus,
# polkit mock, simulator (the qmi-proxy of a private network namespace) and
# testbed. Per-run figures go to stderr, the table to stdout.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)

need=()
for p in modemmanager libmm-glib0 libqmi-utils umockdev gir1.2-umockdev-1.0 python3-gi \
         python3-dbusmock dbus-daemon; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  apt-get install -y --no-install-recommends "${need[@]}" >&2
fi
[ -x "$build/src/daemon/modemuxd" ] && [ -x "$build/test/sim/modemux-sim" ] ||
  { echo "build $build first (ninja -C $build)" >&2; exit 1; }

# A private network namespace (the simulator owns @qmi-proxy there, and no
# system ModemManager or qmi-proxy interferes), and umockdev's preload for
# the helper, which hands it to the daemons.
exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" \
  unshare -n umockdev-wrapper /usr/bin/python3 "$src/bench/vs_modemmanager.py"
