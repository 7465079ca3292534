#!/usr/bin/env bash
# Debian's Chromium for the report's browser tests (tests/test_report_browser.py), installed when absent.
# Playwright drives it; Playwright's own browser download is never used.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${OSCE_STANCE_CHROMIUM:-}" ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
  echo "error: Chromium is missing and this user cannot install it; install Debian's chromium package (or set OSCE_STANCE_CHROMIUM)" >&2
  exit 1
fi
echo "installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; } || {
  echo "error: could not install Debian's chromium (apt-get failed); the browser tests need it" >&2
  exit 1
}
