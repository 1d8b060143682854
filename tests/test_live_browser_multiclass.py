"""The live view with three classes in a real Chromium: the regions are painted in each class's tint during a run
(sampled from the boundary canvas), the legend lists every class with its shape, the hidden-unit maps name the
class each unit raises; screenshots during the run at 1920×1080, 1366×768 and on a phone."""

from __future__ import annotations

import pytest

from scratchnet import figures
from tests.browser_support import exceptions, live_attrs, screenshot, wait_live
from tests.test_live_browser import PHONE, PROJECTOR, open_live

pytestmark = pytest.mark.browser

# The boundary canvas's pixels (device pixels), sampled on a coarse lattice inside the plot box.
SAMPLE = """() => {
  const cv = document.querySelector('[data-testid=sn-boundary]'), ctx = cv.getContext('2d');
  const { width: w, height: h } = cv, out = [];
  for (let y = 0.1; y < 0.85; y += 0.05) for (let x = 0.1; x < 0.95; x += 0.05) {
    out.push(Array.from(ctx.getImageData(Math.round(x * w), Math.round(y * h), 1, 1).data.slice(0, 3)));
  }
  return out;
}"""


def hue_share(pixels: list[list[int]], color: str) -> float:
    """Share of sampled pixels on the white → tint line of `color` (the class's shades), away from white."""
    tint = [int(figures.tint(color, figures.BOUNDARY_TINT)[k : k + 2], 16) for k in (1, 3, 5)]
    hits = 0
    for p in pixels:
        t = [(255 - p[i]) / max(1e-9, 255 - tint[i]) for i in range(3)]
        if min(t) > 0.25 and max(t) - min(t) < 0.12:  # the same mix of white and this tint in every channel
            hits += 1
    return hits / len(pixels)


@pytest.mark.parametrize("name, context", [("1920", PROJECTOR), ("1366", None), ("390", PHONE)])
def test_three_class_regions_are_painted_live_in_each_class_tint(browser, base_url, name, context):
    page = open_live(browser, base_url, "Neural_network?data=spiral3&hidden=32&lr=1&iters=2000",
                     **(context or {}))
    legend = page.inner_text(".sn-legend")
    for c in ("train · 0", "train · 1", "train · 2", "test · 2"):
        assert c in legend, legend
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 600", timeout_ms=60_000)
    pixels = page.evaluate(SAMPLE)
    screenshot(page, f"live-{name}-spiral3-midrun")
    shares = [hue_share(pixels, c) for c in figures.CLASS_COLORS[:3]]
    assert all(s > 0.08 for s in shares), shares  # three regions, each in its own class's shades
    entries, lines, left = map(int, page.get_attribute("[data-testid=sn-grad]", "data-legend").split())
    assert entries == 6 and left >= 0, (entries, lines, left)  # ‖dW1‖ … ‖db2‖, W2's three rows: none cut off
    label = page.get_attribute("[data-testid=sn-boundary]", "aria-label")
    assert label.startswith("Decision regions of 3 classes over x1"), label
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'paused'")
    page.wait_for_selector("[data-testid=sn-units] canvas")
    caption = page.inner_text("[data-testid=sn-units] figcaption")
    assert "→" in caption, caption  # each unit names the class its largest W2 weight raises
    assert live_attrs(page)["draws"] > 10
    assert not exceptions(page), exceptions(page)
    page.context.close()
