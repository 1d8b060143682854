"""Floors for bench_live's two CPU budgets: what the same work costs with nothing else around it.

* browser: a bare page (no Streamlit, no messages) in the same Chromium and viewport that draws as many boundary
  frames as the live run drew, over the same time, on canvases of the live view's sizes: each frame a byte grid
  of the live view's size (80×80) through a colour table, scaled onto the boundary canvas, and a 0.5 line; the
  status text and the two curve canvases at 10 Hz, as live.js redraws them. CPU of every Chromium process, from
  the first frame to 2 s after the last (bench_live's window).
* server: the default run's engine in this process (scratchnet/ui/live_engine.LiveRun driven as live.js drives it: Play,
  requests for frames, done; no Streamlit, no websocket), and its training alone (TrainingRun.advance).

So a budget can be read against what no app on this machine could go below.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bench.live_session import chromium_cpu_seconds
from scratchnet.ui.live_frames import GRID_RESOLUTION

# Sizes of the live view's canvases, read off a page that shows it (CSS px).
SIZES_JS = """
() => {
  const box = s => { const e = document.querySelector(s); return e ? [e.clientWidth, e.clientHeight] : null; };
  return {plane: box('[data-testid=sn-boundary]'), loss: box('[data-testid=sn-loss]'),
          grad: box('[data-testid=sn-grad]')};
}
"""

FLOOR_PAGE = """<!doctype html><html><body style="margin:0;font:17px sans-serif">
<div id=status>Iteration 0</div>
<div style="display:flex;gap:24px">
  <canvas id=plane style="width:%(pw)dpx;height:%(ph)dpx"></canvas>
  <div><canvas id=loss style="display:block;width:%(lw)dpx;height:%(lh)dpx"></canvas>
       <canvas id=grad style="display:block;width:%(gw)dpx;height:%(gh)dpx"></canvas></div>
</div>
<script>
const DRAWS = %(draws)d, PERIOD = %(period)f, CHART_MS = 100, R = %(res)d;
function fit(cv) {
  const d = devicePixelRatio || 1, c = cv.getContext('2d');
  cv.width = Math.round(cv.clientWidth * d); cv.height = Math.round(cv.clientHeight * d);
  c.setTransform(d, 0, 0, d, 0, 0); return c;
}
const plane = document.getElementById('plane'), px = fit(plane), W = plane.clientWidth, H = plane.clientHeight;
const charts = ['loss', 'grad'].map(id => {
  const cv = document.getElementById(id); return [fit(cv), cv.clientWidth, cv.clientHeight]; });
