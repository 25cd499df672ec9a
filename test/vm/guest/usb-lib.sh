# shellcheck shell=bash
# Shared by the USB modem VM scripts (source after vm-lib.sh and
# bearers-lib.sh): the simulator as a USB gadget (modemux-sim --usb-gadget,
# a Quectel EC25 on dummy_hcd) bound by the real qmi_wwan, and modemuxd
# finding it through the real udevd (the scripts ask for '--udev').
# Sets SIM, MXD, D, SIM_PID, MXD_PID, BUS_PID, QMI_PROXY_PID; $D/sim.log, $D/mxd.log.

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
D=$(mktemp -d)
SIM_PID= MXD_PID= BUS_PID= QMI_PROXY_PID=
mmcli() { /usr/bin/mmcli --test-session "$@"; }
simctl() { "$SIM" --ctl "$D/ctl" "$@"; }

mx_usb_cleanup() {
  local rc=$?
  # A failure shows what the daemon and the simulator did last.
  if [ "$rc" != 0 ]; then
    echo "--- modemuxd (last 60 lines)"; tail -60 "$D/mxd.log" 2>/dev/null
    echo "--- simulator (last 20 lines)"; tail -20 "$D/sim.log" 2>/dev/null | cut -c1-300
  fi >&2
  [ -n "$MXD_PID" ] && kill "$MXD_PID" 2>/dev/null && wait "$MXD_PID"
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  [ -n "$QMI_PROXY_PID" ] && kill "$QMI_PROXY_PID" 2>/dev/null && wait "$QMI_PROXY_PID"
  [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
  rm -rf "$D"
}

# mx_wait SECONDS DESCRIPTION CMD...: CMD succeeds within SECONDS.
mx_wait() {
  local t=$1 what=$2 end; shift 2
  end=$((SECONDS + t))
  while [ "$SECONDS" -lt "$end" ]; do
    "$@" > /dev/null 2>&1 && { mx_ok "$what"; return 0; }
    sleep 0.1
  done
  mx_fail "$what: '$*' still failing after ${t}s"
}

mx_has_modem() { /usr/bin/mmcli --test-session -L 2>/dev/null | grep -q Modem/; }

# mx_qmi_proxy_start: the real qmi-proxy, listening before the daemon
# probes cdc-wdm0. libqmi would spawn it itself, but under TCG on a loaded
# machine the spawned proxy may take longer to listen than libqmi's ten
# tries, and discovery does not probe a port twice.
mx_qmi_proxy_start() {
  /usr/libexec/qmi-proxy --no-exit > "$D/qmi-proxy.log" 2>&1 &
  QMI_PROXY_PID=$!
  mx_wait 60 "qmi-proxy listening" grep -q '@qmi-proxy' /proc/net/unix
}

# mx_usb_modem_start [SIM-ARGS...]: the gadget plugged, qmi_wwan bound
# (cdc-wdm0 + wwan0), modemuxd up and Modem/0 in mmcli -L.
mx_usb_modem_start() {
  eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || mx_fail "no session bus"
  "$SIM" --scenario "$MX_SOURCE_ROOT/test/sim/scenarios/ec25.conf" --usb-gadget mx \
    --control "$D/ctl" --log "$D/sim.log" "$@" > "$D/out" 2>&1 &
  SIM_PID=$!
  mx_wait 10 "simulator up" grep -q 'modemux-sim ready' "$D/out"
  mx_wait 20 "qmi_wwan bound the gadget (cdc-wdm0, wwan0)" test -e /sys/class/net/wwan0/qmi/raw_ip -a -e /dev/cdc-wdm0
  udevadm settle --timeout=30
  mx_qmi_proxy_start
  "$MXD" --test-session --debug > "$D/mxd.log" 2>&1 &
  MXD_PID=$!
  mx_wait 120 "modemuxd shows the USB modem" mx_has_modem
}

# mx_usb_modem_index: the number N of the modem's Modem/N path.
mx_usb_modem_index() {
  mmcli -L | sed -n 's|.*/Modem/\([0-9]*\) .*|\1|p' | head -1
}

# mx_usb_held_pings PER-LINK IFACE:ADDR...: DL aggregation across links.
# The gadget holds downlink frames (usb-dl-hold) until the replies to
# PER-LINK echoes through every link are queued, so they leave in one bulk
# IN transfer (the usb ctl output counts a transfer of that many frames);
# qmi_wwan's consumer (rmnet or qmimux) must de-aggregate it and deliver
# each reply to its own link: every link's socket gets all its echoes back
# (matched by its own ICMP id) and the link's rx_packets grows by PER-LINK.
mx_usb_held_pings() {
  local per=$1 total l ifname usb multi0 multi max rx
  shift
  total=$((per * $#))
  declare -A rx0
  for l in "$@"; do ifname=${l%%:*}; rx0[$ifname]=$(cat "/sys/class/net/$ifname/statistics/rx_packets"); done
  multi0=$(simctl usb | sed -n 's/^dl-aggregation .* multi-frame-transfers=\([0-9]*\).*/\1/p')
  mx_run "downlink held until $total frames are queued" simctl usb-dl-hold "$total"
  /usr/bin/python3 - "$per" "$@" <<'PY' || mx_fail "not every echo came back on its link: $(simctl usb)"
import select, socket, struct, sys
per = int(sys.argv[1]); links = [a.split(':') for a in sys.argv[2:]]
def csum(b):
    b += b'\0' * (len(b) % 2)
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
socks = {}
for i, (ifname, src) in enumerate(links):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.bind((src, 0))
    socks[s] = (ifname, 0x4d00 + i, set())
for s, (ifname, ident, _) in socks.items():
    for seq in range(1, per + 1):
        b = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + b'modemux-agg'
        b = b[:2] + struct.pack('!H', csum(b)) + b[4:]
        s.sendto(b, ('198.51.100.1', 0))
while any(len(got) < per for _, _, got in socks.values()):
    r, _, _ = select.select(list(socks), [], [], 10)
    if not r:
        for ifname, ident, got in socks.values():
            print('%s: %d of %d echoes back' % (ifname, len(got), per), file=sys.stderr)
        sys.exit(1)
    for s in r:
        ifname, ident, got = socks[s]
        p = s.recv(2048)
        icmp = p[(p[0] & 15) * 4:]
        typ, _, _, rid, seq = struct.unpack('!BBHHH', icmp[:8])
        if typ != 0:
            continue
        if rid != ident:
            print('%s got the echo of another link (id 0x%x)' % (ifname, rid), file=sys.stderr)
            sys.exit(1)
        got.add(seq)
PY
  mx_ok "all $total echoes came back, each on its own link"
  simctl usb-dl-hold 0 > /dev/null
  usb=$(simctl usb)
  multi=$(sed -n 's/^dl-aggregation .* multi-frame-transfers=\([0-9]*\).*/\1/p' <<<"$usb")
  max=$(sed -n 's/^dl-aggregation .* max-frames-per-transfer=\([0-9]*\).*/\1/p' <<<"$usb")
  [ "${multi:-0}" -gt "${multi0:-0}" ] || mx_fail "no downlink transfer carried more than one frame: $usb"
  [ "${max:-0}" -ge "$total" ] || mx_fail "the $total held replies did not share one transfer: $usb"
  mx_ok "the $total replies left in one bulk IN transfer ($(grep '^dl-aggregation' <<<"$usb"))"
  for l in "$@"; do
    ifname=${l%%:*}
    rx=$(( $(cat "/sys/class/net/$ifname/statistics/rx_packets") - ${rx0[$ifname]} ))
    [ "$rx" -ge "$per" ] || mx_fail "$ifname received $rx packets, expected $per"
    mx_ok "$ifname received its $rx replies"
  done
}
