#!/bin/bash
# Benchmark (not a test): the soak. Many connect/disconnect cycles through
# the real mmcli with modemuxd under a memory checker; its RSS, open fds and
# links must stay flat and the checker must report nothing.
#
#   bench/soak.sh vm [ASAN_BUILD_DIR] [CYCLES] [BEARERS]
#       (default: ./build-asan, 1000 cycles, 8 bearers) in the VM tier's
#       guest: real rmnet, the simulator as an MHI QMI modem (as
#       bench/cycles.sh), BEARERS multiplexed bearers connected and
#       disconnected concurrently per cycle, modemuxd built with
#       -Db_sanitize=address,undefined:
#         meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
#         ninja -C build-asan
#   bench/soak.sh host [BUILD_DIR] [CYCLES]
#       (default: ./build, 200 cycles) on the host: the umockdev MHI stack
#       of test/modem/test_modem_mmcli.py, modemuxd under valgrind memcheck,
#       one non-multiplexed bearer (the host kernel has no rmnet).
#
# Prints cycle, RSS (kB), fds and links of ours at the start, every 100
# cycles (every 25 on the host) and at the end, then the rate; the last line
# is "result: flat" or names what grew or what the checker reported.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)

# sanitize_of BUILD_DIR: the build's b_sanitize value ("none", "address,undefined").
sanitize_of() {
  /usr/bin/python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1] + "/meson-info/intro-buildoptions.json"))
            if o["name"] == "b_sanitize"), "unknown"))' "$1" 2>/dev/null || echo unknown
}

if [ "${MX_VM:-}" != 1 ]; then
  mode=${1:-}
  case "$mode" in
    vm)
      build=$(cd "${2:-$src/build-asan}" && pwd)
      [ -x "$build/src/daemon/modemuxd" ] || { echo "no modemuxd in $build" >&2; exit 1; }
      case $(sanitize_of "$build") in *address*) ;; *)
        echo "warning: $build is not an ASan build (-Db_sanitize=address,undefined)" >&2 ;; esac
      exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" \
        "$src/test/vm/run" --timeout "${MX_SOAK_TIMEOUT:-14400}" --memory 2048 -- \
        /bin/bash "$src/bench/soak.sh" --guest "${3:-1000}" "${4:-8}" ;;
    host)
      build=$(cd "${2:-$src/build}" && pwd)
      exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" PYTHONDONTWRITEBYTECODE=1 \
        PYTHONPATH="$src/test/harness" MODEMUX_SIM="$build/test/sim/modemux-sim" \
        MODEMUX_SIM_SCENARIOS="$src/test/sim/scenarios" \
        MX_MODEM_FIXTURE="$src/test/fixtures/mhi-qmi-rm500q.umockdev" \
        /usr/bin/python3 "$src/bench/soak-host.py" "${3:-200}" ;;
    *) echo "usage: bench/soak.sh vm [ASAN_BUILD_DIR] [CYCLES] [BEARERS] | host [BUILD_DIR] [CYCLES]" >&2
       exit 64 ;;
  esac
fi

# ---- guest ----
[ "${1:-}" = --guest ] || exit 64
CYCLES=$2 BEARERS=$3
. "$MX_SOURCE_ROOT/test/vm/guest/vm-lib.sh"
. "$MX_SOURCE_ROOT/test/vm/guest/bearers-lib.sh"
. "$MX_SOURCE_ROOT/bench/bench-lib.sh"
mx_bench_guest_setup
modprobe rmnet 2>/dev/null || true
# A small quarantine: ASan's default (256 MB) grows RSS by itself.
export ASAN_OPTIONS="detect_leaks=1:quarantine_size_mb=16:malloc_context_size=8:log_path=$D/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$D/ubsan"

mx_mhi_stack_start "$MX_SOURCE_ROOT/test/sim/scenarios/default.conf" --log-level=WARN > /dev/null
mmcli -m 0 -e > /dev/null
for _ in $(seq 100); do mmcli -K -m 0 | grep -q 'state *: registered' && break; sleep 0.1; done
bearers=()
for i in $(seq "$BEARERS"); do
  b=$(mmcli -m 0 --create-bearer="apn=internet,multiplex=required" | sed -n 's|.*/Bearer/\([0-9]*\).*|\1|p')
  [ -n "$b" ] || { echo "result: FAIL: create-bearer $i"; exit 1; }
  bearers+=("$b")
done
echo "modemuxd soak: $CYCLES cycles x $BEARERS concurrent multiplexed bearers (guest kernel $(uname -r), TCG, sanitizers: $(sanitize_of "$MX_BUILD_ROOT"))"
printf '%6s %8s %5s %6s\n' cycle rss_kB fds links
fds0=$(mx_proc_fds "$MXD_PID")
# The cycles in one D-Bus client (bench/soak-cycles.py): Bearer.Connect and
# Disconnect, as mmcli -b N --connect/--disconnect call them, all bearers at once.
verdict=flat
/usr/bin/python3 "$MX_SOURCE_ROOT/bench/soak-cycles.py" "$D/summary" "$MXD_PID" "$CYCLES" \
  "${bearers[@]/#//org/freedesktop/ModemManager1/Bearer/}" 2> "$D/errors" ||
  verdict=$(tail -1 "$D/errors")
read -r i secs rss100 < "$D/summary" || true
i=${i:-0} secs=${secs:-0}
echo "$i cycles in $secs s ($(awk "BEGIN { printf \"%.2f\", $i / ($secs ? $secs : 1) }") cycles/s, $(( i * BEARERS * 2 )) bearer connects+disconnects)"
rss_end=$(mx_proc_rss "$MXD_PID") fds_end=$(mx_proc_fds "$MXD_PID")
[ "$verdict" = flat ] && verdict=$(mx_bench_growth "$fds0" "$fds_end" "${rss100:-}" "$rss_end")
kill "$MXD_PID"; wait "$MXD_PID"; status=$?; MXD_PID=
reports=$(cat "$D"/asan* "$D"/ubsan* 2>/dev/null | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' | head -3)
[ -n "$reports" ] && verdict="sanitizer report: $reports"
[ "$verdict" = flat ] && [ "$status" != 0 ] && verdict="modemuxd exited with $status"
[ "$verdict" = flat ] && echo "result: flat" || { echo "result: FAIL: $verdict"; exit 1; }
