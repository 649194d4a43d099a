# Sourced by scripts/test.sh and bench/*.sh: installs missing programs with apt-get.
#
#   . scripts/need.sh
#   need cvs:cvs hg:mercurial     # COMMAND:DEBIAN_PACKAGE, installed only when COMMAND is missing
need() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  ((${#missing[@]})) || return 0
  echo "${0##*/}: installing ${missing[*]} with apt-get" >&2
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "${0##*/}: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}
