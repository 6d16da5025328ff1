#!/usr/bin/env bash
# Fetches igv.js from the npm registry (package `igv`, pinned version) into
# .venv/share/igv/ when missing, and prints the path of the built igv.min.js.
# The report inlines this file so its IGV views work offline (no CDN). Not committed.
# The build is unpacked under .venv/share/igv/<version>/ and copied to
# .venv/share/igv/igv.min.js (the path nextflow.config's params.igv_js points at) behind a
# first line "/*! igv.js <version> (npm igv) */", from which the report reads the version
# wherever the file is staged (containers see only the staged file).
#   usage: tools/install_igv.sh [VENV_DIR]     (default: .venv next to this script's repo)
set -euo pipefail
version="3.5.3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$here/.venv}"
dest="$venv/share/igv/$version"
js="$dest/package/dist/igv.min.js"
out="$venv/share/igv/igv.min.js"
banner="/*! igv.js $version (npm igv) */"
publish() {
  { echo "$banner"; cat "$js"; } > "$out.tmp" && mv "$out.tmp" "$out"
  echo "$out"
}
if [[ -s "$js" ]]; then
  if [[ -s "$out" ]] && [[ "$(head -n 1 "$out")" == "$banner" ]]; then echo "$out"; else publish; fi
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "install_igv: npm is required (Debian package 'npm')" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "igv@$version" >/dev/null 2>"$tmp/npm.log" ) \
  || { echo "install_igv: npm pack igv@$version failed: $(tail -n 1 "$tmp/npm.log")" >&2; exit 1; }
mkdir -p "$dest"
tar -xzf "$tmp/igv-$version.tgz" -C "$dest"
[[ -s "$js" ]] || { echo "install_igv: $js not found in the npm package" >&2; exit 1; }
publish
