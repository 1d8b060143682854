"""Drive the app with Debian's Chromium (Playwright), and wait for what a student would see. The servers it drives
start in tests/serving.py.

Importable on its own (no pytest needed) so scripts/screenshots.py and benchmarks can reuse it:

    with streamlit_server() as base, chromium() as browser:  # streamlit_server: tests/serving.py
        page = new_page(browser)
        page.goto(base + "/Neural_network")
        wait_idle(page)
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CLASSROOM_HOST = "classroom.test"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
    # a classroom's address: http:// at a name that is not localhost, so not a secure context (no Clipboard API),
    # as students reach the app at http://<teacher's address>:8501
    f"--host-resolver-rules=MAP {CLASSROOM_HOST} 127.0.0.1",
]
VIEWPORT = {"width": 1366, "height": 768}
IDLE_TIMEOUT_MS = 30_000

STATUS = "[data-testid=sn-status]"
EXCEPTION = "[data-testid=stException]"
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"
# Streamlit loads each element type's JS lazily and shows this placeholder until it arrives: seconds after
# the script run ends in a fresh browser context on a loaded machine.
SKELETON = "[data-testid=stSkeleton]"


# --- the browser -----------------------------------------------------------------------------------
@contextlib.contextmanager
def chromium(headless: bool = True) -> Iterator[Any]:
    """Debian's Chromium through Playwright (never `playwright install`)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=headless)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any) -> Any:
    """A fresh context (its own cookies, so its own Streamlit session) and a page at 1366×768."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    return context.new_page()


# --- waiting ---------------------------------------------------------------------------------------
def wait_idle(page: Any, timeout_ms: int = IDLE_TIMEOUT_MS, settle_ms: int = 300) -> None:
    """Wait until the script is not running and stays so for `settle_ms` (no live playback on the page), and
    the frontend has drawn every element (no skeleton placeholders left).

    During playback a fragment reruns every 150 ms, so "notRunning" flickers: poll the status line then.
    "notRunning" only says the server is done: the browser may still be loading the JS of an element type
    (a Button, a plotly chart) and show a skeleton in its place, with no handlers of its own yet.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout_ms)
    while True:
        remaining = max(1, int((deadline - time.monotonic()) * 1000))
        page.wait_for_selector(APP_IDLE, timeout=remaining)
        page.wait_for_timeout(settle_ms)
        if page.locator(APP_IDLE).count():
            break
        if time.monotonic() > deadline:
            raise TimeoutError("the app kept rerunning")
    remaining = max(1, int((deadline - time.monotonic()) * 1000))
    page.wait_for_function(f"() => !document.querySelector({SKELETON!r})", polling="raf", timeout=remaining)


# A keydown listener on window runs after Streamlit's shortcut handler (hotkeys-js, on document) and sees
# whether it took the key (it calls preventDefault).
_KEY_PROBE_JS = """(key) => {
  window.__snKeyTaken = null;
  const on = e => { if (e.key === key) { window.__snKeyTaken = e.defaultPrevented;
                                        window.removeEventListener('keydown', on); } };
  window.addEventListener('keydown', on);
}"""


def press_shortcut(page: Any, key: str, control: Any) -> None:
    """Press the keyboard shortcut of `control` (a locator) once it is drawn and enabled; fail if no handler took it.

    A shortcut is bound by the control's own code when it mounts (the live view's keydown handler, attached
    before it sets data-state; for st.button(shortcut=...) a React effect of the Button element, after its lazily
    loaded chunk arrived). A key pressed before that reaches no handler and is dropped, not queued (the cause of
    the Space-bar test's flake): wait for the control itself, not for the server.
    """
    control.wait_for(state="visible")
    poll(control.is_enabled, timeout=IDLE_TIMEOUT_MS / 1000, what="the control to be enabled")
    dom_key = " " if key == "Space" else key
    page.evaluate(_KEY_PROBE_JS, dom_key)
    page.keyboard.press(key)
    taken = page.evaluate("() => window.__snKeyTaken")
    assert taken, f"{key} pressed with the control on screen, but no shortcut handler took it (saw {taken!r})"


