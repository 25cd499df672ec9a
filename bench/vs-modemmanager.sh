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
build=${1:-$src/build}

# From a clean clone: the project's packages (ModemManager, umockdev,
# python3-dbusmock, ...) and a build, as tools/check gets them.
. "$src/tools/lib/bootstrap.sh"
mx_bootstrap_packages >&2
[ -x "$build/src/daemon/modemuxd" ] && [ -x "$build/test/sim/modemux-sim" ] ||
  mx_setup_build "$build" >&2
build=$(cd "$build" && pwd)

# A private network namespace (the simulator owns @qmi-proxy there, and no
# system ModemManager or qmi-proxy interferes), and umockdev's preload for
# the helper, which hands it to the daemons.
exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" \
  unshare -n umockdev-wrapper /usr/bin/python3 "$src/bench/vs_modemmanager.py"
