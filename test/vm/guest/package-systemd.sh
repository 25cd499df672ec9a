#!/bin/bash
# mx-vm: --systemd --timeout 400
# The Debian package as installed, under systemd as PID 1 (test/vm/run
# --systemd: an overlay root, so dpkg can install into it), on the real system
# bus with the real polkitd. ModemManager's own D-Bus policy, activation file
# and polkit actions are removed first, so what grants access is ours.
# Checks: dpkg -i; the polkit link follows ModemManager's file (postinst and
# trigger); the switch from ModemManager (`systemctl disable`/`enable`);
# D-Bus activation starts modemuxd (the alias); busctl names it; root lists
# modems; nobody may read but not change state (polkit refuses); a connect
# through the installed daemon to the simulator carries data; `systemctl
# stop` with a bearer up ends cleanly within TimeoutStopSec and leaves no
# links; systemd-analyze security on the installed unit is at most 2.5.
# The .deb: $MX_PACKAGE_DEB, else build-package/ of the source tree
# (tools/package); without one the test is skipped (77).
. "$(dirname "$0")/vm-lib.sh"
. "$(dirname "$0")/bearers-lib.sh"
set -u

deb=${MX_PACKAGE_DEB:-$(ls "${MX_SOURCE_ROOT:?}"/build-package/modemux_*_amd64.deb 2>/dev/null | tail -1)}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  echo "SKIP: no .deb (run tools/package, or set MX_PACKAGE_DEB)"
  exit 77
fi
[ "$(cat /proc/1/comm)" = systemd ] || mx_fail "PID 1 is $(cat /proc/1/comm), not systemd"
D=/run/mx-pkg
mkdir -p $D
SIM=/usr/bin/modemux-sim
SCENARIO=$MX_SOURCE_ROOT/test/sim/scenarios/default.conf
MM_POLICY=/usr/share/polkit-1/actions/org.freedesktop.ModemManager1.policy
OUR_LINK=/usr/share/polkit-1/actions/org.modemux.ModemManager1.policy
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
journal() { journalctl -b --no-pager -o cat -u modemuxd.service -u dbus.service | tail -40; }

# --- install -----------------------------------------------------------------
[ -e $MM_POLICY ] || mx_fail "the host has no ModemManager polkit actions; this test expects them"
# --no-triggers: man-db's index rebuild takes minutes under TCG; ours is run
# by hand below.
mx_run "dpkg -i $(basename "$deb")" dpkg --no-triggers -i "$deb"
for f in /usr/sbin/modemuxd /usr/bin/modemuxctl /usr/bin/modemux-sim /lib/systemd/system/modemuxd.service \
    /usr/share/dbus-1/system.d/modemux.conf /lib/dbus-1/system-services/org.freedesktop.ModemManager1.service; do
  [ -e "$f" ] || mx_fail "installed package lacks $f"
done
mx_ok "the package's files are in place"
mx_absent $OUR_LINK "with ModemManager's actions present, ours are not linked"
[ "$(systemctl is-enabled modemuxd)" = disabled ] || mx_fail "installing enabled modemuxd: $(systemctl is-enabled modemuxd)"
mx_ok "installing enables nothing"

# ModemManager's package gone (its files, as far as this test is concerned).
rm -f $MM_POLICY /etc/dbus-1/system.d/org.freedesktop.ModemManager1.conf \
  /usr/share/dbus-1/system-services/org.freedesktop.ModemManager1.service
dpkg-trigger --no-await /usr/share/polkit-1/actions
mx_run "pending trigger runs" dpkg --triggers-only modemux
[ "$(readlink $OUR_LINK)" = /usr/share/modemux/polkit-1/actions/org.freedesktop.ModemManager1.policy ] ||
  mx_fail "without ModemManager's actions ours are not linked: $(ls -l /usr/share/polkit-1/actions)"
mx_ok "without ModemManager's actions, the trigger links ours"
mx_run "dbus-daemon reloads its configuration" \
  busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig

# --- the modem: the simulator as an MHI QMI modem (bearers-lib.sh) ------------
"$SIM" --scenario "$SCENARIO" --qmi-proxy --data-tun mhi_hwip0 --control $D/ctl --log $D/sim.log > $D/out 2>&1 &
for _ in $(seq 100); do grep -q 'modemux-sim ready' $D/out && break; sleep 0.1; done
grep -q 'modemux-sim ready' $D/out || mx_fail "simulator did not start: $(cat $D/out)"
mknod /dev/wwan0qmi0 c 1 3
ip link set dev mhi_hwip0 mtu 16384
cat > $D/events <<EV
action=add,subsystem=wwan,name=wwan0qmi0,uid=sim-mhi,driver=mhi_wwan_ctrl
action=add,subsystem=net,name=mhi_hwip0,uid=sim-mhi,driver=mhi_net
EV
# Test options only (the VM has no MHI bus); the hardening stays the unit's.
mkdir -p /run/systemd/system/modemuxd.service.d
cat > /run/systemd/system/modemuxd.service.d/test.conf <<EOF2
[Service]
ExecStart=
ExecStart=/usr/sbin/modemuxd --no-auto-scan --initial-kernel-events=$D/events --debug
EOF2

