"""The sidebar in a real browser: open at the start on a wide screen, closed on a phone and in presentation mode;
on a phone, closed again after a tap on one of its page links.

Run with `python -m pytest -q -m browser tests/test_browser_sidebar.py` (Debian's Chromium, as tests/test_browser.py).
"""

from __future__ import annotations

import re

import pytest

from tests.browser_support import exceptions, wait_idle, wait_ready

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


@pytest.mark.parametrize(("device", "stays_open"), [(PHONE, False), (WIDE, True)])
def test_a_page_link_closes_the_sidebar_only_where_it_hides_the_page(app, device, stays_open):
    """Streamlit's own page menu closes the sidebar after a tap on a phone; its st.page_link links (the sidebar's
    here) did not, so the page a student tapped opened under the sidebar (seen at 390×844)."""
    base_url, browser = app
    context = browser.new_context(**device)
    try:
        page = context.new_page()
        page.goto(base_url + "/Neural_network")
        wait_ready(page)
        sidebar = page.locator("[data-testid=stSidebar]")
        if not stays_open:
            page.locator("[data-testid=stExpandSidebarButton]").tap()
            page.wait_for_selector("[data-testid=stSidebar][data-collapsed=false]")
        link = sidebar.locator("a[data-testid=stPageLink-NavLink][href$='Logistic_regression']")
        link.tap() if not stays_open else link.click()
        page.wait_for_url(re.compile(r"/Logistic_regression(\?|$)"))
        wait_ready(page)
        assert page.locator("[data-testid=stMain] h1").inner_text().startswith("Logistic regression")
        page.wait_for_selector(f"[data-testid=stSidebar][data-collapsed={str(not stays_open).lower()}]",
                               state="attached")
        assert sidebar.is_visible() is stays_open and not exceptions(page), exceptions(page)
        assert page.locator("[data-testid=stExpandSidebarButton]").count() == (0 if stays_open else 1)
    finally:
        context.close()


@pytest.fixture(scope="module")
def app(base_url, browser):
    """The worker's server and Chromium for these cases: (base URL, browser)."""
    return base_url, browser
