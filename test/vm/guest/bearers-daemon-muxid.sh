#!/bin/bash
# mx-vm: --udev --timeout 300
# The mux id udev tags through modemuxd, on a real kernel with rmnet: the
# simulator is QRTR node 7 (soc scenario) and owns a TUN named rmnet_ipa0,
# which a test udev rule makes the SoC's IPA netdev (as discovery-qrtr.sh)
# and tags ID_MM_INITIAL_QMAP_MUX_ID=100, ID_MM_MAX_MULTIPLEXED_LINKS=2.
# modemuxd finds both through udev and QRTR, as it runs on a phone. The
# netdev exists (persistent, the simulator attaches to it) before the node
# appears, so the modem is made once, with both ports.
#  - MaxActiveMultiplexedBearers is the tag's 2;
#  - the first bearer's rmnet link gets mux id 100, the second 101 (the
#    kernel's view: `ip -d link`), the simulator binds those ids;
#  - a third multiplexed bearer is refused (at most 2 links);
#  - re-plugged with other tags (the node goes and comes back after the rule
#    changed), the new modem's links follow the new tags, not the old ones.
. "$(dirname "$0")/vm-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
SCENARIO=${MX_SOURCE_ROOT:?}/test/sim/scenarios/soc.conf
RULES=/run/udev/rules.d/77-mx-test-muxid.rules
[ -e /dev/qrtr-tun ] || mx_fail "/dev/qrtr-tun missing"
modprobe rmnet 2>/dev/null || true
D=$(mktemp -d)
SIM_PID='' MXD_PID='' BUS_PID=''
cleanup() {
  [ -n "$MXD_PID" ] && kill "$MXD_PID" 2>/dev/null && wait "$MXD_PID"
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
  ip link del rmnet_ipa0 2>/dev/null
  rm -f "$RULES"
  rm -rf "$D"
}
trap cleanup EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }
modem_prop() {
  gdbus call --session -d org.freedesktop.ModemManager1 -o "/org/freedesktop/ModemManager1/Modem/$M" \
    -m org.freedesktop.DBus.Properties.Get "$1" "$2"
}

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || mx_fail "no session bus"

# tag_rule TAGS: what a distro rule does for the real IPA netdev
# (77-mm-qcom-soc.rules), plus a uid and the driver (a tun has neither),
# plus TAGS (the ones under test), in force for the next event.
tag_rule() {
  mkdir -p /run/udev/rules.d
  echo "SUBSYSTEM==\"net\", KERNEL==\"rmnet_ipa0\", ENV{ID_MM_QCOM_SOC}=\"1\", ENV{ID_MM_CANDIDATE}=\"1\", ENV{ID_MM_PHYSDEV_UID}=\"test-soc\", ENV{MX_NET_DRIVER}=\"ipa\", $1" > "$RULES"
  udevadm control --reload
}
start_sim() {
  "$SIM" --scenario "$SCENARIO" --qrtr-tun 7 --data-tun rmnet_ipa0 --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
  grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
}
# wait_modem: sets M to the index of the modem that has rmnet_ipa0.
wait_modem() {
  M=
  for _ in $(seq 300); do
    M=$(mmcli -L 2>/dev/null | sed -n 's|.*/Modem/\([0-9]*\) .*|\1|p' | head -1)
    [ -n "$M" ] && mmcli -K -m "$M" 2>/dev/null | grep -q 'rmnet_ipa0 (net)' && return
    M=
    sleep 0.1
  done
  mx_fail "no modem with rmnet_ipa0: $(grep -i -E 'qrtr|device|plugin|modem|rmnet_ipa0' "$D/mxd.log" | tail -30)"
}
# wait_max N: MaxActiveMultiplexedBearers becomes N (it is written once the
# kernel's rmnet support is known).
wait_max() {
  local max
  for _ in $(seq 100); do
    max=$(modem_prop org.freedesktop.ModemManager1.Modem MaxActiveMultiplexedBearers)
    [ "$max" = "(<uint32 $1>,)" ] && return
    sleep 0.1
  done
  mx_fail "MaxActiveMultiplexedBearers: $max, expected $1"
}

tag_rule 'ENV{ID_MM_INITIAL_QMAP_MUX_ID}="100", ENV{ID_MM_MAX_MULTIPLEXED_LINKS}="2"'
ip tuntap add dev rmnet_ipa0 mode tun pi || mx_fail "cannot create tun rmnet_ipa0"
udevadm settle --timeout=30

