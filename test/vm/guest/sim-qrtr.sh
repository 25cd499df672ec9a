#!/bin/bash
# The simulator as remote QRTR nodes through /dev/qrtr-tun (docs/simulator.md,
# "QRTR"): two nodes (7 and 8) announce every emulated QMI service; a lookup
# from an AF_QIPCRTR socket finds them with instance = version | (instance
# << 8); the real qmicli talks to both over qrtr://NODE; a burst of requests
# larger than the kernel's flow-control window does not block the sender
# (RESUME_TX); on shutdown the services are withdrawn.
. "$(dirname "$0")/vm-lib.sh"
set -u

SIM=${MX_BUILD_ROOT:?}/test/sim/modemux-sim
SCENARIO=${MX_SOURCE_ROOT:?}/test/sim/scenarios/default.conf
[ -x "$SIM" ] || mx_fail "no simulator at $SIM (build test/sim/modemux-sim first)"
[ -e /dev/qrtr-tun ] || mx_fail "/dev/qrtr-tun missing (kernel without QRTR_TUN?)"
IMEI=$(sed -n 's/^imei=//p' "$SCENARIO")
D=$(mktemp -d)
SIM_PID=
WATCH_PID=
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
  [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
  rm -rf "$D"
}
trap cleanup EXIT

"$SIM" --scenario "$SCENARIO" --qrtr-tun 7 --qrtr-tun 8 --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do grep -q 'modemux-sim ready' "$D/out" && break; sleep 0.1; done
grep -q 'modemux-sim ready' "$D/out" || mx_fail "simulator did not start: $(cat "$D/out")"

# 1. Lookup: both nodes with WDS, DMS, NAS (what ModemManager waits for).
/usr/bin/python3 - <<'PY' || mx_fail "QRTR lookup (see above)"
import socket, struct, sys, time

