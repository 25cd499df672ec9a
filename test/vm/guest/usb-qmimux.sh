#!/bin/bash
# mx-vm: --udev --timeout 420
# A USB QMI modem on the real qmi_wwan driver, multiplexed through
# qmi_wwan's own qmimux links: a udev rule (as a distro or user would add)
# tags the netdev MX_QMI_WWAN_QMIMUX=1, so the daemon keeps wwan0 in raw IP
# without pass-through and makes each link with qmi/add_mux (qmimux0,
# qmimux1), removing it with qmi/del_mux. A ping through each link is
# counted by the simulator under that link's mux id. DL aggregation: with
# the gadget holding downlink frames, two echoes through each link come back
# in one bulk IN transfer, which qmi_wwan's qmimux de-aggregates, each reply
# to its link.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
. "$(dirname "$0")/usb-lib.sh"
set -u
trap 'mx_usb_cleanup; rm -f /run/udev/rules.d/70-mx-qmimux.rules' EXIT

mkdir -p /run/udev/rules.d
echo 'ACTION=="add", SUBSYSTEM=="net", DRIVERS=="qmi_wwan", ENV{MX_QMI_WWAN_QMIMUX}="1"' > /run/udev/rules.d/70-mx-qmimux.rules
udevadm control --reload
mx_usb_modem_start
mx_contains "udev tagged wwan0" "$(udevadm info -q property -p /sys/class/net/wwan0)" "MX_QMI_WWAN_QMIMUX=1"
m=$(mx_usb_modem_index)

mx_run "connect apn=internet,multiplex=required" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet,multiplex=required"
mx_run "connect apn=ims,multiplex=required" mmcli -m "$m" --timeout=120 --simple-connect="apn=ims,multiplex=required"
mx_contains "qmi_wwan in raw IP" "$(cat /sys/class/net/wwan0/qmi/raw_ip)" "Y"
mx_contains "no pass-through with qmimux" "$(cat /sys/class/net/wwan0/qmi/pass_through)" "N"
mx_contains "wwan0's MTU holds a DL aggregate" "$(ip -d link show dev wwan0)" "mtu 16385"
ip -d link show type rmnet | grep -q rmnet && mx_fail "an rmnet link exists: $(ip -d link show type rmnet)"

muxes= pairs=
for b in $(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/Bearer/||p'); do
  B=$(mmcli -K -b "$b")
  grep -q '^bearer.status.connected *: yes' <<<"$B" || continue
  mx_contains "bearer $b multiplexed" "$B" "bearer.status.multiplexed                : yes"
  iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
  case $iface in qmimux*) ;; *) mx_fail "bearer $b is on $iface, not a qmimux link" ;; esac
  mux=$(printf '%d' "$(cat "/sys/class/net/$iface/qmap/mux_id")")
  mx_contains "qmi/add_mux lists mux $mux" "$(cat /sys/class/net/wwan0/qmi/add_mux)" "$mux"
  addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
  [ -n "$addr" ] || mx_fail "no IPv4 address on bearer $b: $B"
  mx_ping_counted "$iface" "$addr/24" "$mux"
  muxes="$muxes $mux"
  pairs="$pairs $iface:$addr"
done
[ "$(wc -w <<<"$muxes")" = 2 ] || mx_fail "expected two connected bearers on qmimux links, got mux ids:$muxes"
mx_ok "two bearers on two qmimux links, mux ids:$muxes"
# shellcheck disable=SC2086
mx_usb_held_pings 2 $pairs

mx_run "disconnect all" mmcli -m "$m" --simple-disconnect
ls /sys/class/net | grep -q '^qmimux' && mx_fail "qmimux links left: $(ls /sys/class/net)"
[ -z "$(cat /sys/class/net/wwan0/qmi/add_mux)" ] || mx_fail "qmi/add_mux not empty: $(cat /sys/class/net/wwan0/qmi/add_mux)"
mx_ok "links removed through del_mux"
