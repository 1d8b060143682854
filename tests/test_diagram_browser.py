"""The network diagram's JavaScript in a real Chromium (one server, one page): its node survives a run, hovering
a line shows the weight's name, w and ∂J/∂w while playing, a value typed while paused (mouse or the table, by
keyboard) redraws the boundary and the next Step starts from it, bad input changes nothing, and clicking an input
node switches that extra input. The numbers themselves are checked against the model in tests/test_diagram.py."""

from __future__ import annotations

import re

import pytest

from tests.browser_support import (
    exceptions,
    live_attrs,
    live_ready,
    settle_paused,
    status_text,
    wait_idle,
    wait_live,
)

pytestmark = pytest.mark.browser

CANVAS = "[data-testid=sn-diagram-canvas]"
TIP = "[data-testid=sn-net-tip]"


def item(page, name: str) -> dict:
    """Where an entry is on the page: a bias or input square's centre; for a line, the point along it farthest
    from every other line (lines cross: the pointer names the nearest)."""
    return page.evaluate("""([sel, name]) => {
      const cv = document.querySelector(sel), r = cv.getBoundingClientRect(), items = cv.__snItems;
      const it = items.find((i) => i.name === name || i.what === name);
      if (it.kind !== 'w') return {x: r.left + it.x + it.m / 2, y: r.top + it.y + it.m / 2};
      const at = (l, t) => { const u = 1 - t, m = (l.x0 + l.x1) / 2;
        return [u ** 3 * l.x0 + 3 * u * t * m + t ** 3 * l.x1,
                (u ** 3 + 3 * u * u * t) * l.y0 + (3 * u * t * t + t ** 3) * l.y1]; };
      let best = null, clear = -1;
      for (let t = 0.1; t <= 0.9; t += 0.02) {
        const [x, y] = at(it, t);
        let d = Infinity;
        for (const o of items) if (o !== it && o.kind === 'w') for (let s = 0; s <= 1; s += 1 / 64) {
          const [ox, oy] = at(o, s); d = Math.min(d, Math.hypot(ox - x, oy - y)); }
        if (d > clear) { clear = d; best = [x, y]; }
      }
      return {x: r.left + best[0], y: r.top + best[1]};
    }""", [CANVAS, name])


def hover_tip(page, name: str) -> str:
    at = item(page, name)
    page.mouse.move(at["x"], at["y"])
    page.wait_for_function(f"() => {{ const t = document.querySelector('{TIP}'); "
                           f"return t && !t.hidden && t.textContent.startsWith({name!r}); }}")
    return page.inner_text(TIP)


def value(tip: str, symbol: str) -> float:
    return float(re.search(rf"^{re.escape(symbol)} = (\S+)$", tip, re.M).group(1).replace("−", "-"))


