#!/bin/bash
# mx-vm: --timeout 300
# modemuxd with a QRTR SoC modem, driven by the real mmcli, on a real kernel
# with rmnet and qrtr-tun: the simulator is QRTR node 7 (soc scenario:
# endpoint EMBEDDED/1 mandatory) and owns a TUN named rmnet_ipa0, announced
# as the IPA netdev with a kernel event (driver=ipa; the VM has no IPA). The
# daemon starts first, so the event names the netdev before the TUN exists
# (a TUN found in sysfs is a virtual netdev to discovery).
# multiplex=required is the IPA default; multiplex=none must be refused.
# A ping through the link is counted by the simulator under the link's mux
# id. Finally the lower leaves the namespace under two connected bearers:
# both end disconnected, no link of ours is left, a foreign rmnet link on
# another lower survives.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

mx_soc_stack_setup
"$MXD" --test-session --initial-kernel-events="$D/events" --debug > "$D/mxd.log" 2>&1 &
MXD_PID=$!
mx_soc_sim_start

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

# The data path: an ICMP echo from the bearer's address through the link
# reaches the simulator's network, which counts it under that mux id.
addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
[ -n "$addr" ] || mx_fail "no IPv4 address on the bearer: $B"
mx_ping_counted "$iface" "$addr" "$mux"

mx_run "simple-disconnect" mmcli -m 0 --simple-disconnect
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "$iface still exists after disconnect"
mx_ok "link $iface removed on disconnect"

# Removal of the lower: two bearers (IPv4 and IPv6, two mux ids) on
# rmnet_ipa0, a foreign rmnet link on another lower made with iproute2. The
# TUN leaves our namespace (for the host this is the netdev unregistering,
# as on unplug): the kernel drops the rmnet links on it, every bearer must
# end up disconnected, no link of ours left, the foreign link untouched.
ip link add fl0 type veth peer name fl1 || mx_fail "cannot create a veth pair"
mx_run "foreign rmnet link on fl0" ip link add link fl0 name foreign7 type rmnet mux_id 7
mx_run "connect IPv4 again" mmcli -m 0 --simple-connect="apn=internet"
mx_run "connect IPv6 (second bearer)" mmcli -m 0 --simple-connect="apn=internet,ip-type=ipv6"
bearers=$(mmcli -K -m 0 | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/Bearer/||p')
n=0
for b in $bearers; do
  mmcli -K -b "$b" | grep -q '^bearer.status.connected *: yes' && n=$((n + 1))
done
[ "$n" -ge 2 ] || mx_fail "expected two connected bearers, got $n: $(mmcli -m 0)"
[ "$(ip -d link show | grep -c 'rmnet mux_id')" -ge 3 ] || mx_fail "expected two links of ours: $(ip -d link show)"
ip netns add gone
ip link set dev rmnet_ipa0 netns gone || mx_fail "cannot move rmnet_ipa0 away"
for _ in $(seq 100); do
  left=0
  for b in $bearers; do
    mmcli -K -b "$b" | grep -q '^bearer.status.connected *: yes' && left=$((left + 1))
  done
  [ "$left" = 0 ] && break
  sleep 0.1
done
[ "$left" = 0 ] || mx_fail "$left bearer(s) still connected after the lower went away: $(tail -20 "$D/mxd.log")"
mx_ok "every bearer disconnected when the lower went away"
L=$(ip -d link show)
grep -q 'modemux:' <<<"$L" && mx_fail "a link of ours is left: $L"
[ "$(grep -c 'rmnet mux_id' <<<"$L")" = 1 ] || mx_fail "unexpected rmnet links: $L"
mx_contains "the foreign rmnet link on fl0 survives" "$(ip -d link show dev foreign7)" "rmnet mux_id 7"
ip link del fl0
ip netns del gone
