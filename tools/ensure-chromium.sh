#!/usr/bin/env bash
# Browser tests need Debian's chromium (Playwright must not download its own browser here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests (once, ~40 s)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "MISSING: chromium (/usr/bin/chromium). Browser tests will be skipped." >&2
echo "  fix: as root run 'apt-get install chromium', or set WORKBENCH_CHROMIUM=/path/to/chromium" >&2
exit 0
