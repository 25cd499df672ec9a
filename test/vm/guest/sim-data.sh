#!/bin/bash
# The simulator's data path under the real rmnet driver (docs/simulator.md,
# "Data path"). For each data port kind (TUN with packet info, veth peer):
# the real qmicli negotiates QMAP and binds two WDS clients to mux 1 and
# mux 2 through the fake qmi-proxy; iproute2 puts rmnet links for those mux
# ids on the port; ICMP and UDP echoes sent through each rmnet link are
# answered by the simulator's "network" and counted under that mux only.
# Plain QMAP and QMAPv5 on the TUN, QMAPv4 on the veth, the latter two
# with rmnet's checksum-offload flags (set through rtnetlink: iproute2 6.1
# has no keywords for them).
# mx-vm: --timeout 480
. "$(dirname "$0")/vm-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
[ -x "$SIM" ] || mx_fail "no simulator at $SIM (build test/sim/modemux-sim first)"
D=$(mktemp -d)
mknod "$D/cdc-wdm0" c 1 3
SIM_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  rm -rf "$D"
}
trap cleanup EXIT

qmi() { qmicli -p -d "$D/cdc-wdm0" --device-open-qmi "$@" 2>&1 | grep -v 'Warning \*\*'; }

start_sim() {
  "$SIM" --qmi-proxy --control "$D/ctl" --log "$D/sim.log" "$@" > "$D/out" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && return; sleep 0.1; done
  mx_fail "simulator did not start: $(cat "$D/out")"
}

stop_sim() {
  kill "$SIM_PID"; wait "$SIM_PID" || mx_fail "simulator exited with $?: $(tail -20 "$D/out")"
  SIM_PID=
}

ctl() { "$SIM" --ctl "$D/ctl" "$@"; }

# bind_and_start MUX -> prints "CID ADDRESS"
bind_and_start() {
  local mux=$1 out cid addr
  out=$(qmi --wds-bind-mux-data-port=mux-id=$mux,ep-type=pcie,ep-iface-number=4 --client-no-release-cid)
  cid=$(sed -n "s/.*CID: '\([0-9]*\)'.*/\1/p" <<<"$out")
  [ -n "$cid" ] || mx_fail "bind mux $mux: $out"
  out=$(qmi --client-cid="$cid" --wds-start-network=apn=internet,ip-type=4 --client-no-release-cid)
  grep -q 'Packet data handle' <<<"$out" || mx_fail "start network on mux $mux: $out"
  out=$(qmi --client-cid="$cid" --wds-get-current-settings --client-no-release-cid)
  addr=$(sed -n 's/.*IPv4 address: \([0-9.]*\).*/\1/p' <<<"$out")
  [ -n "$addr" ] || mx_fail "current settings on mux $mux: $out"
  echo "$cid $addr"
}

# echo_through LINK SRC DST: one ICMP echo and one UDP datagram must come back.
echo_through() {
  /usr/bin/python3 - "$@" <<'PY' || mx_fail "echo through $1 failed"
import os, select, socket, struct, sys

link, src, dst = sys.argv[1:4]

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
icmp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, link.encode())
icmp.bind((src, 0))
body = struct.pack('!BBHHH', 8, 0, 0, 0x4d58, 1) + b'modemux-vm'
body = body[:2] + struct.pack('!H', csum(body)) + body[4:]
icmp.sendto(body, (dst, 0))
while True:
    r, _, _ = select.select([icmp], [], [], 5)
    if not r:
        sys.exit(f'FAIL: no ICMP echo reply from {dst} on {link}')
    pkt, addr = icmp.recvfrom(2048)
    ihl = (pkt[0] & 15) * 4
    if pkt[ihl] == 0 and pkt[ihl + 4:ihl + 6] == b'\x4d\x58':
        break
print(f'ok: ICMP echo reply from {addr[0]} via {link}')

udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, link.encode())
udp.bind((src, 0))
udp.sendto(b'udp-echo-' + link.encode(), (dst, 7))
r, _, _ = select.select([udp], [], [], 5)
if not r:
    sys.exit(f'FAIL: no UDP echo from {dst}:7 on {link}')
data, addr = udp.recvfrom(2048)
if data != b'udp-echo-' + link.encode() or addr != (dst, 7):
    sys.exit(f'FAIL: unexpected UDP answer {data!r} from {addr}')
print(f'ok: UDP echo from {addr[0]}:{addr[1]} via {link}')
PY
}

counter() { ctl counters "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }

# add_rmnet LOWER NAME MUX FLAGS: RTM_NEWLINK with IFLA_RMNET_FLAGS (upstream
# values: 0x01 deaggregation, 0x04/0x08 ingress/egress MAPv4, 0x10/0x20 MAPv5).
add_rmnet() {
  /usr/bin/python3 - "$@" <<'PY'
import os, socket, struct, sys
lower, name, mux, flags = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 0)

def attr(t, payload):
    a = struct.pack('<HH', 4 + len(payload), t) + payload
    return a + bytes((4 - len(a) % 4) % 4)

data = attr(1, struct.pack('<H', mux)) + attr(2, struct.pack('<II', flags, 0x3d))
info = attr(1, b'rmnet\0') + attr(2, data)
body = struct.pack('<BxHiII', 0, 519, 0, 0, 0) + attr(5, struct.pack('<I', socket.if_nametoindex(lower))) + \
       attr(3, name.encode() + b'\0') + attr(18, info)
msg = struct.pack('<IHHII', 16 + len(body), 16, 0x1 | 0x4 | 0x400 | 0x200, 1, 0) + body
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.send(msg)
r = s.recv(4096)
err = struct.unpack_from('<i', r, 16)[0]
if err:
    sys.exit(f'RTM_NEWLINK {name}: {os.strerror(-err)}')
PY
}