# --- the switch ----------------------------------------------------------------
mx_run "systemctl disable --now ModemManager" systemctl disable --now ModemManager
mx_run "systemctl enable modemuxd" systemctl enable modemuxd
[ "$(readlink /etc/systemd/system/dbus-org.freedesktop.ModemManager1.service)" = /lib/systemd/system/modemuxd.service ] ||
  mx_fail "the activation alias does not point at modemuxd: $(ls -l /etc/systemd/system/dbus-org.freedesktop.ModemManager1.service)"
mx_ok "the alias dbus-org.freedesktop.ModemManager1.service is modemuxd.service"

# --- D-Bus activation, the bus policy, polkit ---------------------------------
[ "$(systemctl is-active modemuxd)" = inactive ] || mx_fail "modemuxd runs before anyone asked"
# mmcli does not auto-start the daemon; NetworkManager asks the bus to
# start the name, as this does.
out=$(busctl --timeout=60 call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
  StartServiceByName su org.freedesktop.ModemManager1 0 2>&1) ||
  mx_fail "StartServiceByName org.freedesktop.ModemManager1: $out; $(systemctl status --no-pager modemuxd 2>&1 | tail -5); $(journal)"
mx_ok "StartServiceByName org.freedesktop.ModemManager1 (D-Bus activation): $out"
for _ in $(seq 300); do mmcli -L 2>/dev/null | grep -q Modem/ && break; sleep 0.1; done
mmcli -L | grep -q Modem/0 || mx_fail "no modem: $(journal)"
[ "$(systemctl is-active modemuxd)" = active ] || mx_fail "modemuxd is $(systemctl is-active modemuxd)"
mx_ok "activation started modemuxd.service through the alias; root's mmcli -L lists Modem/0"
st=$(busctl status org.freedesktop.ModemManager1)
mx_contains "busctl status names modemuxd" "$st" "Comm=modemuxd"
mx_contains "busctl status names the unit" "$st" "Unit=modemuxd.service"
mx_run "systemctl start modemuxd (already active)" systemctl start modemuxd

out=$(nobody mmcli -L 2>&1) || mx_fail "nobody cannot read the modem list: $out"
mx_contains "nobody may read state" "$out" "Modem/0"
out=$(nobody mmcli -G DEBUG 2>&1) && mx_fail "nobody changed the log level: $out"
mx_contains "nobody's SetLogging is refused by polkit, not the bus" "$out" "Unauthorized"
out=$(nobody mmcli -m 0 -e 2>&1) && mx_fail "nobody enabled the modem: $out"
mx_contains "nobody's Enable is refused by polkit" "$out" "Unauthorized"
out=$(nobody busctl call org.freedesktop.ModemManager1 /org/freedesktop/ModemManager1 \
  org.freedesktop.ModemManager1 ReportKernelEvent 'a{sv}' 0 2>&1) && mx_fail "nobody reported a kernel event: $out"
mx_contains "nobody's ReportKernelEvent is denied by the bus policy" "$out" "ccess denied"
mx_run "root may change the log level" mmcli -G DEBUG

# --- a connect through the installed daemon -------------------------------------
mx_run "simple-connect apn=internet" mmcli -m 0 --simple-connect="apn=internet"
B=$(mmcli -K -b 0)
iface=$(sed -n 's/^bearer.status.interface *: //p' <<<"$B")
mux=$(ip -d link show dev "$iface" | sed -n 's/.*rmnet mux_id \([0-9]*\).*/\1/p')
[ -n "$mux" ] || mx_fail "$iface is not an rmnet link"
addr=$(sed -n 's/^bearer.ipv4-config.address *: //p' <<<"$B")
prefix=$(sed -n 's/^bearer.ipv4-config.prefix *: //p' <<<"$B")
mx_ping_counted "$iface" "$addr/$prefix" "$mux"

# --- stop with the bearer up ---------------------------------------------------
t0=${EPOCHREALTIME/[.,]/}
mx_run "systemctl stop modemuxd" systemctl stop modemuxd
ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
[ $ms -lt 15000 ] || mx_fail "stop took $ms ms (TimeoutStopSec=15s)"
res=$(systemctl show -p Result --value modemuxd)
[ "$res" = success ] || mx_fail "stop result $res: $(journal)"
mx_ok "stopped in $ms ms, Result=success (no SIGKILL, exit 0)"
[ -z "$(mx_our_links)" ] || mx_fail "links left after stop: $(mx_our_links)"
mx_ok "no links of ours left"
[ -z "$(busctl status org.freedesktop.ModemManager1 2>/dev/null | grep PID=)" ] || mx_fail "the name is still owned"
mx_ok "the bus name is released"

# --- hardening of the installed unit ---------------------------------------------
sec=$(systemd-analyze security --no-pager modemuxd.service 2>&1 | sed -n 's/.*Overall exposure level for modemuxd.service: \([0-9.]*\).*/\1/p')
[ -n "$sec" ] || mx_fail "systemd-analyze security printed no exposure"
awk "BEGIN { exit !($sec <= 2.5) }" || mx_fail "exposure $sec > 2.5"
mx_ok "systemd-analyze security modemuxd.service: exposure $sec"
"$SIM" --ctl $D/ctl shutdown >/dev/null