def poll(fn: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1, what: str = "condition") -> Any:
    """Call fn until it returns something truthy; return that, or raise with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            last = fn()
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def status_text(page: Any) -> str:
    loc = page.locator(STATUS)
    return loc.first.inner_text(timeout=5000) if loc.count() else ""


_ITER = re.compile(r"Iteration\s+([\d,]+)\s*/\s*([\d,]+)\s*·\s*(\w+)")


def iteration(page: Any) -> int | None:
    """The iteration number in the status line (None if there is no status line / not parseable)."""
    m = _ITER.search(status_text(page))
    return int(m.group(1).replace(",", "")) if m else None


def run_state(page: Any) -> str | None:
    m = _ITER.search(status_text(page))
    return m.group(3) if m else None


def wait_iteration(page: Any, pred: Callable[[int], bool], timeout: float = 20.0, what: str = "iteration") -> int:
    """Poll the status line until its iteration number satisfies pred; return that number."""

    def check() -> tuple[int] | None:
        i = iteration(page)
        return (i,) if i is not None and pred(i) else None

    return poll(check, timeout=timeout, what=what)[0]


def exceptions(page: Any) -> list[str]:
    return [e.inner_text() for e in page.locator(EXCEPTION).all()]


def errors(page: Any) -> list[str]:
    return [e.inner_text() for e in page.locator("[data-testid=stAlertContentError]").all()]


def screenshot(page: Any, name: str, folder: Path = ARTIFACTS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# --- the live view (ui/live_component): its root's data-* attributes are its state ---------------------------
LIVE = "[data-testid=sn-live]"
LIVE_ATTRS_JS = """() => { const r = document.querySelector('[data-testid=sn-live]');
  return r ? {state: r.dataset.state || null, shown: +(r.dataset.shownIt || 0), draws: +(r.dataset.draws || 0),
              marks: +(r.dataset.lrMarks || 0), x: r.dataset.xAxis || null, y: r.dataset.yAxis || null,
              xTitle: r.dataset.xTitle || null, yTitle: r.dataset.yTitle || null,
              points: +(r.dataset.points || 0), faded: +(r.dataset.faded || 0)} : null; }"""


def live_ready(page: Any, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """Wait until the live view can take input: it sets data-state only once its Space handler is attached and
    its first frame is drawn."""
    page.wait_for_selector(f"{LIVE}[data-state]", state="attached", timeout=timeout_ms)


def live_attrs(page: Any) -> dict[str, Any] | None:
    """{state, shown (iteration on screen), draws (boundary draws since mount), marks (α-change marks), x / y (the
    drawn features in full), xTitle / yTitle (their axis titles), points (drawn), faded (drawn fainter)}."""
    return page.evaluate(LIVE_ATTRS_JS)


def wait_live(page: Any, condition: str, timeout_ms: int = IDLE_TIMEOUT_MS) -> dict[str, Any]:
    """Wait until a JS condition over the live view's attributes `a` holds, e.g. "a.shown >= 200"; return them."""
    page.wait_for_function(f"() => {{ const a = ({LIVE_ATTRS_JS})(); return a && ({condition}); }}",
                           timeout=timeout_ms, polling="raf")
    return live_attrs(page)


LOOK_BACK = "input[type=range][aria-label='Look back through the run']"  # under the view while paused


def settle_paused(page: Any, shown: int) -> None:
    """Wait until the page has re-rendered for the paused run at `shown` (the look-back slider ends there)."""
    page.wait_for_function(f"() => {{ const s = document.querySelector(\"{LOOK_BACK}\"); "
                           f"return s && +s.max === {shown}; }}")
    wait_idle(page)


def wait_ready(page: Any, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """wait_idle, until the page's content has replaced the loading skeleton (right after a load the script
    state reads notRunning before the first run has even started), and on a model page until the live view is
    ready (its module loads after the run)."""
    wait_idle(page, timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]') && "
                           "document.querySelector('[data-testid=stMain] h1')", timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    if page.locator("[class*=st-key-sn_live_] .stBidiComponent").count():  # a live view (not a copy box)
        live_ready(page, timeout_ms)
