"""Test-wide settings and the browser tests' shared fixtures. Hypothesis' profiles live in hypothesis_profiles.py:
under CI (the CI variable is set, or scripts/test.sh) it draws the same examples every run, so a red CI is always
reproducible; a plain local `pytest` keeps drawing new ones."""

import os

import pytest
from hypothesis import settings

import tests.hypothesis_profiles  # noqa: F401  (registers the "ci" and "explore" profiles)
from tests.browser_support import chromium
from tests.live_support import set_engine_clock
from tests.serving import streamlit_server

if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def base_url():
    """The app on a free loopback port, one server per test process (each xdist worker has its own): the server
    keeps no state between sessions but their sessions, and each test opens pages in contexts of its own."""
    with streamlit_server() as base:
        yield base


@pytest.fixture(scope="session")
def _chromium():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def browser(_chromium):
    """Debian's Chromium driven by Playwright, one per test process; whatever a module leaves open (a context with
    a run still playing) is closed at the module's end, so no module's pages cost the next one CPU."""
    yield _chromium
    for context in list(_chromium.contexts):
        context.close()


@pytest.fixture(autouse=True)
def frames_as_asked(monkeypatch):
    """The live engine reads the clock for its frame budgets (a slow server sends fewer frames than asked for) and
    to estimate where a browser is by now (the frames after an α change). On a loaded test machine that made
    results vary: a CI run once got 1 frame where a test read the second. In-process tests see the clock stopped,
    so they get the frames they ask for and no time passes between two lines (a test setting `live.seen` uses
    0.0); the budgets are tested with a clock of their own (test_live_engine). Browser tests are not touched."""
    set_engine_clock(monkeypatch, perf_counter=lambda: 0.0, monotonic=lambda: 0.0)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test using the browser or server fixtures carries the browser mark (checked here). Under pytest-xdist
    (scripts/test.sh: --dist loadfile --no-loadscope-reorder), the files with browser tests
    go first: they hold the longest tests (a replica killed and failed over alone takes ~45 s), and a long file
    handed out last would leave the other worker idle at the end. Within a file the order stays as written."""
    unmarked = [item.nodeid for item in items
                if {"browser", "base_url", "served"} & set(getattr(item, "fixturenames", ()))
                and not item.get_closest_marker("browser")]
    if unmarked:  # `-m "not browser"` must run on a machine without Chromium or HAProxy
        raise pytest.UsageError(f"tests that start Chromium or HAProxy need @pytest.mark.browser: {unmarked}")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    browser_files = {item.path for item in items if item.get_closest_marker("browser")}
    items.sort(key=lambda item: item.path not in browser_files)  # stable: files and tests keep their order
