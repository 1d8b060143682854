"""One browser session of the live view, instrumented the same way for the old and the new view.

bench/bench_live.py drives these; this module knows the two views' DOM and how to watch them:

* old view (plotly charts re-sent per fragment tick): Play is a Streamlit button (`.st-key-net_play button`), the
  boundary is the first `[data-testid=stPlotlyChart]`;
* new view (a keyed component updated in place): `[data-testid=sn-live]` root with `data-shown-it`, `data-draws`,
  `data-state`, `data-lr-marks`; `[data-testid=sn-boundary]` canvas; `[data-testid=sn-play]`.

Both have the status line `[data-testid=sn-status]` ("Iteration N / T · …"). A sampler runs in the page on every
animation frame (what it sees is what the frame shows, give or take that frame's own rAF callbacks) and logs, with
`performance.now()`: status-text changes, boundary updates, blank boundary frames, replacements of the boundary
element, the new view's state and α-mark count, and key presses.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

import psutil

OLD, NEW = "old", "new"
PLAY = {OLD: ".st-key-net_play button", NEW: "[data-testid=sn-play]"}
LR_SLIDER = "input[type=range][aria-label='Learning rate α']"
READY_TIMEOUT_MS = 90_000

# Which view is on the page, once it is drawn and Play can be pressed (None until then).
DETECT_JS = """
() => {
  const q = s => document.querySelector(s);
  const app = q('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning' || q('[data-testid=stSkeleton]')) return null;
  if (!q('[data-testid=sn-status]')) return null;
  const root = q('[data-testid=sn-live]');
  if (root) { const p = q('[data-testid=sn-play]'); return root.dataset.state && p && !p.disabled ? 'new' : null; }
  const b = q('.st-key-net_play button');
  return b && !b.disabled && q('[data-testid=stPlotlyChart] .main-svg') ? 'old' : null;
}
"""

SAMPLER_JS = r"""
(kind) => {
  if (window.__bench) return;
  const B = window.__bench = {kind, frames: 0, stop: false, status: [], updates: [], blankEp: [], remount: [],
                              rootRemount: [], state: [], marks: [], keys: [], done: null, lastIt: null,
                              blankOpen: null};
  const q = s => document.querySelector(s);
  const itOf = t => { const m = /Iteration\s+([\d,]+)/.exec(t || ''); return m ? +m[1].replace(/,/g, '') : null; };
  document.addEventListener('keydown', e => B.keys.push([performance.now(), e.key]), true);
  let prevNode, prevRoot, prevVersion, prevState, prevMarks, pending = false, blankSince = null, blankFrames = 0;
  let oldVersion = 0, prevSvg, prevPath;
  // a canvas counts as blank if five sampled pixels are all transparent; read only once the view drew on it
  // (getContext would otherwise create a context of our own)
  const canvasBlank = (el, draws) => {
    const c = el.tagName === 'CANVAS' ? el : el.querySelector('canvas');
    if (!c) return false;
    if (!c.width || !c.height) return true;
    if (!draws) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return false;  // a WebGL canvas: not sampled
    for (const [fx, fy] of [[.5, .5], [.25, .25], [.75, .25], [.25, .75], [.75, .75]]) {
      if (ctx.getImageData(Math.floor(fx * c.width), Math.floor(fy * c.height), 1, 1).data[3] !== 0) return false;
    }
    return true;
  };
  const frame = () => {
    if (B.stop) return;
    const t = performance.now();
    B.frames++;
    const st = q('[data-testid=sn-status]');
    const text = st ? st.textContent : null;
    if (text !== (B.status.length ? B.status[B.status.length - 1][1] : undefined)) {
      B.status.push([t, text]);
      const it = itOf(text);
      if (it !== null) B.lastIt = it;
    }
    let node, version, blank;
    if (kind === 'new') {
      const root = q('[data-testid=sn-live]');
      if (root !== prevRoot) { if (prevRoot) B.rootRemount.push(t); prevRoot = root; }
      node = q('[data-testid=sn-boundary]');
      const draws = root ? +(root.dataset.draws || 0) : 0;
      version = draws;
      const s = root ? root.dataset.state : null;
      if (s !== prevState) { prevState = s; B.state.push([t, s]); }
      if ((s === 'finished' || s === 'diverged') && B.done === null) B.done = t;
      const m = root ? +(root.dataset.lrMarks || 0) : 0;
      if (m !== prevMarks) { prevMarks = m; B.marks.push([t, m]); }
      blank = !node || !node.isConnected || node.getBoundingClientRect().width === 0 || canvasBlank(node, draws);
    } else {
      const chart = q('[data-testid=stPlotlyChart]');  // the boundary is the first chart
      node = chart && chart.querySelector('.js-plotly-plot');
      const svg = node && node.querySelector('.main-svg');
      const path = node && node.querySelector('.contourlayer path');
      const d = path && path.getAttribute('d');
      if (svg !== prevSvg || d !== prevPath) { oldVersion++; prevSvg = svg; prevPath = d; }  // new plot, or redrawn
      version = oldVersion;
      blank = !svg || !d;
      if (B.done === null && /·\s*(finished|diverged)\b/.test(text || '')) B.done = t;
    }
    if (node && node !== prevNode) { if (prevNode) B.remount.push(t); prevNode = node; }
    if (prevVersion !== undefined && version !== prevVersion) pending = true;
    prevVersion = version;
    if (blank) { if (blankSince === null) blankSince = t; blankFrames++; B.blankOpen = [blankSince, t, blankFrames]; }
    else {
      if (blankSince !== null) { B.blankEp.push([blankSince, t, blankFrames]); blankSince = null; blankFrames = 0; }
      B.blankOpen = null;
      if (pending) { B.updates.push(t); pending = false; }  // a new picture, on screen
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
"""

# (iteration on screen, page time the run was seen finished): the sampler's, or read off the DOM when none runs
PROBE_JS = r"""
() => {
  const B = window.__bench;
  if (B) return [B.lastIt, B.done];
  const st = document.querySelector('[data-testid=sn-status]'), t = st ? st.textContent : '';
  const root = document.querySelector('[data-testid=sn-live]');
  const done = root ? ['finished', 'diverged'].includes(root.dataset.state) : /·\s*(finished|diverged)\b/.test(t);
  const m = /Iteration\s+([\d,]+)/.exec(t);
  return [m ? +m[1].replace(/,/g, '') : null, done ? performance.now() : null];
}
"""

# Press a control the way a click does (same call for both views); return the page time of the press.
CLICK_JS = """
(sel) => {
  const b = [...document.querySelectorAll(sel)].find(e => e.offsetParent !== null) || document.querySelector(sel);
  const t = performance.now(); b.click(); return t;
}
"""

_STATUS_IT = re.compile(r"Iteration\s+([\d,]+)")


def status_iteration(text: str | None) -> int | None:
    m = _STATUS_IT.search(text or "")
    return int(m.group(1).replace(",", "")) if m else None


def chromium_cpu_seconds() -> float:
    """CPU used so far by the Chromium processes this benchmark started (browser, renderers, GPU/raster)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in child.name():
                t = child.cpu_times()
                total += t.user + t.system
    return total


def settle_browser(max_s: float = 5.0, window_s: float = 0.25, quiet_share: float = 0.2) -> None:
    """Wait until our Chromium uses under `quiet_share` of a core for two windows in a row (page load done)."""
    deadline, calm = time.monotonic() + max_s, 0
    while time.monotonic() < deadline and calm < 2:
        c0 = chromium_cpu_seconds()
        time.sleep(window_s)
        calm = calm + 1 if chromium_cpu_seconds() - c0 < quiet_share * window_s else 0


class Session:
    """One browser context (so one Streamlit session) on `url`, loaded, its websocket frames kept, and (`sample`)
    the sampler started. Without the sampler nothing of ours runs in the page until polled: for CPU figures."""

    def __init__(self, browser: Any, url: str, viewport: dict[str, int], sample: bool = True):
        self.ctx = browser.new_context(viewport=viewport)
        self.page = self.ctx.new_page()
        # payloads received, in order. Playwright's sync API hands events over only while a call into it is under
        # way, so a Python arrival time says little: windows are taken by index (frame_mark) instead.
        self.frames: list[bytes] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))
        self.cdp = self.ctx.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        try:
            self.page.goto(url)
            self.kind: str = self.page.wait_for_function(DETECT_JS, polling=100,
                                                         timeout=READY_TIMEOUT_MS).json_value()
            if sample:
                self.page.evaluate(SAMPLER_JS, self.kind)
        except Exception:
            self.ctx.close()
            raise
        self.t_play: float | None = None
        self.frame_play = 0

    def _on_frame(self, payload: bytes | str) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def frame_mark(self) -> int:
        """How many frames have arrived so far (a round trip to the page first, so none is still queued)."""
        self.page.evaluate("() => 0")
        return len(self.frames)

    def now(self) -> float:
        return self.page.evaluate("() => performance.now()")

    def click(self, selector: str) -> float:
        return self.page.evaluate(CLICK_JS, selector)

    def play(self) -> float:
        self.frame_play = self.frame_mark()
        self.t_play = self.click(PLAY[self.kind])
        return self.t_play

    def log(self) -> dict[str, Any]:
        return self.page.evaluate("() => window.__bench")

    def probe(self) -> tuple[int | None, float | None]:
        """(iteration on screen, page time the run was seen to finish) — cheap, for polling."""
        return tuple(self.page.evaluate(PROBE_JS))  # type: ignore[return-value]

    def main_thread_seconds(self) -> float:
        """The renderer main thread's busy time so far (CDP Performance.getMetrics TaskDuration)."""
        metrics = self.cdp.send("Performance.getMetrics")["metrics"]
        return next(m["value"] for m in metrics if m["name"] == "TaskDuration")

    def ws_bytes(self, since: int) -> int:
        """Payload bytes received since frame_mark() returned `since`."""
        return sum(len(p) for p in self.frames[since:self.frame_mark()])

    def exceptions(self) -> int:
        return self.page.locator("[data-testid=stException]").count()

    def wait_iteration(self, at_least: int, timeout_s: float = 60.0) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            it, _ = self.probe()
            if it is not None and it >= at_least:
                return it
            time.sleep(0.05)
        raise TimeoutError(f"the run did not reach iteration {at_least} in {timeout_s:.0f} s")

    def wait_done(self, timeout_s: float) -> float | None:
        """Page time the run finished on screen, or None on timeout."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            _, done = self.probe()
            if done is not None:
                return done
            time.sleep(0.1)
        return None

    def wait_quiet(self, since: float, quiet_ms: float = 2000.0, timeout_s: float = 20.0) -> None:
        """Wait until neither the status line nor the boundary changed for `quiet_ms` after page time `since`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            last, now = self.page.evaluate(
                "() => { const B = window.__bench; const s = B.status, u = B.updates;"
                " return [Math.max(s.length ? s[s.length - 1][0] : 0, u.length ? u[u.length - 1] : 0),"
                " performance.now()]; }")
            if now - max(last, since) >= quiet_ms:
                return
            time.sleep(0.1)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.evaluate("() => { if (window.__bench) window.__bench.stop = true; }")
        self.ctx.close()
