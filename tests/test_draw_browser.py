"""Issue #25 in a real Chromium, on one server: TF Playground's two checkboxes act on the live plane while it plays
(read from the canvases' pixels), points drawn on the plane train at the next Step (its loss is the core's on the
drawn set the page's URL carries), shift-click removes one, and the "Use it in class" link hides what was ticked.
Screenshots during a run on drawn points at 1920×1080, 1366×768 and on a phone."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest

from scratchnet import TrainingRun, evaluate, make_model
from scratchnet.data.drawn import decode
from scratchnet.ui.params import Settings
from tests.browser_support import ROOT, exceptions, live_attrs, poll, screenshot, wait_idle, wait_live
from tests.test_live_browser import PHONE, PROJECTOR, open_live

pytestmark = pytest.mark.browser

# Colours inside the plot box of the boundary canvas (device pixels), on a lattice; the points are on the overlay.
BOUNDARY_COLOURS = """() => {
  const cv = document.querySelector('[data-testid=sn-boundary]'), ctx = cv.getContext('2d');
  const dpr = window.devicePixelRatio || 1, w = cv.width, h = cv.height, out = [];
  for (let y = 12 * dpr; y < h - 48 * dpr; y += 9) for (let x = 56 * dpr; x < w - 12 * dpr; x += 9) {
    out.push(Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)).join(','));
  }
  return out;
}"""
# How many pixels of the overlay (axes, ticks and points) are painted.
OVERLAY_INK = """() => {
  const cv = document.querySelector('.sn-overlay');
  const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
  return n;
}"""
ROOT_ATTR = "document.querySelector('[data-testid=sn-live]').dataset"
# how long a finger stays down before it removes the nearest point (draw.js)
LONG_PRESS_MS = int(re.search(r"LONG_PRESS_MS = (\d+)", (ROOT / "scratchnet/ui/live_component/draw.js").read_text())[1])


def top_two_share(colours: list[str]) -> float:
    return sum(n for _, n in Counter(colours).most_common(2)) / len(colours)


def checkbox(page, label: str):
    return page.locator("[data-testid=stCheckbox]").filter(has_text=label).first


def test_the_two_checkboxes_act_on_the_plane_while_it_plays(browser, base_url):
    page = open_live(browser, base_url, "Neural_network?data=moons&iters=10000")
    assert "test · 0" in page.inner_text(".sn-legend")
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 300", timeout_ms=60_000)
    ink, shaded = page.evaluate(OVERLAY_INK), top_two_share(page.evaluate(BOUNDARY_COLOURS))
    checkbox(page, "Show test data").click()
    poll(lambda: page.evaluate(f"() => {ROOT_ATTR}.showTest") == "false", timeout=60, what="show-test off")
    poll(lambda: page.evaluate(OVERLAY_INK) < ink, timeout=60, what="the test points gone from the overlay")
    assert "test ·" not in page.inner_text(".sn-legend")
    checkbox(page, "Discretize output").click()
    poll(lambda: page.evaluate(f"() => {ROOT_ATTR}.discrete") == "true", timeout=60, what="discrete on")
    # two flat colours (and the line between them), not a shading
    flat = poll(lambda: (lambda share: share if share > 0.9 else None)(top_two_share(page.evaluate(BOUNDARY_COLOURS))),
                timeout=60, what="two flat colours")
    assert shaded < 0.9, (flat, shaded)
    screenshot(page, "checkboxes-1366-midrun-discrete-no-test")
    shown = live_attrs(page)["shown"]
    wait_live(page, f"a.state === 'playing' && a.shown > {shown}", timeout_ms=60_000)  # the same run plays on
    checkbox(page, "Show test data").click()
    poll(lambda: page.evaluate(OVERLAY_INK) >= ink * 0.95, timeout=60, what="the test points back")
    assert "showtest=false" not in page.url and "discrete=true" in page.url  # in the URL, as every setting
    assert not exceptions(page), exceptions(page)
    page.context.close()


def plane_click(page, fx: float, fy: float, shift: bool = False) -> None:
    """Click the plot box of the boundary at fractions (fx across, fy down) of its size (with Shift held)."""
    box = page.locator("[data-testid=sn-boundary]").bounding_box()
    left, top, w, h = 54, 10, box["width"] - 64, box["height"] - 56
    page.click("[data-testid=sn-boundary]", position={"x": left + fx * w, "y": top + fy * h},
               modifiers=["Shift"] if shift else None)


def pts_of(url: str):
    return decode(parse_qs(urlparse(url).query)["pts"][-1])


def core_loss_after_step(drawn) -> str:
    """The training loss after one Step (10 iterations) of the default network on the drawn set, by the core."""
    s = Settings.from_values({})
    ds = drawn.dataset(s.seed)
    run = TrainingRun(make_model("net", 2, 2, **s.model_hyper()), ds.X_train, ds.y_train, ds.X_test, ds.y_test,
                      lr=s.lr, seed=s.seed, snapshot_every=10)
    run.advance(10, lr=s.lr, l2=s.l2)
    return f"{evaluate(run.model, ds.X_train, ds.y_train)[0]:.4f}"  # the weights after the step, as the status


def test_drawn_points_train_at_the_next_step_and_shift_click_removes(browser, base_url):
    page = open_live(browser, base_url, "Neural_network?data=drawn")
    assert live_attrs(page)["points"] == 2  # one point per class to start from
    for fx, fy in ((0.2, 0.8), (0.3, 0.75)):  # class 0 beside class 1's start point (lower left)
        plane_click(page, fx, fy)
    wait_live(page, "a.points === 4")
    page.locator("[data-testid=stRadio] label").filter(has_text="class 1").click()
    wait_idle(page)
    plane_click(page, 0.8, 0.2)  # class 1 beside class 0's start point (upper right)
    plane_click(page, 0.5, 0.5)
    wait_live(page, "a.points === 6")
    plane_click(page, 0.5, 0.5, shift=True)  # removes the one just drawn there
    wait_live(page, "a.points === 5")
    wait_idle(page)
    page.focus("[data-testid=sn-boundary]")  # from the keyboard: a cross in the middle, Enter adds, Delete removes
    page.keyboard.press("Enter")
    wait_live(page, "a.points === 6")
    wait_idle(page)
    page.keyboard.press("Delete")
    wait_live(page, "a.points === 5")
    wait_idle(page)
    drawn = pts_of(page.url)
    assert drawn.n == 5 and sorted(drawn.c) == [0, 0, 0, 1, 1]
    page.click("[data-testid=sn-step]")
    wait_live(page, "a.state === 'paused' && a.shown === 10")
    status = page.inner_text("[data-testid=sn-status]")
    assert f"train loss {core_loss_after_step(drawn)}" in status, status
    assert re.search(r"accuracy train (0|20|40|60|80|100)%", status), status  # five points
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 200", timeout_ms=60_000)
    screenshot(page, "draw-1366-midrun")
    link = page.url
    page.context.close()
    for name, context in (("1920", PROJECTOR), ("390", PHONE)):
        view = open_live(browser, base_url, link[len(base_url) + 1:] + "&iters=10000", **context)
        assert live_attrs(view)["points"] == 5  # the link carries the drawn set
        view.click("[data-testid=sn-play]")
        wait_live(view, "a.state === 'playing' && a.shown >= 300", timeout_ms=60_000)
        screenshot(view, f"draw-{name}-midrun")
        # a finger on the plane scrolls the page (drawing on or off): the canvas never takes the pan
        assert view.eval_on_selector("[data-testid=sn-boundary]", "c => getComputedStyle(c).touchAction") == "pan-y"
        # a point drawn while playing: the run pauses for it and plays on, on six points, from its weights
        if context is PHONE:
            box = view.locator("[data-testid=sn-boundary]").bounding_box()
            view.touchscreen.tap(box["x"] + 54 + 0.9 * (box["width"] - 64), box["y"] + 10 + 0.1 * (box["height"] - 56))
        else:
            plane_click(view, 0.9, 0.1)
        wait_live(view, "a.points === 6 && a.state === 'playing'", timeout_ms=60_000)
        assert "training goes on from the weights it had" in view.inner_text("[data-testid=sn-live] .sn-notice")
        assert not exceptions(view), exceptions(view)
        view.context.close()


def plane_point(page, fx: float, fy: float) -> tuple[float, float]:
    """Where (fx across, fy down) of the boundary's plot box is in the viewport, the plane scrolled into view."""
    plane = page.locator("[data-testid=sn-boundary]")
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    return box["x"] + 54 + fx * (box["width"] - 64), box["y"] + 10 + fy * (box["height"] - 56)


