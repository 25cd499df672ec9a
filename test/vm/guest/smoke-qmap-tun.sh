#!/bin/bash
# The QMAP data path through rmnet on a packet-info TUN, both directions:
# a QMAP frame written to the TUN (PI proto ETH_P_MAP) for mux 1 reaches a
# UDP socket on the rmnet link; a datagram sent over the rmnet link comes
# out of the TUN as a QMAP frame for mux 1.
. "$(dirname "$0")/vm-lib.sh"
set -u

/usr/bin/python3 - <<'PY' || mx_fail "QMAP data path checks failed (see above)"
import fcntl, os, select, socket, struct, subprocess, sys

def sh(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"FAIL: {' '.join(cmd)}: {r.stderr.strip()}")

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def ipv4_udp(src, dst, sport, dport, data):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + udp

ETH_P_MAP, IFF_TUN, TUNSETIFF = 0x00F9, 0x0001, 0x400454CA
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", b"mxq0", IFF_TUN))  # with packet info
sh("sysctl", "-qw", "net.ipv6.conf.mxq0.disable_ipv6=1")
sh("ip", "link", "set", "mxq0", "up")
sh("ip", "link", "add", "link", "mxq0", "name", "rmnet_q1", "type", "rmnet", "mux_id", "1")
# Keep IPv6 autoconfiguration and MLD reports out of the tun's read queue.
sh("sysctl", "-qw", "net.ipv6.conf.rmnet_q1.disable_ipv6=1")
sh("ip", "addr", "add", "10.77.0.2/24", "dev", "rmnet_q1")
sh("ip", "link", "set", "rmnet_q1", "up")
print("ok: rmnet_q1 (mux 1) on packet-info tun mxq0 with 10.77.0.2/24")

rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("10.77.0.2", 4444))
pkt = ipv4_udp("10.77.0.1", "10.77.0.2", 5555, 4444, b"downlink-hello")
pad = (4 - len(pkt) % 4) % 4
qmap = struct.pack("!BBH", pad, 1, len(pkt) + pad) + pkt + bytes(pad)
os.write(tun, struct.pack("!HH", 0, ETH_P_MAP) + qmap)
r, _, _ = select.select([rx], [], [], 10)
if not r:
    sys.exit("FAIL: downlink QMAP frame for mux 1 never reached the socket on rmnet_q1")
data, peer = rx.recvfrom(100)
if data != b"downlink-hello":
    sys.exit(f"FAIL: downlink payload {data!r}")
print(f"ok: downlink QMAP mux 1 delivered {data!r} from {peer}")

tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"rmnet_q1")
tx.sendto(b"uplink-hello", ("10.77.0.1", 6666))
while True:
    r, _, _ = select.select([tun], [], [], 10)
    if not r:
        sys.exit("FAIL: no uplink QMAP frame came out of the tun")
    frame = os.read(tun, 4096)
    flags, proto = struct.unpack_from("!HH", frame)
    if proto == ETH_P_MAP and frame.endswith(b"uplink-hello"):
        break
    print(f"(ignoring a frame with PI proto {proto:#06x}, {len(frame)} bytes)")
cd_pad, mux, length = struct.unpack_from("!BBH", frame, 4)
ip = frame[8:8 + length]
if mux != 1 or cd_pad & 0x80 or ip[0] >> 4 != 4 or not ip.endswith(b"uplink-hello"):
    sys.exit(f"FAIL: bad uplink frame mux={mux} cd_pad={cd_pad:#x} len={length} {frame!r}")
print(f"ok: uplink came out of the tun as QMAP mux={mux} len={length} (PI proto {proto:#06x})")
PY
