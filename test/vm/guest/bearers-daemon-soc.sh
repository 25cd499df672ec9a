#!/bin/bash
# mx-vm: --timeout 300
# modemuxd with a QRTR SoC modem, driven by the real mmcli, on a real kernel
# with rmnet and qrtr-tun: the simulator is QRTR node 7 (soc scenario:
# endpoint EMBEDDED/1 mandatory) and owns a TUN named rmnet_ipa0, announced
# as the IPA netdev with a kernel event (driver=ipa; the VM has no IPA). The
# daemon starts first, so the event names the netdev before the TUN exists
# (a TUN found in sysfs is a virtual netdev to discovery).
# multiplex=required is the IPA default; multiplex=none must be refused.
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

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"

echo "action=add,subsystem=net,name=rmnet_ipa0,uid=test-soc,driver=ipa" > "$D/events"
"$MXD" --test-session --initial-kernel-events="$D/events" --debug > "$D/mxd.log" 2>&1 &
MXD_PID=$!
for _ in $(seq 100); do gdbus introspect --session -d org.freedesktop.ModemManager1 -o / > /dev/null 2>&1 && break; sleep 0.1; done

"$SIM" --scenario "$SCENARIO" --qrtr-tun 7 --data-tun rmnet_ipa0 --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"

for _ in $(seq 300); do mmcli -L 2>/dev/null | grep -q Modem/0 && break; sleep 0.1; done
mmcli -L | grep -q Modem/0 || mx_fail "no modem: $(grep -i -E 'qrtr|device|plugin|modem' "$D/mxd.log" | tail -30)"
mx_ok "QRTR SoC modem found"

mx_must_fail "multiplex=none refused on IPA" mmcli -m 0 --simple-connect="apn=internet,multiplex=none"
mx_run "simple-connect apn=internet (IPA default: required)" mmcli -m 0 --simple-connect="apn=internet"
B=$(mmcli -K -b 1)
iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
mx_contains "multiplexed" "$B" "bearer.status.multiplexed                : yes"
L=$(ip -d link show dev "$iface") || mx_fail "no link $iface"
mux=$(sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p' <<<"$L")
[ -n "$mux" ] || mx_fail "$iface is not an rmnet link: $L"
mx_contains "simulator bound mux $mux" "$("$SIM" --ctl "$D/ctl" sessions)" "mux=$mux "
mx_contains "data format on the IPA port is QMAP" \
  "$(gdbus call --session -d org.freedesktop.ModemManager1 -o /org/freedesktop/ModemManager1/Modem/0 -m org.freedesktop.DBus.Properties.Get org.modemux.DataPorts1 DataPorts)" "'multiplexed': <true>"
mx_run "simple-disconnect" mmcli -m 0 --simple-disconnect
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "$iface still exists after disconnect"
mx_ok "link $iface removed on disconnect"
