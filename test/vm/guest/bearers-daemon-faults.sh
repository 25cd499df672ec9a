#!/bin/bash
# mx-vm: --timeout 300
# modemuxd's refusals and failure paths, driven by the real mmcli on a real
# kernel with rmnet. The simulator plays an MHI QMI modem (fake qmi-proxy for
# /dev/wwan0qmi0, TUN mhi_hwip0, announced with kernel events sharing one
# uid, as in bearers-daemon-mhi.sh).
#  1. no-qmap.conf (firmware that keeps aggregation disabled whatever is
#     asked): multiplex=required fails with a D-Bus error saying so, no rmnet
#     link is left; bad input gives clear errors.
#  2. default.conf plus one-shot fault rules: an error and a dropped request
#     at WDA Set Data Format, Bind Mux Data Port, Start Network and Get
#     Current Settings. modemuxd runs with --test-qmi-timeout=5 so a dropped
#     request times out after 5 s instead of 10 s (45 s for Start Network).
#     Every connect fails naming the step (and "timed out" for a drop),
#     leaves no rmnet link and no session on the modem, and the next one
#     gets past that step; the connect after the last fault succeeds. Then
#     a hang-up at Start Network.
. "$(dirname "$0")/vm-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
SCENARIOS=${MX_SOURCE_ROOT:?}/test/sim/scenarios
modprobe rmnet 2>/dev/null || true
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID=
stop_all() {
  [ -n "$MXD_PID" ] && kill "$MXD_PID" 2>/dev/null && wait "$MXD_PID"
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  MXD_PID= SIM_PID=
  rm -f /dev/wwan0qmi0
}
cleanup() {
  stop_all
  [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT
mmcli() { /usr/bin/mmcli --test-session "$@"; }

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
[ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || mx_fail "no session bus"

cat > "$D/events" <<EV
action=add,subsystem=wwan,name=wwan0qmi0,uid=sim-mhi,driver=mhi_wwan_ctrl
action=add,subsystem=net,name=mhi_hwip0,uid=sim-mhi,driver=mhi_net
EV

# start_modem SCENARIO TAG [MODEMUXD-OPTION...]: simulator + modemuxd,
# waits for Modem/0.
start_modem() {
  "$SIM" --scenario "$1" --qmi-proxy --data-tun mhi_hwip0 --control "$D/ctl" --log "$D/sim-$2.log" > "$D/out-$2" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out-$2" && break; sleep 0.1; done
  grep -q 'modemux-sim ready' "$D/out-$2" || mx_fail "simulator did not start: $(cat "$D/out-$2")"
  mknod /dev/wwan0qmi0 c 1 3
  ip link set dev mhi_hwip0 mtu 16384
  "$MXD" --test-session --no-auto-scan --initial-kernel-events="$D/events" --debug "${@:3}" > "$D/mxd-$2.log" 2>&1 &
  MXD_PID=$!
  for _ in $(seq 300); do mmcli -L 2>/dev/null | grep -q Modem/0 && break; sleep 0.1; done
  mmcli -L | grep -q Modem/0 || mx_fail "no modem ($2): $(tail -40 "$D/mxd-$2.log")"
  mx_ok "modem up ($2)"
}

# no_link_left WHAT: no rmnet link exists (this guest has no foreign ones).
no_link_left() {
  local l
  l=$(ip -d link show)
  grep -q -e 'rmnet mux_id' -e 'modemux:' <<<"$l" && mx_fail "$1: a link is left: $l"
  mx_ok "$1: no rmnet link left"
}

# no_session_left WHAT: the modem has no PDN session (rollback stopped it).
no_session_left() {
  local s
  s=$("$SIM" --ctl "$D/ctl" sessions) || mx_fail "$1: simulator unreachable"
  grep -q '^session' <<<"$s" && mx_fail "$1: session left on the modem: $s"
  mx_ok "$1: no session left on the modem"
}

# connect_fails WHAT NEEDLE [PROPS]: simple-connect fails with NEEDLE in the
# error, and nothing is left behind.
connect_fails() {
  local out
  # Room for a timeout even without --test-qmi-timeout (45 s for Start
  # Network, longer than mmcli's default 30 s).
  out=$(mmcli --timeout=120 -m 0 --simple-connect="${3:-apn=internet}" 2>&1) && mx_fail "$1: connect succeeded: $out"
  mx_contains "$1: error names the step" "$out" "$2"
  echo "   ${out#error: }"
  no_link_left "$1"
  no_session_left "$1"
}

gcall() {
  gdbus call --session -d org.freedesktop.ModemManager1 -o /org/freedesktop/ModemManager1/Modem/0 \
    -m org.freedesktop.ModemManager1.Modem.Simple.Connect "$1" 2>&1
}

# ---- 1. no QMAP; bad input ----
start_modem "$SCENARIOS/no-qmap.conf" no-qmap
out=$(mmcli -m 0 --simple-connect="apn=internet,multiplex=required" 2>&1) && mx_fail "required connected without QMAP: $out"
mx_contains "multiplex=required without QMAP: Unsupported" "$out" "org.freedesktop.ModemManager1.Error.Core.Unsupported"
# The format was negotiated (multiplex=requested, raw-IP taken) when the
# modem registered, before this connect's data port step.
mx_contains "multiplex=required without QMAP: says why, naming the step" "$out" \
  "data port setup failed: Multiplexing required but the modem accepted no QMAP data format on mhi_hwip0"
mx_contains "the format was negotiated at registration" "$(cat "$D/mxd-no-qmap.log")" \
  "data format negotiated on mhi_net port: raw-ip"
no_link_left "multiplex=required without QMAP"

out=$(mmcli -m 0 --simple-connect="apn=internet,ip-type=ipv9" 2>&1) && mx_fail "ip-type=ipv9 accepted: $out"
mx_contains "mmcli refuses ip-type=ipv9" "$out" "ipv9"
out=$(gcall "{'apn': <'internet'>, 'ip-type': <@u 3>}") && mx_fail "ip-type 3 accepted: $out"
mx_contains "ip-type 3: InvalidArgs naming the key" "$out" "Error.Core.InvalidArgs"
mx_contains "ip-type 3: names the key" "$out" "ip-type"
out=$(gcall "{'apn': <@u 7>}") && mx_fail "apn of type u accepted: $out"
mx_contains "wrong type: names key and type" "$out" "'apn' must be of type 's'"
out=$(gcall "{'apn': <'internet'>, 'mux-id': <@u 7>}") && mx_fail "unknown key accepted: $out"
mx_contains "unknown key: named" "$out" "unknown or unsupported key 'mux-id'"
no_link_left "bad input"
stop_all

# ---- 2. faults, each once, in the order the connects reach them ----
# Rules for the same message are matched in file order: a request taken by
# the first rule of a pair never reaches the second, so the second (a drop)
# fires on the first request after the first rule's last one.
cat "$SCENARIOS/default.conf" - > "$D/faults.conf" <<'EOF'
[fault wda-set-error]
service=wda
message=0x0020
action=error
error=Internal
count=4
[fault wda-set-drop]
service=wda
message=0x0020
action=drop
count=1
[fault bind-error]
service=wds
message=0x00A2
action=error
error=Internal
count=1
[fault bind-drop]
service=wds
message=0x00A2
action=drop
count=1
[fault start-error]
service=wds
message=0x0020
action=error
error=Internal
count=1
[fault start-drop]
service=wds
message=0x0020
action=drop
count=1
[fault start-hangup]
service=wds
message=0x0020
action=hangup
after=3
count=1
[fault settings-error]
service=wds
message=0x002D
action=error
error=Internal
count=1
[fault settings-drop]
service=wds
message=0x002D
action=drop
count=1
EOF
start_modem "$D/faults.conf" faults --test-qmi-timeout=5
# mhi_net's default is multiplex=requested: QMAPv5, v4, QMAP, raw-IP are
# four Sets, each refused. The first connect enables the modem, whose
# registration starts the data format negotiation; the connect waits for it
# and takes its failure (no second round of four Sets).
# Each error names the connect step, then the step inside it.
connect_fails "WDA Set Data Format error" "data port setup failed: Data format setup on mhi_hwip0 failed: WDA Set Data Format failed: The modem accepted no usable data format"
mx_contains "the failure came from the negotiation at registration" "$(cat "$D/mxd-faults.log")" \
  "data format of mhi_hwip0 not prepared"
connect_fails "WDA Set Data Format timeout" "data port setup failed: Data format setup on mhi_hwip0 failed: WDA Set Data Format failed: Transaction timed out"
connect_fails "Bind Mux Data Port error" "IPv4 session failed: Bind Mux Data Port failed"
connect_fails "Bind Mux Data Port timeout" "IPv4 session failed: Bind Mux Data Port failed: Transaction timed out"
connect_fails "Start Network error" "IPv4 session failed: Start Network failed"
connect_fails "Start Network timeout" "IPv4 session failed: Start Network failed: Transaction timed out"
connect_fails "Get Current Settings error" "IPv4 session failed: Get Current Settings failed"
connect_fails "Get Current Settings timeout" "IPv4 session failed: Get Current Settings failed: Transaction timed out"

mx_run "connect after the faults" mmcli -m 0 --simple-connect="apn=internet"
B=$(mmcli -K -m 0 | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: ||p' | head -1)
B=$(mmcli -K -b "${B##*/}")
mx_contains "bearer connected" "$B" "bearer.status.connected                  : yes"
mx_contains "multiplexed" "$B" "bearer.status.multiplexed                : yes"
iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
[ -n "$mux" ] || mx_fail "$iface is not an rmnet link"
mx_contains "simulator bound mux $mux" "$("$SIM" --ctl "$D/ctl" sessions)" "mux=$mux "
mx_run "simple-disconnect" mmcli -m 0 --simple-disconnect
no_link_left "after disconnect"

# Hang-up: the 6th Start Network (start-hangup leaves the three after the
# drop alone) makes the modem close every proxy connection mid-connect.
out=$(mmcli --timeout=120 -m 0 --simple-connect="apn=internet" 2>&1) && mx_fail "connect through a hang-up succeeded: $out"
echo "   ${out#error: }"
mx_contains "hang-up at Start Network: the error names the step" "$out" "IPv4 session failed: Start Network failed"
mx_contains "hang-up at Start Network: the error says why" "$out" "the modem went away"
no_link_left "Start Network hang-up"
no_session_left "Start Network hang-up"
# The control port is still there: the daemon drops the modem with its
# closed QMI port and probes it again by itself: a new modem object.
for _ in $(seq 300); do mmcli -L 2>/dev/null | grep -q 'Modem/[1-9]' && break; sleep 0.1; done
m=$(mmcli -L | sed -n 's|.*/Modem/\([1-9][0-9]*\).*|\1|p' | head -1)
[ -n "$m" ] || mx_fail "modem did not come back after the hang-up: $(tail -30 "$D/mxd-faults.log")"
mx_run "connect after the hang-up" mmcli -m "$m" --simple-connect="apn=internet"
mx_run "simple-disconnect" mmcli -m "$m" --simple-disconnect
no_link_left "after the hang-up and disconnect"
