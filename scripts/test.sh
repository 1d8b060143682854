#!/usr/bin/env bash
# Install everything the tests need, then run them all (lint, unit, AppTest pages, real-browser tests).
#   - Debian's Chromium (+ an emoji font for readable screenshots) for the Playwright browser tests;
#     Playwright drives /usr/bin/chromium, it never downloads a browser of its own.
#   - the pinned Python requirements (runtime + tests).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  sudo_if_needed() { if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-color-emoji
fi
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python3 -m ruff check .
python3 -m pytest -q "$@"
