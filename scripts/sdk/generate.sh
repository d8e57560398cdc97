#!/usr/bin/env bash
# Generates the package's Python and Go SDKs from a schema with gen-sdk (scripts/sdk/gen-sdk: Pulumi's
# own code generators, as `pulumi package add` runs them), building gen-sdk first if its sources
# changed (cached under .cache/gen-sdk/<hash of its sources>; about a minute from cold).
#
#   scripts/sdk/generate.sh [SCHEMA] [OUT]    # defaults: dist/schema.json (npm run build), .cache/sdk
#                                             # writes OUT/python and OUT/go
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SCHEMA="${1:-$ROOT/dist/schema.json}"
OUT="${2:-$ROOT/.cache/sdk}"
SOURCES="$ROOT/scripts/sdk/gen-sdk"
command -v go >/dev/null || export PATH="$PATH:/usr/local/go/bin"

hash=$(cat "$SOURCES/main.go" "$SOURCES/go.mod" "$SOURCES/go.sum" | sha256sum | cut -c1-16)
BIN="$ROOT/.cache/gen-sdk/$hash/gen-sdk"
if [[ ! -x "$BIN" ]]; then
  echo "gen-sdk: building (about a minute from cold)" >&2
  mkdir -p "$(dirname "$BIN")"
  (cd "$SOURCES" && go build -trimpath -o "$BIN.partial" .) >&2
  mv "$BIN.partial" "$BIN"
fi
[[ -f "$SCHEMA" ]] || { echo "generate.sh: no schema at $SCHEMA (npm run build writes dist/schema.json)" >&2; exit 1; }
"$BIN" -schema "$SCHEMA" -out "$OUT"
