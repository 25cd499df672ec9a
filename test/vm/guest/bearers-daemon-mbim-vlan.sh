#!/bin/bash
# mx-vm: --timeout 300
# Multiplexed MBIM bearers on a USB cdc_mbim modem, through the shipped
# modemuxd and the real mmcli: control = the simulator's MBIM function as
# fake mbim-proxy for /dev/cdc-wdm0; data = a veth whose host end wwan0
# plays the cdc_mbim netdev (NOARP, as cdc_mbim's) and whose peer the
# simulator serves as cdc_mbim frames its sessions (--data-mbim-veth:
# 802.1Q VLAN id = MBIM session id). Kernel events with one uid stand for
# udev (the two ports are cdc_mbim's).
#  - two bearers with multiplex=required (apn internet, apn corporate): two
#    802.1Q VLAN links on wwan0 whose VLAN ids are the MBIM session ids the
#    simulator activated;
#  - a ping through each link is answered and counted under its session;
#  - DataPorts1 (modemuxctl links --daemon) lists both links;
#  - disconnect: the links are gone, the sessions too;
#  - `ip link del` of a bearer's VLAN link disconnects it; SIGKILL +
#    restart removes our VLAN link and keeps a foreign VLAN.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
CTL=$MX_BUILD_ROOT/src/ctl/modemuxctl
SCENARIO=${MX_SOURCE_ROOT:?}/test/modem/scenarios/mbim-mux.conf
D=$(mktemp -d)
SIM_PID='' MXD_PID='' BUS_PID=''
cleanup() {
  mx_mhi_stack_stop
  rm -f /dev/cdc-wdm0
  ip link del wwan0 2>/dev/null
}
trap cleanup EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }
kv() { mmcli -K "$@"; }
field() { sed -n "s/^$1[[:space:]]*: //p"; }
bearers() { kv -m 0 | sed -n 's|^modem.generic.bearers.value.*/Bearer/\([0-9]*\)$|\1|p' | sort -n | tr '\n' ' '; }
sim_mux_of() { "$SIM" --ctl "$D/ctl" sessions | sed -n 's/.* mux=\([0-9]*\) .*/\1/p' | sort -n | tr '\n' ' '; }

# No IPv6 chatter on the data path: only the pings travel.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
mx_run "veth: wwan0 (the cdc_mbim netdev) and its peer" ip link add wwan0 type veth peer name mxmbimp
mx_run "cdc_mbim's netdev is NOARP" ip link set wwan0 arp off
mx_run "peer up" ip link set mxmbimp up

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
"$SIM" --scenario "$SCENARIO" --mbim-proxy --data-mbim-veth mxmbimp --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
mknod /dev/cdc-wdm0 c 1 3
cat > "$D/events" <<EV
action=add,subsystem=usbmisc,name=cdc-wdm0,uid=sim-usb-mbim,driver=cdc_mbim
action=add,subsystem=net,name=wwan0,uid=sim-usb-mbim,driver=cdc_mbim
EV
mx_mhi_daemon_start "$D/mxd.log"
mx_ok "modemuxd shows the cdc_mbim modem"

