#!/bin/bash
# mx-vm: --dbus --timeout 900
# The guest side of tools/demo (docs/testing.md, "What the demo shows"):
# modemuxd's main job on a real kernel with rmnet and QRTR, driven by the
# real mmcli, with the simulator (modemux-sim) as the modem:
#   part A: a Qualcomm SoC modem: QMI over QRTR (qrtr-tun node 7), data on
#           rmnet_ipa0 (a tun the simulator serves, announced as the IPA
#           driver's netdev);
#   part B: a PCIe (MHI) modem: QMI on wwan0qmi0 (through the simulator's
#           fake qmi-proxy), data on mhi_hwip0 (a tun announced as mhi_net).
# For each: list, enable, two multiplexed bearers on two APNs, the rmnet
# links with their mux ids, a ping through each link counted by the
# simulator under that mux id only, disconnect, links gone.
# Every step is checked; the first failure ends the demo with status 1.
# No udevd on purpose (no --udev): the tuns are announced with kernel
# events (driver + uid); udev would re-describe them as plain tuns, which
# are not modem ports (see the comment before part A's start_daemon).
set -u

B=${MX_BUILD_ROOT:?}
S=${MX_SOURCE_ROOT:?}
# Short command names in what we print: modemuxd, modemuxctl, modemux-sim.
export PATH=$B/src/daemon:$B/src/ctl:$B/test/sim:$PATH
for p in modemuxd modemuxctl modemux-sim; do
  command -v "$p" >/dev/null || { echo "FAIL: $p is not built in $B" >&2; exit 1; }
done
[ -e /dev/qrtr-tun ] || { echo "FAIL: /dev/qrtr-tun missing (kernel without QRTR_TUN)" >&2; exit 1; }
modprobe rmnet 2>/dev/null || true

# (the guest's /tmp is a fresh tmpfs: fixed, short paths are safe)
D=/tmp/demo
mkdir -p "$D"
POLKIT_PID= DAEMON_PID= SIM_PID=
CTL=$D/sim.ctl
export LC_ALL=C.UTF-8

# ---- presentation -------------------------------------------------------

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
part() { echo; bold "=================================================================="; bold "$*"; bold "=================================================================="; }
step() {
  echo; bold "$*"; bold "$(printf '%s' "$*" | sed 's/./-/g')"
  [ "${MX_DEMO_TIMING:-}" = 1 ] && echo "[${SECONDS} s]"
  return 0
}
say() { echo "$*" | fold -s -w 78 | sed 's/ *$//'; }
indent() { sed 's/^/  /'; }

fail() {
  echo >&2
  echo "DEMO FAILED: $*" >&2
  if [ -f "$D/modemuxd.log" ]; then
    echo "--- last lines of the modemuxd log ---" >&2
    tail -40 "$D/modemuxd.log" >&2
  fi
  if [ -f "$D/sim.log" ]; then
    echo "--- last lines of the simulator log ---" >&2
    tail -15 "$D/sim.log" >&2
  fi
  exit 1
}

# show CMD...: print the command, run it, print its output indented; a
# failing command fails the demo. The output is kept in $OUT.
show() {
  local rc
  printf '$ %s\n' "$(printf '%q ' "$@" | sed 's/ $//; s/\\=/=/g; s/\\,/,/g')"
  OUT=$("$@" 2>&1)
  rc=$?
  [ -n "$OUT" ] && printf '%s\n' "$OUT" | indent
  [ $rc = 0 ] || fail "'$*' exited with status $rc"
}

ok() { echo "  -> ok: $*"; }

# kv KEY: the value of KEY in the last `mmcli -K` output in $KV.
kv() { sed -n "s/^$1 *: //p" <<<"$KV" | head -1; }
mmcli_kv() { KV=$(mmcli "$@" -K 2>&1) || fail "mmcli $* -K: $KV"; }

