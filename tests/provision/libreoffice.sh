#!/usr/bin/env bash
# Debian's LibreOffice (Calc and Writer), headless, for the tests that open the XLSX and DOCX the
# project writes the way an office does (and convert them) and that make a legacy .xls to import.
set -euo pipefail
if command -v soffice >/dev/null 2>&1 && soffice --version >/dev/null 2>&1; then
  exit 0
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "[libreoffice] not installed and not root: install Debian's 'libreoffice-calc' and 'libreoffice-writer' to run the office tests" >&2
  exit 1
fi
echo "[libreoffice] installing Debian's libreoffice-calc and libreoffice-writer" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends libreoffice-calc libreoffice-writer >/dev/null
soffice --version >&2