AF_QIPCRTR, NEW_SERVER, NEW_LOOKUP, CTRL = 42, 4, 10, 0xfffffffe
deadline = time.time() + 10
while True:
    s = socket.socket(AF_QIPCRTR, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(struct.pack('<5I', NEW_LOOKUP, 0, 0, 0, 0), (1, CTRL))
    found = {}
    while True:
        cmd, svc, inst, node, port = struct.unpack('<5I', s.recv(64)[:20])
        if cmd != NEW_SERVER:
            continue
        if (svc, inst, node, port) == (0, 0, 0, 0):
            break
        found.setdefault(node, {})[svc] = (inst, port)
    s.close()
    if all(n in found and {1, 2, 3} <= set(found[n]) for n in (7, 8)) or time.time() > deadline:
        break
    time.sleep(0.2)
for node in (7, 8):
    services = found.get(node, {})
    for svc, name in ((1, 'WDS'), (2, 'DMS'), (3, 'NAS'), (0x1a, 'WDA')):
        if svc not in services:
            sys.exit(f'FAIL: node {node} does not announce {name} ({svc}); found {services}')
        inst, port = services[svc]
        # instance field = version | (instance << 8); we are instance 0.
        if inst >> 8 != 0 or inst & 0xff == 0:
            sys.exit(f'FAIL: node {node} {name} instance field {inst:#x}')
    if 0 in services:
        sys.exit(f'FAIL: node {node} announces CTL, which does not exist on QRTR')
    print(f'ok: node {node} announces ' +
          ', '.join(f'{svc:#x}@{port:#x} v{inst & 0xff}' for svc, (inst, port) in sorted(services.items())))
PY

# 2. The real qmicli over QRTR, on both nodes.
for node in 7 8; do
  out=$(qmicli -d qrtr://$node --dms-get-ids 2>&1) || mx_fail "qmicli -d qrtr://$node --dms-get-ids: $out"
  mx_contains "qmicli -d qrtr://$node --dms-get-ids reports the scenario IMEI" "$out" "IMEI: '$IMEI'"
done
out=$(qmicli -d qrtr://7 --nas-get-serving-system 2>&1) || mx_fail "qmicli nas over qrtr: $out"
mx_contains "qmicli -d qrtr://7 --nas-get-serving-system" "$out" "Registration state: 'registered'"

# 3. Flow control: 40 requests in a row from one socket (the kernel blocks
#    a sender at 10 unanswered packets unless the node sends RESUME_TX).
/usr/bin/python3 - <<'PY' || mx_fail "QRTR flow control (see above)"
import signal, socket, struct, sys

AF_QIPCRTR, NEW_SERVER, NEW_LOOKUP, CTRL = 42, 4, 10, 0xfffffffe
look = socket.socket(AF_QIPCRTR, socket.SOCK_DGRAM)
look.settimeout(5)
look.sendto(struct.pack('<5I', NEW_LOOKUP, 2, 0, 0, 0), (1, CTRL))   # DMS only
port = None
while True:
    cmd, svc, inst, node, p = struct.unpack('<5I', look.recv(64)[:20])
    if (svc, node) == (0, 0):
        break
    if cmd == NEW_SERVER and node == 7:
        port = p
if port is None:
    sys.exit('FAIL: DMS of node 7 not found')

def blocked(*_):
    sys.exit('FAIL: sender blocked: no RESUME_TX from the simulated node')
signal.signal(signal.SIGALRM, blocked)
signal.alarm(15)
s = socket.socket(AF_QIPCRTR, socket.SOCK_DGRAM)
N = 40
for tid in range(1, N + 1):
    # QMI service header (no QMUX): flags, tid, message 0x0025 Get IDs, no TLVs
    s.sendto(struct.pack('<BHHH', 0, tid, 0x0025, 0), (7, port))
signal.alarm(0)
s.settimeout(5)
tids = set()
for _ in range(N):
    data = s.recv(4096)
    flags, tid, msg, tlvlen = struct.unpack_from('<BHHH', data)
    if msg != 0x0025 or not flags & 0x02:
        sys.exit(f'FAIL: unexpected answer flags={flags:#x} msg={msg:#x}')
    tids.add(tid)
if tids != set(range(1, N + 1)):
    sys.exit(f'FAIL: answers for {len(tids)} of {N} requests')
print(f'ok: {N} back-to-back requests to node 7 DMS answered, sender never blocked')
PY
mx_contains "control socket shows RESUME_TX sent" "$("$SIM" --ctl "$D/ctl" qrtr)" "node 7 open announced=yes"
resume=$("$SIM" --ctl "$D/ctl" qrtr | sed -n 's/^node 7 .*resume-tx=\([0-9]*\).*/\1/p')
[ "${resume:-0}" -ge 1 ] || mx_fail "no RESUME_TX counted: $("$SIM" --ctl "$D/ctl" qrtr)"
mx_ok "node 7 sent $resume RESUME_TX"

# 4. Shutdown withdraws the services (a watcher sees DEL_SERVER for both nodes).
/usr/bin/python3 - > "$D/watch" 2>&1 <<'PY' &
import socket, struct, sys
AF_QIPCRTR, DEL_SERVER, NEW_LOOKUP, CTRL = 42, 5, 10, 0xfffffffe
s = socket.socket(AF_QIPCRTR, socket.SOCK_DGRAM)
s.settimeout(20)
s.sendto(struct.pack('<5I', NEW_LOOKUP, 2, 0, 0, 0), (1, CTRL))
print('watching', flush=True)
gone = set()
while gone != {7, 8}:
    cmd, svc, inst, node, port = struct.unpack('<5I', s.recv(64)[:20])
    if cmd == DEL_SERVER:
        gone.add(node)
print('gone', sorted(gone), flush=True)
PY
WATCH_PID=$!
for _ in $(seq 50); do grep -q watching "$D/watch" && break; sleep 0.1; done
kill "$SIM_PID"; wait "$SIM_PID" || mx_fail "simulator exited with $?: $(tail -20 "$D/out")"
SIM_PID=
wait "$WATCH_PID" || mx_fail "services not withdrawn: $(cat "$D/watch")"
WATCH_PID=
mx_contains "DEL_SERVER for both nodes on shutdown" "$(cat "$D/watch")" "gone [7, 8]"
