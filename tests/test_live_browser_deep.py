"""A six-layer network (issue 24) in a real Chromium: it plays to the end on one mounted boundary, then shows its
first layer's unit maps with the note that says what they are."""

from __future__ import annotations

import pytest

from tests.browser_support import exceptions, live_attrs, status_text, wait_live
from tests.test_live_browser import open_live

pytestmark = pytest.mark.browser


def test_a_six_layer_momentum_run_plays_to_the_end_and_shows_its_first_layers_units(browser, base_url):
    page = open_live(browser, base_url, "Neural_network?layers=8,8,8,8,8,8&act=tanh&opt=Momentum&iters=200")
    page.eval_on_selector("[data-testid=sn-boundary]", "el => { el.__snMark = 'same node'; }")
    page.click("[data-testid=sn-play]")
    done = wait_live(page, "a.state === 'finished'", timeout_ms=60_000)
    assert done["shown"] == 200 and status_text(page).startswith("Iteration 200 / 200 · finished")
    assert page.eval_on_selector("[data-testid=sn-boundary]", "el => el.__snMark") == "same node"
    assert done["draws"] > 5
    page.wait_for_selector("[data-testid=sn-units] canvas")
    assert page.locator("[data-testid=sn-units] figure").count() == 8  # the first layer's 8 units
    note = page.inner_text("[data-testid=sn-units] .sn-units-note")
    assert "first-layer unit" in note and "not a weighted sum" in note
    assert "path =" in page.inner_text("[data-testid=sn-units] figcaption >> nth=0")
    assert live_attrs(page)["state"] == "finished" and not exceptions(page), exceptions(page)
    page.context.close()
