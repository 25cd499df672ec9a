#!/bin/bash
# mx-vm: --udev --dbus
# The services other VM tests build on run in the guest: systemd-udevd has
# initialized the links, the private system bus answers, and NetworkManager
# starts on it (tmpfs /var/lib/NetworkManager, no polkit) and sees a link
# created afterwards.
. "$(dirname "$0")/vm-lib.sh"
set -u

pidof systemd-udevd >/dev/null || mx_fail "systemd-udevd is not running (--udev)"
mx_exists /run/udev/data/n1 "udev processed lo (its database entry exists)"
[ -S /run/dbus/system_bus_socket ] || mx_fail "no system bus socket (--dbus)"
mx_contains "the private system bus answers" \
  "$(gdbus call --system -d org.freedesktop.DBus -o /org/freedesktop/DBus -m org.freedesktop.DBus.ListNames)" \
  "org.freedesktop.DBus"

nm=$HOME/nm
mkdir -p "$nm/profiles"
cat >"$nm/nm.conf" <<CONF
[main]
auth-polkit=false
plugins=keyfile
[keyfile]
path=$nm/profiles
[logging]
level=INFO
CONF
NetworkManager --no-daemon --config="$nm/nm.conf" --state-file="$nm/state" \
  --pid-file="$nm/pid" >"$nm/log" 2>&1 &
nm_pid=$!
trap 'kill $nm_pid 2>/dev/null; wait $nm_pid 2>/dev/null' EXIT
gdbus wait --system --timeout 60 org.freedesktop.NetworkManager ||
  { cat "$nm/log" >&2; mx_fail "NetworkManager did not claim its name within 60 s"; }
mx_ok "NetworkManager runs on the private bus"
mx_run "create dummy link after NM started" ip link add mxdummy0 type dummy
udevadm settle --timeout=30
for _ in $(seq 100); do
  nmcli -t -f DEVICE device 2>/dev/null | grep -qx mxdummy0 && break
  sleep 0.2
done
nmcli -t -f DEVICE device | grep -qx mxdummy0 ||
  { nmcli device >&2; cat "$nm/log" >&2; mx_fail "NetworkManager never listed mxdummy0"; }
mx_ok "NetworkManager lists mxdummy0"