wait_until() {  # wait_until SECONDS DESCRIPTION CMD...: poll (harness side only)
  local n=$(( $1 * 10 )) what=$2; shift 2
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "timed out after ${n%?} s waiting for $what"
}

# ---- processes ------------------------------------------------------------

cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
  [ -n "$POLKIT_PID" ] && kill "$POLKIT_PID" 2>/dev/null && wait "$POLKIT_PID" 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT

start_polkit() {
  # modemuxd asks polkit before every state change, as ModemManager does;
  # on this private bus a mock polkit answers "allowed" to everything.
  /usr/bin/python3 -m dbusmock --system --template polkitd >"$D/polkit.log" 2>&1 &
  POLKIT_PID=$!
  gdbus wait --system --timeout 30 org.freedesktop.PolicyKit1 || fail "polkit mock did not start"
  gdbus call --system -d org.freedesktop.PolicyKit1 -o /org/freedesktop/PolicyKit1/Authority \
    -m org.freedesktop.DBus.Mock.AllowUnknown true >/dev/null || fail "polkit mock: AllowUnknown"
}

# start_daemon ARGS...: modemuxd on the (private) system bus.
start_daemon() {
  printf '$ modemuxd %s &\n' "$*"
  modemuxd "$@" >"$D/modemuxd.log" 2>&1 &
  DAEMON_PID=$!
  gdbus wait --system --timeout 30 org.freedesktop.ModemManager1 ||
    fail "modemuxd did not take org.freedesktop.ModemManager1"
  kill -0 "$DAEMON_PID" 2>/dev/null || fail "modemuxd exited"
  echo "  (modemuxd owns org.freedesktop.ModemManager1; log in $D/modemuxd.log)"
}

stop_daemon() {
  local rc
  kill "$DAEMON_PID"
  wait "$DAEMON_PID"
  rc=$?
  DAEMON_PID=
  [ $rc = 0 ] || fail "modemuxd exited with status $rc on SIGTERM"
}

# start_sim ARGS...: the simulated modem; prints its command line.
start_sim() {
  printf '$ modemux-sim %s &\n' "$*"
  modemux-sim "$@" --control "$CTL" --log "$D/sim.log" >"$D/sim.out" 2>&1 &
  SIM_PID=$!
  wait_until 10 "the simulator" grep -q 'modemux-sim ready' "$D/sim.out"
}

stop_sim() {
  kill "$SIM_PID"
  wait "$SIM_PID" || fail "the simulator exited with status $?"
  SIM_PID=
}

sim() { modemux-sim --ctl "$CTL" "$@"; }   # (checks; shown as the real command)

# ---- the steps shared by both modems ---------------------------------------

modem_listed() { mmcli -L 2>/dev/null | grep -q /Modem/0; }

# check_mtu LINK PUBLISHED_MTU NETWORK_MTU LOWER: the link carries the
# network's MTU, or as much of it as fits in the lower with rmnet's QMAP
# headers; and modemuxd publishes the MTU the link really has (what
# NetworkManager applies), not a larger one the kernel would refuse.
check_mtu() {
  local link_mtu lower_mtu
  link_mtu=$(cat "/sys/class/net/$1/mtu")
  lower_mtu=$(cat "/sys/class/net/$4/mtu")
  [ "$2" = "$link_mtu" ] || fail "$1: modemuxd publishes MTU $2, the link has $link_mtu"
  if [ "$link_mtu" = "$3" ]; then
    ok "$1: MTU $link_mtu = the network's MTU, published as such"
  elif [ "$link_mtu" -lt "$3" ] && [ "$link_mtu" -lt "$lower_mtu" ] && [ "$link_mtu" -ge $(( lower_mtu - 16 )) ]; then
    ok "$1: MTU $link_mtu: the network's $3 does not fit in $4's $lower_mtu with the QMAP header, so it is capped and published capped"
  else
    fail "$1: MTU $link_mtu, the network said $3 ($4 has MTU $lower_mtu)"
  fi
}

