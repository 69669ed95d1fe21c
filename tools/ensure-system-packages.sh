#!/usr/bin/env bash
# System packages the tests use: Debian's chromium (browser tests; Playwright must not download its own
# browser here) and PostgreSQL (the store's portability test starts a throwaway server from it).
# Installs them as root; otherwise says what is missing - those tests then skip with the reason.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the tests (once, about a minute)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "MISSING: ${missing[*]}. The tests that need them will be skipped." >&2
echo "  fix: as root run 'apt-get install ${missing[*]}'" >&2
exit 0
