"""Test-wide settings and the browser tests' shared fixtures. Under CI (the CI variable is set), hypothesis draws
the same examples every run, so a red CI is always reproducible; locally it keeps exploring new ones."""

import os

import pytest
from hypothesis import settings

from tests.browser_support import chromium, streamlit_server

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
