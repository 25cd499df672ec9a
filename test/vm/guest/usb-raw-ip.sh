#!/bin/bash
# mx-vm: --udev --timeout 420
# A USB QMI modem on the real qmi_wwan driver, not multiplexed: the
# simulator is a Quectel EC25 (2c7c:0125) through configfs + FunctionFS on
# dummy_hcd; qmi_wwan binds interface 4 and makes cdc-wdm0 and wwan0, the
# real udevd announces them, modemuxd's generic plugin takes the modem.
# A connect with multiplex=none switches qmi_wwan to raw IP (netdev down,
# qmi/raw_ip Y, up) and a ping through wwan0 reaches the simulator's
# network over the bulk endpoints, counted under mux 0.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
. "$(dirname "$0")/usb-lib.sh"
set -u
trap mx_usb_cleanup EXIT

mx_usb_modem_start
mx_contains "the gadget enumerates as 2c7c:0125" \
  "$(cat /sys/bus/usb/devices/1-1/idVendor):$(cat /sys/bus/usb/devices/1-1/idProduct)" "2c7c:0125"
mx_contains "wwan0 is qmi_wwan's" "$(readlink /sys/class/net/wwan0/device/driver)" "/qmi_wwan"
mx_contains "qmi_wwan is on interface 4" "$(readlink -f /sys/class/net/wwan0/device)" "1-1:1.4"
m=$(mx_usb_modem_index)
M=$(mmcli -m "$m")
mx_contains "plugin generic" "$M" "plugin: generic"
mx_contains "cdc-wdm0 is the QMI port" "$M" "cdc-wdm0 (qmi)"
mx_contains "wwan0 is the net port" "$M" "wwan0 (net)"
[ "$(cat /sys/class/net/wwan0/qmi/raw_ip)" = N ] || mx_fail "qmi_wwan does not start in 802.3"

mx_run "simple-connect apn=internet,multiplex=none" mmcli -m "$m" --timeout=120 --simple-connect="apn=internet,multiplex=none"
b=$(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[1\] *: .*/Bearer/||p')
B=$(mmcli -K -b "$b")
mx_contains "bearer on wwan0" "$B" "bearer.status.interface                  : wwan0"
mx_contains "not multiplexed" "$B" "bearer.status.multiplexed                : no"
mx_contains "qmi_wwan switched to raw IP" "$(cat /sys/class/net/wwan0/qmi/raw_ip)" "Y"
mx_contains "wwan0 is up" "$(ip link show dev wwan0)" ",UP"
addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
prefix=$(sed -n 's/^bearer.ipv4-config.prefix *: //p' <<<"$B")
[ -n "$addr" ] || mx_fail "no IPv4 address on the bearer: $B"
mx_ping_counted wwan0 "$addr/${prefix:-24}" 0
ul=$(simctl usb | sed -n 's/^ep bulk-out transfers=\([0-9]*\).*/\1/p')
[ "${ul:-0}" -ge 1 ] || mx_fail "nothing crossed the bulk OUT endpoint: $(simctl usb)"
mx_ok "the echo crossed the USB bulk endpoints"

mx_run "simple-disconnect" mmcli -m "$m" --simple-disconnect
simctl sessions | grep -q '^session ' && mx_fail "a session is left: $(simctl sessions)"
mx_ok "no session left in the simulator"
