#!/bin/bash
# mx-vm: --timeout 300
# Ownership, allocation and naming on a real kernel: mux ids held by foreign
# links (created with iproute2) are skipped and those links are never
# deleted; names derive from port + mux id, so they are the same in every
# new process ("restart"); a foreign interface holding our name is worked
# around predictably; a link deleted behind our back with `ip link del` is
# noticed; refusals come back as readable errors naming the failing step,
# and a link whose later step fails is rolled back. (The kernel's own EBUSY for
# a lower with another rx handler needs a bridge/bond/macvlan, which the VM
# kernel lacks; its message is checked in the unit suite.)
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/links-lib.sh"
set -u

mx_run "tun lower mxtun1" ip tuntap add mxtun1 mode tun
mx_run "mxtun1 up" ip link set mxtun1 up
mx_run "foreign link with mux id 1" ip link add link mxtun1 name foreign1 type rmnet mux_id 1
mx_run "foreign link with mux id 3" ip link add link mxtun1 name foreign3 type rmnet mux_id 3

a=$("$CTL" link-add mxtun1) || mx_fail "link-add mxtun1: $a"
mx_contains "first allocation skips foreign mux id 1" "$a" "mxtun1_2 (ifindex"
mx_contains "first allocation reports mux id 2" "$a" "mux id 2 on mxtun1"
b=$("$CTL" link-add mxtun1) || mx_fail "link-add mxtun1: $b"
mx_contains "second allocation skips foreign mux id 3" "$b" "mxtun1_4 (ifindex"
mx_contains "ip -d link shows mux id 4" "$(ip -d link show mxtun1_4)" "rmnet mux_id 4"
mx_contains "our link carries the ownership marker" "$(ip link show mxtun1_4)" "alias modemux:mxtun1:4"

err=$("$CTL" link-add mxtun1 --mux-id 3 2>&1) && mx_fail "mux id 3 of a foreign link was accepted"
mx_contains "a used mux id is refused with a reason" "$err" "mux id 3 is already used"
err=$("$CTL" link-add mxtun1 --mux-id 255 2>&1) && mx_fail "mux id 255 accepted"
mx_contains "mux id 255 is out of range" "$err" "out of range"
err=$("$CTL" link-add mxtun1 --name foreign1 2>&1) && mx_fail "duplicate name accepted"
mx_contains "an existing name is refused" "$err" "already exists"
err=$("$CTL" link-add nosuch0 2>&1) && mx_fail "missing port accepted"
mx_contains "a missing port is named" "$err" "no network interface named 'nosuch0'"
# A step after the kernel created the link fails (rmnet takes at most 16384):
# the error names the link and the step, and the half-created link is gone.
err=$("$CTL" link-add mxtun1 --mtu 70000 2>&1) && mx_fail "MTU 70000 accepted"
mx_contains "a failing creation step is named" "$err" "cannot create rmnet link mxtun1_5 on mxtun1: set MTU failed: "
mx_absent /sys/class/net/mxtun1_5 "the half-created link is rolled back"
err=$("$CTL" link-del foreign1 2>&1) && mx_fail "a foreign link was deleted without --force"
mx_contains "foreign links are not deleted" "$err" "not created by modemux"

out=$("$CTL" link-del-all mxtun1) || mx_fail "link-del-all: $out"
mx_contains "link-del-all deletes only our two links" "$out" "deleted 2 link(s) on mxtun1"
mx_exists /sys/class/net/foreign1 "foreign1 survives link-del-all"
mx_exists /sys/class/net/foreign3 "foreign3 survives link-del-all"

# Restart: a new process allocates the same mux ids and gives the same names.
c=$("$CTL" link-add mxtun1) || mx_fail "link-add after restart: $c"
mx_contains "the name is stable across restarts" "$c" "mxtun1_2 (ifindex"
# A foreign interface holding the name we would pick: predictable suffix.
mx_run "foreign interface named like our next link" ip link add link mxtun1 name mxtun1_5 type rmnet mux_id 9
d=$("$CTL" link-add mxtun1 --mux-id 5 2>&1) || mx_fail "link-add --mux-id 5: $d"
mx_contains "collision resolved with the x1 suffix" "$d" "mxtun1_5x1 (ifindex"
mx_contains "collision reported" "$d" "held by a foreign interface"

# Deleted behind our back: noticed as link-removed and, ours, link-lost.
links_monitor_start /tmp/mon1.json 2
mx_run "delete our link with iproute2" ip link del mxtun1_2
links_monitor_wait /tmp/mon1.json
[ "$(links_event_count /tmp/mon1.json link-removed mxtun1_2)" = 1 ] || mx_fail "no link-removed: $(cat /tmp/mon1.json)"
[ "$(links_event_count /tmp/mon1.json link-lost mxtun1_2)" = 1 ] || mx_fail "no link-lost: $(cat /tmp/mon1.json)"
mx_ok "a link deleted with ip link del is noticed (link-removed + link-lost)"

# A foreign link vanishing is seen but is not "lost" by us.
links_monitor_start /tmp/mon2.json 1
mx_run "delete foreign3" ip link del foreign3
links_monitor_wait /tmp/mon2.json
[ "$(links_event_count /tmp/mon2.json link-removed foreign3)" = 1 ] || mx_fail "foreign3 removal not seen"
mx_ok "foreign link removal seen, not reported as ours"

# --force deletes foreign links too.
mx_run "link-del --force deletes a foreign link" "$CTL" link-del --force foreign1
mx_absent /sys/class/net/foreign1 "foreign1 deleted with --force"
out=$("$CTL" link-del-all --force mxtun1) || mx_fail "link-del-all --force: $out"
mx_contains "link-del-all --force deletes the rest" "$out" "deleted 2 link(s) on mxtun1"
