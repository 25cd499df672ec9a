#!/bin/bash
# mx-vm: --timeout 300
# Multiplexed MBIM bearers on an MHI MBIM modem, through the shipped
# modemuxd and the real mmcli: control = the simulator's MBIM function as
# fake mbim-proxy for /dev/wwan0mbim0; data = a wwan_hwsim device standing
# for mhi_wwan_mbim (its default netdev is the data netdev, kernel events
# call it mhi_wwan_mbim). wwan_hwsim links drop what they transmit, so no
# traffic here (the VLAN script pings).
#  - `--simple-connect="apn=internet,multiplex=required"` twice (a required
#    multiplexed connect never reuses a bearer in use): two bearers, two wwan
#    links on the wwan device whose `ip -d link` link id is the MBIM session
#    id the simulator activated for that bearer (two different ids);
#  - `mmcli -b N --disconnect` removes that bearer's link only, and its session;
#  - `ip link del` of the other link: that bearer is disconnected;
#  - SIGKILL with a bearer connected, restart: our link is gone, a foreign
#    wwan link and the default netdev stay.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
SCENARIO=${MX_SOURCE_ROOT:?}/test/modem/scenarios/mbim-mux.conf
D=$(mktemp -d)
SIM_PID='' MXD_PID='' BUS_PID=''
cleanup() {
  mx_mhi_stack_stop
  rm -f /dev/wwan0mbim0
}
trap cleanup EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }
kv() { mmcli -K "$@"; }
field() { sed -n "s/^$1[[:space:]]*: //p"; }
bearers() { kv -m 0 | sed -n 's|^modem.generic.bearers.value.*/Bearer/\([0-9]*\)$|\1|p' | sort -n | tr '\n' ' '; }

mx_run "a wwan_hwsim device" sh -c 'echo 1 > /sys/kernel/debug/wwan_hwsim/devcreate'
WWAN=$(ls /sys/class/wwan | head -1)
NET=
for n in /sys/class/net/*; do
  [ "$(readlink -f "$n/device")" = "$(readlink -f "/sys/class/wwan/$WWAN")" ] && NET=${n##*/}
done
[ -n "$NET" ] || mx_fail "no default netdev of $WWAN"
mx_ok "wwan device $WWAN with its default netdev $NET"

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
"$SIM" --scenario "$SCENARIO" --mbim-proxy --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
mknod /dev/wwan0mbim0 c 1 3
cat > "$D/events" <<EV
action=add,subsystem=wwan,name=wwan0mbim0,uid=sim-mbim,driver=mhi_wwan_ctrl
action=add,subsystem=net,name=$NET,uid=sim-mbim,driver=mhi_wwan_mbim
EV
mx_mhi_daemon_start "$D/mxd.log"
mx_ok "modemuxd shows the MBIM modem"
max=$(gdbus call --session -d org.freedesktop.ModemManager1 -o /org/freedesktop/ModemManager1/Modem/0 \
  -m org.freedesktop.DBus.Properties.Get org.freedesktop.ModemManager1.Modem MaxActiveMultiplexedBearers)
mx_contains "MaxActiveMultiplexedBearers: one per MBIM session id 1..255" "$max" "uint32 255"

# bearer_link N: the interface of bearer N and its wwan link id.
bearer_iface() { kv -b "$1" | field 'bearer.status.interface'; }
bearer_connected() { kv -b "$1" | field 'bearer.status.connected'; }
link_id() { ip -d link show "$1" | sed -n 's/.*wwan linkid \([0-9]*\).*/\1/p'; }
sim_mux_of() { "$SIM" --ctl "$D/ctl" sessions | sed -n 's/.* mux=\([0-9]*\) .*/\1/p' | sort -n | tr '\n' ' '; }

