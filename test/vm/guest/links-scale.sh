#!/bin/bash
# mx-vm: --timeout 500
# Link manager at scale on a real kernel: 64 rmnet links on a tun lower and
# 64 on a veth lower created with modemuxctl; `ip -d link` shows the mux ids
# asked for; `modemuxctl links --json` matches `ip -d -j link`; deleting a
# lower removes all its links and a listening client sees each removal as
# it happens, then the lower.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/links-lib.sh"
set -u

mx_run "tun lower mxtun0" ip tuntap add mxtun0 mode tun
mx_run "mxtun0 up" ip link set mxtun0 up
mx_run "veth lower mxv0" ip link add mxv0 type veth peer name mxv1
mx_run "mxv0 up" ip link set mxv0 up

# tun: one modemuxctl process per link, explicit mux ids, checksum v4 flags
for i in $(seq 64); do
  out=$("$CTL" link-add mxtun0 --mux-id "$i" \
        --flags ingress-deaggregation,ingress-mapv4-checksum,egress-mapv4-checksum 2>&1) ||
    mx_fail "link-add mxtun0 --mux-id $i: $out"
done
mx_ok "64 links created on mxtun0 (one process each)"
# veth: one process creating 64 links with allocated mux ids, v5 flags
mx_run "64 links on mxv0 in one process" "$CTL" link-add mxv0 --count 64 \
  --flags ingress-deaggregation,ingress-mapv5-checksum,egress-mapv5-checksum

n=$(ls -d /sys/class/net/mxtun0/upper_* | wc -l)
[ "$n" = 64 ] || mx_fail "mxtun0 has $n upper_ entries, expected 64"
n=$(ls -d /sys/class/net/mxv0/upper_* | wc -l)
[ "$n" = 64 ] || mx_fail "mxv0 has $n upper_ entries, expected 64"
mx_ok "sysfs shows 64 uppers on each lower"

mx_contains "ip -d link: mux id 7 on mxtun0_7" "$(ip -d link show mxtun0_7)" "rmnet mux_id 7"
mx_contains "ip -d link: mux id 64 on mxv0_64" "$(ip -d link show mxv0_64)" "rmnet mux_id 64"
mx_contains "ip link: mxtun0_7 sits on mxtun0" "$(ip link show mxtun0_7)" "mxtun0_7@mxtun0"

# `modemuxctl links --json` against `ip -d -j link`, field by field.
"$CTL" links --kernel --json >/tmp/ours.json || mx_fail "modemuxctl links --json failed"
ip -d -j link >/tmp/ip.json || mx_fail "ip -d -j link failed"
"$PY" - /tmp/ours.json /tmp/ip.json <<'PYEOF' || mx_fail "modemuxctl links --json differs from ip -d -j link"
import json, sys
ours = {l["ifname"]: l for l in json.load(open(sys.argv[1])) if l["kind"] == "rmnet"}
ip = {l["ifname"]: l for l in json.load(open(sys.argv[2]))
      if l.get("linkinfo", {}).get("info_kind") == "rmnet"}
assert set(ours) == set(ip), (sorted(set(ours) ^ set(ip)))
assert len(ours) == 128, len(ours)
for name, o in ours.items():
    i = ip[name]
    pairs = [("ifindex", o["ifindex"], i["ifindex"]), ("mtu", o["mtu"], i["mtu"]),
             ("flags", o["flags"], i["flags"]),
             ("operstate", o["operstate"], i["operstate"]), ("link", o["link"], i["link"]),
             ("mux_id", o["mux_id"], i["linkinfo"]["info_data"]["mux_id"]),
             ("ifalias", o["ifalias"], i.get("ifalias"))]
    for field, a, b in pairs:
        assert a == b, "%s: %s is %r for modemuxctl but %r for ip" % (name, field, a, b)
    assert o["owned"], name
    # the port's data format as the kernel reports it (IFLA_RMNET_FLAGS)
    want = 0x0d if o["link"] == "mxtun0" else 0x31
    assert o["rmnet_flags"] == want, "%s: flags 0x%x, asked for 0x%x" % (name, o["rmnet_flags"], want)
print("compared %d links" % len(ours))
PYEOF
mx_ok "modemuxctl links --json matches ip -d -j link (ifindex, ifname, flags, mtu, operstate, link, mux_id, alias) and rmnet flags are the ones asked for"

human=$("$CTL" links --kernel mxv0) || mx_fail "modemuxctl links mxv0"
mx_contains "human output lists the port" "$human" "mxv0 (ifindex"
mx_contains "human output shows owner and flags" "$human" "modemux / ingress-deaggregation,ingress-mapv5-checksum,egress-mapv5-checksum"

# Deleting the veth lower: the kernel removes its 64 links; a listening
# client sees 64 link-removed + 64 link-lost (ours), then lower-removed and
# port-lost: 130 events.
links_monitor_start /tmp/mon.json 130
mx_run "delete the veth lower" ip link del mxv0
links_monitor_wait /tmp/mon.json
[ "$(links_event_count /tmp/mon.json link-removed)" = 64 ] || mx_fail "expected 64 link-removed: $(cat /tmp/mon.json)"
[ "$(links_event_count /tmp/mon.json link-lost)" = 64 ] || mx_fail "expected 64 link-lost"
[ "$(links_event_count /tmp/mon.json lower-removed mxv0)" = 1 ] || mx_fail "expected lower-removed mxv0"
[ "$(links_event_count /tmp/mon.json port-lost mxv0)" = 1 ] || mx_fail "expected port-lost mxv0"
last=$(tail -n 1 /tmp/mon.json)
mx_contains "the port is reported after its links" "$last" "mxv0"
mx_ok "monitor saw every link of mxv0 vanish, then the lower"
[ "$("$CTL" links --kernel mxv0)" = "no links" ] || mx_fail "links mxv0 still lists links"
n=$("$CTL" links --kernel --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n" = 64 ] || mx_fail "expected the 64 mxtun0 links to remain, map has $n"
mx_ok "the map keeps the 64 links of mxtun0"

out=$("$CTL" link-del-all mxtun0) || mx_fail "link-del-all mxtun0: $out"
mx_contains "link-del-all deletes our 64 links" "$out" "deleted 64 link(s) on mxtun0"
[ -z "$(ls -d /sys/class/net/mxtun0/upper_* 2>/dev/null)" ] || mx_fail "uppers left on mxtun0"
mx_ok "no links left on mxtun0"
