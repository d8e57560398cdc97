#!/usr/bin/env bash
# Builds Pulumi's YAML language host (pulumi-language-yaml) from the Go module proxy, as
# pulumi-cli.sh builds the CLI, and caches it under .cache/pulumi-language-yaml/<version>. The
# engine tier runs a YAML program that uses the component through it. v1.25.0 is the newest the
# proxy serves here; it reads a program's `packages:` entries (since 1.15).
#
#   scripts/services/pulumi-language-yaml.sh path    # prints the directory holding the binary, building it if needed
set -euo pipefail

VERSION="${S3LS_PULUMI_YAML_VERSION:-v1.25.0}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="$ROOT/.cache/pulumi-language-yaml/$VERSION"
BIN="$DIR/bin/pulumi-language-yaml"

build() {
  local work="$DIR/wrapper"
  rm -rf "$work" && mkdir -p "$work" "$DIR/bin"
  cd "$work"
  go mod init s3ls.local/pulumi-language-yaml >/dev/null 2>&1
  echo "pulumi-language-yaml: resolving github.com/pulumi/pulumi-yaml@$VERSION" >&2
  go get "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$VERSION" >&2
  local started=$SECONDS
  go build -trimpath -o "$BIN.partial" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml >&2
  mv "$BIN.partial" "$BIN"
  echo "pulumi-language-yaml: built in $((SECONDS - started)) s" >&2
}

case "${1:-path}" in
  path)
    [[ -x "$BIN" ]] || build
    dirname "$BIN"
    ;;
  *)
    echo "usage: $0 path" >&2
    exit 2
    ;;
esac