const src = document.createElement('canvas'); src.width = R; src.height = R;
const sx = src.getContext('2d'), img = sx.createImageData(R, R), grid = new Uint8Array(R * R);
const ramp = new Uint8Array(300).map((_, i) => 255 / (1 + Math.exp(-(i - 200) / 8)));
const lut = new Uint8ClampedArray(1024);
for (let i = 0; i < 256; i++) { lut[4 * i] = 255 - i; lut[4 * i + 1] = 200; lut[4 * i + 2] = i; lut[4 * i + 3] = 255; }
let n = 0, t0 = 0, chartT = -1e9;
window.__floor = {done: false, draws: 0};
function frame(now) {
  if (!t0) t0 = now;
  if (now - t0 >= n * PERIOD) {
    n++;
    for (let r = 0; r < R; r++) {  // a moving S-shaped boundary, from a table: the page only draws
      const o = 150 + Math.round(20 * Math.sin(r / 15 + n / 30));
      for (let c = 0; c < R; c++) grid[r * R + c] = ramp[c + o];
    }
    const p = img.data;
    for (let i = 0; i < R * R; i++) { const v = grid[i] * 4; p[4 * i] = lut[v]; p[4 * i + 1] = lut[v + 1];
      p[4 * i + 2] = lut[v + 2]; p[4 * i + 3] = 255; }
    sx.putImageData(img, 0, 0);
    px.clearRect(0, 0, W, H); px.imageSmoothingEnabled = true; px.drawImage(src, 0, 0, W, H);
    px.beginPath();
    for (let r = 0; r < R; r++) { const x = (50 - 20 * Math.sin(r / 15 + n / 30)) * W / R, y = r * H / R;
      r ? px.lineTo(x, y) : px.moveTo(x, y); }
    px.lineWidth = 2.5; px.stroke();
    if (now - chartT >= CHART_MS) {
      chartT = now;
      document.getElementById('status').textContent =
        'Iteration ' + (6 * n) + ' / 1,000 · playing · train loss 0.' + (1000 + n);
      for (const [c, w, h] of charts) { c.clearRect(0, 0, w, h); c.beginPath();
        for (let i = 0; i <= n; i++) { const x = w * i / DRAWS, y = h * (0.1 + 0.8 * Math.exp(-i / 40));
          i ? c.lineTo(x, y) : c.moveTo(x, y); }
        c.lineWidth = 2.5; c.stroke(); }
    }
    window.__floor.draws = n;
  }
  if (n < DRAWS) requestAnimationFrame(frame); else window.__floor.done = true;
}
requestAnimationFrame(frame);
</script></body></html>"""


def browser_floor(browser: Any, viewport: dict[str, int], sizes: dict[str, list[int]], draws: int,
                  duration_s: float, settle_s: float) -> float:
    """Browser CPU of a bare page drawing `draws` frames over `duration_s` on canvases of `sizes`."""
    (pw, ph), (lw, lh), (gw, gh) = sizes["plane"], sizes["loss"], sizes["grad"]
    html = FLOOR_PAGE % {"res": GRID_RESOLUTION, "pw": pw, "ph": ph, "lw": lw, "lh": lh, "gw": gw, "gh": gh,
                         "draws": max(1, draws), "period": 1000 * duration_s / max(1, draws)}
    ctx = browser.new_context(viewport=viewport)
    try:
        page = ctx.new_page()
        page.set_content("<p>ready</p>")
        page.wait_for_timeout(500)
        c0 = chromium_cpu_seconds()
        page.set_content(html)
        page.wait_for_function("() => window.__floor && window.__floor.done", polling=200,
                               timeout=int(1000 * (4 * duration_s + 30)))
        page.wait_for_timeout(int(settle_s * 1000))
        return chromium_cpu_seconds() - c0
    finally:
        ctx.close()


def engine_cpu(iters: int, repeats: int = 3) -> dict[str, float]:
    """The default run's server-side work in this process, CPU seconds (median of `repeats`): the whole engine
    (training, pictures, payloads as JSON), and the training alone."""
    import statistics

    from scratchnet import TrainingRun, make_model
    from scratchnet.data import synthetic_dataset
    from scratchnet.problem import Problem
    from scratchnet.ui.live_engine import LiveRun, LiveSettings

    pb = Problem(synthetic_dataset("moons", n=200, noise=0.1, seed=0), ("moons", 0))
    s = LiveSettings(lr=0.1, l2=0.0, iters=iters, speed="1×", logy=False, hidden=8, act="relu", batch="full", seed=0)

    def new_run() -> TrainingRun:
        return TrainingRun(make_model("net", 2, hidden_units=8, activation="relu", seed=0), pb.X_train, pb.y_train,
                           pb.X_test, pb.y_test, lr=0.1, seed=0, snapshot_every=10)

    def whole() -> None:
        live = LiveRun("net", ("floor",), pb, new_run, s)
        json.dumps(live.snapshot(s, meta=True))
        p = live.handle({"op": "play", "req": 1, "mount": "m", "epoch": live.epoch, "shown": 0}, s)
        req, shown = 1, 0
        while not p.get("end"):
            json.dumps(p)
            req += 1
            last = p["frames"][-1]["it"] if p.get("frames") else shown
            p = live.handle({"op": "need", "req": req, "mount": "m", "epoch": live.epoch, "shown": shown,
                             "next": last, "want": 4.0}, s)
            shown = last
        json.dumps(p)
        json.dumps(live.handle({"op": "done", "req": req + 1, "mount": "m", "epoch": live.epoch,
                                "shown": p["end"]["it"]}, s))

    def timed(fn) -> float:
        t = time.thread_time()
        fn()
        return time.thread_time() - t

    whole()  # warm: imports, caches
    return {"engine_cpu": statistics.median(timed(whole) for _ in range(repeats)),
            "training_cpu": statistics.median(timed(lambda: new_run().advance(iters)) for _ in range(repeats))}
