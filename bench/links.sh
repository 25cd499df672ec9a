#!/bin/bash
# Link manager benchmark (not a test): time to create and delete N rmnet
# links on one lower with modemuxctl, N = 1, 16, 64, 254, and the per-link
# cost. Target: per-link create cost at 254 within 1.2x of the cost at 1.
#
#   bench/links.sh [BUILD_DIR]      (default: ./build; boots the VM tier)
#
# On the host it re-runs itself inside the VM (test/vm/run): rmnet needs the
# VM's kernel. Creation is timed inside modemuxctl (`link-add --count N`:
# per link mux id allocation, NEWLINK, GETLINK, alias, up, final GETLINK,
# one link after the other), so process start-up and the initial dump are
# not counted; deletion is `link-del-all` (requests pipelined). Under TCG
# absolute times are several times those of real hardware: compare ratios.
# Each N is run REPEAT times (default 3) and the median is printed.
set -eu

if [ "${MX_VM:-}" != 1 ]; then
  src=$(cd "$(dirname "$0")/.." && pwd)
  build=$(cd "${1:-$src/build}" && pwd)
  [ -x "$build/src/ctl/modemuxctl" ] || { echo "no modemuxctl in $build" >&2; exit 1; }
  exec env MX_BUILD_ROOT="$build" MX_SOURCE_ROOT="$src" REPEAT="${REPEAT:-3}" \
    "$src/test/vm/run" --timeout 1200 -- /bin/bash "$src/bench/links.sh"
fi

CTL=$MX_BUILD_ROOT/src/ctl/modemuxctl
REPEAT=${REPEAT:-3}
ip tuntap add mxbench0 mode tun
ip link set mxbench0 up

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-5s %11s %15s %11s %15s\n' N create_ms create_ms/link delete_ms delete_ms/link
declare -A per_link
for n in 1 16 64 254; do
  creates=() deletes=()
  for r in $(seq "$REPEAT"); do
    out=$("$CTL" link-add mxbench0 --count "$n" --flags ingress-deaggregation) ||
      { echo "create of $n links failed" >&2; exit 1; }
    creates+=("$(sed -n 's/^created [0-9]* links on [^ ]* in \([0-9.]*\) ms.*/\1/p' <<<"$out")")
    del=$("$CTL" link-del-all mxbench0)
    grep -q "deleted $n link(s)" <<<"$del" || { echo "delete failed: $del" >&2; exit 1; }
    deletes+=("$(sed -n 's/.* in \([0-9.]*\) ms$/\1/p' <<<"$del")")
  done
  c=$(printf '%s\n' "${creates[@]}" | median)
  d=$(printf '%s\n' "${deletes[@]}" | median)
  per_link[$n]=$(awk -v t="$c" -v n="$n" 'BEGIN { printf "%.3f", t / n }')
  printf '%-5s %11s %15s %11s %15s\n' "$n" "$c" "${per_link[$n]}" "$d" \
    "$(awk -v t="$d" -v n="$n" 'BEGIN { printf "%.3f", t / n }')"
done
awk -v a="${per_link[254]}" -v b="${per_link[1]}" \
  'BEGIN { printf "per-link create cost at 254 / at 1: %.2fx (target <= 1.2x)\n", a / b }'
