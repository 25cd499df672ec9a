#!/bin/bash
# mx-vm: --udev --timeout 300
# Discovery with real QRTR (docs/discovery.md): the simulator as remote QRTR
# node(s) through /dev/qrtr-tun, and a tun named rmnet_ipa0 tagged by a test
# udev rule as the SoC's IPA netdev.
#  1. one node + rmnet_ipa0 -> one qcom-soc device with both ports;
#     the node's BYE (simulator exit) -> the device is removed;
#  2. two nodes -> two devices;
#  3. a node without the modem services is not a device.
. "$(dirname "$0")/vm-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
CTL=${MX_BUILD_ROOT:?}/src/ctl/modemuxctl
SCENARIO=${MX_SOURCE_ROOT:?}/test/sim/scenarios/default.conf
[ -x "$SIM" ] || mx_fail "no simulator at $SIM"
[ -x "$CTL" ] || mx_fail "no modemuxctl at $CTL"
[ -e /dev/qrtr-tun ] || mx_fail "/dev/qrtr-tun missing (kernel without QRTR_TUN?)"
D=$(mktemp -d)
SIM_PID=
MON_PID=
cleanup() {
  [ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  ip link del rmnet_ipa0 2>/dev/null
  rm -f /run/udev/rules.d/77-mx-test-soc.rules
  rm -rf "$D"
}
trap cleanup EXIT

start_sim() {
  "$SIM" --scenario "$SCENARIO" "$@" --log "$D/sim.log" > "$D/out" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
  grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
}
stop_sim() {
  kill "$SIM_PID"; wait "$SIM_PID"; SIM_PID=
}

# The SoC's IPA netdev, played by a tun; the rule does what a distro rule
# (77-mm-qcom-soc.rules) does for the real one, plus a uid (a tun has no
# platform device to group by) and MX_NET_DRIVER (a tun has no ipa driver).
mkdir -p /run/udev/rules.d
cat > /run/udev/rules.d/77-mx-test-soc.rules <<'RULES'
SUBSYSTEM=="net", KERNEL=="rmnet_ipa0", ENV{ID_MM_QCOM_SOC}="1", ENV{ID_MM_CANDIDATE}="1", ENV{ID_MM_PHYSDEV_UID}="test-soc", ENV{MX_NET_DRIVER}="ipa"
RULES
udevadm control --reload
ip tuntap add dev rmnet_ipa0 mode tun || mx_fail "cannot create tun rmnet_ipa0"
udevadm settle --timeout=30

# 1. Watch device events while a node comes and goes.
"$CTL" probe --no-netlink --monitor 2 --timeout 120 > "$D/mon" 2> "$D/mon.err" &
MON_PID=$!
start_sim --qrtr-tun 7
for _ in $(seq 300); do grep -q '"added"' "$D/mon" && break; sleep 0.1; done
ADDED=$(grep '"added"' "$D/mon")
mx_contains "node 7 + rmnet_ipa0 form one device" "$ADDED" '"uid":"qcom-soc:test-soc","plugin":"qcom-soc","ports":["qrtr7","rmnet_ipa0"]'
OUT=$("$CTL" probe --json --no-netlink 2> "$D/probe.err") || mx_fail "probe: $(cat "$D/probe.err")"
/usr/bin/python3 - "$OUT" <<'PY' || mx_fail "rmnet_ipa0 as IPA data port: $OUT"
import json, sys
(dev,) = json.loads(sys.argv[1])['devices']
(data,) = [p for p in dev['ports'] if p['name'] == 'rmnet_ipa0']
assert data['role'] == 'data' and data['driver'] == 'ipa', data
assert data['endpoint'] == {'type': 'EMBEDDED', 'interface': 1}, data
assert data['control_port'] == 'qrtr7' and data['multiplex'] == 'required', data
PY
mx_ok "udev MX_NET_DRIVER=ipa makes the tun an IPA data port (EMBEDDED/1, multiplex required)"
stop_sim
wait "$MON_PID" || mx_fail "monitor: $(cat "$D/mon" "$D/mon.err")"
MON_PID=
REMOVED=$(grep '"removed"' "$D/mon")
mx_contains "node BYE removes the device" "$REMOVED" '"uid":"qcom-soc:test-soc"'

# 2. Two simulator nodes, no SoC netdev: two devices, one per node.
ip link del rmnet_ipa0
udevadm settle --timeout=30
start_sim --qrtr-tun 7 --qrtr-tun 8
OUT=$("$CTL" probe --json --no-netlink 2> "$D/probe.err") || mx_fail "probe: $(cat "$D/probe.err")"
/usr/bin/python3 - "$OUT" <<'PY' || mx_fail "two nodes: $OUT"
import json, sys
devices = json.loads(sys.argv[1])['devices']
uids = sorted(d['uid'] for d in devices)
assert uids == ['qrtr-node:7', 'qrtr-node:8'], uids
for d in devices:
    assert d['plugin'] == 'qcom-soc' and d['primary_port'] == 'qrtr' + d['uid'].split(':')[1], d
PY
mx_ok "two QRTR modem nodes are two devices"
stop_sim

echo "all discovery QRTR checks passed"
