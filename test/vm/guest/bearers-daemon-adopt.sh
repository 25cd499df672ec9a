#!/bin/bash
# mx-vm: --timeout 400
# Restart without a drop, through modemuxd, the real mmcli and the REAL
# qmi-proxy (/usr/libexec/qmi-proxy, libqmi-proxy) in front of the
# simulator's pty: it is the real proxy that keeps the client ids a killed
# process never released. The simulator plays an MHI QMI modem (its pty is
# /dev/wwan0qmi0, its TUN mhi_hwip0), announced by kernel events.
# - two multiplexed bearers on two APNs, a ping running through each;
#   `kill -9` and a restart: the same two bearers connected in `mmcli -b`
#   on the same links and mux ids with the same addresses, the pings lost at
#   most what was sent during the restart, the simulator saw no Start or
#   Stop Network after the kill; a normal disconnect of one then stops its
#   session and removes its link;
# - a session the modem ended while the daemon was down: its link removed,
#   no bearer for it, the other one adopted;
# - a corrupt state file: ignored with a warning and removed;
# - the network ends an adopted session while the new process runs: noticed
#   (the indication reaches the adopter through the real proxy);
# - --no-adopt: the links are removed as before adoption existed;
# - --keep-sessions-on-stop: SIGTERM exits 0 and leaves the session, its
#   link and state file; the next start adopts it without Start Network.
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
SCENARIO=${MX_SOURCE_ROOT:?}/test/bearers/scenarios/eight-apns.conf
PROXY=/usr/libexec/qmi-proxy
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID= PROXY_PID=
PINGS=()
cleanup() {
  local p
  for p in "${PINGS[@]}"; do kill "$p" 2>/dev/null; done
  [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
  mx_mhi_stack_stop
}
trap cleanup EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }
kv() { local key=$1; shift; mmcli -K "$@" | sed -n "s/^$key *: //p"; }
bearers() { mmcli -K -m 0 | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/||p'; }
# The simulator's WDS Start/Stop Network requests since the last `requests clear`.
start_stops() { "$SIM" --ctl "$D/ctl" requests | grep -E 'service=wds .*message=0x002[01] ' || true; }
daemon() { mx_mhi_daemon_start "$1" --state-dir="$D/state" "${@:2}"; }

[ -x "$PROXY" ] || mx_fail "the real qmi-proxy is not installed ($PROXY, package libqmi-proxy)"

# The stack: session bus, simulator on a pty + TUN, the real qmi-proxy.
eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
"$SIM" --scenario "$SCENARIO" --pty /dev/wwan0qmi0 --data-tun mhi_hwip0 --control "$D/ctl" \
  --log "$D/sim.log" > "$D/out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
[ -L /dev/wwan0qmi0 ] || mx_fail "the simulator made no pty at /dev/wwan0qmi0"
"$PROXY" --no-exit --verbose > "$D/proxy.log" 2>&1 &
PROXY_PID=$!
# Listening before the daemon probes the port (discovery probes once).
for _ in $(seq 300); do grep -q '@qmi-proxy' /proc/net/unix && break; sleep 0.1; done
grep -q '@qmi-proxy' /proc/net/unix || mx_fail "qmi-proxy does not listen: $(cat "$D/proxy.log")"
ip link set dev mhi_hwip0 mtu 16384
cat > "$D/events" <<EV
action=add,subsystem=wwan,name=wwan0qmi0,uid=sim-mhi,driver=mhi_wwan_ctrl
action=add,subsystem=net,name=mhi_hwip0,uid=sim-mhi,driver=mhi_net
EV
daemon "$D/mxd1.log"
mx_ok "modemuxd up behind the real qmi-proxy (pid $PROXY_PID)"
grep -q 'connection to QMI device .* established' "$D/proxy.log" || mx_fail "modemuxd did not go through the real proxy: $(cat "$D/proxy.log")"

mx_run "enable" mmcli -m 0 -e
mx_run "connect apn0" mmcli -m 0 --simple-connect="apn=apn0,multiplex=required"
mx_run "connect apn1" mmcli -m 0 --simple-connect="apn=apn1,multiplex=required"

# before: "iface mux address" per bearer, sorted.
describe() {
  local b
  for b in $(bearers); do
    [ "$(kv bearer.status.connected -b "$b")" = yes ] || continue
    echo "$(kv bearer.status.interface -b "$b") $(kv bearer.status.multiplexed -b "$b") \
$(kv bearer.ipv4-config.address -b "$b")/$(kv bearer.ipv4-config.prefix -b "$b") $(kv bearer.properties.apn -b "$b")"
  done | sort
}
before=$(describe)
[ "$(wc -l <<<"$before")" = 2 ] || mx_fail "expected two connected bearers: $before"
mx_ok "two bearers: $(tr '\n' ';' <<<"$before")"
ls "$D/state/bearers/"*.state > /dev/null 2>&1 || mx_fail "no state file recorded under $D/state"
mx_ok "connected bearers recorded: $(ls "$D/state/bearers")"

# A ping every 0.2 s through each link; SIGTERM prints "sent=N received=M".
start_ping() {
  local iface=$1 addr=$2
  ip addr add "$addr" dev "$iface"
  /usr/bin/python3 - "$iface" "${addr%/*}" 198.51.100.1 > "$D/ping-$iface" <<'PY' &
import select, signal, socket, struct, sys, time
link, src, dst = sys.argv[1:4]
import os
sent = 0
answered = set()   # sequence numbers answered (a duplicate counts once)
def report(*_):
    print("sent=%d received=%d" % (sent, len(answered)), flush=True); sys.exit(0)
signal.signal(signal.SIGTERM, report)
def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, link.encode())
s.bind((src, 0))
ident = os.getpid() & 0xffff
while True:
    seq = sent + 1
    b = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + b'modemux'
    b = b[:2] + struct.pack('!H', csum(b)) + b[4:]
    s.sendto(b, (dst, 0)); sent += 1
    end = time.monotonic() + 0.2
    while True:
        left = end - time.monotonic()
        if left <= 0: break
        r, _, _ = select.select([s], [], [], left)
        if r:
            p = s.recv(2048); h = (p[0] & 15) * 4
            if p[h] == 0 and struct.unpack('!H', p[h + 4:h + 6])[0] == ident:
                answered.add(struct.unpack('!H', p[h + 6:h + 8])[0])
PY
  PINGS+=($!)
}
stop_pings() {
  local p
  for p in "${PINGS[@]}"; do kill -TERM "$p"; wait "$p"; done
  PINGS=()
}
while read -r iface _ addr _; do start_ping "$iface" "$addr"; done <<<"$before"
sleep 2

