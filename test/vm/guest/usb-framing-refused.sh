#!/bin/bash
# mx-vm: --udev --timeout 420
# A framing switch the kernel refuses: qmi_wwan's qmi/raw_ip store asks the
# netdev notifiers first (NETDEV_PRE_TYPE_CHANGE), and a bridge vetoes any
# change of its ports' link type. With the gadget's wwan0 (802.3, raw_ip N,
# up) a port of br0, a connect needs raw_ip Y and must fail with a D-Bus
# error naming the raw_ip switch and why, leaving no half state: wwan0 up
# again, raw_ip and pass_through as they were, no link of ours, the bearer
# disconnected and the modem still enabled; refused with wwan0 down, wwan0
# stays down. Out of the bridge, the same connect succeeds and pings.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
. "$(dirname "$0")/usb-lib.sh"
set -u
trap 'rc=$?; ip link del br0 2>/dev/null; (exit $rc); mx_usb_cleanup' EXIT

mx_usb_modem_start
m=$(mx_usb_modem_index)
[ "$(cat /sys/class/net/wwan0/qmi/raw_ip)" = N ] || mx_fail "qmi_wwan does not start in 802.3"

mx_run "br0 created" ip link add br0 type bridge
mx_run "wwan0 enslaved to br0" ip link set wwan0 master br0
mx_run "wwan0 up" ip link set wwan0 up
mx_contains "wwan0 is a port of br0" "$(ip link show dev wwan0)" "master br0"

out=$(mmcli -m "$m" --timeout=120 --simple-connect="apn=internet" 2>&1) &&
  mx_fail "connect on a bridge port unexpectedly succeeded: $out"
mx_ok "connect refused: $out"
mx_contains "the error names the raw_ip switch" "$out" "qmi/raw_ip switch"
mx_contains "the error says why (wwan0 is a bridge port)" "$out" "wwan0 is a port of br0"
mx_contains "the error names the failing step" "$out" "data port setup failed"

mx_contains "wwan0 is up again" "$(ip link show dev wwan0)" ",UP"
mx_contains "raw_ip unchanged" "$(cat /sys/class/net/wwan0/qmi/raw_ip)" "N"
mx_contains "pass_through unchanged" "$(cat /sys/class/net/wwan0/qmi/pass_through)" "N"
links=$(mx_our_links)
[ -z "$links" ] || mx_fail "links of ours left after the refused connect: $links"
[ -z "$(ls -d /sys/class/net/qmimux* 2>/dev/null)" ] || mx_fail "a qmimux link is left"
mx_ok "no link of ours"
for b in $(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/Bearer/||p'); do
  mx_contains "bearer $b disconnected" "$(mmcli -K -b "$b")" "bearer.status.connected                  : no"
done
simctl sessions | grep -q '^session ' && mx_fail "a session is left: $(simctl sessions)"
mx_ok "no session left in the simulator"
state=$(mmcli -K -m "$m" | sed -n 's/^modem.generic.state *: //p')
case $state in
  enabled|searching|registered) mx_ok "modem still enabled ($state)" ;;
  *) mx_fail "modem state after the refused connect: $state" ;;
esac

# Refused with wwan0 down: left down (the daemon brings up only what it
# took down).
mx_run "wwan0 down" ip link set wwan0 down
out=$(mmcli -m "$m" --timeout=120 --simple-connect="apn=internet" 2>&1) &&
  mx_fail "connect on a bridge port unexpectedly succeeded: $out"
mx_contains "refused again, naming the bridge" "$out" "wwan0 is a port of br0"
case $(ip link show dev wwan0) in
  *,UP*|*"<UP"*) mx_fail "wwan0 was brought up: $(ip link show dev wwan0)" ;;
  *) mx_ok "wwan0 left down, as it was" ;;
esac
mx_contains "raw_ip still unchanged" "$(cat /sys/class/net/wwan0/qmi/raw_ip)" "N"

mx_run "wwan0 out of the bridge" ip link set wwan0 nomaster
mx_run "the same connect succeeds" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet"
n=0
for b in $(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/Bearer/||p'); do
  B=$(mmcli -K -b "$b")
  grep -q '^bearer.status.connected *: yes' <<<"$B" || continue
  iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
  addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
  prefix=$(sed -n 's/^bearer.ipv4-config.prefix *: //p' <<<"$B")
  [ -n "$addr" ] || mx_fail "no IPv4 address on bearer $b: $B"
  mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
  if [ -z "$mux" ] && [ -e "/sys/class/net/$iface/qmap/mux_id" ]; then
    mux=$(( $(cat "/sys/class/net/$iface/qmap/mux_id") ))
  fi
  mx_ping_counted "$iface" "$addr/${prefix:-24}" "${mux:-0}"
  n=$((n + 1))
done
[ "$n" = 1 ] || mx_fail "expected one connected bearer, got $n"
mx_contains "qmi_wwan switched to raw IP" "$(cat /sys/class/net/wwan0/qmi/raw_ip)" "Y"

mx_run "simple-disconnect" mmcli -m "$m" --simple-disconnect
links=$(mx_our_links)
[ -z "$links" ] || mx_fail "links of ours left after disconnect: $links"
mx_ok "no link of ours left"