run_port() {
  local kind=$1 dap=$2 flags lower
  if [ "$kind" = tun ]; then
    lower=simtun0
    start_sim --data-tun simtun0
  else
    lower=vsim0
    mx_run "create veth pair" ip link add vsim0 type veth peer name vsim1
    sysctl -qw net.ipv6.conf.vsim0.disable_ipv6=1
    mx_run "vsim1 up" ip link set vsim1 up
    start_sim --data-veth vsim1
  fi
  mx_run "$kind: lower $lower up" ip link set "$lower" up

  case $dap in
    qmap) flags= ;;          # iproute2's default: deaggregation only
    qmapv4) flags=0x0d ;;
    qmapv5) flags=0x31 ;;
  esac
  mx_contains "$kind/$dap: WDA set data format" \
    "$(qmi --wda-set-data-format=link-layer-protocol=raw-ip,ul-protocol=$dap,dl-protocol=$dap,dl-max-datagrams=32,dl-datagram-max-size=16384,ep-type=pcie,ep-iface-number=4)" \
    "Downlink data aggregation protocol: '$dap'"
  kind="$kind/$dap"

  # (no process substitution: the guest has no /dev/fd)
  r=$(bind_and_start 1) || exit 1
  addr1=${r#* }
  r=$(bind_and_start 2) || exit 1
  addr2=${r#* }
  mx_ok "$kind: sessions on mux 1 ($addr1) and mux 2 ($addr2)"

  for m in 1 2; do
    if [ -z "$flags" ]; then
      mx_run "$kind: rmnet link for mux $m" ip link add link "$lower" name "rmnet$m" type rmnet mux_id $m
    else
      mx_run "$kind: rmnet link for mux $m (flags $flags)" add_rmnet "$lower" "rmnet$m" $m $flags
    fi
    # IPv4-only sessions: keep the host's IPv6 chatter out of the counters.
    sysctl -qw "net.ipv6.conf.rmnet$m.disable_ipv6=1"
    mx_run "$kind: rmnet$m up" ip link set "rmnet$m" up
  done
  mx_contains "$kind: rmnet1 has mux id 1" "$(ip -d link show rmnet1)" "mux_id 1"
  ip addr add "$addr1/32" dev rmnet1
  ip addr add "$addr2/32" dev rmnet2
  ip route add 198.51.100.1/32 dev rmnet1
  ip route add 198.51.100.2/32 dev rmnet2

  echo_through rmnet1 "$addr1" 198.51.100.1
  [ "$(counter 1 ul_packets)" -ge 2 ] || mx_fail "$kind: mux 1 counters: $(ctl counters 1)"
  [ "$(counter 1 dl_packets)" -ge 2 ] || mx_fail "$kind: mux 1 counters: $(ctl counters 1)"
  [ "$(counter 2 ul_packets)" = 0 ] || mx_fail "$kind: mux 2 counted mux 1 traffic: $(ctl counters 2)"
  mx_ok "$kind: mux 1 traffic counted under mux 1 only ($(ctl counters 1))"

  echo_through rmnet2 "$addr2" 198.51.100.2
  [ "$(counter 2 ul_packets)" -ge 2 ] || mx_fail "$kind: mux 2 counters: $(ctl counters 2)"
  mx_ok "$kind: mux 2 traffic counted under mux 2 ($(ctl counters 2))"

  # A link for a mux id no session is bound to: the modem drops and counts.
  # (same flags: a NEWLINK without them resets the port's data format)
  if [ -z "$flags" ]; then
    mx_run "$kind: rmnet link for unbound mux 9" ip link add link "$lower" name rmnet9 type rmnet mux_id 9
  else
    mx_run "$kind: rmnet link for unbound mux 9" add_rmnet "$lower" rmnet9 9 $flags
  fi
  sysctl -qw net.ipv6.conf.rmnet9.disable_ipv6=1
  ip link set rmnet9 up
  ip addr add 10.99.0.2/32 dev rmnet9
  ip route add 198.51.100.9/32 dev rmnet9
  before=$(ctl counters 1 | sed -n 's/.*unknown_mux_drops=\([0-9]*\).*/\1/p')
  /usr/bin/python3 -c "
import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'rmnet9'); s.sendto(b'x', ('198.51.100.9', 7))"
  for _ in $(seq 50); do
    after=$(ctl counters 1 | sed -n 's/.*unknown_mux_drops=\([0-9]*\).*/\1/p')
    [ "$after" -gt "$before" ] && break
    sleep 0.1
  done
  [ "$after" -gt "$before" ] || mx_fail "$kind: frame for unbound mux 9 not counted as dropped"
  mx_ok "$kind: frame for unbound mux 9 dropped and counted ($before -> $after)"

  ctl data
  stop_sim
  # The simulator's TUN vanishes with it (and rmnet with its lower).
  if [ "${kind%/*}" = tun ]; then
    mx_absent /sys/class/net/simtun0 "$kind: TUN gone after the simulator exits"
    mx_absent /sys/class/net/rmnet1 "$kind: rmnet links gone with their lower"
  else
    ip link del vsim0
  fi
}

# (each run costs ~45 s under TCG: every port kind and MAP version once)
run_port tun qmap
run_port tun qmapv5
run_port veth qmapv4
