#!/usr/bin/env bash
# Install everything the tests need, then run them all (lint, unit, AppTest pages, real-browser tests).
#   - Debian's Chromium (+ an emoji font for readable screenshots) for the Playwright browser tests;
#     Playwright drives /usr/bin/chromium, it never downloads a browser of its own;
#   - Debian's HAProxy, for the tests of scripts/serve.sh (replicas behind a load balancer);
#   - Debian's redis-server, for the class store's tests (each starts its own on a free loopback port);
#   - the pinned Python requirements (runtime + tests).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/debian_packages.sh
need_debian_packages /usr/bin/chromium "chromium fonts-noto-color-emoji" /usr/sbin/haproxy haproxy \
  /usr/bin/redis-server redis-server
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python3 -m ruff check .
python3 -m pytest -q "$@"
