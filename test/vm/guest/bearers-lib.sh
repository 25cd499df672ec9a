# shellcheck shell=bash
# Shared by the bearer VM scripts that drive modemuxd (source after vm-lib.sh;
# they set SIM to the simulator binary and D to their temp dir, whose "ctl"
# is the simulator's control socket).

# mx_ping_counted IFACE ADDR MUX: one ICMP echo from ADDR through the
# bearer's link IFACE to the simulator's network is answered, and the
# simulator counts it under MUX (the mux id the bearer was bound to).
mx_ping_counted() {
  local iface=$1 addr=$2 mux=$3 ul
  ip addr add "$addr" dev "$iface"
  /usr/bin/python3 - "$iface" "${addr%/*}" 198.51.100.1 <<'PY' || mx_fail "no echo through $iface"
import select, socket, struct, sys
link, src, dst = sys.argv[1:4]
def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, link.encode())
s.bind((src, 0))
b = struct.pack('!BBHHH', 8, 0, 0, 0x4d58, 1) + b'modemux'
b = b[:2] + struct.pack('!H', csum(b)) + b[4:]
s.sendto(b, (dst, 0))
while True:
    r, _, _ = select.select([s], [], [], 5)
    if not r: sys.exit(1)
    p = s.recv(2048)
    if p[(p[0] & 15) * 4] == 0: break
PY
  ul=$("$SIM" --ctl "$D/ctl" counters "$mux" | sed -n 's/.* ul_packets=\([0-9]*\).*/\1/p')
  [ "${ul:-0}" -ge 1 ] || mx_fail "mux $mux counted nothing: $("$SIM" --ctl "$D/ctl" counters "$mux")"
  mx_ok "ping through $iface counted under mux $mux"
}

# The MHI QMI modem as the daemon-level scripts run it: a session bus, the
# simulator ($SIM) as fake qmi-proxy for /dev/wwan0qmi0 with its TUN
# mhi_hwip0 (MTU 16384, as mhi_net), and modemuxd ($MXD) told about both
# by kernel events sharing one uid (the VM has no MHI bus). Sets BUS_PID,
# SIM_PID, MXD_PID; $D/sim.log and $D/mxd.log are the logs.
# mx_mhi_stack_start SCENARIO [MODEMUXD-ARGS...]
mx_mhi_stack_start() {
  local scenario=$1; shift
  eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || mx_fail "no session bus"
  "$SIM" --scenario "$scenario" --qmi-proxy --data-tun mhi_hwip0 --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
  grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
  # libqmi wants a special file even through the proxy; mhi_net's MTU is 16384.
  mknod /dev/wwan0qmi0 c 1 3
  ip link set dev mhi_hwip0 mtu 16384
  cat > "$D/events" <<EV
action=add,subsystem=wwan,name=wwan0qmi0,uid=sim-mhi,driver=mhi_wwan_ctrl
action=add,subsystem=net,name=mhi_hwip0,uid=sim-mhi,driver=mhi_net
EV
  mx_mhi_daemon_start "$D/mxd.log" "$@"
}

# mx_mhi_daemon_start LOG [MODEMUXD-ARGS...]: (re)starts modemuxd on the
# stack above and waits for Modem/N in mmcli -L.
mx_mhi_daemon_start() {
  local log=$1; shift
  "$MXD" --test-session --no-auto-scan --initial-kernel-events="$D/events" --debug "$@" > "$log" 2>&1 &
  MXD_PID=$!
  for _ in $(seq 300); do /usr/bin/mmcli --test-session -L 2>/dev/null | grep -q Modem/ && break; sleep 0.1; done
  /usr/bin/mmcli --test-session -L | grep -q Modem/ || mx_fail "no modem: $(tail -40 "$log")"
}

# The QRTR SoC modem as the daemon-level scripts run it: the simulator
# ($SIM, soc scenario) as QRTR node 7 owning a TUN rmnet_ipa0, announced as
# the IPA netdev by the kernel event in $D/events (driver=ipa; the VM has no
# IPA). mx_soc_stack_setup sets SIM, MXD, D, the EXIT trap, mmcli and the
# session bus; the script starts modemuxd, then mx_soc_sim_start (the
# daemon starts first, so the event names the netdev before the TUN
# exists: a TUN found in sysfs is a virtual netdev to discovery).
mx_soc_stack_setup() {
  SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
  MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
  [ -e /dev/qrtr-tun ] || mx_fail "/dev/qrtr-tun missing"
  modprobe rmnet 2>/dev/null || true
  D=$(mktemp -d)
  SIM_PID= MXD_PID= BUS_PID=
  trap mx_mhi_stack_stop EXIT
  mmcli() { /usr/bin/mmcli --test-session "$@"; }
  eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || mx_fail "no session bus"
  echo "action=add,subsystem=net,name=rmnet_ipa0,uid=test-soc,driver=ipa" > "$D/events"
}

# mx_soc_sim_start: the simulator of the SoC stack above, once the daemon
# owns its name.
mx_soc_sim_start() {
  for _ in $(seq 100); do gdbus introspect --session -d org.freedesktop.ModemManager1 -o / > /dev/null 2>&1 && break; sleep 0.1; done
  "$SIM" --scenario "${MX_SOURCE_ROOT:?}/test/sim/scenarios/soc.conf" --qrtr-tun 7 --data-tun rmnet_ipa0 \
    --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
  grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"
}

# mx_mhi_stack_stop: for the scripts' EXIT trap (the SoC stack's too).
mx_mhi_stack_stop() {
  [ -n "${MXD_PID:-}" ] && kill "$MXD_PID" 2>/dev/null && wait "$MXD_PID"
  [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  [ -n "${BUS_PID:-}" ] && kill "$BUS_PID" 2>/dev/null
  rm -f /dev/wwan0qmi0
  rm -rf "$D"
}

# mx_our_links: the rmnet links carrying modemux's ownership marker.
mx_our_links() {
  ip -d -j link show type rmnet 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; print(" ".join(l["ifname"] for l in json.load(sys.stdin) if l.get("ifalias","").startswith("modemux:")))'
}

# mx_proc_rss PID / mx_proc_fds PID: a process's resident set (kB) and its
# number of open file descriptors (the bench scripts' leak figures).
mx_proc_rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
mx_proc_fds() { ls "/proc/$1/fd" | wc -l; }
