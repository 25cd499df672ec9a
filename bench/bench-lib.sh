# Shared by the VM benches bench/cycles.sh and bench/soak.sh (sourced in the
# guest, after test/vm/guest/vm-lib.sh and bearers-lib.sh).

# mx_bench_guest_setup: the MHI stack's variables, its cleanup on exit, and
# mmcli on the private test bus.
mx_bench_guest_setup() {
  SIM=$MX_BUILD_ROOT/test/sim/modemux-sim
  MXD=$MX_BUILD_ROOT/src/daemon/modemuxd
  D=$(mktemp -d)
  SIM_PID= MXD_PID= BUS_PID=
  trap mx_mhi_stack_stop EXIT
  mmcli() { /usr/bin/mmcli --test-session "$@"; }
}

# mx_bench_report LABEL: one row of cycle, RSS (kB), fds, links of ours.
mx_bench_report() {
  printf '%6s %8s %5s %6s\n' "$1" "$(mx_proc_rss "$MXD_PID")" "$(mx_proc_fds "$MXD_PID")" "$(mx_our_links | wc -w)"
}

# mx_bench_growth FDS0 FDS_END RSS_REF RSS_END: prints "flat" or what grew.
# More than 5 % RSS over the reference (taken after the first cycles have
# filled GLib's and libqmi's caches) is growth, not noise.
mx_bench_growth() {
  local verdict=flat
  [ "$2" -gt "$1" ] && verdict="fds grew: $1 -> $2"
  [ -n "$3" ] && [ $(($4 * 100)) -gt $(($3 * 105)) ] && verdict="rss grew: $3 -> $4 kB"
  [ -n "$(mx_our_links)" ] && verdict="links left: $(mx_our_links)"
  echo "$verdict"
}