out=$(mmcli -m 0 --simple-connect="apn=internet,multiplex=required") || mx_fail "first connect: $out $(tail -30 "$D/mxd.log")"
out=$(mmcli -m 0 --simple-connect="apn=corporate,multiplex=required") || mx_fail "second connect: $out $(tail -30 "$D/mxd.log")"
set -- $(bearers)
[ $# = 2 ] || mx_fail "expected two bearers, got '$*'"
ids=
for b in "$@"; do
  iface=$(kv -b "$b" | field bearer.status.interface)
  addr=$(kv -b "$b" | field bearer.ipv4-config.address)/$(kv -b "$b" | field bearer.ipv4-config.prefix)
  d=$(ip -d link show "$iface") || mx_fail "bearer $b: no interface '$iface'"
  vid=$(echo "$d" | sed -n 's/.*vlan protocol 802.1Q id \([0-9]*\).*/\1/p')
  [ -n "$vid" ] || mx_fail "bearer $b: $iface is not an 802.1Q VLAN: $d"
  mx_contains "bearer $b's link $iface sits on wwan0" "$d" "$iface@wwan0"
  mx_contains "it carries our marker" "$d" "alias modemux:wwan0:$vid"
  mx_ping_counted "$iface" "$addr" "$vid"
  ids="$ids$vid"$'\n'
done
expected=$(printf '%s' "$ids" | sort -n | tr '\n' ' ')
[ "$(sim_mux_of)" = "$expected" ] || mx_fail "simulator sessions '$(sim_mux_of)' != VLAN ids '$expected'"
set -- $expected
[ $# = 2 ] && [ "$1" != "$2" ] || mx_fail "VLAN ids '$expected'"
mx_ok "two VLAN links, VLAN ids $1 and $2 = the MBIM session ids the simulator activated"
for v in "$@"; do
  dl=$("$SIM" --ctl "$D/ctl" counters "$v" | sed -n 's/.* dl_packets=\([0-9]*\).*/\1/p')
  [ "${dl:-0}" -ge 1 ] || mx_fail "session $v answered nothing: $("$SIM" --ctl "$D/ctl" counters "$v")"
done
mx_ok "each session counted its own ping and answer"
s0=$("$SIM" --ctl "$D/ctl" counters 0 | sed -n 's/.* ul_packets=\([0-9]*\).*/\1/p')
[ "${s0:-0}" = 0 ] || mx_fail "session 0 counted traffic: $("$SIM" --ctl "$D/ctl" counters 0)"
mx_ok "nothing went untagged (session 0)"

json=$(DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS "$CTL" links --daemon --json) || mx_fail "links --daemon: $json"
/usr/bin/python3 - "$json" "$expected" <<'PY' || mx_fail "DataPorts1 does not list the VLAN links: $json"
import json, sys
ours = json.loads(sys.argv[1])
links = sorted(l["mux_id"] for m in ours["modems"] for l in (m["links"] or []))
if links != sorted(int(x) for x in sys.argv[2].split()) or not all(
        l["link"] == "wwan0" for m in ours["modems"] for l in m["links"]):
    sys.exit("links %s" % ours)
PY
mx_ok "DataPorts1 lists both VLAN links on wwan0"

mx_run "simple-disconnect" mmcli -m 0 --simple-disconnect
left=$(ip -d link show type vlan 2>/dev/null | grep -c 'alias modemux:')
[ "$left" = 0 ] || mx_fail "VLAN links left: $(ip -d link show type vlan)"
mx_ok "the VLAN links are gone"
for _ in $(seq 50); do [ -z "$(sim_mux_of)" ] && break; sleep 0.1; done
[ -z "$(sim_mux_of)" ] || mx_fail "sessions left: $(sim_mux_of)"
mx_ok "and the MBIM sessions"

# A VLAN link deleted behind modemuxd disconnects its bearer.
out=$(mmcli -m 0 --simple-connect="apn=internet,multiplex=required") || mx_fail "connect: $out"
B=
for b in $(bearers); do [ "$(kv -b "$b" | field bearer.status.connected)" = yes ] && B=$b; done
I=$(kv -b "$B" | field bearer.status.interface)
mx_run "delete bearer $B's VLAN link $I with iproute2" ip link del "$I"
for _ in $(seq 100); do [ "$(kv -b "$B" | field bearer.status.connected)" = no ] && break; sleep 0.1; done
[ "$(kv -b "$B" | field bearer.status.connected)" = no ] || mx_fail "bearer $B still connected"
mx_ok "a deleted VLAN link disconnects its bearer"

# SIGKILL with a bearer up: the restarted daemon removes our VLAN link only.
out=$(mmcli -m 0 --simple-connect="apn=corporate,multiplex=required") || mx_fail "connect: $out"
B=
for b in $(bearers); do [ "$(kv -b "$b" | field bearer.status.connected)" = yes ] && B=$b; done
I=$(kv -b "$B" | field bearer.status.interface)
mx_run "a foreign VLAN on wwan0" ip link add link wwan0 name wwan0.7 type vlan id 7
kill -KILL "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=''
mx_exists "/sys/class/net/$I" "the killed daemon's VLAN link $I is still there"
mx_mhi_daemon_start "$D/mxd2.log"
for _ in $(seq 100); do [ -e "/sys/class/net/$I" ] || break; sleep 0.1; done
mx_absent "/sys/class/net/$I" "the restarted daemon removed our stale VLAN link"
mx_exists /sys/class/net/wwan0.7 "the foreign VLAN is kept"
