#!/bin/bash
# Benchmark (not a test): the real ModemManager (Debian's /usr/sbin/ModemManager,
# 1.20.4 on Debian 12) and modemuxd, alternately, RUNS times each, on the same
# modemux-sim scenario (mhi.conf at 0 and 10 ms per QMI message) and the MHI
# QMI fixture (RM500Q class) under umockdev; prints one table of medians,
# ranges and the ratio modemuxd/ModemManager. See docs/performance.md.
#
#   bench/vs-modemmanager.sh [BUILD_DIR]      (default: ./build)
#   RUNS=5 IDLE_S=30 LATENCIES="0 10" bench/vs-modemmanager.sh
#   bench/vs-modemmanager.sh vm [BUILD_DIR]   (VM tier: RUNS=3 IDLE_S=10,
#       LAYOUTS="mhi soc": multiplexed, real rmnet, one guest boot per layout)
#       MX_BENCH_SOC_UDEV=0 DAEMONS=mx: the SoC without udevd in the guest,
#       rmnet_ipa0 named by a kernel event (links then cost no udev event)
#
# Both daemons run as their systemd units start them (no options: production
# log level), plus --test-no-qrtr; each run gets a fresh private system bus,
# polkit mock, simulator (the qmi-proxy of a private network namespace) and
# testbed. Per-run figures go to stderr, the table to stdout.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --guest ]; then
  # In the VM guest (MX_BUILD_ROOT/MX_SOURCE_ROOT set by test/vm/run).
  export MX_BENCH_MODE=$2
  [ -n "${MX_BENCH_KEEP:-}" ] && export MX_BENCH_KEEP_LOGS=$MX_VM_RESULTS
  modprobe rmnet 2>/dev/null || true
  if [ "$2" = soc ] && [ "${MX_BENCH_SOC_UDEV:-1}" = 0 ]; then
    exec /usr/bin/python3 "$src/bench/vs_modemmanager.py"
  fi
  if [ "$2" = soc ]; then
    # Both daemons take the SoC from the guest's udev: what a SoC's udev
    # database has for rmnet_ipa0 and a TUN lacks (77-mm-qcom-soc.rules
    # matches DRIVERS=="ipa"): the qcom-soc tags, and for modemuxd the driver
    # (udevd refuses ENV{DRIVER}=; modemuxd reads MX_NET_DRIVER).
    mkdir -p /run/udev/rules.d
    cat > /run/udev/rules.d/70-mx-bench-soc.rules <<'RULES'
SUBSYSTEM=="net", KERNEL=="rmnet_ipa0", ENV{MX_NET_DRIVER}="ipa", ENV{ID_MM_CANDIDATE}="1", ENV{ID_MM_QCOM_SOC}="1", ENV{ID_MM_PHYSDEV_UID}="qcom-soc"
RULES
    udevadm control --reload
    exec /usr/bin/python3 "$src/bench/vs_modemmanager.py"
  fi
  # MHI: libqmi wants a special file for the control port even through the
  # proxy; ModemManager gets the fixture's sysfs through umockdev (the
  # helper hands the preload to it).
  mknod /dev/wwan0qmi0 c 1 3
  exec umockdev-wrapper /usr/bin/python3 "$src/bench/vs_modemmanager.py"
fi

vm=
[ "${1:-}" = vm ] && { vm=1; shift; }
build=${1:-$src/build}

# From a clean clone: the project's packages (ModemManager, umockdev,
# python3-dbusmock, ...) and a build, as tools/check gets them.
. "$src/tools/lib/bootstrap.sh"
mx_bootstrap_packages >&2
[ -x "$build/src/daemon/modemuxd" ] && [ -x "$build/test/sim/modemux-sim" ] ||
  mx_setup_build "$build" >&2
build=$(cd "$build" && pwd)

if [ -n "$vm" ]; then
  # One guest boot per layout, one after the other (each prints its table).
  for layout in ${LAYOUTS:-mhi soc}; do
    # The SoC's ports come from the guest's udev (ModemManager needs it),
    # unless MX_BENCH_SOC_UDEV=0 (modemuxd only: no udevd in the guest).
    opts=(); [ "$layout" = soc ] && [ "${MX_BENCH_SOC_UDEV:-1}" != 0 ] && opts=(--udev)
    # MX_BENCH_KEEP_LOGS=DIR: the logs of the runs go to DIR/LAYOUT.
    keep=${MX_BENCH_KEEP_LOGS:+$MX_BENCH_KEEP_LOGS/$layout}
    [ -n "$keep" ] && { mkdir -p "$keep"; opts+=(--results "$keep"); }
    MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" "$src/test/vm/run" "${opts[@]}" \
      --timeout "${VM_TIMEOUT:-1800}" -- env RUNS="${RUNS:-3}" IDLE_S="${IDLE_S:-10}" \
      LATENCIES="${LATENCIES:-0 10}" DAEMONS="${DAEMONS:-mm mx}" MX_BENCH_MM_ARGS="${MX_BENCH_MM_ARGS:-}" \
      MX_BENCH_MX_ARGS="${MX_BENCH_MX_ARGS:-}" MX_BENCH_TIMEOUT="${MX_BENCH_TIMEOUT:-60}" \
      MX_BENCH_LOGTAIL="${MX_BENCH_LOGTAIL:-4000}" MX_BENCH_KEEP="$keep" \
      /bin/bash "$src/bench/vs-modemmanager.sh" --guest "$layout"
  done
  exit 0
fi

# A private network namespace (the simulator owns @qmi-proxy there, and no
# system ModemManager or qmi-proxy interferes), and umockdev's preload for
# the helper, which hands it to the daemons.
exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" \
  unshare -n umockdev-wrapper /usr/bin/python3 "$src/bench/vs_modemmanager.py"
