"""Measure the live-training fragment end to end: a real Streamlit server, real browsers (Playwright).

    python bench/bench_live.py                       # sessions 1,5,10; the default run (1000 iterations)
    python bench/bench_live.py --sessions 1 --no-readme

What it records, for a default run on /Neural_network (moons n=200, 8 hidden, lr 0.1, speed 1x) played to
the end, with K browser sessions pressing Play at (almost) the same moment:
  * server CPU seconds (psutil, user+system incl. children) from just before Play to "finished", per run;
  * the training alone in-process (TrainingRun.advance over the same 1000 iterations, process_time);
  * websocket bytes the browser received between Play and "finished";
  * Play -> first change of the status line's iteration, Play -> "finished" (a MutationObserver stamps
    every status-line change with performance.now(), so no frame is missed to polling);
  * visible updates per second = distinct status texts / run duration; errors (stException, timeouts).
Then a big run (n=10000, hidden=64, 10000 iterations): Play, 2 s, Pause -> time until the status stops.
Then a per-tick profile in-process: advance one chunk, decision_grid, the three figure builders, and what
st.plotly_chart does with each (return_figure_from_figure_or_data(validate_figure=True) + to_json).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, STATUS, streamlit_server  # noqa: E402

PLAY = ".st-key-net_play button"
RUN_TIMEOUT_S = 120.0

OBSERVER_JS = """
() => {
  window.__sn = {log: [], last: null};
  const rec = () => {
    const el = document.querySelector('[data-testid=sn-status]');
    const t = el ? el.textContent : null;
    if (t !== window.__sn.last) { window.__sn.last = t; window.__sn.log.push([performance.now(), t]); }
  };
  rec();
  new MutationObserver(rec).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""
CLICK_JS = """
(sel) => {
  const b = [...document.querySelectorAll(sel)].find(e => e.offsetParent !== null) || document.querySelector(sel);
  const t = performance.now(); b.click(); return t;
}
"""


# --- server ------------------------------------------------------------------------------------------
def server_pid(base: str) -> int:
    """The pid of the `streamlit run` child serving `base` (started by tests.browser_support)."""
    port = base.rsplit(":", 1)[1]
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            cmd = child.cmdline()
            if "streamlit" in " ".join(cmd) and port in cmd:
                return child.pid
    raise RuntimeError(f"no streamlit process for {base}")


def cpu_seconds(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system + t.children_user + t.children_system


def browser_cpu_seconds() -> float:
    """CPU used so far by the headless Chromium processes this benchmark started (all tabs)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in child.name():
                t = child.cpu_times()
                total += t.user + t.system
    return total


# --- browser sessions --------------------------------------------------------------------------------
class Session:
    def __init__(self, browser, url: str):
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.ctx.new_page()
        self.counting = False
        self.ws_bytes = 0
        self.page.on("websocket", self._on_ws)
        self.page.goto(url)
        self.page.locator(STATUS).wait_for(timeout=60_000)
        self.page.locator(PLAY).first.wait_for(timeout=60_000)
        # the first script run must be over (no "Running..." widget) and Play enabled, else a click can be lost
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget]') && [...document.querySelectorAll("
            "'.st-key-net_play button')].some(b => !b.disabled && b.offsetParent !== null)",
            polling=200, timeout=60_000)
        self.page.wait_for_timeout(300)  # let the first render settle
        self.page.evaluate(OBSERVER_JS)
        self.t_play = 0.0

    def _on_ws(self, ws) -> None:
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        if self.counting:
            self.ws_bytes += len(payload)

    def press(self) -> None:
        self.counting = True
        self.t_play = self.page.evaluate(CLICK_JS, PLAY)

    def log(self) -> list[tuple[float, str]]:
        return [(t, s or "") for t, s in self.page.evaluate("() => window.__sn.log")]

    def errors(self) -> int:
        return self.page.locator("[data-testid=stException]").count()

    def close(self) -> None:
        self.ctx.close()


def _iteration(text: str) -> int | None:
    m = re.search(r"Iteration\s+([\d,]+)", text)
    return int(m.group(1).replace(",", "")) if m else None


def analyse(s: Session, t_finish_seen: float | None) -> dict:
    log = [(t, x) for t, x in s.log()]
    before = [x for t, x in log if t <= s.t_play]
    n0 = _iteration(before[-1]) if before else 0
    after = [(t, x) for t, x in log if t > s.t_play]
    first = next((t for t, x in after if (_iteration(x) or 0) > (n0 or 0)), None)
    fin = next((t for t, x in after if "finished" in x), None)
    distinct = len({x for t, x in after if fin is None or t <= fin})
    dur = (fin - s.t_play) / 1000 if fin else None
    return {"first_ms": None if first is None else first - s.t_play,
            "finish_s": dur, "updates": distinct, "ups": (distinct / dur) if dur else None,
            "bytes": s.ws_bytes}


def run_k(browser, server_pid: int, base: str, k: int, iters: int) -> dict:
    url = f"{base}/Neural_network?iters={iters}"
    sessions = [Session(browser, url) for _ in range(k)]
    time.sleep(1.0)
    cpu0, browser0 = cpu_seconds(server_pid), browser_cpu_seconds()
    for s in sessions:
        s.press()
    pending = set(range(k))
    timed_out = 0
    deadline = time.time() + RUN_TIMEOUT_S
    while pending and time.time() < deadline:
        for i in list(pending):
            if "finished" in (sessions[i].page.evaluate("() => window.__sn.last") or ""):
                sessions[i].counting = False
                pending.discard(i)
        if pending:
            time.sleep(0.05)
    timed_out = len(pending)
    cpu1, browser1 = cpu_seconds(server_pid), browser_cpu_seconds()
    time.sleep(0.3)
    rows = [analyse(s, None) for s in sessions]
    errors = sum(s.errors() for s in sessions) + timed_out
    for s in sessions:
        s.close()
    return {"k": k, "rows": rows, "errors": errors, "timed_out": timed_out, "cpu_total": cpu1 - cpu0,
            "cpu_per_run": (cpu1 - cpu0) / k, "browser_cpu_per_run": (browser1 - browser0) / k}


def pause_latency(browser, base: str) -> dict:
    s = Session(browser, f"{base}/Neural_network?data=moons&n=10000&hidden=64&iters=10000")
    s.press()
    s.page.wait_for_timeout(2000)
    t_pause = s.page.evaluate(CLICK_JS, PLAY)
    # wait until the status has been quiet for 2 s (or 15 s pass)
    t_end = time.time() + 15
    while time.time() < t_end:
        log = s.log()
        now = s.page.evaluate("() => performance.now()")
        if now - log[-1][0] > 2000 and log[-1][0] > t_pause:
            break
        time.sleep(0.1)
    log = s.log()
    last_t, last_text = log[-1]
    out = {"pause_s": max(0.0, last_t - t_pause) / 1000, "final": last_text, "errors": s.errors(),
           "iters_at_pause": _iteration(last_text)}
    s.close()
    return out


# --- in-process: training alone and the per-tick profile ----------------------------------------------
def default_problem(**over):
    from ui.data_source import resolve
    from ui.params import Settings
    from ui.server import tune_allocator_once
    tune_allocator_once()  # as the app's server does when its first page runs
    settings = Settings.from_values(over)
    problem, err = resolve(settings)
    assert problem is not None, err
    return problem, settings


def make_run(problem, settings):
    from scratchnet import TrainingRun, make_model
    ds = problem.dataset
    model = make_model("net", problem.n_inputs, **settings.model_hyper())
    return TrainingRun(model, problem.X_train, ds.y_train, problem.X_test, ds.y_test, lr=settings.lr,
                       batch_size=settings.batch_size, seed=settings.seed,
                       snapshot_every=max(1, settings.iters // 100))


def training_alone(iters: int) -> float:
    problem, settings = default_problem(iters=iters)
    run = make_run(problem, settings)
    t0 = time.process_time()
    run.advance(iters, lr=settings.lr)
    return time.process_time() - t0


def tick_profile(iters: int) -> dict:
    """Replay a default run tick by tick in-process, timing each piece the fragment does (process time)."""
    import numpy as np
    import plotly.io as pio
    import plotly.tools

    import figures
    from scratchnet.plane import decision_grid, plane_grid
    from ui.live import GRID_RESOLUTION, MAX_TRAIN_SECONDS, PLOT_HEIGHT
    from ui.params import iterations_per_tick

    problem, settings = default_problem(iters=iters)
    run = make_run(problem, settings)
    ds = problem.dataset
    grid = plane_grid(np.vstack([ds.X_train, ds.X_test]), resolution=GRID_RESOLUTION)
    per_tick = iterations_per_tick(settings.speed)
    acc: dict[str, list[float]] = {}
    sizes: dict[str, list[int]] = {}
    clock = time.process_time

    def timed(name, fn):
        t = clock()
        out = fn()
        acc.setdefault(name, []).append(clock() - t)
        return out

    ticks = 0
    while run.iteration < iters:
        timed("advance", lambda: run.advance(min(per_tick, iters - run.iteration), lr=settings.lr,
                                             time_budget=MAX_TRAIN_SECONDS))
        grads = run.last_record.grads
        proba = timed("decision_grid", lambda: decision_grid(run.model, grid, problem.transform))
        figs = {
            "boundary": timed("boundary_figure", lambda p=proba: figures.boundary_figure(
                ds, grid, p, title="Decision boundary", height=PLOT_HEIGHT)),
            "loss": timed("loss_figure", lambda: figures.loss_figure(run.history, log_y=False, marker=None,
                                                                     height=PLOT_HEIGHT)),
            "grads": timed("gradient_figure", lambda g=grads: figures.gradient_figure(
                run.history, g, input_names=problem.input_names, marker=None, height=PLOT_HEIGHT)),
        }
        for name, fig in figs.items():
            f2 = timed(f"st.validate {name}",
                       lambda fg=fig: plotly.tools.return_figure_from_figure_or_data(fg, validate_figure=True))
            js = timed(f"to_json {name}", lambda fg=f2: pio.to_json(fg, validate=False))
            sizes.setdefault(name, []).append(len(js))
        ticks += 1
    return {"ticks": ticks, "per_tick": per_tick,
            "mean_ms": {k: 1000 * statistics.fmean(v) for k, v in acc.items()},
            "total_s": {k: sum(v) for k, v in acc.items()},
            "json_bytes": {k: (statistics.fmean(v), max(v)) for k, v in sizes.items()}}


# --- report ------------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float | None:
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    i = min(len(v) - 1, max(0, round(q * (len(v) - 1))))
    return v[i]


def f(x, spec: str, none: str = "—") -> str:
    return none if x is None else format(x, spec)


def build_table(results: list[dict], train_s: float, pause: dict | None, iters: int) -> list[str]:
    lines = ["| sessions K | server CPU / run (s) | browser CPU / run (s) | training alone (s) | "
             "WS bytes / run (median) | Play→first change p50 / p95 (ms) | Play→finished p50 / p95 (s) | "
             "updates/s (min) | errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rows = r["rows"]
        first = [x["first_ms"] for x in rows]
        fin = [x["finish_s"] for x in rows]
        ups = [x["ups"] for x in rows if x["ups"] is not None]
        by = statistics.median(x["bytes"] for x in rows)
        lines.append(
            f"| {r['k']} | {r['cpu_per_run']:.2f} | {r['browser_cpu_per_run']:.2f} | {train_s:.2f} | "
            f"{by / 1e6:.2f} MB | "
            f"{f(pct(first, .5), '.0f')} / {f(pct(first, .95), '.0f')} | "
            f"{f(pct(fin, .5), '.2f')} / {f(pct(fin, .95), '.2f')} | "
            f"{f(statistics.median(ups) if ups else None, '.1f')} ({f(min(ups) if ups else None, '.1f')}) | "
            f"{r['errors']} |")
    if pause:
        lines.append("")
        lines.append(f"Big run (n=10000, hidden=64, 10000 iterations): Pause latency **{pause['pause_s']:.2f} s** "
                     f"(status stopped at iteration {pause['iters_at_pause']}, final text "
                     f"'{'paused' if 'paused' in pause['final'] else pause['final'][:40]}'), errors {pause['errors']}.")
    return lines


def profile_lines(p: dict) -> list[str]:
    order = ["advance", "decision_grid", "boundary_figure", "loss_figure", "gradient_figure",
             "st.validate boundary", "st.validate loss", "st.validate grads",
             "to_json boundary", "to_json loss", "to_json grads"]
    total = sum(p["mean_ms"].values())
    lines = [f"Per tick (in-process, {p['ticks']} ticks of {p['per_tick']} iterations, mean process time):", "",
             "| piece | ms / tick | share | run total (s) |", "|---|---|---|---|"]
    for k in order:
        if k in p["mean_ms"]:
            lines.append(f"| {k} | {p['mean_ms'][k]:.1f} | {p['mean_ms'][k] / total:.0%} | {p['total_s'][k]:.2f} |")
    lines.append(f"| **sum** | {total:.1f} | 100% | {sum(p['total_s'].values()):.2f} |")
    lines.append("")
    lines.append("JSON spec per chart (mean / max bytes): " + ", ".join(
        f"{k} {m / 1e3:.1f} / {x / 1e3:.1f} kB" for k, (m, x) in p["json_bytes"].items()))
    return lines


def write_readme(lines: list[str]) -> None:
    path = ROOT / "bench" / "README.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    head = "## Live-run benchmark"
    block = "\n".join([head, "", "`python bench/bench_live.py [--sessions 1,5,10] [--iterations 1000]` — see the "
                       "module docstring for what each column means.", "", *lines, ""])
    if head in text:
        start = text.index(head)
        nxt = text.find("\n## ", start + len(head))
        text = text[:start] + block + ("" if nxt < 0 else text[nxt + 1:])
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", default="1,5,10")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--no-pause", action="store_true")
    ap.add_argument("--no-readme", action="store_true")
    args = ap.parse_args()
    ks = [int(x) for x in args.sessions.split(",") if x.strip()]

    from playwright.sync_api import sync_playwright

    train_s = training_alone(args.iterations)
    results, pause = [], None
    with streamlit_server() as base, sync_playwright() as pw:
        pid = server_pid(base)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # warm-up: import, caches, first-run compile of the page
        results_warm = run_k(browser, pid, base, 1, args.iterations)
        print(f"warm-up run: cpu {results_warm['cpu_per_run']:.2f} s, errors {results_warm['errors']}", flush=True)
        for k in ks:
            r = run_k(browser, pid, base, k, args.iterations)
            results.append(r)
            print(f"K={k}: cpu/run {r['cpu_per_run']:.2f} s, errors {r['errors']}, "
                  f"rows {json.dumps(r['rows'])}", flush=True)
        if not args.no_pause:
            pause = pause_latency(browser, base)
            print(f"pause: {pause}", flush=True)
        browser.close()
    prof = tick_profile(args.iterations)

    machine = (f"{datetime.date.today().isoformat()} · {platform.platform()} · {platform.python_version()} · "
               f"{os.cpu_count()} CPUs · {platform.processor() or platform.machine()}")
    lines = [f"Measured {machine}; default run = /Neural_network?iters={args.iterations} "
             "(moons n=200, 8 ReLU units, α 0.1, speed 1×).", "",
             *build_table(results, train_s, pause, args.iterations), "", *profile_lines(prof)]
    print("\n".join(lines))
    if not args.no_readme:
        write_readme(lines)


if __name__ == "__main__":
    main()