# The network's MTU for an APN, from the demo's scenario.
network_mtu() { sed -n "/^\[apn $1\]/,/^\[/s/^mtu=//p" "$D/apns.conf" | head -1; }

# demo_modem PART LOWER APN1 CONNECT1 APN2 CONNECT2
demo_modem() {
  local part=$1 lower=$2 apn1=$3 c1=$4 apn2=$5 c2=$6
  local bearers b iface mux addr prefix gw mtu simmux i before after other

  step "$part.1 The modem modemuxd found"
  wait_until 60 "a modem in mmcli -L" modem_listed
  show mmcli -L
  show mmcli -m 0
  mmcli_kv -m 0
  [ "$(kv modem.generic.state)" = disabled ] || fail "modem state $(kv modem.generic.state), expected disabled"

  step "$part.2 Enable it (radio on, registers with the simulated network)"
  show mmcli -m 0 -e
  wait_until 60 "registration" sh -c 'mmcli -m 0 -K | grep -q "modem.generic.state *: registered"'
  mmcli_kv -m 0
  echo "  state: $(kv modem.generic.state), operator: $(kv modem.3gpp.operator-name) ($(kv modem.3gpp.operator-code))"

  step "$part.3 Connect two bearers on two APNs (each gets its own mux id and rmnet link)"
  show mmcli -m 0 "--simple-connect=$c1"
  show mmcli -m 0 "--simple-connect=$c2"
  mmcli_kv -m 0
  bearers=$(sed -n 's/^modem.generic.bearers.value\[[0-9]*\] *: //p' <<<"$KV" | sed 's,.*/,,' | sort -n)
  [ "$(wc -w <<<"$bearers")" = 2 ] || fail "expected 2 bearers, mmcli lists: $bearers"

  step "$part.4 The bearers as mmcli shows them"
  LINKS=()
  for b in $bearers; do
    show mmcli -b "$b"
    mmcli_kv -b "$b"
    [ "$(kv bearer.status.connected)" = yes ] || fail "bearer $b is not connected"
    [ "$(kv bearer.status.multiplexed)" = yes ] || fail "bearer $b is not multiplexed"
    LINKS+=("$(kv bearer.status.interface) $(kv bearer.properties.apn) $(kv bearer.ipv4-config.address) $(kv bearer.ipv4-config.prefix) $(kv bearer.ipv4-config.gateway) $(kv bearer.ipv4-config.mtu)")
  done

  step "$part.5 The rmnet links in the kernel (one per bearer, on $lower)"
  show ip -d link show type rmnet
  say "modemuxctl reads modemux's own D-Bus interface on the modem" \
      "(org.modemux.DataPorts1): the data format modemuxd negotiated with the" \
      "modem (WDA Set Data Format) and the link of each bearer:"
  show modemuxctl links
  say "The simulator's view (WDS Bind Mux Data Port + Start Network per bearer):"
  show modemux-sim --ctl "$CTL" sessions
  for i in "${LINKS[@]}"; do
    read -r iface apn addr prefix gw mtu <<<"$i"
    mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
    [ -n "$mux" ] || fail "$iface is not an rmnet link"
    [ -e "/sys/class/net/$iface/lower_$lower" ] || fail "$iface does not sit on $lower"
    simmux=$(sim sessions | sed -n "s/.* mux=\([0-9]*\) family=4 apn=$apn .*/\1/p" | head -1)
    [ "$simmux" = "$mux" ] || fail "$iface has mux id $mux, the simulator bound APN $apn to mux ${simmux:-none}"
    ok "$iface: rmnet on $lower, mux id $mux = the mux id the simulator bound APN '$apn' to"
    check_mtu "$iface" "$mtu" "$(network_mtu "$apn")" "$lower"
  done

  step "$part.6 Traffic: a ping through each link to the simulator's network"
  say "modemuxd publishes each bearer's IP settings (mmcli -b above); NetworkManager" \
      "would apply them. Here we apply them by hand and ping the gateway through" \
      "each link. The simulator answers from the 'network' and counts per mux id."
  for i in "${LINKS[@]}"; do
    read -r iface apn addr prefix gw mtu <<<"$i"
    mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
    show ip addr add "$addr/$prefix" dev "$iface"
    before=$(sim counters "$mux" | sed -n 's/.* ul_packets=\([0-9]*\).*/\1/p')
    # (busybox's ping: the host root this VM boots has no iputils-ping)
    show busybox ping -c 3 -W 5 -I "$iface" "$gw"
    after=$(sim counters "$mux" | sed -n 's/.* ul_packets=\([0-9]*\).*/\1/p')
    [ $(( after - before )) -ge 3 ] || fail "mux $mux counted $(( after - before )) uplink packets, expected 3"
    ok "3 echo requests out through $iface, 3 replies back"
  done
  say "The simulator's counters per mux id (ul = from us, dl = to us):"
  for i in "${LINKS[@]}"; do
    read -r iface _ <<<"$i"
    mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
    show modemux-sim --ctl "$CTL" counters "$mux"
    [ "$(sed -n 's/.* ul_packets=\([0-9]*\).*/\1/p' <<<"$OUT")" = 3 ] || fail "mux $mux should have counted exactly its own 3 packets: $OUT"
    [ "$(sed -n 's/.* dl_packets=\([0-9]*\).*/\1/p' <<<"$OUT")" = 3 ] || fail "mux $mux should have answered 3 packets: $OUT"
  done
  ok "each link's traffic was counted under its own mux id only"

  step "$part.7 Disconnect: the sessions stop and the links are deleted"
  show mmcli -m 0 --simple-disconnect
  show ip -d link show type rmnet
  [ -z "$OUT" ] || fail "rmnet links left after disconnect"
  echo "  (no output: no rmnet link left)"
  show modemuxctl links
  for i in "${LINKS[@]}"; do
    read -r iface _ <<<"$i"
    [ ! -e "/sys/class/net/$iface" ] || fail "$iface still exists"
  done
  show modemux-sim --ctl "$CTL" sessions
  [ -z "$OUT" ] || fail "the simulator still has sessions"
  echo "  (no output: no session left on the modem)"
  for b in $bearers; do
    mmcli_kv -b "$b"
    [ "$(kv bearer.status.connected)" = no ] || fail "bearer $b still connected"
    echo "  bearer $b ($(kv bearer.properties.apn)): connected: $(kv bearer.status.connected), interface: '$(kv bearer.status.interface)'"
  done
  ok "no link and no session left; $lower itself stays"
}

