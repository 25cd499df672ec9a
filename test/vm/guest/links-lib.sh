# Helpers shared by the link manager's guest scripts (sourced after vm-lib.sh).
CTL=${MX_BUILD_ROOT:?MX_BUILD_ROOT not set}/src/ctl/modemuxctl
[ -x "$CTL" ] || mx_fail "modemuxctl not built at $CTL"
PY=/usr/bin/python3

# links_monitor_start FILE COUNT: `modemuxctl monitor --json --count COUNT`
# in the background, writing FILE; returns once it is listening.
links_monitor_start() {
  local file=$1 count=$2 i
  timeout 120 "$CTL" monitor --json --count "$count" >"$file" 2>"$file.err" &
  MONITOR_PID=$!
  for i in $(seq 200); do
    grep -q '"monitoring"' "$file" 2>/dev/null && return 0
    kill -0 "$MONITOR_PID" 2>/dev/null || mx_fail "monitor died: $(cat "$file.err")"
    sleep 0.05
  done
  mx_fail "monitor did not start listening"
}

# links_monitor_wait: waits for the monitor to have seen its COUNT events.
links_monitor_wait() {
  local rc=0
  wait "$MONITOR_PID" || rc=$?
  [ "$rc" = 0 ] || mx_fail "monitor ended with status $rc (124 = events missing); got: $(cat "$1")"
}

# links_event_count FILE EVENT [IFNAME]
links_event_count() {
  "$PY" - "$@" <<'PYEOF'
import json, sys
path, event = sys.argv[1], sys.argv[2]
name = sys.argv[3] if len(sys.argv) > 3 else None
n = 0
for line in open(path):
    e = json.loads(line)
    if e.get("event") != event:
        continue
    if name and e.get("link", {}).get("ifname") != name and e.get("port") != name:
        continue
    n += 1
print(n)
PYEOF
}
