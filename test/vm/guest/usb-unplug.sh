#!/bin/bash
# mx-vm: --udev --timeout 420
# Unplug of a USB QMI modem on the real qmi_wwan during a multiplexed
# connection: the simulator unbinds its gadget from the UDC (the host sees
# the device disconnect: qmi_wwan removes wwan0 and its rmnet links,
# cdc-wdm0 goes), so no link of ours and no modem may be left. Plugged in
# again, the modem comes back and a connect works.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
. "$(dirname "$0")/usb-lib.sh"
set -u
trap mx_usb_cleanup EXIT

no_modem() { ! mx_has_modem; }

mx_usb_modem_start
m=$(mx_usb_modem_index)
mx_run "connect apn=internet,multiplex=required" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet,multiplex=required"
mx_run "connect apn=ims,multiplex=required" mmcli -m "$m" --timeout=120 --simple-connect="apn=ims,multiplex=required"
[ "$(wc -w <<<"$(mx_our_links)")" = 2 ] || mx_fail "expected two links of ours: $(ip -d link show)"

mx_run "unplug the gadget" simctl usb-unplug
mx_wait 20 "wwan0 and cdc-wdm0 gone" test ! -e /sys/class/net/wwan0 -a ! -e /dev/cdc-wdm0
mx_wait 30 "no modem left" no_modem
links=$(mx_our_links)
[ -z "$links" ] || mx_fail "links of ours left after unplug: $links"
mx_ok "no link of ours left"
simctl sessions | grep -q '^session ' && mx_fail "the simulator kept sessions across the unplug: $(simctl sessions)"
mx_ok "the simulator dropped its sessions with the host"

mx_run "plug the gadget in again" simctl usb-plug
mx_wait 20 "qmi_wwan bound it again" test -e /sys/class/net/wwan0/qmi/raw_ip -a -e /dev/cdc-wdm0
mx_wait 120 "the modem is back" mx_has_modem
m=$(mx_usb_modem_index)
mx_run "connect after replug" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet,multiplex=required"
b=$(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[1\] *: .*/Bearer/||p')
B=$(mmcli -K -b "$b")
iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
[ -n "$mux" ] || mx_fail "$iface is not an rmnet link"
addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
mx_ping_counted "$iface" "$addr/24" "$mux"
mx_run "disconnect" mmcli -m "$m" --simple-disconnect
