#!/bin/bash
# mx-vm: --udev --timeout 420
# A USB QMI modem on the real qmi_wwan driver, multiplexed over rmnet: the
# same connect twice (apn=internet,multiplex=required: a required
# multiplexed connect never takes a bearer in use) puts qmi_wwan in
# QMAP pass-through (qmi/raw_ip and qmi/pass_through Y, wwan0's MTU - and
# with it usbnet's RX URB size - at the negotiated DL aggregation size) and
# make two rmnet links on wwan0 with their own mux ids. A ping through each
# link crosses the USB bulk endpoints as QMAP and is counted by the
# simulator under that link's mux id. DL aggregation: with the gadget
# holding downlink frames, two echoes through each link come back in one
# bulk IN transfer, which rmnet de-aggregates, each reply to its link.
# Disconnecting both removes the links.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
. "$(dirname "$0")/usb-lib.sh"
set -u
trap mx_usb_cleanup EXIT

mx_usb_modem_start
m=$(mx_usb_modem_index)

mx_run "connect apn=internet,multiplex=required" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet,multiplex=required"
mx_run "the same connect again" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet,multiplex=required"
mx_contains "qmi_wwan in raw IP" "$(cat /sys/class/net/wwan0/qmi/raw_ip)" "Y"
mx_contains "qmi_wwan in QMAP pass-through" "$(cat /sys/class/net/wwan0/qmi/pass_through)" "Y"
mx_contains "wwan0's MTU is the DL aggregation size + 1 (16385: usbnet refuses a multiple of 512)" "$(ip -d link show dev wwan0)" "mtu 16385"

muxes= pairs=
for b in $(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/Bearer/||p'); do
  B=$(mmcli -K -b "$b")
  grep -q '^bearer.status.connected *: yes' <<<"$B" || continue
  mx_contains "bearer $b multiplexed" "$B" "bearer.status.multiplexed                : yes"
  iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
  L=$(ip -d link show dev "$iface") || mx_fail "no link $iface"
  mx_contains "$iface sits on wwan0" "$L" "@wwan0"
  mux=$(sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p' <<<"$L")
  [ -n "$mux" ] || mx_fail "$iface is not an rmnet link: $L"
  addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
  [ -n "$addr" ] || mx_fail "no IPv4 address on bearer $b: $B"
  mx_ping_counted "$iface" "$addr/24" "$mux"
  muxes="$muxes $mux"
  pairs="$pairs $iface:$addr"
done
[ "$(wc -w <<<"$muxes")" = 2 ] || mx_fail "expected two connected bearers, got mux ids:$muxes"
set -- $muxes
[ "$1" != "$2" ] || mx_fail "both bearers on mux $1"
mx_ok "two bearers on two mux ids:$muxes"
frames=$(simctl usb | sed -n 's/^data .* frames=\([0-9]*\).*/\1/p')
[ "${frames:-0}" -ge 2 ] || mx_fail "no QMAP frames over USB: $(simctl usb)"
mx_ok "QMAP frames crossed the bulk endpoints ($frames)"
# shellcheck disable=SC2086
mx_usb_held_pings 2 $pairs

mx_run "disconnect all" mmcli -m "$m" --simple-disconnect
links=$(mx_our_links)
[ -z "$links" ] || mx_fail "links of ours left after disconnect: $links"
mx_ok "no link of ours left"
