#!/usr/bin/env bash
# Install everything the tests need (pip requirements, Debian's Chromium for the browser tests), then run them all.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then apt-get update && apt-get install -y chromium fonts-noto-color-emoji; else sudo apt-get update && sudo apt-get install -y chromium fonts-noto-color-emoji; fi
fi
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python3 -m ruff check .
python3 -m pytest -q "$@"