# kill -9, restart: adopted, not reconnected.
"$SIM" --ctl "$D/ctl" requests clear > /dev/null
t0=${EPOCHREALTIME/[.,]/}
kill -9 "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=
daemon "$D/mxd2.log"
for _ in $(seq 300); do [ "$(describe | wc -l)" = 2 ] && break; sleep 0.1; done
t1=${EPOCHREALTIME/[.,]/}
after=$(describe)
[ "$after" = "$before" ] || mx_fail "after the restart: '$after', before: '$before' ($(grep -i adopt "$D/mxd2.log"))"
mx_ok "the same two bearers connected after kill -9 and a restart ($(( (t1 - t0) / 1000 )) ms)"
grep -q 'adopted on' "$D/mxd2.log" || mx_fail "the log does not say the bearers were adopted"
[ -z "$(start_stops)" ] || mx_fail "the simulator saw Start/Stop Network after the kill: $(start_stops)"
mx_ok "the simulator saw no Start Network and no Stop Network after the kill"
[ "$(mx_our_links | wc -w)" = 2 ] || mx_fail "our links: $(mx_our_links)"
# The modem starts disabled as after any start; enabled, it is connected.
mx_run "enable after the restart" mmcli -m 0 -e
[ "$(kv modem.generic.state -m 0)" = connected ] || mx_fail "modem state $(kv modem.generic.state -m 0) with two adopted bearers"
mx_ok "enabled with two adopted bearers: modem state connected"
sleep 2
stop_pings
allowed=$(( (t1 - t0) / 200000 + 1 ))
for f in "$D"/ping-*; do
  r=$(cat "$f")   # "sent=N received=M" (the guest has no /dev/fd for <(...))
  sent=${r#sent=}; sent=${sent%% *}; received=${r##*received=}
  [ "${sent:-0}" -gt 20 ] || mx_fail "$f: too few pings: $(cat "$f")"
  lost=$((sent - received))
  [ "$lost" -le "$allowed" ] || mx_fail "$f: $lost of $sent pings lost, at most $allowed were sent during the restart"
  mx_ok "${f##*/ping-}: $received of $sent pings answered ($lost lost, restart allowed $allowed)"
done

# A normal disconnect of an adopted bearer: Stop Network on the kept id, link gone.
for b in $(bearers); do [ "$(kv bearer.properties.apn -b "$b")" = apn0 ] && break; done
iface=$(kv bearer.status.interface -b "$b")
[ -n "$iface" ] || mx_fail "no adopted bearer on apn0"
mx_run "disconnect adopted bearer $b" mmcli -b "$b" --disconnect
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "link $iface left after the disconnect"
[ "$(start_stops | grep -c 'message=0x0021 ')" = 1 ] || mx_fail "expected one Stop Network: $(start_stops)"
mx_ok "disconnecting the adopted bearer stopped its session and deleted $iface"
[ ! -e "$D/state/bearers/$iface.state" ] || mx_fail "state file of $iface left"

# The modem ends a session while the daemon is down: link removed, no bearer.
mx_run "connect apn0 again" mmcli -m 0 --simple-connect="apn=apn0,multiplex=required"
kill -9 "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=
sid=$("$SIM" --ctl "$D/ctl" sessions | sed -n 's/^session id=\([0-9]*\) .*apn=apn0 .*/\1/p' | head -1)
[ -n "$sid" ] || mx_fail "no apn0 session on the simulator: $("$SIM" --ctl "$D/ctl" sessions)"
mx_run "the network ends session $sid" "$SIM" --ctl "$D/ctl" disconnect "$sid"
# A corrupt state file next to the good one: ignored with a warning.
printf 'garbage [[[\n' > "$D/state/bearers/junk.state"
daemon "$D/mxd3.log"
for _ in $(seq 300); do [ "$(mx_our_links | wc -w)" = 1 ] && [ "$(describe | wc -l)" = 1 ] && break; sleep 0.1; done
[ "$(mx_our_links | wc -w)" = 1 ] || mx_fail "expected one link of ours left: $(mx_our_links) ($(tail -20 "$D/mxd3.log"))"
after=$(describe)
[ "$(wc -l <<<"$after")" = 1 ] && [ "${after##* }" = apn1 ] || mx_fail "bearers: '$after'"
mx_contains "the log names the session the modem dropped" "$(cat "$D/mxd3.log")" "the modem no longer holds the session"
mx_ok "the session ended while the daemon was down: link removed, no bearer; apn1 adopted"
mx_contains "a corrupt state file is ignored with a warning" "$(cat "$D/mxd3.log")" "ignoring the bearer state file"
[ ! -e "$D/state/bearers/junk.state" ] || mx_fail "the corrupt state file was not removed"

# The network ends an adopted session while the new process runs: qmi-proxy
# hands a kept client id (with its indications) to the connection that uses
# it next, so the Packet Service Status indication reaches the adopter; the
# bearer disconnects, its link and state file go.
for b in $(bearers); do [ "$(kv bearer.properties.apn -b "$b")" = apn1 ] && break; done
iface=$(kv bearer.status.interface -b "$b")
[ -n "$iface" ] || mx_fail "no adopted bearer on apn1"
sid=$("$SIM" --ctl "$D/ctl" sessions | sed -n 's/^session id=\([0-9]*\) .*apn=apn1 .*/\1/p' | head -1)
[ -n "$sid" ] || mx_fail "no apn1 session on the simulator: $("$SIM" --ctl "$D/ctl" sessions)"
mx_run "the network ends adopted session $sid" "$SIM" --ctl "$D/ctl" disconnect "$sid"
for _ in $(seq 100); do ! ip link show dev "$iface" > /dev/null 2>&1 && break; sleep 0.1; done
ip link show dev "$iface" > /dev/null 2>&1 && mx_fail "link $iface left after the network ended its adopted session ($(tail -20 "$D/mxd3.log"))"
[ "$(kv bearer.status.connected -b "$b")" != yes ] || mx_fail "bearer $b still connected after the network ended its session"
[ ! -e "$D/state/bearers/$iface.state" ] || mx_fail "state file of $iface left after the network ended its session"
grep -q 'QMI client reowned \[.*,wds,' "$D/proxy.log" || mx_fail "qmi-proxy did not log the kept wds id as reowned"
mx_ok "the network ended adopted bearer $b: noticed, disconnected, $iface and its state file removed"
mx_run "connect apn1 again" mmcli -m 0 --simple-connect="apn=apn1,multiplex=required"

# --no-adopt: links removed as before.
kill -9 "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=
daemon "$D/mxd4.log" --no-adopt
for _ in $(seq 100); do [ -z "$(mx_our_links)" ] && break; sleep 0.1; done
[ -z "$(mx_our_links)" ] || mx_fail "--no-adopt left links: $(mx_our_links)"
[ -z "$(describe)" ] || mx_fail "--no-adopt shows connected bearers: $(describe)"
mx_ok "--no-adopt: the links of the killed daemon removed, no bearer adopted"

# --keep-sessions-on-stop: SIGTERM stops managing, the data stays.
kill -9 "$MXD_PID"; wait "$MXD_PID" 2>/dev/null; MXD_PID=
daemon "$D/mxd5.log" --keep-sessions-on-stop
mx_run "connect apn0 (keep on stop)" mmcli -m 0 --simple-connect="apn=apn0,multiplex=required"
before=$(describe)
"$SIM" --ctl "$D/ctl" requests clear > /dev/null
kill -TERM "$MXD_PID"; wait "$MXD_PID"; status=$?; MXD_PID=
[ "$status" = 0 ] || mx_fail "modemuxd exited $status on SIGTERM: $(tail -20 "$D/mxd5.log")"
[ "$(mx_our_links | wc -w)" = 1 ] || mx_fail "SIGTERM with --keep-sessions-on-stop left links: '$(mx_our_links)'"
[ -z "$(start_stops)" ] || mx_fail "SIGTERM with --keep-sessions-on-stop stopped sessions: $(start_stops)"
mx_ok "SIGTERM with --keep-sessions-on-stop: exit 0, the link and the session stay"
daemon "$D/mxd6.log"
for _ in $(seq 300); do [ "$(describe | wc -l)" = 1 ] && break; sleep 0.1; done
[ "$(describe)" = "$before" ] || mx_fail "after the restart: '$(describe)', before: '$before'"
[ -z "$(start_stops)" ] || mx_fail "the simulator saw Start/Stop Network: $(start_stops)"
mx_ok "the bearer kept at SIGTERM adopted by the next start, no Start/Stop Network"
