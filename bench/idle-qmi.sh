#!/bin/bash
# Benchmark (not a test): how many QMI requests modemuxd sends while idle.
# The host-tier stack of test_modem_mmcli.py (modemuxd under umockdev with
# the MHI fixture, the simulator as fake qmi-proxy, the real mmcli) counts
# the requests the simulator answers over SECONDS, three times: modem
# disabled, enabled but not registered, and registered and idle (all three
# should be 0: the modem reports signal changes with NAS Signal Info
# indications; the 30 s read is only for firmware that refuses them).
#
#   bench/idle-qmi.sh [BUILD_DIR] [SECONDS]      (default: ./build, 65)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
[ -x "$build/src/daemon/modemuxd" ] || { echo "no modemuxd in $build (ninja -C $build)" >&2; exit 1; }
exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" MX_BENCH_SECONDS="${2:-65}" \
  MODEMUX_SIM="$build/test/sim/modemux-sim" MODEMUX_SIM_SCENARIOS="$src/test/sim/scenarios" \
  MX_MODEM_FIXTURE="$src/test/fixtures/mhi-qmi-rm500q.umockdev" PYTHONDONTWRITEBYTECODE=1 \
  PYTHONPATH="$src/test/harness:$src/test/modem" /usr/bin/python3 "$src/bench/idle-qmi.py"
