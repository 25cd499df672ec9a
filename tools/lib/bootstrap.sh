# shellcheck shell=bash
# Sourced by tools/check and tools/demo: installs the Debian packages listed in
# tools/debian-packages that are missing (quietly, only those), then makes sure
# a configured build directory exists. Idempotent.

mx_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

mx_log() { printf '==> %s\n' "$*"; }

mx_missing_packages() {
  local pkg
  sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$mx_root/tools/debian-packages" |
  while read -r pkg; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || echo "$pkg"
  done
}

mx_bootstrap_packages() {
  local missing
  missing=$(mx_missing_packages | tr '\n' ' ')
  [ -z "${missing// }" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: $missing; run as root or install them" >&2
    return 1
  fi
  mx_log "installing missing Debian packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# mx_setup_build DIR [meson options...]: configure DIR once, reconfigure never
# (meson regenerates itself when build files change).
mx_setup_build() {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    mx_log "configuring $dir"
    meson setup "$dir" "$mx_root" "$@" >/dev/null
  fi
  mx_log "building $dir"
  ninja -C "$dir" >/dev/null || ninja -C "$dir"
}