def row_tops(page, keys: list[str]) -> list[float]:
    return [page.locator(f".st-key-{key}").bounding_box()["y"] for key in keys]


def test_on_a_phone_a_tap_adds_a_long_press_removes_and_a_swipe_does_neither(browser, base_url):
    """Real touch input (Chrome's own, through the DevTools protocol: Playwright has no long press), on drawn
    data whose start points are at (±2.1, ±2.1): class 0 upper right, class 1 lower left."""
    page = open_live(browser, base_url, "Neural_network?data=drawn", **PHONE)
    # the controls above the plane: the two checkboxes share a row, Draw and the class the next one
    checks, draw = row_tops(page, ["showtest", "discrete"]), row_tops(page, ["draw_on", "draw_class"])
    assert abs(checks[0] - checks[1]) < 8 and abs(draw[0] - draw[1]) < 12 and draw[0] > checks[0] + 20, (checks, draw)
    heights = page.eval_on_selector_all(".st-key-sn_picture_row label:visible", "ls => ls.map(l => l.offsetHeight)")
    assert heights and min(heights) >= 24, heights  # touch targets
    assert live_attrs(page)["points"] == 2
    cdp = page.context.new_cdp_session(page)

    def touch(kind: str, x: float = 0, y: float = 0) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    page.touchscreen.tap(*plane_point(page, 0.5, 0.2))  # A: upper middle
    wait_live(page, "a.points === 3")
    page.touchscreen.tap(*plane_point(page, 0.5, 0.8))  # B: lower middle
    wait_live(page, "a.points === 4")
    poll(lambda: pts_of(page.url).n == 4, what="the two taps in the set that trains (the link)")

    # a long press on A removes it: while the finger is still down, once LONG_PRESS_MS has passed
    touch("touchStart", *plane_point(page, 0.5, 0.2))
    wait_live(page, "a.points === 3", timeout_ms=LONG_PRESS_MS + 10_000)
    touch("touchEnd")  # lifting it adds nothing
    wait_idle(page)

    # a finger that moves on B (across, then up: the page scrolls) neither adds nor removes, however long it stays
    for dx, dy in ((12, 0), (0, -12)):
        x, y = plane_point(page, 0.5, 0.8)
        touch("touchStart", x, y)
        for i in range(1, 6):
            touch("touchMove", x + i * dx, y + i * dy)
        page.wait_for_timeout(LONG_PRESS_MS + 300)  # past the long press, the finger still down
        touch("touchEnd")
    wait_idle(page)
    assert live_attrs(page)["points"] == 3  # on screen
    # D, a last tap: once it is in, the edits sent before it are too (one message at a time, in order)
    page.touchscreen.tap(*plane_point(page, 0.9, 0.6))
    wait_live(page, "a.points === 4")

    def upper_zeros(drawn) -> int:
        return sum(drawn.c[i] == 0 and drawn.points[i][1] > 1 for i in range(drawn.n))

    # the set that trains (the link), once the server has it: four points, A gone (the start point only up there)
    drawn = poll(lambda: (d := pts_of(page.url)).n == 4 and upper_zeros(d) == 1 and d,
                 what="the drawn set in the link with A removed and D added")
    xy = drawn.points
    assert live_attrs(page)["points"] == 4, live_attrs(page)
    zeros = [tuple(xy[i]) for i in range(drawn.n) if drawn.c[i] == 0]
    assert sorted(drawn.c) == [0, 0, 0, 1], drawn
    assert sum(y > 1 for _, y in zeros) == 1, zeros  # the start point only: A is gone
    assert any(abs(x) < 1 and y < -1 for x, y in zeros), zeros  # B stays
    assert any(x > 1.5 and -1.5 < y < 0.5 for x, y in zeros), zeros  # D
    assert not exceptions(page), exceptions(page)
    page.context.close()


def test_the_use_it_in_class_link_hides_what_was_ticked(browser, base_url):
    page = open_live(browser, base_url, "Logistic_regression?data=circles&lr=0.3")
    in_class = page.locator("[data-testid=stExpander]:has(summary:has-text('Use it in class'))")
    in_class.locator("summary").click()
    for label in ("Hide data set controls", "Hide batch size and L2"):
        checkbox(page, label).click()
        wait_idle(page)
    code = in_class.locator("[data-testid=sn-copy] code").inner_text()
    assert "hide=advanced,data" in code and "lr=0.3" in code and "data=circles" in code, code
    page.goto(code.strip())
    wait_idle(page)
    page.wait_for_selector("[data-testid=sn-live][data-state]", state="attached")
    labels = page.locator("[data-testid=stWidgetLabel]").all_inner_texts()
    assert not {"Data set", "Batch size", "L2 penalty λ"} & {t.strip() for t in labels}, labels
    assert any("Learning rate" in t for t in labels), labels  # α always stays
    assert "0.3" in page.locator("[data-testid=stSlider]").first.inner_text()
    page.context.close()
