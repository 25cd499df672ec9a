#!/bin/bash
# mx-vm: --timeout 300
# modemuxd itself, driven by the real mmcli, on a real kernel with rmnet:
# the simulator plays an MHI QMI modem -- its fake qmi-proxy serves
# /dev/wwan0qmi0 and its TUN is mhi_hwip0 -- announced to modemuxd with
# kernel events sharing one uid (the VM has no MHI bus). multiplex=requested
# is the mhi_net default: `mmcli --simple-connect="apn=internet"` must give
# an rmnet link with the mux id the simulator saw, the network's MTU, and a
# working data path; disconnect must remove the link.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
CTL=$MX_BUILD_ROOT/src/ctl/modemuxctl
SCENARIO=${MX_SOURCE_ROOT:?}/test/sim/scenarios/default.conf
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID=
trap mx_mhi_stack_stop EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }

mx_mhi_stack_start "$SCENARIO"
mmcli -L | grep -q Modem/0 || mx_fail "no modem at Modem/0"
mx_ok "modem announced with kernel events"

mx_run "simple-connect apn=internet" mmcli -m 0 --simple-connect="apn=internet"
B=$(mmcli -K -b 0)
iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
mx_contains "multiplexed" "$B" "bearer.status.multiplexed                : yes"
mx_contains "ipv4 mtu from the network" "$B" "bearer.ipv4-config.mtu                   : 1500"
L=$(ip -d link show dev "$iface") || mx_fail "no link $iface"
mux=$(sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p' <<<"$L")
[ -n "$mux" ] || mx_fail "$iface is not an rmnet link: $L"
mx_contains "link MTU = network MTU" "$L" "mtu 1500"
mx_contains "simulator bound mux $mux" "$("$SIM" --ctl "$D/ctl" sessions)" "mux=$mux "
mx_contains "extension interface lists the link" \
  "$(gdbus call --session -d org.freedesktop.ModemManager1 -o /org/freedesktop/ModemManager1/Modem/0 -m org.freedesktop.DBus.Properties.Get org.modemux.DataPorts1 Links)" "'$iface'"

# `modemuxctl links` reads the daemon's view: the bearer's link with the
# name, ifindex, mux id, port and MTU the kernel has and the bearer path
# mmcli shows; the port's negotiated format is QMAP.
bpath=$(sed -n 's/^bearer.dbus-path *: //p' <<<"$B")
"$CTL" links --test-session --daemon --json > "$D/links.json" || mx_fail "modemuxctl links --daemon failed"
ip -d -j link show dev "$iface" > "$D/ip.json"
/usr/bin/python3 - "$D/links.json" "$D/ip.json" "$bpath" <<'PY' || mx_fail "daemon view: $(cat "$D/links.json")"
import json, sys
ours, ip, bpath = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))[0], sys.argv[3]
assert ours["source"] == "daemon"
links = [l for m in ours["modems"] for l in m["links"]]
want = {"ifname": ip["ifname"], "ifindex": ip["ifindex"], "mux_id": ip["linkinfo"]["info_data"]["mux_id"],
        "link": ip["link"], "mtu": ip["mtu"], "bearer": bpath}
got = [{k: l.get(k) for k in want} for l in links]
if got != [want]: sys.exit("daemon view %s, kernel + mmcli say %s" % (got, want))
ports = [p for m in ours["modems"] for p in m["data_ports"]]
p = ports[0] if len(ports) == 1 else {}
if p.get("name") != "mhi_hwip0" or not p.get("negotiated") or not p.get("multiplexed") or p.get("sessions") != 1:
    sys.exit("data ports: %s" % ports)
PY
mx_ok "modemuxctl links (daemon view) = ip -d -j link ($iface, mux $mux) + mmcli ($bpath)"
# The default reads the system bus (DBUS_SYSTEM_BUS_ADDRESS honoured).
human=$(DBUS_SYSTEM_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS "$CTL" links 2>&1) || mx_fail "modemuxctl links: $human"
mx_contains "human daemon view shows the link and bearer" "$human" "$bpath"
mx_contains "human daemon view shows the data format" "$human" "data format: raw-ip"

mx_ping_counted "$iface" "$addr" "$mux"

mx_run "simple-disconnect" mmcli -m 0 --simple-disconnect
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "$iface still exists after disconnect"
mx_ok "link $iface removed on disconnect"
"$CTL" links --test-session --daemon --json > "$D/links.json" || mx_fail "modemuxctl links --daemon failed"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(any(m["links"] for m in d["modems"]))' "$D/links.json" \
  || mx_fail "daemon view still lists links after disconnect: $(cat "$D/links.json")"
mx_ok "modemuxctl links (daemon view) lists no link after disconnect"

# SIGKILL leaves the link; the daemon restarted with --no-adopt removes it
# (adoption: bearers-daemon-adopt.sh).
mx_run "connect again" mmcli -m 0 --simple-connect="apn=internet"
iface=$(mmcli -K -b 0 | sed -n 's/^bearer.status.interface *: //p')
kill -9 "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=
ip link show dev "$iface" > /dev/null 2>&1 || mx_fail "expected $iface to survive SIGKILL"
# No daemon: the kernel's view, said so on stderr; --daemon refuses.
out=$("$CTL" links --test-session 2>"$D/err") || mx_fail "modemuxctl links without daemon failed"
mx_contains "no daemon: kernel view shows $iface" "$out" "$iface"
mx_contains "no daemon: said on stderr" "$(cat "$D/err")" "has no owner on the session bus); showing the kernel's view"
mx_must_fail "links --daemon without daemon" "$CTL" links --test-session --daemon
mx_mhi_daemon_start "$D/mxd2.log" --no-adopt
for _ in $(seq 300); do ip link show dev "$iface" > /dev/null 2>&1 || break; sleep 0.1; done
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "stale $iface not removed after restart: $(grep -i link "$D/mxd2.log" | tail)"
mx_ok "stale link $iface removed by the restarted daemon"
