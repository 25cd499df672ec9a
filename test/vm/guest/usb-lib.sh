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
