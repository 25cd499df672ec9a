#!/bin/bash
# mx-vm: --timeout 300
# No adoption over QRTR: a process's QRTR clients end with it, so a killed
# modemuxd's session on a QRTR SoC modem (the simulator as QRTR node 7 with
# its TUN rmnet_ipa0 announced as the IPA netdev, as in
# bearers-daemon-soc.sh) cannot be taken over. The restarted daemon says why
# in its log and removes the link, as before adoption existed.
. "$(dirname "$0")/vm-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
SCENARIO=${MX_SOURCE_ROOT:?}/test/sim/scenarios/soc.conf
[ -e /dev/qrtr-tun ] || mx_fail "/dev/qrtr-tun missing"
modprobe rmnet 2>/dev/null || true
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID=
cleanup() {
  [ -n "$MXD_PID" ] && kill "$MXD_PID" 2>/dev/null && wait "$MXD_PID"
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }
daemon() {
  "$MXD" --test-session --initial-kernel-events="$D/events" --state-dir="$D/state" --debug > "$1" 2>&1 &
  MXD_PID=$!
}

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
echo "action=add,subsystem=net,name=rmnet_ipa0,uid=test-soc,driver=ipa" > "$D/events"
daemon "$D/mxd1.log"
for _ in $(seq 100); do gdbus introspect --session -d org.freedesktop.ModemManager1 -o / > /dev/null 2>&1 && break; sleep 0.1; done
"$SIM" --scenario "$SCENARIO" --qrtr-tun 7 --data-tun rmnet_ipa0 --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
for _ in $(seq 300); do mmcli -L 2>/dev/null | grep -q Modem/0 && break; sleep 0.1; done
mmcli -L | grep -q Modem/0 || mx_fail "no modem: $(tail -30 "$D/mxd1.log")"

mx_run "connect over QRTR" mmcli -m 0 --simple-connect="apn=internet"
iface=$(mmcli -K -b 0 | sed -n 's/^bearer.status.interface *: //p')
ip -d link show dev "$iface" | grep -q 'rmnet mux_id' || mx_fail "bearer not on an rmnet link: $iface"
mx_ok "bearer connected on $iface"

kill -9 "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=
ip link show dev "$iface" > /dev/null 2>&1 || mx_fail "expected $iface to survive SIGKILL"
daemon "$D/mxd2.log"
for _ in $(seq 300); do ip link show dev "$iface" > /dev/null 2>&1 || break; sleep 0.1; done
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "$iface not removed after the restart: $(tail -20 "$D/mxd2.log")"
mx_ok "the restarted daemon removed $iface"
mx_contains "the log says why there is no adoption over QRTR" "$(cat "$D/mxd2.log")" \
  "not adopting $iface"
mx_contains "... naming QRTR" "$(grep "not adopting $iface" "$D/mxd2.log")" "QRTR node"