"$MXD" --test-session --debug > "$D/mxd.log" 2>&1 &
MXD_PID=$!
for _ in $(seq 100); do gdbus introspect --session -d org.freedesktop.ModemManager1 -o / > /dev/null 2>&1 && break; sleep 0.1; done

start_sim
wait_modem
mx_ok "QRTR SoC modem with the udev-tagged rmnet_ipa0 found"
mx_contains "data port policy from the tags" "$(cat "$D/mxd.log")" \
  "data port rmnet_ipa0: mux ids from 100, at most 2 links (udev tags)"

wait_max 2
mx_ok "MaxActiveMultiplexedBearers = 2 (ID_MM_MAX_MULTIPLEXED_LINKS)"

# mux_id_of N: the rmnet mux id of the link of the modem's Nth bearer
# (creation order), as the kernel has it.
mux_id_of() {
  local b iface
  b=$(mmcli -K -m "$M" | sed -n "s|^modem.generic.bearers.value\[$1\] *: .*/Bearer/||p")
  [ -n "$b" ] || mx_fail "modem $M has no bearer $1: $(mmcli -m "$M")"
  iface=$(mmcli -K -b "$b" | sed -n 's/^bearer.status.interface *: //p')
  [ -n "$iface" ] || mx_fail "bearer $b has no interface: $(mmcli -b "$b")"
  ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p'
}

mx_run "connect IPv4 (first bearer)" mmcli -m "$M" --simple-connect="apn=internet"
mux=$(mux_id_of 1)
[ "$mux" = 100 ] || mx_fail "first link has mux id '${mux}', expected 100 (ID_MM_INITIAL_QMAP_MUX_ID): $(ip -d link show)"
mx_ok "first link: mux_id 100"
mx_run "connect IPv6 (second bearer)" mmcli -m "$M" --simple-connect="apn=internet,ip-type=ipv6"
mux=$(mux_id_of 2)
[ "$mux" = 101 ] || mx_fail "second link has mux id '${mux}', expected 101: $(ip -d link show)"
mx_ok "second link: mux_id 101"
sessions=$("$SIM" --ctl "$D/ctl" sessions)
mx_contains "simulator bound mux 100" "$sessions" "mux=100 "
mx_contains "simulator bound mux 101" "$sessions" "mux=101 "

out=$(mmcli -m "$M" --simple-connect="apn=internet,ip-type=ipv4v6" 2>&1) && mx_fail "a third bearer connected: $out"
mx_contains "third multiplexed bearer refused (at most 2 links)" "$out" "Maximum number of multiplexed bearers reached on rmnet_ipa0"
[ "$(ip -d link show | grep -c 'rmnet mux_id')" = 2 ] || mx_fail "expected exactly our two links: $(ip -d link show)"
mx_ok "no link left by the refused bearer"

mx_run "simple-disconnect" mmcli -m "$M" --simple-disconnect
ip -d link show | grep -q 'rmnet mux_id' && mx_fail "links left after disconnect: $(ip -d link show)"
mx_ok "both links removed on disconnect"

# Re-plug with other tags: the modem goes with its node, the netdev is
# re-tagged (first id 50, no limit), the node comes back.
kill "$SIM_PID"; wait "$SIM_PID"; SIM_PID=''
for _ in $(seq 300); do mmcli -L 2>/dev/null | grep -q '/Modem/' || break; sleep 0.1; done
mmcli -L 2>/dev/null | grep -q '/Modem/' && mx_fail "the modem stayed after its node left: $(mmcli -L)"
mx_ok "modem gone with its QRTR node"
tag_rule 'ENV{ID_MM_INITIAL_QMAP_MUX_ID}="50"'
udevadm trigger --action=change --subsystem-match=net --sysname-match=rmnet_ipa0
udevadm settle --timeout=30
start_sim
wait_modem
mx_ok "modem back on modem $M"
wait_max 254
mx_ok "MaxActiveMultiplexedBearers = 254 (no limit tagged any more)"
mx_run "connect IPv4 on the re-plugged modem" mmcli -m "$M" --simple-connect="apn=internet"
mux=$(mux_id_of 1)
[ "$mux" = 50 ] || mx_fail "link after re-plug has mux id '${mux}', expected 50 (the new tag): $(ip -d link show)"
mx_ok "re-plugged: first link gets mux_id 50"
mx_run "simple-disconnect" mmcli -m "$M" --simple-disconnect
echo "all mux id tag checks passed"
