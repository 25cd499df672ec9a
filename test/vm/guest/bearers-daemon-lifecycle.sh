#!/bin/bash
# mx-vm: --timeout 300
# A modem's life with two multiplexed bearers, through modemuxd and the real
# mmcli on a real kernel with rmnet (the simulator as an MHI QMI modem whose
# Stop Network takes 1.5 s):
# - `mmcli -m 0 --disable` disconnects both bearers first (Stop Network for
#   each session), deletes their rmnet links, then the modem is disabled;
# - SIGTERM with two bearers connected: Stop Network for both, no rmnet link
#   of ours left, exit status 0;
# - an APN the network does not know: ModemManager's error name, no link;
# - DeleteBearer racing the control port's removal: an answer, no crash, no
#   link of ours left.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
SCENARIO=${MX_SOURCE_ROOT:?}/test/bearers/scenarios/two-apns-slow-stop.conf
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID=
trap mx_mhi_stack_stop EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }
stops() { grep -c 'Stop Network: session' "$D/sim.log"; }
sessions() { "$SIM" --ctl "$D/ctl" sessions | grep -c '^session ' || true; }
# kv KEY mmcli-args...: one value of mmcli -K.
kv() { local key=$1; shift; mmcli -K "$@" | sed -n "s/^$key *: //p"; }

# connect_two: two bearers on apn0 and apn1, each on its own rmnet link.
connect_two() {
  local b iface n=0
  mx_run "simple-connect apn=apn0" mmcli -m 0 --simple-connect="apn=apn0,multiplex=required"
  mx_run "simple-connect apn=apn1" mmcli -m 0 --simple-connect="apn=apn1,multiplex=required"
  for b in $(mmcli -K -m 0 | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/||p'); do
    iface=$(kv bearer.status.interface -b "$b")
    ip -d link show dev "$iface" | grep -q 'rmnet mux_id' || mx_fail "bearer $b is not on an rmnet link: $iface"
    n=$((n + 1))
  done
  [ "$n" = 2 ] || mx_fail "expected two bearers, found $n"
  [ "$(sessions)" = 2 ] || mx_fail "simulator sessions: $("$SIM" --ctl "$D/ctl" sessions)"
  [ "$(mx_our_links | wc -w)" = 2 ] || mx_fail "our links: $(mx_our_links)"
  mx_ok "two multiplexed bearers connected ($(mx_our_links))"
}

mx_mhi_stack_start "$SCENARIO"
mx_run "enable" mmcli -m 0 -e
connect_two

# Disable: both bearers down first, then the radio.
mx_run "disable" mmcli -m 0 --disable
[ "$(kv modem.generic.state -m 0)" = disabled ] || mx_fail "modem state $(kv modem.generic.state -m 0)"
mx_ok "modem disabled"
for b in $(mmcli -K -m 0 | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/||p'); do
  [ "$(kv bearer.status.connected -b "$b")" = no ] || mx_fail "bearer $b still connected"
  mx_ok "bearer $b disconnected"
done
[ -z "$(mx_our_links)" ] || mx_fail "links left after disable: $(mx_our_links)"
mx_ok "no rmnet link of ours after disable"
[ "$(sessions)" = 0 ] || mx_fail "simulator sessions after disable: $("$SIM" --ctl "$D/ctl" sessions)"
[ "$(stops)" = 2 ] || mx_fail "expected 2 Stop Network, simulator saw $(stops)"
mx_ok "the simulator saw Stop Network for both sessions, none left"

# SIGTERM: every session stopped on the modem before the port closes.
mx_run "enable again" mmcli -m 0 -e
connect_two
kill -TERM "$MXD_PID"
wait "$MXD_PID"; status=$?; MXD_PID=
[ "$status" = 0 ] || mx_fail "modemuxd exited $status: $(tail -20 "$D/mxd.log")"
mx_ok "modemuxd exited 0 on SIGTERM"
[ -z "$(mx_our_links)" ] || mx_fail "links left after SIGTERM: $(mx_our_links)"
mx_ok "no rmnet link of ours after SIGTERM"
[ "$(stops)" = 4 ] || mx_fail "expected 2 more Stop Network, simulator saw $(($(stops) - 2))"
[ "$(sessions)" = 0 ] || mx_fail "simulator sessions after SIGTERM: $("$SIM" --ctl "$D/ctl" sessions)"
mx_ok "the simulator saw Stop Network for both sessions at SIGTERM"

# A restarted daemon: the refused APN carries ModemManager's error name.
mx_mhi_daemon_start "$D/mxd2.log"
mx_run "enable" mmcli -m any -e
out=$(mmcli -m any --simple-connect="apn=nosuchapn,multiplex=required" 2>&1) && mx_fail "nosuchapn connected"
mx_contains "unknown APN refused with MM's error name" "$out" "org.freedesktop.ModemManager1.Error.MobileEquipment.MissingOrUnknownApn"
[ -z "$(mx_our_links)" ] || mx_fail "links left after the refused connect: $(mx_our_links)"
mx_ok "no rmnet link of ours after the refused connect"

# DeleteBearer while Stop Network (1.5 s) is pending, and the control port goes.
mx_run "simple-connect apn=apn0" mmcli -m any --simple-connect="apn=apn0,multiplex=required"
for b in $(mmcli -K -m any | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: ||p'); do
  [ "$(kv bearer.properties.apn -b "$b")" = apn0 ] && bearer=$b
done
[ -n "${bearer:-}" ] || mx_fail "no bearer on apn0"
before=$(stops)
mmcli -m any --delete-bearer="$bearer" > "$D/delete.out" 2>&1 &
delete_pid=$!
for _ in $(seq 400); do [ "$(stops)" -gt "$before" ] && break; sleep 0.05; done
[ "$(stops)" -gt "$before" ] || mx_fail "Stop Network never sent for the deletion"
mx_run "control port removed" mmcli --report-kernel-event="action=remove,subsystem=wwan,name=wwan0qmi0"
wait "$delete_pid" || mx_contains "DeleteBearer answered with an error" "$(cat "$D/delete.out")" "error"
kill -0 "$MXD_PID" 2>/dev/null || mx_fail "modemuxd died: $(tail -20 "$D/mxd2.log")"
mx_ok "modemuxd alive after DeleteBearer raced the removal"
for _ in $(seq 300); do mmcli -L 2>&1 | grep -q 'No modems were found' && break; sleep 0.1; done
mmcli -L 2>&1 | grep -q 'No modems were found' || mx_fail "the modem stayed: $(mmcli -L 2>&1)"
[ -z "$(mx_our_links)" ] || mx_fail "links left after the removal: $(mx_our_links)"
mx_ok "modem gone, no rmnet link of ours left"
kill -TERM "$MXD_PID"; wait "$MXD_PID"; status=$?; MXD_PID=
[ "$status" = 0 ] || mx_fail "modemuxd exited $status after the race"
mx_ok "modemuxd exited 0"
