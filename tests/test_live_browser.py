"""The live view's JavaScript in a real Chromium: one mounted node for the whole run, Pause on the frame the
server's run is at, the α-change mark, a phone that scrolls over the charts, and the projector layout.
Everything waits on conditions (the view's data-* attributes, Streamlit's idle state), never on sleeps."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import (
    LIVE,
    LOOK_BACK,
    exceptions,
    live_attrs,
    live_ready,
    screenshot,
    settle_paused,
    status_text,
    wait_idle,
    wait_live,
)

pytestmark = pytest.mark.browser

ALPHA = "input[type=range][aria-label='Learning rate α']"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
# every font the canvases draw text with, recorded before the view's module loads
RECORD_FONTS = """(() => {
  const seen = window.__snFonts = new Set(), proto = CanvasRenderingContext2D.prototype, fill = proto.fillText;
  proto.fillText = function (...args) { seen.add(this.font); return fill.apply(this, args); };
})();"""


def open_live(browser, base: str, path: str, **context):
    ctx = browser.new_context(**(context or {"viewport": {"width": 1366, "height": 768}}))
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.add_init_script(RECORD_FONTS)
    page.goto(f"{base}/{path}")
    live_ready(page)
    wait_idle(page)
    assert not exceptions(page), exceptions(page)
    return page


def server_iteration(page) -> int:
    """The server's run iteration, as the paused look-back slider shows it (its maximum is where the run is)."""
    page.wait_for_selector(LOOK_BACK, state="attached")
    return int(page.get_attribute(LOOK_BACK, "max"))


# resolves after n more animation frames: anything the view had due is drawn by then
NEXT_FRAMES = """n => new Promise(done => {
  const tick = () => (--n <= 0 ? done() : requestAnimationFrame(tick));
  requestAnimationFrame(tick);
})"""


def test_the_boundary_survives_a_run_and_pause_stops_the_server_on_the_frame_on_screen(browser, base_url):
    page = open_live(browser, base_url, "Neural_network")
    page.eval_on_selector("[data-testid=sn-boundary]", "el => { el.__snMark = 'same node'; }")
    assert live_attrs(page)["state"] == "idle" and page.inner_text("[data-testid=sn-play]") == "▶ Play"
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 120")
    assert page.inner_text("[data-testid=sn-play]") == "⏸ Pause"
    page.click("[data-testid=sn-play]")
    paused = wait_live(page, "a.state === 'paused'")
    settle_paused(page, paused["shown"])
    # read after the pause's own draw: Pause puts the frame with the diagram's numbers on screen (diagram.js
    # pauseFrame, in the click's task) and draws it at the next animation frame, which a wait can read before
    settled = live_attrs(page)
    page.evaluate(NEXT_FRAMES, 10)
    after = live_attrs(page)
    assert settled["shown"] == after["shown"] == paused["shown"]  # frozen on that frame
    assert after["draws"] == settled["draws"]  # nothing drawn since
    assert server_iteration(page) == paused["shown"]  # and the server's run is exactly there
    assert status_text(page).startswith(f"Iteration {paused['shown']:,} / 1,000 · paused")
    assert page.inner_text("[data-testid=sn-play]") == "▶ Resume"

    page.click("[data-testid=sn-step]")
    stepped = wait_live(page, f"a.shown === {paused['shown'] + 10}")
    settle_paused(page, stepped["shown"])
    assert server_iteration(page) == stepped["shown"]

    page.click("[data-testid=sn-play]")
    done = wait_live(page, "a.state === 'finished'", timeout_ms=60_000)
    assert done["shown"] == 1000 and re.match(r"Iteration 1,000 / 1,000 · finished", status_text(page))
    assert page.eval_on_selector("[data-testid=sn-boundary]", "el => el.__snMark") == "same node"  # never remounted
    assert page.locator(LIVE).count() == 1 and done["draws"] > 20
    assert page.is_disabled("[data-testid=sn-play]") and page.is_disabled("[data-testid=sn-step]")
    page.wait_for_selector("[data-testid=sn-units] canvas")  # the hidden-unit maps, once the run stops
    assert not exceptions(page), exceptions(page)
    page.context.close()


