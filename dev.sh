#!/usr/bin/env bash
# Set up a fresh Debian machine (as root) or a developer's, then act:
#   bash dev.sh setup   install system packages (only those missing) and the Python env
#   bash dev.sh demo    setup, then build the sample digest into reports/
#   bash dev.sh test    setup, then run the test suite
#   bash dev.sh bench   setup, then run the benchmarks (writes benchmarks/results.md)
set -euo pipefail
cd "$(dirname "$0")"

DEBS=(python3 python3-venv python3-pip fontconfig
      fonts-arphic-uming fonts-arphic-ukai fonts-wqy-zenhei fonts-lxgw-wenkai fonts-symbola fonts-liberation2
      poppler-utils libreoffice-writer-nogui redis-server chromium chromium-driver)
VENV=${JIANBAO_VENV:-.venv}

have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

setup() {
  local missing=()
  for p in "${DEBS[@]}"; do
    case "$p" in
      python3|python3-venv|python3-pip) command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null && continue ;;
    esac
    have_deb "$p" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "dev.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[test]"
}

case "${1:-}" in
  setup) setup ;;
  demo)  setup; "$VENV/bin/jianbao" validate && "$VENV/bin/jianbao" build --format docx,pdf,md ;;
  test)  setup; shift; "$VENV/bin/python" -m pytest "$@" ;;
  bench) setup; "$VENV/bin/python" benchmarks/run.py ;;
  *) echo "usage: bash dev.sh setup|demo|test|bench" >&2; exit 2 ;;
esac
