#!/usr/bin/env bash
# Installs Debian's headless-capable `chromium` when missing (used only by the report
# tests: they open each HTML report offline and screenshot it). Prints the browser path.
# As root it uses apt-get; otherwise it says what to install and fails.
set -euo pipefail
for b in chromium chromium-browser; do
  if command -v "$b" >/dev/null 2>&1; then command -v "$b"; exit 0; fi
done
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "install: apt-get install chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  command -v chromium
else
  echo "install_browser: chromium missing; please install the Debian package 'chromium'" >&2
  exit 1
fi
