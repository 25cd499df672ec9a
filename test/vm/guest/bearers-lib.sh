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
