#!/usr/bin/env bash
# Debian's Chromium for the browser tests (test tools cannot download their own browser here).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "[chromium] not installed and not root: install Debian's 'chromium' package to run the browser tests" >&2
  exit 1
fi
echo "[chromium] installing Debian's chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version >&2
