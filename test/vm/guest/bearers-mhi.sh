#!/bin/bash
# mx-vm: --timeout 500
# Bearers on a real kernel with rmnet (docs/bearers.md). The modem and
# bearer components run in-process in test-bearer-connect (as in modemuxd)
# against the simulator: QMI through its fake qmi-proxy, data through its
# TUN named mhi_hwip0 announced as mhi_net (multiplex=requested default).
# The real mmcli connects; the tests check the rmnet link (mux id as the
# simulator saw it in Bind Mux Data Port, MTU from the network), ping through
# each link counted under its mux id, eight bearers on eight APNs, failures
# at bind / start / settings leaving no link, `ip link del`, network
# disconnect, and a foreign rmnet link surviving.
. "$(dirname "$0")/vm-lib.sh"
set -u

export MODEMUX_SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
export MODEMUX_SIM_SCENARIOS=${MX_SOURCE_ROOT:?}/test/sim/scenarios
export MX_BEARER_SCENARIOS=$MX_SOURCE_ROOT/test/bearers/scenarios
T=$MX_BUILD_ROOT/test/bearers/test-bearer-connect
[ -x "$T" ] || mx_fail "no $T (build test/bearers/test-bearer-connect first)"
[ -x "$MODEMUX_SIM" ] || mx_fail "no simulator at $MODEMUX_SIM"
modprobe rmnet 2>/dev/null || true

"$T" --tap || mx_fail "bearer tests failed"
mx_ok "bearers on rmnet"
