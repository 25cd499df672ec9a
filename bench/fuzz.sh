#!/usr/bin/env bash
# bench/fuzz.sh [SECONDS] [TARGET...]: runs every libFuzzer target of
# test/fuzz/ (or the named ones) for SECONDS each (default 60; so the whole
# run takes 7 x SECONDS), one after the other, and prints per target the
# executions, executions per second, the corpus size reached and the crashes.
# libFuzzer stops a target at its first crash, leak, sanitizer report or
# hang (an input running over 10 s), so crashes is 0 or 1 per target.
# The clang build is build-fuzz (CC=clang, -Dfuzzing=true, ASan+UBSan). Each
# run starts from the tree's corpus (test/fuzz/corpus/NAME) in a scratch
# copy, so new inputs never land in the tree by themselves; crashes are kept
# in build-fuzz/fuzz-artifacts/NAME/. A find goes into the corpus minimised,
# as test/fuzz/corpus/NAME/find-WHAT, with its fix (docs/testing.md).
# Last line: "fuzz: N crashes"; the exit status is non-zero on any crash.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
build=build-fuzz
all=(bearer-props kernel-event-dict kernel-event-file udev-tags link-map-attrs rtnl sim-scenario)
targets=("${@:-${all[@]}}")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dvm_tests=disabled -Dbuildtype=debugoptimized >/dev/null
fi
nice ninja -C "$build" $(printf 'test/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
total=0
printf '%-20s %12s %10s %8s %8s\n' target executions exec/s corpus crashes
for t in "${targets[@]}"; do
  art="$build/fuzz-artifacts/$t/"
  mkdir -p "$art" "$scratch/$t"
  cp test/fuzz/corpus/"$t"/* "$scratch/$t/"
  find "$art" -type f | sort >"$scratch/$t.before"
  # -timeout: an input running 10 s is a hang, kept as a timeout-* artifact.
  nice "$build/test/fuzz/fuzz-$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="$art" -max_len=4096 "$scratch/$t" >"$scratch/$t.log" 2>&1 || true
  find "$art" -type f | sort | comm -13 "$scratch/$t.before" - >"$scratch/$t.new"
  crashes=$(wc -l <"$scratch/$t.new")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch/$t.log" | tail -1)
  [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$scratch/$t.log" | tail -1 | tr -d '#')
  corpus=$(find "$scratch/$t" -type f | wc -l)
  printf '%-20s %12s %10s %8s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$crashes"
  if [ "$crashes" -gt 0 ]; then
    grep -m3 -E 'ERROR: |SUMMARY: |runtime error' "$scratch/$t.log" | sed 's/^/    /' || true
    sed 's/^/    artifact: /' "$scratch/$t.new"
  fi
  total=$((total + crashes))
done
echo "fuzz: $total crashes"
[ "$total" -eq 0 ]
