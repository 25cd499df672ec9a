#!/bin/bash
# Benchmark (not a test): modemuxd's RSS and open fds over many
# connect/disconnect cycles of a multiplexed bearer, through the real mmcli,
# in the VM tier's guest (real rmnet; the simulator as an MHI QMI modem).
# A daemon that leaks per connect grows here; flat figures are the goal.
#
#   bench/cycles.sh [BUILD_DIR] [CYCLES]      (default: ./build, 200)
#
# Prints RSS (kB) and fd count at the start, every 25 cycles and at the end;
# the last line says "flat" or names what grew. RSS is compared from cycle
# 25 on (the first connects fill caches: GLib's type system, libqmi's).
set -eu

if [ "${MX_VM:-}" != 1 ]; then
  src=$(cd "$(dirname "$0")/.." && pwd)
  build=$(cd "${1:-$src/build}" && pwd)
  [ -x "$build/src/daemon/modemuxd" ] || { echo "no modemuxd in $build (ninja -C $build)" >&2; exit 1; }
  exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" \
    "$src/test/vm/run" --timeout 1800 -- /bin/bash "$src/bench/cycles.sh" --guest "${2:-200}"
fi
[ "${1:-}" = --guest ] || { echo "usage: bench/cycles.sh [BUILD_DIR] [CYCLES]" >&2; exit 64; }
CYCLES=$2

. "$MX_SOURCE_ROOT/test/vm/guest/vm-lib.sh"
. "$MX_SOURCE_ROOT/test/vm/guest/bearers-lib.sh"
. "$MX_SOURCE_ROOT/bench/bench-lib.sh"
mx_bench_guest_setup

mx_mhi_stack_start "$MX_SOURCE_ROOT/test/sim/scenarios/default.conf" --log-level=WARN > /dev/null
mmcli -m 0 -e > /dev/null
rss() { mx_proc_rss "$MXD_PID"; }
fds() { mx_proc_fds "$MXD_PID"; }
report() { mx_bench_report "$1"; }

echo "modemuxd over $CYCLES connect/disconnect cycles (multiplexed, guest kernel $(uname -r), TCG)"
printf '%6s %8s %5s %6s\n' cycle rss_kB fds links
report 0
fds0=$(fds)
for i in $(seq "$CYCLES"); do
  mmcli -m 0 --simple-connect="apn=internet,multiplex=required" > /dev/null || { echo "connect $i failed"; exit 1; }
  mmcli -m 0 --simple-disconnect > /dev/null || { echo "disconnect $i failed"; exit 1; }
  [ "$i" = 25 ] && rss25=$(rss)
  [ $((i % 25)) = 0 ] && report "$i"
done
echo "result: $(mx_bench_growth "$fds0" "$(fds)" "${rss25:-}" "$(rss)")"