# ---- the demo ---------------------------------------------------------------

SECONDS=0
part "modemux demo: modemuxd + the real mmcli + a simulated Qualcomm modem"
say "This runs inside a small VM (test/vm/run) booted with its own Linux kernel," \
    "which has what the host kernel lacks: rmnet (QMAP multiplexing) and QRTR." \
    "The modem is modemux-sim, a simulator that speaks QMI like modem firmware" \
    "and plays the modem side of the data port. Everything else is real:" \
    "modemuxd, /usr/bin/mmcli $(mmcli --version | sed -n '1s/mmcli //p'), the kernel's rmnet driver, iproute2."
echo
show uname -sr
say "A private system bus is running; a polkit mock allows every request."
start_polkit
# The demo's bearers are IPv4 only: without IPv6 on new interfaces the
# kernel's IPv6 chatter (router solicitations) stays out of the counters.
sysctl -qw net.ipv6.conf.default.disable_ipv6=1

# The demo's two APNs (two PDNs = two bearers = two mux ids = two links).
cat >"$D/apns.conf" <<'CONF'
[apn internet]
ipv4=10.64.0.0/24
dns4=10.64.255.1;10.64.255.2
mtu=1500

[apn ims]
ipv4=10.65.0.0/24
dns4=10.65.255.1
mtu=1400
CONF
# soc.conf / mhi.conf describe the firmware (endpoint, QMAP versions,
# aggregation limits); the demo adds its APNs to a copy of each.
cat "$S/test/sim/scenarios/soc.conf" "$D/apns.conf" >"$D/soc.conf"
cat "$S/test/sim/scenarios/mhi.conf" "$D/apns.conf" >"$D/mhi.conf"

