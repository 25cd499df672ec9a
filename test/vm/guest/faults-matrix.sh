#!/bin/bash
# mx-vm: --timeout 1800
# The fault matrix, VM tier (test/faults/fault-matrix.py, docs/testing.md
# "Fault matrix"): every QMI request modemuxd sends during a multiplexed
# connect on rmnet and its disconnect, failed with an error, a drop
# (timeout), a hang-up and a modem reset (probe/init and enable are the
# host tier's rows: the same requests, without links; under TCG a probe
# cell costs a minute). The stack is
# bearers-lib.sh's MHI modem (simulator as fake qmi-proxy with the TUN
# mhi_hwip0, announced by kernel events; probe faults re-probe with a
# ReportKernelEvent remove/add); a foreign rmnet link on a veth of its own
# must come through every run unchanged.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID=
trap mx_mhi_stack_stop EXIT
modprobe rmnet 2>/dev/null || true

# Someone else's link, made before modemuxd starts.
ip link add fgn0 type veth peer name fgn1 || mx_fail "veth"
ip link add link fgn0 name fgn0.7 type rmnet mux_id 7 || mx_fail "foreign rmnet link"
ip link set fgn0 up && ip link set fgn0.7 up
ip link set fgn0.7 alias "not-ours"
mx_ok "foreign rmnet link fgn0.7 (mux 7 on fgn0)"

# A dropped request costs 2 s instead of each module's default.
mx_mhi_stack_start "$MX_SOURCE_ROOT/test/sim/scenarios/default.conf" --test-qmi-timeout=2
mx_ok "modem up"

/usr/bin/python3 "$MX_SOURCE_ROOT/test/faults/fault-matrix.py" --tier vm --sim "$SIM" --ctl "$D/ctl" \
  --daemon-pid "$MXD_PID" --daemon-log "$D/mxd.log" --phases connect,disconnect ${MX_MATRIX_ARGS:-} || mx_fail "fault matrix (see the cells above)"
ip -d link show dev fgn0.7 | grep -q "rmnet mux_id 7" || mx_fail "the foreign link is gone"
mx_ok "fault matrix: every cell passes"
