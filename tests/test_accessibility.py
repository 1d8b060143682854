"""WCAG 2.1 A and AA in a real Chromium. axe-core (the npm package scripts/test.sh installs into .node/, never a
CDN) finds no violation on any page, nor on the model pages during and after a run. The live view's canvases are
named by what they show now, a polite live region follows a run a few times (not every frame), and Play, Step
and Reset (and the view's sliders and checkbox) are reached by Tab, show where the focus is, and work from the
keyboard."""

from __future__ import annotations

import re

import pytest

from scratchnet.ui.site import PAGES
from tests.browser_support import ROOT, exceptions, poll, status_text, wait_live, wait_ready

pytestmark = pytest.mark.browser

AXE_JS = ROOT / ".node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return r.violations.flatMap(v => v.nodes.map(n =>
    `${v.id} (${v.impact}): ${n.target.join(' ')}: ${(n.any[0] || n.all[0] || n.none[0] || {}).message || v.help}`));
}"""
# a slow run (8 s at 0.1×; 200 is one of the Iterations options): axe, 1-3 s on a loaded machine, runs inside it,
# and the live region speaks at its start and at least once more (every SPEAK_MS) while it plays
ITERS = 200
SLOW_RUN = f"iters={ITERS}&speed=0.1%C3%97"
SPEAK_MS = 3000  # live.js: the live region speaks at most this often while playing
# every text the live region takes, and when, recorded from before Play
RECORD_SPEECH = """() => { window.__said = []; const s = document.querySelector('[data-testid=sn-said]');
  new MutationObserver(() => window.__said.push([performance.now(), s.textContent]))
    .observe(s, {childList: true, characterData: true, subtree: true}); }"""
LIVE_STATE = "() => document.querySelector('[data-testid=sn-live]').dataset.state"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: scripts/test.sh installs it (npm install --prefix .node axe-core)")
    return AXE_JS.read_text()


def open_page(browser, base: str, path: str):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(f"{base}/{path}")
    wait_ready(page)
    assert not exceptions(page), exceptions(page)
    return page


def violations(page, axe_source: str) -> list[str]:
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(content=axe_source)
    return page.evaluate(RUN_AXE, WCAG_TAGS)


@pytest.mark.parametrize("key", list(PAGES))
def test_every_page_has_no_wcag_aa_violation(browser, base_url, axe_source, key):
    page = open_page(browser, base_url, PAGES[key].url_path)
    for summary in page.locator("[data-testid=stSidebar] [data-testid=stExpander] summary").all():
        summary.click()  # their contents too: the share link and its Copy button, the class link's checkboxes
    copy = page.locator("[data-testid=sn-copy] button")
    if copy.count():
        copy.first.focus()  # and what it says after a copy (from the keyboard: test_browser's copy_the_share_link)
        page.keyboard.press("Enter")
        copy.first.locator("xpath=..").get_by_role("status").filter(has_text="Copied").wait_for()
    assert violations(page, axe_source) == []
    page.context.close()


def test_your_data_has_no_wcag_aa_violation_with_a_csv_loaded(browser, base_url, axe_source):
    """A loaded CSV adds the label and feature choices (one of them disabled for a softmax), the suggestion, the
    preview."""
    page = open_page(browser, base_url, PAGES["upload"].url_path)
    page.set_input_files("input[type=file]", str(ROOT / "sample_data" / "wine.csv"))
    page.wait_for_selector("[data-testid=stAlertContentSuccess]")
    wait_ready(page)
    assert violations(page, axe_source) == []
    page.context.close()


def label(page, testid: str) -> str:
    return page.get_attribute(f"[data-testid={testid}]", "aria-label") or ""


def labelled_iteration(text: str) -> int:
    m = re.search(r"iteration ([\d,]+)", text)
    assert m, text
    return int(m.group(1).replace(",", ""))


@pytest.mark.parametrize("key", ["logistic", "net"])
def test_a_run_stays_accessible_and_is_spoken_a_few_times(browser, base_url, axe_source, key):
    page = open_page(browser, base_url, f"{PAGES[key].url_path}?{SLOW_RUN}")
    page.evaluate(RECORD_SPEECH)
    page.click("[data-testid=sn-net-table] summary")  # the diagram's text alternative, open: axe reads it too
    page.click("[data-testid=sn-play]")
    wait_live(page, "a.state === 'playing' && a.shown >= 20")
    assert violations(page, axe_source) == []
    assert page.evaluate(LIVE_STATE) == "playing", "the run ended before axe did: the check was not during it"
    # the canvases' names follow the run while it plays: iteration > 0, never ahead of the frame on screen
    mid = poll(lambda: (page.evaluate(LIVE_STATE) == "playing" and labelled_iteration(label(page, "sn-boundary")))
               or None, what="the boundary's name to say an iteration of the run while it plays")
    assert 0 < mid <= int(page.get_attribute("[data-testid=sn-live]", "data-shown-it"))

    wait_live(page, "a.state === 'finished'", timeout_ms=60_000)
    assert violations(page, axe_source) == []
    status = status_text(page)  # "Iteration 500 / 500 · finished · train loss 0.31 · … · accuracy train 88% / test 90%"
    parts = dict(p.split(" ", 1) if p.startswith("accuracy") else p.rsplit(" ", 1) for p in status.split(" · ")[2:])
    boundary, loss, grad = label(page, "sn-boundary"), label(page, "sn-loss"), label(page, "sn-grad")
    assert boundary.startswith(f"Decision boundary over x1 (across) and x2 (up), iteration {ITERS}, "), boundary
    assert boundary.endswith(f"accuracy {parts['accuracy']}"), (boundary, status)
    assert loss == f"Loss (cross-entropy), iteration {ITERS}, train loss {parts['train loss']}, " \
                   f"test loss {parts['test loss']}", (loss, status)
    assert grad.startswith(f"Gradient size ‖∂J/∂θ‖, J = L + penalty, iteration {ITERS}, ‖d"), grad
    assert all(float(x) > 0 for x in re.findall(r"‖ ([\d.e+-]+)", grad)), grad
    assert f"at iteration {ITERS}; the table below lists them" in label(page, "sn-diagram-canvas")
    assert page.locator("[data-testid=sn-net-table] tbody tr").count() == (3 if key == "logistic" else 33)

    said = page.evaluate("() => window.__said")
    texts = [t for _, t in said]
    assert texts[-1] == status.replace("\n", " ").replace(" · ", ", ")  # the end, as the status line says it
    playing = [t for t, text in said if ", playing, " in text]
    assert len(playing) >= 2, texts  # the start, and again while it plays (8 s)
    gaps = [b - a for a, b in zip(playing, playing[1:], strict=False)]
    assert min(gaps) >= SPEAK_MS * 0.95, (gaps, texts)  # not every frame: the status line changes 10 times a second
    assert not exceptions(page), exceptions(page)
    page.context.close()


# the focused control's name, and whether it (or, for a checkbox, its label) has a ring of at least 2 px
FOCUSED = """() => { const e = document.activeElement, s = getComputedStyle(e.closest('label') || e);
  return [e.dataset.testid || e.getAttribute('aria-label') || e.tagName, s.outlineStyle !== 'none' &&
          parseFloat(s.outlineWidth) >= 2]; }"""


def test_the_live_views_controls_are_reached_by_tab_with_a_visible_focus(browser, base_url):
    page = open_page(browser, base_url, PAGES["logistic"].url_path)
    page.locator("[data-testid=stMain] h1").click()  # start from the page, not the address bar
    controls = ("sn-play", "sn-step", "sn-reset", "Learning rate α", "Log-scale loss", "Show test data",
                "Discretize output")
    seen: dict[str, bool] = {}
    for _ in range(60):
        page.keyboard.press("Tab")
        name, ring = page.evaluate(FOCUSED)
        seen.setdefault(name, ring)
        if all(c in seen for c in controls):
            break
    assert all(c in seen for c in controls), list(seen)
    assert all(seen[c] for c in ("sn-play", "sn-step", "sn-reset", "Log-scale loss", "Show test data")), seen
    # Space on the focused Play button plays (once: the page's own Space shortcut leaves a button's key alone)
    page.focus("[data-testid=sn-play]")
    page.keyboard.press("Space")
    wait_live(page, "a.state === 'playing'")
    page.keyboard.press("Enter")
    wait_live(page, "a.state === 'paused'")
    page.focus("[data-testid=sn-step]")
    shown = int(page.get_attribute("[data-testid=sn-live]", "data-shown-it"))
    page.keyboard.press("Enter")
    wait_live(page, f"a.state === 'paused' && a.shown === {shown + 10}")
    assert not exceptions(page), exceptions(page)
    page.context.close()


def test_drawing_on_the_plane_is_accessible_and_its_controls_are_reached_by_tab(browser, base_url, axe_source):
    page = open_page(browser, base_url, f"{PAGES['net'].url_path}?data=drawn")
    assert violations(page, axe_source) == []
    page.locator("[data-testid=stMain] h1").click()
    seen: dict[str, bool] = {}
    for _ in range(30):
        page.keyboard.press("Tab")
        name, ring = page.evaluate(FOCUSED)
        seen.setdefault(name, ring)
        if "✏️ Draw" in seen and "sn-boundary" in seen:
            break
    # the Draw switch, and the plane itself (arrows move a cross, Enter adds a point), each with a visible focus
    assert seen.get("✏️ Draw") and seen.get("sn-boundary"), seen
    page.context.close()
