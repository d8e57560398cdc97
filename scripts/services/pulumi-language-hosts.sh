#!/usr/bin/env bash
# Builds Pulumi's Python, Node.js and Go language hosts (pulumi-language-python, -nodejs, -go)
# from a copy of Pulumi's own sources, at the CLI's version, and caches them under
# .cache/pulumi-language-hosts/<version>/bin. The Go module proxy does not serve the hosts' own
# modules (github.com/pulumi/pulumi/sdk/{python,nodejs}/cmd/...): only Pulumi's repository has them.
#
# Where the sources come from: S3LS_PULUMI_SOURCE, either a checkout of github.com/pulumi/pulumi or
# its git directory (a bare clone, or a mirror whose large test files are absent: only the hosts'
# own files are read, blob by blob, at the tag v<version>). From those sources we take each host's
# main package and its go.mod; the go.mod's `replace` of sdk/v3 and pkg/v3 by the repository's
# folders becomes a requirement of the same modules at the CLI's version from the module proxy (the
# same code the tag holds), so nothing else of the repository is needed.
#
#   S3LS_PULUMI_SOURCE=~/src/pulumi scripts/services/pulumi-language-hosts.sh path
#       # prints the directory holding the three hosts (and pulumi-language-python-exec); exits 3 when
#       # the hosts are not built and no source is given
set -euo pipefail

VERSION="${S3LS_PULUMI_CLI_VERSION:-v3.248.0}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="$ROOT/.cache/pulumi-language-hosts/$VERSION"
BIN="$DIR/bin"
SOURCE="${S3LS_PULUMI_SOURCE:-}"

# A checkout has the files; a git directory (bare clone, mirror) has them only as objects.
is_checkout() { [[ -d "$SOURCE/sdk" ]]; }

# Copies `folder` of Pulumi's sources at $VERSION into `destination`, tests and test data left out.
export_folder() {
  local folder="$1" destination="$2"
  mkdir -p "$destination"
  if is_checkout; then
    # A checkout: it is whatever version it is; say when that is not the CLI's.
    cp -r "$SOURCE/$folder/." "$destination/"
  else
    local files
    files=$(git --git-dir="$SOURCE" ls-tree -r --name-only "$VERSION" -- "$folder")
    [[ -n "$files" ]] || { echo "pulumi-language-hosts: $SOURCE has no $folder at $VERSION" >&2; exit 1; }
    while IFS= read -r file; do
      local relative="${file#"$folder"/}"
      mkdir -p "$destination/$(dirname "$relative")"
      git --git-dir="$SOURCE" show "$VERSION:$file" >"$destination/$relative"
    done < <(grep -v -e '/testdata/' -e '_test\.go$' <<<"$files")
  fi
  rm -rf "$destination/testdata" && find "$destination" -name '*_test.go' -delete
}

# Builds one host: its module from the sources, Pulumi's sdk/v3 and pkg/v3 from the module proxy.
build_host() {
  local language="$1" folder="$2"
  local work="$DIR/src/pulumi-language-$language"
  rm -rf "$work"
  export_folder "$folder" "$work"
  cd "$work"
  go mod edit -dropreplace github.com/pulumi/pulumi/sdk/v3 -dropreplace github.com/pulumi/pulumi/pkg/v3 \
    -require "github.com/pulumi/pulumi/sdk/v3@$VERSION" -require "github.com/pulumi/pulumi/pkg/v3@$VERSION"
  echo "pulumi-language-$language: resolving its modules at $VERSION" >&2
  go mod tidy >&2
  local started=$SECONDS
  go build -trimpath -o "$BIN/pulumi-language-$language.partial" \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION" . >&2
  mv "$BIN/pulumi-language-$language.partial" "$BIN/pulumi-language-$language"
  echo "pulumi-language-$language: built in $((SECONDS - started)) s" >&2
}

built() {
  [[ -x "$BIN/pulumi-language-python" && -x "$BIN/pulumi-language-nodejs" && -x "$BIN/pulumi-language-go" &&
    -x "$BIN/pulumi-language-python-exec" ]]
}

case "${1:-path}" in
  path)
    if ! built; then
      if [[ -z "$SOURCE" ]]; then
        echo "pulumi-language-hosts: not built, and S3LS_PULUMI_SOURCE names no copy of Pulumi's sources" >&2
        exit 3
      fi
      SOURCE="$(cd "$SOURCE" && pwd)"
      if is_checkout; then
        echo "pulumi-language-hosts: building from the checkout $SOURCE as it is (the CLI is $VERSION)" >&2
      fi
      mkdir -p "$BIN"
      build_host python sdk/python/cmd/pulumi-language-python
      build_host nodejs sdk/nodejs/cmd/pulumi-language-nodejs
      build_host go sdk/go/pulumi-language-go
      # The Python host runs programs through this shim, which it looks for on PATH.
      export_folder sdk/python/cmd "$DIR/src/python-cmd"
      install -m 0755 "$DIR/src/python-cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
    fi
    echo "$BIN"
    ;;
  *)
    echo "usage: [S3LS_PULUMI_SOURCE=DIR] $0 path" >&2
    exit 2
    ;;
esac
