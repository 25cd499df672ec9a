# Helpers for guest test scripts (bash), sourced as
#   . "$(dirname "$0")/vm-lib.sh"
# Every check prints what it expected; the first failure ends the script
# with status 1, which test/vm/run returns to meson.

# Every line says when it happened (seconds since the script started), so a
# slow step shows in the test log.
MX_T0=${EPOCHREALTIME/[.,]/}
mx_elapsed() { local t=$(( ${EPOCHREALTIME/[.,]/} - MX_T0 )); printf '%d.%d' $((t / 1000000)) $((t / 100000 % 10)); }
mx_fail() { echo "FAIL [$(mx_elapsed)s]: $*" >&2; exit 1; }
mx_ok() { echo "ok [$(mx_elapsed)s]: $*"; }

# mx_run DESCRIPTION CMD...: CMD must succeed; its output is shown on failure.
mx_run() {
  local what=$1 out; shift
  out=$("$@" 2>&1) || mx_fail "$what: '$*' failed: $out"
  mx_ok "$what"
}

# mx_must_fail DESCRIPTION CMD...: CMD must fail.
mx_must_fail() {
  local what=$1 out; shift
  out=$("$@" 2>&1) && mx_fail "$what: '$*' unexpectedly succeeded: $out"
  mx_ok "$what (refused: ${out:-no message})"
}

mx_exists() { [ -e "$1" ] || [ -L "$1" ] || mx_fail "$2: $1 does not exist"; mx_ok "$2"; }
mx_absent() { [ -e "$1" ] || [ -L "$1" ] && mx_fail "$2: $1 still exists"; mx_ok "$2"; }

# mx_contains DESCRIPTION HAYSTACK NEEDLE
mx_contains() {
  case $2 in
    *"$3"*) mx_ok "$1" ;;
    *) mx_fail "$1: expected '$3' in: $2" ;;
  esac
}

[ "${MX_VM:-}" = 1 ] || mx_fail "this script runs inside the VM tier (test/vm/run --script $0)"
