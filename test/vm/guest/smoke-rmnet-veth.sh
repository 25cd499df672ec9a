#!/bin/bash
# rmnet on a veth (Ethernet lower, the peer may live in another netns like a
# modem would): links, sysfs map and mux ids.
. "$(dirname "$0")/vm-lib.sh"
set -u

mx_run "create veth pair" ip link add mxv0 type veth peer name mxv1
mx_run "create netns mxmodem" ip netns add mxmodem
mx_run "move peer into netns" ip link set mxv1 netns mxmodem
mx_run "bring mxv0 up" ip link set mxv0 up
mx_run "add rmnet mux 2 on mxv0" ip link add link mxv0 name rmnet_v2 type rmnet mux_id 2
mx_run "add rmnet mux 7 on mxv0" ip link add link mxv0 name rmnet_v7 type rmnet mux_id 7
mx_exists /sys/class/net/mxv0/upper_rmnet_v2 "sysfs upper_rmnet_v2 on the veth"
mx_exists /sys/class/net/mxv0/upper_rmnet_v7 "sysfs upper_rmnet_v7 on the veth"
mx_exists /sys/class/net/rmnet_v7/lower_mxv0 "sysfs lower_mxv0 on rmnet_v7"
mx_contains "ip -d link shows mux_id 7" "$(ip -d link show rmnet_v7)" "rmnet mux_id 7"
mtu_lower=$(cat /sys/class/net/mxv0/mtu) mtu=$(cat /sys/class/net/rmnet_v2/mtu)
(( mtu < mtu_lower )) || mx_fail "rmnet MTU $mtu not below lower MTU $mtu_lower (MAP headroom)"
mx_ok "rmnet MTU $mtu leaves MAP headroom under $mtu_lower"
mx_must_fail "mux id 255 is refused" ip link add link mxv0 name rmnet_bad type rmnet mux_id 255
mx_run "delete netns" ip netns del mxmodem
