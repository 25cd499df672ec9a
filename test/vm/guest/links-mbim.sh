#!/bin/bash
# mx-vm: --timeout 300
# MBIM session links on a real kernel, through modemuxctl (the link manager
# alone, no daemon): wwan links on a wwan_hwsim device (IFLA_PARENT_DEV_NAME
# = the wwan device, IFLA_WWAN_LINK_ID = the session id; what mhi_wwan_mbim
# takes) and 802.1Q VLAN links on a veth playing a cdc_mbim netdev (VLAN id
# = the session id). Session ids start at 1 and skip ids foreign links hold,
# `ip -d link` shows the id asked for, names are stable and carry our
# marker, link-del-all deletes ours only, a link deleted behind our back is
# noticed, and a session id above 255 (one byte on cdc_mbim) is refused.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/links-lib.sh"
set -u

# ---- wwan links (mhi_wwan_mbim's kind) on wwan_hwsim ----
# The runner boots with wwan_hwsim.devices=0; one simulated device, through
# its debugfs. It comes with its default netdev (link id 1 here), a link
# that is not ours.
mx_run "a wwan_hwsim device" sh -c 'echo 1 > /sys/kernel/debug/wwan_hwsim/devcreate'
dev=$(ls /sys/class/wwan | head -1)
[ -n "$dev" ] || mx_fail "no wwan device in /sys/class/wwan"
for n in /sys/class/net/*; do
  [ "$(readlink -f "$n/device")" = "$(readlink -f "/sys/class/wwan/$dev")" ] && default=${n##*/}
done
[ -n "$default" ] || mx_fail "no default netdev of $dev"
mx_contains "the default netdev $default is wwan link id 1 of $dev" "$(ip -d link show "$default")" "wwan linkid 1"

mx_run "foreign wwan link with link id 3" ip link add name fwwan3 parentdev "$dev" type wwan linkid 3
a=$("$CTL" link-add "$dev" --kind wwan --mtu 1500) || mx_fail "link-add $dev --kind wwan: $a"
mx_contains "first session skips the default link's id 1" "$a" "${dev}_2 (ifindex"
mx_contains "ip -d link shows wwan linkid 2" "$(ip -d link show "${dev}_2")" "wwan linkid 2"
mx_contains "our wwan link carries the marker" "$(ip link show "${dev}_2")" "alias modemux:$dev:2"
b=$("$CTL" link-add "$dev" --kind wwan) || mx_fail "second link-add: $b"
mx_contains "second session skips the foreign id 3" "$(ip -d link show "${dev}_4")" "wwan linkid 4"
json=$("$CTL" links --kernel --json "$dev") || mx_fail "links --kernel --json $dev"
"$PY" - "$json" "$dev" <<'PYEOF' || mx_fail "links --kernel --json does not show the wwan links: $json"
import json, sys
links = {l["ifname"]: l for l in json.loads(sys.argv[1])}
dev = sys.argv[2]
assert links[dev + "_2"]["mux_id"] == 2 and links[dev + "_2"]["owned"], links
assert links[dev + "_4"]["mux_id"] == 4 and links[dev + "_4"]["link"] == dev, links
assert not links["fwwan3"]["owned"], links
PYEOF
mx_ok "links --kernel shows both sessions (port $dev, mux ids 2 and 4) and the foreign one"

links_monitor_start /tmp/monw.json 2
mx_run "delete our wwan link with iproute2" ip link del "${dev}_4"
links_monitor_wait /tmp/monw.json
[ "$(links_event_count /tmp/monw.json link-lost "${dev}_4")" = 1 ] || mx_fail "no link-lost: $(cat /tmp/monw.json)"
mx_ok "a wwan link deleted with ip link del is noticed (link-lost)"
out=$("$CTL" link-del-all "$dev") || mx_fail "link-del-all $dev: $out"
mx_contains "link-del-all deletes only our wwan link" "$out" "deleted 1 link(s) on $dev"
mx_exists /sys/class/net/fwwan3 "the foreign wwan link survives"
mx_exists "/sys/class/net/$default" "the default netdev survives"
mx_absent "/sys/class/net/${dev}_2" "our wwan link is gone"
mx_run "delete the foreign wwan link" ip link del fwwan3

# ---- VLAN links (cdc_mbim's sessions) on a veth ----
mx_run "veth pair playing the cdc_mbim netdev" ip link add mxmbim0 type veth peer name mxmbim0p
# cdc_mbim's netdev is NOARP; VLAN links inherit the lower's flags.
mx_run "mxmbim0 up, no ARP" ip link set mxmbim0 up arp off
mx_run "foreign VLAN 1 on the netdev" ip link add link mxmbim0 name mxmbim0.1 type vlan id 1
c=$("$CTL" link-add mxmbim0 --kind vlan --mtu 1400) || mx_fail "link-add --kind vlan: $c"
mx_contains "first VLAN session skips the foreign VLAN 1" "$c" "mxmbim0_2 (ifindex"
d=$(ip -d link show mxmbim0_2)
mx_contains "ip -d link shows 802.1Q id 2" "$d" "vlan protocol 802.1Q id 2"
mx_contains "the VLAN link sits on the netdev" "$d" "mxmbim0_2@mxmbim0"
mx_contains "its MTU is the one asked for" "$d" "mtu 1400"
mx_contains "our VLAN link carries the marker" "$d" "alias modemux:mxmbim0:2"
e=$("$CTL" link-add mxmbim0 --kind vlan --mux-id 255) || mx_fail "link-add --mux-id 255: $e"
mx_contains "session id 255 is a VLAN session" "$(ip -d link show mxmbim0_255)" "id 255"
err=$("$CTL" link-add mxmbim0 --kind vlan --mux-id 256 2>&1) && mx_fail "session id 256 accepted"
mx_contains "session id 256 is out of range" "$err" "out of range (1..255)"
err=$("$CTL" link-add mxmbim0 --kind vlan --mux-id 1 2>&1) && mx_fail "the foreign VLAN id was accepted"
mx_contains "the foreign VLAN's id is refused" "$err" "mux id 1 is already used"
out=$("$CTL" link-del-all mxmbim0) || mx_fail "link-del-all mxmbim0: $out"
mx_contains "link-del-all deletes our two VLAN links" "$out" "deleted 2 link(s) on mxmbim0"
mx_exists /sys/class/net/mxmbim0.1 "the foreign VLAN survives"
# Restart: a new process gives the same session id and name.
f=$("$CTL" link-add mxmbim0 --kind vlan) || mx_fail "link-add after restart: $f"
mx_contains "the VLAN link name is stable" "$f" "mxmbim0_2 (ifindex"
mx_run "remove the veth" ip link del mxmbim0
mx_absent /sys/class/net/mxmbim0_2 "the VLAN links go with their netdev"
