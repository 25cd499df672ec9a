#!/bin/bash
# rmnet on a TUN with packet info (the simulator's data port): iproute2
# creates rmnet links, sysfs shows the upper_/lower_ map, `ip -d link` the
# mux id; a duplicate mux id is refused; deleting a link removes it.
. "$(dirname "$0")/vm-lib.sh"
set -u

mx_run "create tun with packet info" ip tuntap add dev mxtun0 mode tun pi
flags=$(cat /sys/class/net/mxtun0/tun_flags)
(( (flags & 0x0001) && !(flags & 0x1000) )) ||
  mx_fail "mxtun0 tun_flags=$flags: want IFF_TUN without IFF_NO_PI"
mx_ok "mxtun0 is IFF_TUN with packet info (tun_flags=$flags)"
mx_run "bring mxtun0 up" ip link set mxtun0 up

mx_run "add rmnet mux 1 on mxtun0" ip link add link mxtun0 name rmnet_t1 type rmnet mux_id 1
mx_run "add rmnet mux 2 on mxtun0" ip link add link mxtun0 name rmnet_t2 type rmnet mux_id 2
mx_exists /sys/class/net/mxtun0/upper_rmnet_t1 "sysfs upper_rmnet_t1 on the tun"
mx_exists /sys/class/net/mxtun0/upper_rmnet_t2 "sysfs upper_rmnet_t2 on the tun"
mx_exists /sys/class/net/rmnet_t1/lower_mxtun0 "sysfs lower_mxtun0 on rmnet_t1"
mx_contains "ip -d link shows mux_id 1" "$(ip -d link show rmnet_t1)" "rmnet mux_id 1"
mx_contains "ip -d link shows mux_id 2" "$(ip -d link show rmnet_t2)" "rmnet mux_id 2"
[ "$(cat /sys/class/net/rmnet_t1/type)" = 519 ] ||
  mx_fail "rmnet_t1 type $(cat /sys/class/net/rmnet_t1/type), want 519 (ARPHRD_RAWIP)"
mx_ok "rmnet link type is ARPHRD_RAWIP"
mx_must_fail "duplicate mux id 1 is refused" \
  ip link add link mxtun0 name rmnet_t3 type rmnet mux_id 1
mx_run "bring rmnet_t1 up" ip link set rmnet_t1 up

mx_run "delete rmnet_t2" ip link del rmnet_t2
mx_absent /sys/class/net/mxtun0/upper_rmnet_t2 "upper_rmnet_t2 gone after delete"
mx_exists /sys/class/net/mxtun0/upper_rmnet_t1 "upper_rmnet_t1 kept"