def test_the_diagram_lives_through_a_run_shows_w_and_its_gradient_and_takes_typed_weights(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base_url}/Neural_network")
    live_ready(page)
    wait_idle(page)
    page.wait_for_selector(CANVAS, state="visible")
    page.eval_on_selector(CANVAS, "el => { el.__snMark = 'same node'; }")
    assert "2 → 8 → 1 nodes" in page.get_attribute(CANVAS, "aria-label")

    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 100")
    first = hover_tip(page, "W1[2,0]")
    assert "x1 → layer 1 unit 3" in first and "w = " in first and "∂J/∂w = " in first
    # live while playing: the tip follows the frames on screen
    page.wait_for_function(f"(t0) => document.querySelector('{TIP}').textContent !== t0", arg=page.text_content(TIP))
    page.click("[data-testid=sn-play]")
    paused = wait_live(page, "a.state === 'paused'")
    settle_paused(page, paused["shown"])
    assert page.eval_on_selector(CANVAS, "el => el.__snMark") == "same node"  # the diagram's node survived
    assert page.get_attribute("[data-testid=sn-live]", "data-net-it") == str(paused["shown"])

    # bad input: a clear message, nothing changes
    before = live_attrs(page)
    at = item(page, "W1[2,0]")
    for bad, says in (("abc", "is not a number"), ("1e9", "must be between"), ("NaN", "is not a number")):
        page.mouse.click(at["x"], at["y"])
        page.fill("[data-testid=sn-net-edit]", bad)
        page.press("[data-testid=sn-net-edit]", "Enter")
        assert says in page.inner_text("[data-testid=sn-net-msg]")
    wait_idle(page)
    assert live_attrs(page)["draws"] == before["draws"] and value(hover_tip(page, "W1[2,0]"), "w") != -5

    # a typed weight: the boundary is drawn anew at once, the status is for the new weights
    old_status = status_text(page)
    at = item(page, "W1[2,0]")  # again: a message above the view may have moved it
    page.mouse.click(at["x"], at["y"])
    page.fill("[data-testid=sn-net-edit]", "-5")
    page.press("[data-testid=sn-net-edit]", "Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=sn-live]').dataset.editMs")
    wait_idle(page)
    assert live_attrs(page)["draws"] > before["draws"] and status_text(page) != old_status
    assert value(hover_tip(page, "W1[2,0]"), "w") == -5
    # the next Step starts from it: ten small steps from −5, not from the old weight
    page.click("[data-testid=sn-step]")
    stepped = wait_live(page, f"a.shown === {paused['shown'] + 10}")
    settle_paused(page, stepped["shown"])
    assert abs(value(hover_tip(page, "W1[2,0]"), "w") + 5) < 0.5

    # the table: the keyboard's way in
    page.click("[data-testid=sn-net-table] summary")
    box = page.locator("[data-testid=sn-net-table] input[data-name=b2]")
    box.fill("0.75")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('[data-testid=sn-net-table] input[data-name=b2]')"
                           ".value === '0.75' && document.activeElement.dataset.name === 'b2'")
    wait_idle(page)
    assert value(hover_tip(page, "b2"), "b") == 0.75
    # hovering a unit itself names its bias too
    centre = page.evaluate("""(sel) => { const cv = document.querySelector(sel), r = cv.getBoundingClientRect();
      const n = cv.__snItems.find((i) => i.name === 'b1[2]').node;
      return [r.left + n.x + n.s * 0.6, r.top + n.y + n.s * 0.4]; }""", CANVAS)
    page.mouse.move(*centre)
    page.wait_for_function(f"() => document.querySelector('{TIP}').textContent"
                           ".startsWith('b1[2] · bias of layer 1 unit 3')")

    # an input node switches that extra input (the Extra inputs control's setting, in the URL)
    x1sq = item(page, "x1²")
    page.mouse.click(x1sq["x"], x1sq["y"])
    page.wait_for_function(f"() => (document.querySelector('{CANVAS}') || {{}}).ariaLabel?.includes('3 → 8 → 1')")
    live_ready(page)
    wait_idle(page)
    assert "x1²" in page.inner_text("[data-testid=stSidebar] [data-testid=stMultiSelect]") and not exceptions(page)
    ctx.close()


# Each chart's title as drawn (charts.js sets data-title, a line each): its widest line and the canvas's width.
TITLE_FIT = """(sel) => { const cv = document.querySelector(sel), lines = (cv.dataset.title || '').split('\\n');
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = '600 14px "Source Sans Pro", "Source Sans 3", system-ui, sans-serif';
  return {lines, widest: Math.max(...lines.map((t) => ctx.measureText(t).width)), room: cv.clientWidth - 6}; }"""


