#!/bin/bash
# QRTR: an AF_QIPCRTR socket gets a local address, and /dev/qrtr-tun lets a
# userspace process act as a remote node: HELLO from node 7 is answered by
# the kernel's HELLO (what the simulator's QRTR adapter relies on).
. "$(dirname "$0")/vm-lib.sh"
set -u

/usr/bin/python3 - <<'PY' || mx_fail "QRTR checks failed (see above)"
import os, select, socket, struct, sys

AF_QIPCRTR = 42
s = socket.socket(AF_QIPCRTR, socket.SOCK_DGRAM)
node, port = s.getsockname()
print(f"ok: AF_QIPCRTR socket bound to local node {node} port {port:#x}")
if node != 1:
    sys.exit(f"FAIL: expected local node 1, got {node}")

fd = os.open("/dev/qrtr-tun", os.O_RDWR)
print("ok: opened /dev/qrtr-tun")
QRTR_TYPE_HELLO, CTRL_PORT, BCAST = 2, 0xFFFFFFFE, 0xFFFFFFFF
payload = struct.pack("<I", QRTR_TYPE_HELLO) + bytes(16)
hdr = struct.pack("<8I", 1, QRTR_TYPE_HELLO, 7, CTRL_PORT, 0, len(payload), BCAST, CTRL_PORT)
os.write(fd, hdr + payload)
r, _, _ = select.select([fd], [], [], 10)
if not r:
    sys.exit("FAIL: no reply from the kernel to HELLO on /dev/qrtr-tun within 10 s")
pkt = os.read(fd, 4096)
ver, typ, sn, sp, _, size, dn, dp = struct.unpack_from("<8I", pkt)
if (ver, typ, sn, dn) != (1, QRTR_TYPE_HELLO, 1, 7):
    sys.exit(f"FAIL: unexpected reply ver={ver} type={typ} src={sn}:{sp:#x} dst={dn}:{dp:#x}")
print(f"ok: kernel answered HELLO: type={typ} src={sn}:{sp:#x} dst={dn}:{dp:#x}")
os.close(fd)
PY
