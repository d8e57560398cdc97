#!/usr/bin/env bash
# Builds the Pulumi CLI from the Go module proxy (release downloads are not reachable here) and
# caches it under .cache/pulumi-cli/<version>. pkg/v3's own go.mod replaces sdk/v3 by a relative
# path, so `go install …@version` refuses it: a throwaway wrapper module requires both at one version.
# Cold build: 10–20 min on 2 cores; afterwards the cached binary is reused.
#
#   scripts/services/pulumi-cli.sh path    # prints the binary's path, building it if needed
set -euo pipefail

VERSION="${S3LS_PULUMI_CLI_VERSION:-v3.248.0}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="$ROOT/.cache/pulumi-cli/$VERSION"
BIN="$DIR/bin/pulumi"

build() {
  local work="$DIR/wrapper"
  rm -rf "$work" && mkdir -p "$work" "$DIR/bin"
  cd "$work"
  go mod init s3ls.local/pulumi-cli >/dev/null 2>&1
  echo "pulumi-cli: resolving github.com/pulumi/pulumi/pkg/v3@$VERSION" >&2
  go get "github.com/pulumi/pulumi/pkg/v3@$VERSION" "github.com/pulumi/pulumi/sdk/v3@$VERSION" >&2
  go get -tool "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$VERSION" >&2
  echo "pulumi-cli: compiling (10–20 min on 2 cores from cold)" >&2
  local started=$SECONDS
  go build -trimpath -o "$BIN.partial" \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
  mv "$BIN.partial" "$BIN"
  echo "pulumi-cli: built in $((SECONDS - started)) s" >&2
}

case "${1:-path}" in
  path)
    [[ -x "$BIN" ]] || build
    echo "$BIN"
    ;;
  *)
    echo "usage: $0 path" >&2
    exit 2
    ;;
esac