def forced_widget_values(page) -> list[str]:
    """Labels of widgets the server sends with "set this value" (recorded from the websocket from now on)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    forced: list[str] = []

    def received(data) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data if isinstance(data, bytes) else data.encode("latin1"))
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            widget = getattr(element, element.WhichOneof("type"))
            if getattr(widget, "set_value", False):
                forced.append(widget.label)

    page.on("websocket", lambda ws: ws.on("framereceived", received))
    return forced


def test_moving_alpha_mid_run_marks_the_loss_curve_where_it_changed(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    forced = forced_widget_values(page)
    page.goto(f"{base_url}/Neural_network?speed=0.5×")
    live_ready(page)
    wait_idle(page)
    forced.clear()
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.shown >= 60")
    # the fragment reruns that feed the view must not re-send the sliders as "set this value": a student
    # dragging α while frames stream in would see it jump back, and a change could be lost
    assert forced == [], forced
    page.locator(ALPHA).focus()
    page.keyboard.press("ArrowRight")  # 0.1 → 0.3
    marked = wait_live(page, "a.marks === 1")
    assert marked["state"] == "playing"
    wait_live(page, f"a.shown > {marked['shown'] + 30}")  # and the run goes on with the new α
    page.click("[data-testid=sn-play]")
    paused = wait_live(page, "a.state === 'paused'")
    settle_paused(page, paused["shown"])
    assert live_attrs(page)["marks"] == 1
    assert page.get_attribute(ALPHA, "aria-valuetext") == "0.3"
    page.context.close()


def swipe_up(cdp, x: float, y: float, distance: float, steps: int = 10) -> None:
    """A one-finger swipe as touch events (CDP): what a phone's browser turns into a scroll."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for k in range(1, steps + 1):
        point = {"x": x, "y": y - distance * k / steps}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_phone_scrolls_when_swiping_over_the_charts_and_shows_play_and_the_boundary_first(browser, base_url):
    page = open_live(browser, base_url, "Neural_network", **PHONE)
    height = PHONE["viewport"]["height"]
    for sel in ("[data-testid=sn-play]", "[data-testid=sn-boundary]"):
        box = page.locator(sel).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (sel, box)
    assert not page.locator("[data-testid=stSidebar][aria-expanded=true]").count()  # starts collapsed
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.shown > 0")
    screenshot(page, "live-390-midrun")
    scroller = """() => { let e = document.querySelector('[data-testid=sn-boundary]');
      const scrolls = (x) => x.scrollHeight > x.clientHeight && /(auto|scroll)/.test(getComputedStyle(x).overflowY);
      while (e && !scrolls(e)) e = e.parentElement;
      return e || document.scrollingElement; }"""
    cdp = page.context.new_cdp_session(page)
    for chart in ("[data-testid=sn-boundary]", "[data-testid=sn-diagram-canvas]", "[data-testid=sn-loss]"):
        page.locator(chart).scroll_into_view_if_needed()
        top = page.evaluate(f"() => ({scroller})().scrollTop")
        box = page.locator(chart).bounding_box()
        x, y = box["x"] + box["width"] / 2, min(box["y"] + box["height"] * 0.8, height - 20)
        swipe_up(cdp, x, y, 250)  # a finger moving up over the chart: the page must follow
        page.wait_for_function(f"() => ({scroller})().scrollTop > {top + 100}")
    assert page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=sn-boundary]')).touchAction") \
        == "pan-y"
    page.context.close()


# (the boundary's width, the size live.js's layout fits to the screen now: the largest square that leaves its
# legend and the row of sliders under it on screen, 300 px at least, at most 58 % of the view's width)
FIT = """() => { const r = document.querySelector('[data-testid=sn-live]'), main = r.querySelector('.sn-main');
  const below = 100 + r.querySelector('.sn-legend').offsetHeight;
  const room = innerHeight - main.getBoundingClientRect().top - below;
  return [r.querySelector('[data-testid=sn-boundary]').clientWidth,
          Math.round(Math.max(300, Math.min(r.clientWidth * 0.58, room)))];
}"""
# content above the view grown to h px (a stand-in for Streamlit's elements there changing height)
ABOVE = """h => { let d = document.getElementById('sn-test-above');
  if (!d) { d = document.createElement('div'); d.id = 'sn-test-above';
            document.querySelector('[data-testid=stMainBlockContainer]').prepend(d); }
  d.style.height = `${h}px`; }"""


def test_the_boundary_is_fitted_again_when_content_above_the_view_changes_height(browser, base_url):
    """Content above the view that grows or shrinks moves the view without resizing it. The boundary kept the size
    it had before (a paused page's rerun left it 12 px short of the screen, and a student's next click on the
    diagram redrew it: test_diagram_browser's flake, 4 runs in 6 under load). It is fitted again, both ways."""
    page = open_live(browser, base_url, "Neural_network")
    fitted = f"() => {{ const [got, want] = ({FIT})(); return got === want; }}"
    page.wait_for_function(fitted)
    sizes = [page.evaluate(FIT)[0]]
    for h in (60, 0):
        page.evaluate(ABOVE, h)
        page.wait_for_function(fitted)
        sizes.append(page.evaluate(FIT)[0])
    assert sizes[1] < sizes[0] == sizes[2], sizes
    page.context.close()


def test_the_projector_layout_makes_the_boundary_the_hero(browser, base_url):
    page = open_live(browser, base_url, "Neural_network", **PROJECTOR)
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.shown >= 300")
    screenshot(page, "live-1920-midrun")
    main = page.locator("[data-testid=stMainBlockContainer]").bounding_box()
    boundary = page.locator("[data-testid=sn-boundary]").bounding_box()
    assert boundary["width"] >= 0.4 * main["width"], (boundary, main)
    for sel in ("[data-testid=sn-play]", "[data-testid=sn-step]", "[data-testid=sn-boundary]", ALPHA):
        box = page.locator(sel).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 1080, (sel, box)
    sizes = page.evaluate("""() => [...document.querySelectorAll('.sn-live, .sn-live *')]
        .filter(e => e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert sizes and min(sizes) >= 14, sorted(sizes)[:5]
    fonts = page.evaluate("() => [...window.__snFonts]")
    canvas_px = [float(m) for f in fonts for m in re.findall(r"(\d+(?:\.\d+)?)px", f)]
    assert canvas_px and min(canvas_px) >= 14, fonts  # tick labels, titles, legends on the canvases
    page.context.close()


def test_presentation_mode_keeps_alpha_and_play(browser, base_url):
    page = open_live(browser, base_url, "Neural_network?hide=model,data", **PROJECTOR)
    assert page.locator(ALPHA).count() == 1 and page.locator("[data-testid=sn-play]").is_visible()
    assert page.locator("input[type=range][aria-label='Iterations']").count() == 0
    assert not page.locator("[data-testid=stSidebar][aria-expanded=true]").count()
    page.context.close()
