#!/bin/bash
# The guest is what test/vm/run promises: our kernel, the host root
# read-only, writable tmpfs paths, loopback up, the build tree visible,
# the results directory writable and the environment passed through.
. "$(dirname "$0")/vm-lib.sh"
set -u

mx_contains "guest runs the test kernel (6.1)" "$(uname -r)" "6.1"
[ "$(hostname)" = mx-vm ] || mx_fail "hostname is $(hostname), expected mx-vm"
mx_must_fail "host root is read-only" touch /usr/mx-vm-probe
for d in /tmp /run /var/tmp /var/lib/NetworkManager "$HOME" "$MX_VM_RESULTS"; do
  f=$d/mx-vm-probe
  echo probe >"$f" 2>/dev/null || mx_fail "$d is not writable"
  rm -f "$f"
done
mx_ok "tmpfs paths, HOME and MX_VM_RESULTS are writable"
mx_contains "loopback is up" "$(ip -o link show lo)" "UP"
[ -n "${MX_BUILD_ROOT:-}" ] || mx_fail "MX_BUILD_ROOT not passed through"
[ -d "$MX_BUILD_ROOT" ] || mx_fail "MX_BUILD_ROOT=$MX_BUILD_ROOT not visible in the guest"
[ -f "$MX_SOURCE_ROOT/test/vm/run" ] || mx_fail "MX_SOURCE_ROOT=$MX_SOURCE_ROOT not visible in the guest"
mx_ok "build and source trees visible"
for dev in /dev/net/tun /dev/qrtr-tun /dev/null /dev/ptmx; do
  mx_exists "$dev" "devtmpfs provides $dev"
done
mx_contains "/proc is the guest's" "$(cat /proc/cmdline)" "rdinit=/init"
