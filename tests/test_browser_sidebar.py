"""The sidebar's starting state in a real browser: open on a wide screen, closed on a phone and in presentation mode.

Run with `python -m pytest -q -m browser tests/test_browser_sidebar.py` (Debian's Chromium, as tests/test_browser.py).
"""

from __future__ import annotations

import pytest

from tests.browser_support import exceptions, wait_idle

pytestmark = pytest.mark.browser

WIDE = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize(("device", "path", "open_"), [
    (WIDE, "/Neural_network", True),
    (WIDE, "/Neural_network?hide=gradients", False),  # presentation mode: any hidden group
    (WIDE, "/?hide=data,model", False),
    (PHONE, "/Neural_network", False),
])
def test_sidebar_starts_open_only_on_a_wide_screen_outside_presentation_mode(app, device, path, open_):
    base_url, browser = app
    context = browser.new_context(**device)
    try:
        page = context.new_page()
        page.goto(base_url + path)
        wait_idle(page)
        assert not exceptions(page), exceptions(page)
        assert page.locator("[data-testid=stSidebar]").is_visible() is open_, path
        assert page.locator("[data-testid=stExpandSidebarButton]").count() == (0 if open_ else 1), path
    finally:
        context.close()


@pytest.fixture(scope="module")
def app(base_url, browser):
    """The worker's server and Chromium for these cases: (base URL, browser)."""
    return base_url, browser
