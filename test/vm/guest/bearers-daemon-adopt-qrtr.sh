#!/bin/bash
# mx-vm: --timeout 300
# No adoption over QRTR: a process's QRTR clients end with it, so a killed
# modemuxd's session on a QRTR SoC modem (the simulator as QRTR node 7 with
# its TUN rmnet_ipa0 announced as the IPA netdev, as in
# bearers-daemon-soc.sh) cannot be taken over. The restarted daemon says why
# in its log and removes the link, as before adoption existed.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

mx_soc_stack_setup
daemon() {
  "$MXD" --test-session --initial-kernel-events="$D/events" --state-dir="$D/state" --debug > "$1" 2>&1 &
  MXD_PID=$!
}
daemon "$D/mxd1.log"
mx_soc_sim_start
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
