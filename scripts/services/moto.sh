#!/usr/bin/env bash
# Runs moto in server mode (S3, SQS, SSM, KMS on one port) for the integration tier and the demo.
# Idempotent; installs the pinned moto from scripts/services/requirements.txt when missing.
#
#   scripts/services/moto.sh start|stop|status|reset
set -euo pipefail

PORT="${S3LS_MOTO_PORT:-39500}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="$ROOT/.services/moto"
PID_FILE="$STATE/moto.pid"
URL="http://127.0.0.1:$PORT"
REQUIREMENTS="$(dirname "$0")/requirements.txt"
# moto lives in its own virtual environment: a stock Debian/Ubuntu Python refuses global pip
# installs (PEP 668, "externally-managed-environment"), and the project must not touch the system's.
VENV="$STATE/venv"
PYTHON="$VENV/bin/python"

die() { echo "moto.sh: $*" >&2; exit 1; }
# The node removes its pid file as it exits: read it once, quietly, so a stop never races a cat.
pid() { cat "$PID_FILE" 2>/dev/null; }
running() { local p; p=$(pid) && kill -0 "$p" 2>/dev/null; }
healthy() { curl -fsS "$URL/moto-api/" >/dev/null 2>&1; }

installed() {
  local want
  want=$(sed -nE 's/^moto\[server\]==(.*)$/\1/p' "$REQUIREMENTS")
  [[ -x "$PYTHON" ]] && "$PYTHON" -c 'import moto, moto.server, flask' 2>/dev/null && [[ "$("$PYTHON" -c 'import moto; print(moto.__version__)')" == "$want" ]]
}

install() {
  installed && return 0
  command -v python3 >/dev/null || die "Python 3 is needed to run moto (Debian/Ubuntu: apt-get install python3 python3-venv)"
  python3 -c 'import venv, ensurepip' 2>/dev/null || die "Python's venv module is missing; on Debian/Ubuntu: apt-get install python3-venv (then run this again)"
  local started=$SECONDS
  echo "installing moto into a virtual environment ($VENV; first run only, ~30 s)…"
  rm -rf "$VENV" && mkdir -p "$STATE"
  python3 -m venv "$VENV" || die "python3 -m venv failed"
  # pip names each package as it collects it: every tenth is the progress shown (all of it is in pip.log).
  "$PYTHON" -m pip install --disable-pip-version-check --no-input --progress-bar off -r "$REQUIREMENTS" 2>&1 \
    | tee "$STATE/pip.log" | awk '/^Collecting /{ n++; if (n % 10 == 0) { printf "  %d packages collected…\n", n; fflush() } }' || true
  installed || { tail -20 "$STATE/pip.log" >&2; die "installing moto failed (whole output: $STATE/pip.log)"; }
  echo "moto installed in $((SECONDS - started)) s"
}

start() {
  if running && healthy; then echo "moto already running at $URL"; return 0; fi
  command -v curl >/dev/null || die "curl is needed"
  install
  mkdir -p "$STATE"
  local started=$SECONDS
  echo "starting moto…"
  nohup "$PYTHON" -m moto.server -H 127.0.0.1 -p "$PORT" >"$STATE/moto.log" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 60); do
    if healthy; then echo "moto up at $URL in $((SECONDS - started)) s"; return 0; fi
    running || { tail -20 "$STATE/moto.log" >&2; die "moto exited during start"; }
    sleep 0.5
  done
  die "moto did not answer in 30 s (log: $STATE/moto.log)"
}

stop() {
  if running; then kill "$(pid)" 2>/dev/null || true; echo "moto stopped"; fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) healthy && curl -fsS -X POST "$URL/moto-api/reset" >/dev/null ;;
  status) if running && healthy; then echo "{\"running\":true,\"url\":\"$URL\"}"; else echo "{\"running\":false,\"url\":\"$URL\"}"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status|reset" ;;
esac
