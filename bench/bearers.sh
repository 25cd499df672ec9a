#!/bin/bash
# Benchmark (not a test): bearer connect latency and 1 -> 8 -> 64 bearer
# scaling on a real kernel with rmnet, in the VM tier's guest (TCG: compare
# ratios from one run, not absolute times across machines).
#
#   bench/bearers.sh [BUILD_DIR]      (default: ./build)
#
# The modem and bearer components run in-process (test/bearers/
# test-bearer-connect in bench mode) against the simulator as an MHI modem
# (QMI via its fake qmi-proxy, data via its TUN mhi_hwip0), 64 APNs. Each
# step connects N bearers concurrently with Simple.Connect (one rmnet link,
# one mux id, one WDS session each) and disconnects them all.
# MX_BENCH_KEEP_LOGS=DIR keeps the simulator's log of the run (DIR/sim.log),
# for a timeline of where the time goes.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$HERE/build}" && pwd)
[ -x "$BUILD/test/bearers/test-bearer-connect" ] || { echo "build $BUILD first (ninja -C $BUILD)" >&2; exit 1; }

export MX_BUILD_ROOT=$BUILD MX_SOURCE_ROOT=$HERE
keep=()
[ -n "${MX_BENCH_KEEP_LOGS:-}" ] && keep=(--results "$MX_BENCH_KEEP_LOGS")
exec "$HERE/test/vm/run" --timeout 900 "${keep[@]}" -- /bin/bash -c '
  export MODEMUX_SIM=$MX_BUILD_ROOT/test/sim/modemux-sim
  export MODEMUX_SIM_SCENARIOS=$MX_SOURCE_ROOT/test/sim/scenarios
  export MX_BEARER_SCENARIOS=$MX_SOURCE_ROOT/test/bearers/scenarios
  export MX_VM=1 MX_BEARER_BENCH=1
  [ -d "${MX_VM_RESULTS:-}" ] && export MX_BENCH_KEEP_SIM_LOG=$MX_VM_RESULTS/sim.log
  echo "modemux bearer benchmark (guest kernel $(uname -r), $(nproc) CPU, TCG)"
  "$MX_BUILD_ROOT/test/bearers/test-bearer-connect" 2>/dev/null | sed -n "s/^BENCH //p"
'
