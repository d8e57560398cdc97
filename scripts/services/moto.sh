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

die() { echo "moto.sh: $*" >&2; exit 1; }
running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }
healthy() { curl -fsS "$URL/moto-api/" >/dev/null 2>&1; }

start() {
  if running && healthy; then echo "moto already running at $URL"; return 0; fi
  command -v python3 >/dev/null || die "Python 3 is needed to run moto"
  command -v curl >/dev/null || die "curl is needed"
  if ! python3 -c 'import moto, moto.server, flask' 2>/dev/null || [[ "$(python3 -c 'import moto; print(moto.__version__)')" != "$(sed -nE 's/^moto\[server\]==(.*)$/\1/p' "$(dirname "$0")/requirements.txt")" ]]; then
    echo "installing moto (scripts/services/requirements.txt)…"
    python3 -m pip install --quiet --disable-pip-version-check -r "$(dirname "$0")/requirements.txt" || die "pip install failed"
  fi
  mkdir -p "$STATE"
  nohup python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$STATE/moto.log" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 60); do
    if healthy; then echo "moto up at $URL"; return 0; fi
    running || { tail -20 "$STATE/moto.log" >&2; die "moto exited during start"; }
    sleep 0.5
  done
  die "moto did not answer in 30 s (log: $STATE/moto.log)"
}

stop() {
  if running; then kill "$(cat "$PID_FILE")" 2>/dev/null || true; echo "moto stopped"; fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  reset) healthy && curl -fsS -X POST "$URL/moto-api/reset" >/dev/null ;;
  status) if running && healthy; then echo "{\"running\":true,\"url\":\"$URL\"}"; else echo "{\"running\":false,\"url\":\"$URL\"}"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status|reset" ;;
esac