# ---------------------------------------------------------------------------
part "Part A: a Qualcomm SoC modem (QMI over QRTR, data on IPA rmnet_ipa0)"
say "On a phone or SoC board the modem is a QRTR node and its data port is the" \
    "IPA driver's rmnet_ipa0, which only carries multiplexed (QMAP) traffic." \
    "Here the simulator is QRTR node 7 (through /dev/qrtr-tun) and serves a tun" \
    "named rmnet_ipa0. A tun has no 'ipa' driver, so the demo tells modemuxd" \
    "which driver it stands for with a kernel event (the udev-less mechanism" \
    "ModemManager also has; the 'driver' key is modemux's, docs/discovery.md):"
cat >"$D/soc.events" <<'EV'
action=add,subsystem=net,name=rmnet_ipa0,uid=demo-soc,driver=ipa
EV
show cat "$D/soc.events"
step "A.0 Start modemuxd, then the simulated SoC modem"
# Order matters only because of the stand-in: modemuxd (auto-scan, needed
# for QRTR) enumerates the existing netdevs once at start and would take
# an existing tun for what it is, replacing the event's description; the
# tun appears after that, and without udevd no udev event re-describes it.
start_daemon --log-level=DEBUG "--initial-kernel-events=$D/soc.events"
say "modemuxd answers as ModemManager; there is no modem yet:"
show mmcli -B
show mmcli -L
start_sim --scenario "$D/soc.conf" --qrtr-tun 7 --data-tun rmnet_ipa0
demo_modem A rmnet_ipa0 internet "apn=internet,multiplex=required" ims "apn=ims,multiplex=required"
stop_daemon
stop_sim

# ---------------------------------------------------------------------------
part "Part B: a PCIe (MHI) modem (QMI on wwan0qmi0, data on mhi_hwip0)"
say "A PCIe modem's MHI driver gives a QMI control port wwan0qmi0 and a data" \
    "netdev mhi_hwip0 (driver mhi_net). The VM has no PCIe modem: the" \
    "simulator answers QMI through a fake qmi-proxy (libqmi's multiplexer, as" \
    "modemuxd uses it) and serves a tun named mhi_hwip0; two kernel events" \
    "sharing one uid tell modemuxd they are one device:"
cat >"$D/mhi.events" <<'EV'
action=add,subsystem=wwan,name=wwan0qmi0,uid=demo-mhi,driver=mhi_wwan_ctrl
action=add,subsystem=net,name=mhi_hwip0,uid=demo-mhi,driver=mhi_net
EV
show cat "$D/mhi.events"
step "B.0 Start the simulated MHI modem, then modemuxd (udev-less: --no-auto-scan)"
start_sim --scenario "$D/mhi.conf" --qmi-proxy --data-tun mhi_hwip0
# libqmi opens a device file even through the proxy; mhi_net's MTU is 16384.
mknod /dev/wwan0qmi0 c 1 3
ip link set dev mhi_hwip0 mtu 16384
start_daemon --log-level=DEBUG --no-auto-scan "--initial-kernel-events=$D/mhi.events"
say "This time the first bearer says nothing about multiplexing, as" \
    "NetworkManager does: on mhi_net modemuxd's default is 'requested', so it" \
    "multiplexes when the modem and kernel can."
demo_modem B mhi_hwip0 internet "apn=internet" ims "apn=ims,multiplex=required"
stop_daemon
stop_sim
rm -f /dev/wwan0qmi0

part "Done: every step above was checked (${SECONDS} s in the VM)"
