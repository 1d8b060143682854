# Sourced by scripts/test.sh and scripts/serve.sh: install Debian packages only when what they provide is missing.
#   need_debian_packages /usr/bin/chromium "chromium fonts-noto-color-emoji" /usr/sbin/haproxy haproxy
# Arguments come in pairs: a file that proves the package is there, then the package(s) that provide it.
# One `apt-get update` + `apt-get install` for everything missing; nothing at all when all files exist.
need_debian_packages() {
  local missing=()
  while [ "$#" -ge 2 ]; do
    if [ ! -x "$1" ]; then
      # shellcheck disable=SC2206  # the package list is meant to split on spaces
      missing+=($2)
    fi
    shift 2
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" = "0" ] || sudo=(sudo)
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}
