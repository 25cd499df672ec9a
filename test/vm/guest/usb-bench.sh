#!/bin/bash
# mx-vm: --udev --timeout 600
# Bench (prints figures, asserts nothing; not a meson test): UDP echo
# throughput through the simulated USB modem on the real qmi_wwan, rmnet on
# pass-through, with one and with four multiplexed links, with the
# simulator's DL aggregation on (16 datagrams / 16384 bytes) and off (1
# datagram). Under TCG absolute numbers mean nothing; the ratios are the
# result. Run: test/vm/run --script test/vm/guest/usb-bench.sh
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
. "$(dirname "$0")/usb-lib.sh"
set -u
trap mx_usb_cleanup EXIT
SECS=${MX_BENCH_SECONDS:-5}

# blast SECS IFACE:ADDR...: UDP echo through every link at once for SECS s;
# prints the echoed kbit/s summed over the links.
blast() {
  /usr/bin/python3 - "$@" <<'PY'
import select, socket, sys, time
secs = float(sys.argv[1]); links = [a.split(':') for a in sys.argv[2:]]
socks = []
for ifname, addr in links:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.bind((addr, 0)); s.setblocking(False); socks.append(s)
payload = b'x' * 1400; window = 32; got = 0; inflight = [0] * len(socks)
end = time.monotonic() + secs
while time.monotonic() < end:
    for i, s in enumerate(socks):
        while inflight[i] < window:
            try: s.sendto(payload, ('198.51.100.1', 9)); inflight[i] += 1
            except BlockingIOError: break
    r, _, _ = select.select(socks, [], [], 0.05)
    if not r: inflight = [0] * len(socks)  # lost: refill the window
    for s in r:
        i = socks.index(s)
        while True:
            try: got += len(s.recv(2048)); inflight[i] = max(0, inflight[i] - 1)
            except BlockingIOError: break
print(int(got * 8 / secs / 1000))
PY
}

# run_config LABEL SCENARIO: prints "LABEL links=1 kbit/s=..." and links=4.
run_config() {
  local label=$1 scenario=$2 m links= b B iface addr n
  cp "$scenario" "$D/scenario.conf"
  "$SIM" --scenario "$D/scenario.conf" --usb-gadget mx --control "$D/ctl" --log "$D/sim.log" > "$D/out" 2>&1 &
  SIM_PID=$!
  mx_wait 10 "simulator up ($label)" grep -q 'modemux-sim ready' "$D/out"
  mx_wait 20 "qmi_wwan bound the gadget" test -e /sys/class/net/wwan0/qmi/raw_ip -a -e /dev/cdc-wdm0
  udevadm settle --timeout=30
  "$MXD" --test-session > "$D/mxd.log" 2>&1 &
  MXD_PID=$!
  mx_wait 120 "modem up" mx_has_modem
  m=$(mx_usb_modem_index)
  for apn in internet ims apn3 apn4; do
    mmcli -m "$m" --timeout=120 --simple-connect="apn=$apn,multiplex=required" > /dev/null || mx_fail "connect $apn failed"
    b=$(mmcli -K -m "$m" | sed -n 's|^modem.generic.bearers.value\[[0-9]*\] *: .*/Bearer/||p' | tail -1)
    B=$(mmcli -K -b "$b")
    iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
    addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
    ip addr add "$addr/24" dev "$iface"
    links="$links $iface:$addr"
    n=$(wc -w <<<"$links")
    if [ "$n" = 1 ] || [ "$n" = 4 ]; then
      # shellcheck disable=SC2086
      echo "bench $label links=$n kbit/s=$(blast "$SECS" $links)"
    fi
  done
  simctl usb | sed -n -e 's/^data /bench '"$label"' data: /p' -e 's/^dl-aggregation /bench '"$label"' dl-aggregation: /p'
  kill "$MXD_PID"; wait "$MXD_PID"; MXD_PID=
  kill "$SIM_PID"; wait "$SIM_PID"; SIM_PID=
  mx_wait 20 "gadget gone" test ! -e /sys/class/net/wwan0
}

eval "$(dbus-daemon --session --fork --print-address=1 --print-pid=1 | { read -r a; read -r p; echo "export DBUS_SESSION_BUS_ADDRESS=$a BUS_PID=$p"; })"
mx_qmi_proxy_start
base=$MX_SOURCE_ROOT/test/sim/scenarios/ec25.conf
{ cat "$base"; printf '\n[apn apn3]\nipv4=10.66.0.0/24\nmtu=1500\n\n[apn apn4]\nipv4=10.67.0.0/24\nmtu=1500\n'; } > "$D/agg-on.conf"
sed 's/^dl-max-datagrams=.*/dl-max-datagrams=1/' "$D/agg-on.conf" > "$D/agg-off.conf"
run_config agg-on "$D/agg-on.conf" | tee "$D/on"
run_config agg-off "$D/agg-off.conf" | tee "$D/off"
/usr/bin/python3 - "$D/on" "$D/off" <<'PY'
import re, sys
v = {}
for f, label in ((sys.argv[1], 'on'), (sys.argv[2], 'off')):
    for line in open(f):
        m = re.match(r'bench agg-\w+ links=(\d) kbit/s=(\d+)', line)
        if m: v[(label, int(m.group(1)))] = int(m.group(2)) or 1
print('ratio 4 links / 1 link, DL aggregation on : %.2f' % (v[('on', 4)] / v[('on', 1)]))
print('ratio 4 links / 1 link, DL aggregation off: %.2f' % (v[('off', 4)] / v[('off', 1)]))
print('ratio aggregation on / off, 1 link : %.2f' % (v[('on', 1)] / v[('off', 1)]))
print('ratio aggregation on / off, 4 links: %.2f' % (v[('on', 4)] / v[('off', 4)]))
PY