out=$(mmcli -m 0 --simple-connect="apn=internet,multiplex=required") || mx_fail "first connect: $out $(tail -30 "$D/mxd.log")"
out=$(mmcli -m 0 --simple-connect="apn=internet,multiplex=required") || mx_fail "second connect: $out $(tail -30 "$D/mxd.log")"
bearers=$(bearers)
set -- $bearers
[ $# = 2 ] || mx_fail "expected two bearers, got '$bearers'"
B1=$1 B2=$2
I1=$(bearer_iface "$B1") I2=$(bearer_iface "$B2")
[ -n "$I1" ] && [ -n "$I2" ] && [ "$I1" != "$I2" ] || mx_fail "interfaces '$I1' '$I2'"
[ "$I1" != "$NET" ] && [ "$I2" != "$NET" ] || mx_fail "a multiplexed bearer is on the default netdev $NET"
S1=$(link_id "$I1") S2=$(link_id "$I2")
[ -n "$S1" ] && [ -n "$S2" ] && [ "$S1" != "$S2" ] || mx_fail "link ids '$S1' '$S2': $(ip -d link)"
mx_contains "bearer $B1's link $I1 is a wwan link of $WWAN" "$(ip -d link show "$I1")" "parentdev $WWAN"
mx_contains "it carries our marker" "$(ip link show "$I1")" "alias modemux:$WWAN:$S1"
expected=$(printf '%s\n' "$S1" "$S2" | sort -n | tr '\n' ' ')
[ "$(sim_mux_of)" = "$expected" ] || mx_fail "simulator sessions '$(sim_mux_of)' != link ids '$expected'"
mx_ok "two wwan links, link ids $S1 and $S2 = the MBIM session ids the simulator activated"
"$SIM" --ctl "$D/ctl" log | grep -q "mbim connect session $S1 apn 'internet'" || mx_fail "no activation of session $S1 logged"
mx_ok "the simulator activated session $S1 for bearer $B1"

mx_run "disconnect bearer $B1" mmcli -b "$B1" --disconnect
mx_absent "/sys/class/net/$I1" "bearer $B1's link is gone"
mx_exists "/sys/class/net/$I2" "bearer $B2's link stays"
[ "$(sim_mux_of)" = "$S2 " ] || mx_fail "simulator sessions after disconnect: '$(sim_mux_of)'"
mx_ok "only session $S2 is left on the modem"

mx_run "delete bearer $B2's link behind modemuxd" ip link del "$I2"
for _ in $(seq 100); do
  [ "$(bearer_connected "$B2")" = no ] && break
  sleep 0.1
done
[ "$(bearer_connected "$B2")" = no ] || mx_fail "bearer $B2 still connected: $(mmcli -b "$B2")"
mx_ok "a deleted link disconnects its bearer"
for _ in $(seq 100); do [ -z "$(sim_mux_of)" ] && break; sleep 0.1; done
[ -z "$(sim_mux_of)" ] || mx_fail "session left on the modem: $(sim_mux_of)"
mx_ok "and its session is ended on the modem"

# SIGKILL with a bearer up: the restarted daemon removes our stale link only.
out=$(mmcli -m 0 --simple-connect="apn=internet,multiplex=required") || mx_fail "connect: $out"
B3=
for b in $(bearers); do [ "$(bearer_connected "$b")" = yes ] && B3=$b; done
[ -n "$B3" ] || mx_fail "no connected bearer: $(kv -m 0)"
I3=$(bearer_iface "$B3")
mx_exists "/sys/class/net/$I3" "bearer $B3 on $I3"
mx_run "a foreign wwan link on $WWAN" ip link add name fwwan9 parentdev "$WWAN" type wwan linkid 9
kill -KILL "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=''
mx_exists "/sys/class/net/$I3" "the killed daemon's link is still there"
mx_mhi_daemon_start "$D/mxd2.log"
for _ in $(seq 100); do [ -e "/sys/class/net/$I3" ] || break; sleep 0.1; done
mx_absent "/sys/class/net/$I3" "the restarted daemon removed our stale wwan link"
mx_exists /sys/class/net/fwwan9 "the foreign wwan link is kept"
mx_exists "/sys/class/net/$NET" "the default netdev is kept"
grep -q "removed 1 link(s) left behind" "$D/mxd2.log" || mx_fail "no reconciliation logged: $(grep -i link "$D/mxd2.log" | tail)"
mx_ok "reconciliation logged"
ip link del fwwan9