def playing_net_page(browser, base_url: str, width: int = 1366, height: int = 768):
    """A fresh context on the Neural network page, its default run playing past iteration 100."""
    ctx = browser.new_context(viewport={"width": width, "height": height})
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base_url}/Neural_network")
    live_ready(page)
    wait_idle(page)
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 100")
    return ctx, page


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_the_chart_titles_read_whole_beside_the_diagram(browser, base_url, width, height):
    ctx, page = playing_net_page(browser, base_url, width, height)
    for sel, titles in (("[data-testid=sn-loss]", ["Loss (cross-entropy)"]),
                        ("[data-testid=sn-grad]", ["Gradient size ‖∂J/∂θ‖, J = L + penalty",
                                                   "‖∂J/∂θ‖, J = L + penalty"])):
        fit = page.evaluate(TITLE_FIT, sel)
        assert " ".join(fit["lines"]) in titles and fit["widest"] <= fit["room"], (sel, fit)
    if width == 1920:  # a column of its own: room for the whole title on one line
        assert page.get_attribute("[data-testid=sn-grad]", "data-title") == "Gradient size ‖∂J/∂θ‖, J = L + penalty"
    ctx.close()


# Each weight's line width as drawn (diagram.js keeps it on the items it hit-tests), and the table's w and ∂J/∂w.
LINE_WIDTHS = f"() => Object.fromEntries(document.querySelector('{CANVAS}').__snItems" \
    ".filter((i) => i.kind === 'w').map((i) => [i.name, i.lw]))"
TABLE = """() => Object.fromEntries([...document.querySelectorAll('[data-testid=sn-net-table] tbody tr')].map((tr) =>
  [tr.querySelector('th').textContent, [+tr.querySelector('input').value, +tr.lastElementChild.textContent]]))"""


def test_the_legend_switches_line_width_between_w_and_its_gradient(browser, base_url):
    ctx, page = playing_net_page(browser, base_url)
    page.click("[data-testid=sn-play]")
    paused = wait_live(page, "a.state === 'paused'")
    settle_paused(page, paused["shown"])
    page.click("[data-testid=sn-net-table] summary")
    # the table is built when the details' toggle event arrives, after the click: wait for its 33 filled rows
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=sn-net-table] tbody input')]"
                           ".filter((i) => i.value !== '').length === 33")
    table = page.evaluate(TABLE)  # the frame on screen: the one the lines are drawn for
    by_w = page.evaluate(LINE_WIDTHS)
    assert set(by_w) == {k for k in table if not k.startswith('b')} and len(by_w) == 24, (by_w, table)
    assert all(abs(lw - (0.5 + 6.5 * min(1, abs(table[k][0]) / 3))) < 0.05 for k, lw in by_w.items()), by_w
    switch = page.locator("[data-testid=sn-net-mode]")
    assert switch.get_attribute("aria-pressed") == "false"
    switch.click()
    page.wait_for_function(f"(b) => {{ const a = ({LINE_WIDTHS})(); "
                           "return Object.keys(b).some((k) => Math.abs(a[k] - b[k]) > 1e-6); }", arg=by_w)
    assert page.locator("[data-testid=sn-net-mode]").get_attribute("aria-pressed") == "true"
    assert "width ∝ |∂J/∂w|" in page.inner_text("[data-testid=sn-diagram] figcaption")
    by_g, gmax = page.evaluate(LINE_WIDTHS), max(abs(table[k][1]) for k in by_w)
    # the largest gradient full width, the rest in proportion (the table rounds to 4 digits)
    assert all(abs(lw - (0.5 + 6.5 * abs(table[k][1]) / gmax)) < 0.05 for k, lw in by_g.items()), (by_g, table)
    assert max(by_g, key=by_g.get) == max(by_w, key=lambda k: abs(table[k][1]))
    page.locator("[data-testid=sn-net-mode]").click()  # and back
    page.wait_for_function(f"(b) => {{ const a = ({LINE_WIDTHS})(); "
                           "return Object.keys(b).every((k) => Math.abs(a[k] - b[k]) < 1e-6); }", arg=by_w)
    assert not exceptions(page), exceptions(page)
    ctx.close()
