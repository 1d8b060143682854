#!/usr/bin/env bash
# Install everything the tests need, then run them all (lint, unit, AppTest pages, real-browser tests).
#   - Debian's Chromium (+ an emoji font for readable screenshots) for the Playwright browser tests;
#     Playwright drives /usr/bin/chromium, it never downloads a browser of its own;
#   - Debian's HAProxy, for the tests of scripts/serve.sh (replicas behind a load balancer);
#   - Debian's redis-server, for the class store's tests (each starts its own on a free loopback port);
#   - the pinned Python requirements (runtime + tests);
#   - axe-core from npm (Debian's npm if missing) into .node/ (git-ignored), for tests/test_accessibility.py:
#     the browser loads it from there, never from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/debian_packages.sh
need_debian_packages /usr/bin/chromium "chromium fonts-noto-color-emoji" /usr/sbin/haproxy haproxy /usr/bin/npm npm \
  /usr/bin/redis-server redis-server
AXE_CORE=4.14.1
if ! grep -qs "\"version\": \"$AXE_CORE\"" .node/node_modules/axe-core/package.json; then
  npm install --prefix .node --no-audit --no-fund --loglevel=error "axe-core@$AXE_CORE"
fi
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
python3 -m ruff check .
# Two workers (pytest-xdist), each taking whole files, so a file's module fixtures stay in one process; each worker
# has its own Streamlit server and Chromium (tests/conftest.py), on ports of their own. (A third worker on this
# 2-core machine was no faster, and its load made a replica test's 15 s wait for a push run out once.) Files go out in the order
# tests/conftest.py gives them (the browser files, which hold the longest tests, first). Hypothesis draws the same
# examples on every run and machine (the "ci" profile, tests/hypothesis_profiles.py). Options in "$@" come later and win
# (-n 0 runs in one process, --hypothesis-profile=explore explores).
python3 -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder --hypothesis-profile=ci "$@"
