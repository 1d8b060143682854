"""Test-wide settings and the browser tests' shared fixtures. Under CI (the CI variable is set), hypothesis draws
the same examples every run, so a red CI is always reproducible; locally it keeps exploring new ones."""

import os
import time
import types

import pytest
from hypothesis import settings

from tests.browser_support import chromium, streamlit_server
from ui import live_ahead, live_engine

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="module")
def base_url():
    """The app on a free loopback port, one server per test module."""
    with streamlit_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module."""
    with chromium() as b:
        yield b


@pytest.fixture(autouse=True)
def frames_as_asked(monkeypatch):
    """The live engine trains frames against wall-clock budgets: a slow server sends fewer frames than asked for.
    On a loaded test machine that made frame counts vary (a CI run once got 1 frame where a test read the
    second). Stopped, that clock never runs out, so in-process tests get the frames they ask for; the budgets
    themselves are tested with a clock of their own (test_live_engine). Browser tests' servers are not touched."""
    stopped = types.SimpleNamespace(perf_counter=lambda: 0.0, monotonic=time.monotonic)
    monkeypatch.setattr(live_engine, "time", stopped)
    monkeypatch.setattr(live_ahead, "time", stopped)
