"""The live view, old and new, measured back to back in one run: real `streamlit run` servers, one headless Chromium.

    python -m bench.bench_live --quick                       # development: every section once, 3 sessions
    python -m bench.bench_live                               # the note: 3 repeats, 10 sessions
    python -m bench.bench_live --only default,pause --views new
    python -m bench.bench_live --old /work/wt/old --new .     # trees (default: old = commit 7350279, new = this repo)

`--old`/`--new` take a directory or a git commit (checked out as a temporary worktree). Each tree is served by its
own server (tests/browser_support.streamlit_server, so the same Streamlit flags as the tests), both started at the
beginning and warmed up; every measurement uses a fresh browser context (its own Streamlit session) in the same
Chromium (executable, flags, 1366×768 viewport), and the two views take turns section by section (order swapped on
each repeat) so a change in machine load hits both alike. The default run is /Neural_network?iters=1000 (moons
n=200, 8 ReLU units, α 0.1, speed 1× = 250 iterations a second, so 4 s nominal).

How each number is measured (identically for both views unless said):
* A sampler in the page runs on every animation frame (requestAnimationFrame, what a frame shows) and logs with
  performance.now(): status-line text changes; boundary updates; blank boundary frames; replacements of the
  boundary element. Boundary "update": new view, `data-draws` on `[data-testid=sn-live]` changed; old view, the
  boundary chart's plotly `.main-svg` node or its first contour path changed. An update is counted on the first
  non-blank frame after the change, so updates/s counts pictures a student could see, at most one per frame.
* blank frame: a frame where the boundary has nothing drawn. New: `[data-testid=sn-boundary]` missing, zero-width,
  or its canvas transparent at 5 sampled pixels. Old: the first `[data-testid=stPlotlyChart]` has no plotly svg or
  no contour path (the chart is being rebuilt). Longest blank = first blank frame to the next drawn one.
* remounts: the boundary element node replaced (new: `[data-testid=sn-boundary]`, and the root `sn-live` shown
  beside it; old: the boundary chart's `.js-plotly-plot` div). Counted from Play to 2 s after the run finished (the
  old view reruns the whole page once a run ends).
* Play → first change: Play is pressed with `element.click()` (old: `.st-key-net_play button`, new:
  `[data-testid=sn-play]`), stamped with performance.now(); the first frame whose status line shows a higher
  iteration. Run duration: Play → the frame showing "finished" (new: `data-state`; old: status text).
* Pause → frozen: Play, wait until iteration ≥ 250, press Pause; the last frame after the press whose status line
  shows a different iteration (0 if none), read once nothing changed for 2 s. "changes after Pause" counts them;
  "Pause → paused shown" is the first frame saying paused (new: `data-state`; old: status text).
* α change → visible: during a 2,000-iteration run the "Learning rate α" slider is focused and moved one step with
  the keyboard (0.1 ↔ 0.3), stamped by a capture keydown listener. New view: the first frame where `data-lr-marks`
  went up. Old view (no mark): the first frame showing the iteration that the page rerun caused by the change drew
  first, i.e. the first frame trained with the new α (found by decoding the websocket ForwardMsgs: the first
  full-run `new_session`, then its status-line delta).
* browser CPU: user+system CPU of all Chromium processes this benchmark started (psutil), Play → finished + 2 s,
  in a second default run with no sampler in the page (a rAF loop makes headless Chromium draw every frame, which
  would bill the old view for frames it never asked for); "main thread busy" is the renderer's CDP
  Performance.getMetrics TaskDuration over the same window — wall time, so it grows with machine load; "idle loaded
  page" is the browser's CPU per second before Play.
* server CPU: psutil user+system (children included) of the tree's streamlit process, same window and run.
* floors (new view, after each cost run; bench/floor.py): a bare page in the same Chromium drawing as many
  boundary frames over the same time on canvases of the same sizes (browser CPU, same window); this repo's engine
  driven in-process through the same run, and its training alone (server side, no Streamlit).
* websocket bytes: payload lengths of the frames the page received (Playwright's framereceived, i.e. CDP
  Network.webSocketFrameReceived), same window and run.
* K sessions: K fresh contexts loaded one after another, then Play pressed in each in turn; p95 of Play → first
  change, each run's duration / nominal (iterations / 250 s⁻¹), server and browser CPU per run (samplers on).
* big run (/Neural_network?n=10000&hidden=64&iters=10000): Play, watch for a few seconds — boundary updates/s
  between the first change and the Pause press — then Pause → frozen as above. Printed before it, for context: how
  long one iteration of it takes in-process right then (the machine's state, no server or browser involved).

Times are printed, never asserted. Machine, load average (before each section) and date are printed too.
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
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import floor
from bench.live_session import (
    LR_SLIDER,
    NEW,
    OLD,
    PLAY,
    Session,
    chromium_cpu_seconds,
    settle_browser,
    status_iteration,
)
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from tests.serving import listening_pid, streamlit_server

ROOT = Path(__file__).resolve().parents[1]

SECTIONS = ("default", "pause", "alpha", "sessions", "big", "deep", "nodiagram", "edit")
OLD_COMMIT = "7350279"  # the last commit with the old live view (plotly charts re-sent per fragment tick)
DEFAULT_ITERS = 1000
RATE_1X = 250.0  # iterations per second at speed 1× (scratchnet/ui/params.py BASE_ITERATIONS_PER_SECOND)
BIG_URL = "Neural_network?data=moons&n=10000&hidden=64&iters=10000"
DEEP_QUERY = "&layers=8,8,8,8,8,8"  # TF Playground's largest network, 6 layers × 8 units (a view without layers: 1 × 8)
SETTLE_S = 2.0  # measured windows end this long after a run finished (the old view's end-of-run rerun included)
RUN_TIMEOUT_S = 180.0
PAUSE_AT = 250


# --- trees and servers -------------------------------------------------------------------------------
@dataclass
class Tree:
    label: str
    spec: str
    path: Path
    base: str = ""
    pid: int = 0
    rev: str = ""


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def checkout(label: str, spec: str):
    """A directory as is, or a commit checked out as a temporary detached worktree (removed afterwards)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        yield Tree(label, spec, path.resolve())
        return
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{label}-")) / "tree"
    git("worktree", "add", "--detach", str(tmp), spec)
    try:
        yield Tree(label, spec, tmp)
    finally:
        git("worktree", "remove", "--force", str(tmp))
        tmp.parent.rmdir()


def server_pid(base: str) -> int:
    pid = listening_pid(int(base.rsplit(":", 1)[1]))
    if pid is None:
        raise RuntimeError(f"no streamlit process for {base}")
    return pid


def server_cpu(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system + t.children_user + t.children_system


def describe(tree: Tree) -> str:
    with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
        rev = git("rev-parse", "--short", "HEAD", cwd=tree.path)
        dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no", cwd=tree.path) else ""
        return f"{tree.path} @ {rev}{dirty}"
    return str(tree.path)


# --- measurements ------------------------------------------------------------------------------------
@dataclass
class Ctx:
    browser: Any
    tree: Tree

    def session(self, path: str, sample: bool = True) -> Session:
        return Session(self.browser, f"{self.tree.base}/{path}", VIEWPORT, sample=sample)


def _first(xs, pred: Callable[[Any], bool], default=None):
    return next((x for x in xs if pred(x)), default)


def iteration_before(log: dict, t: float) -> int:
    before = [status_iteration(x) for tt, x in log["status"] if tt <= t]
    return next((i for i in reversed(before) if i is not None), 0)


def first_change_ms(log: dict, t_play: float) -> float | None:
    it0 = iteration_before(log, t_play)
    hit = _first(log["status"], lambda e: e[0] > t_play and (status_iteration(e[1]) or 0) > it0)
    return None if hit is None else hit[0] - t_play


def blank_in(log: dict, t0: float, t1: float) -> tuple[int, float, float]:
    """(blank frames, longest and total blank ms) of blank stretches overlapping [t0, t1]. A busy main thread
    draws few frames, so one blank frame can stay on screen for long: the times say how long."""
    eps = list(log["blankEp"]) + ([log["blankOpen"]] if log.get("blankOpen") else [])
    eps = [e for e in eps if e[1] >= t0 and e[0] <= t1]
    return (sum(int(e[2]) for e in eps), max((e[1] - e[0] for e in eps), default=0.0),
            sum(e[1] - e[0] for e in eps))


def default_run(c: Ctx, iters: int = DEFAULT_ITERS) -> dict:
    """The default run played to the end twice: sampled (what is seen), then unsampled (what it costs)."""
    return {**seen_run(c, iters), **cost_run(c, iters)}


def seen_run(c: Ctx, iters: int, query: str = "") -> dict:
    """Rate, blank frames, remounts, Play → first change, duration: the sampler on, one session."""
    s = c.session(f"Neural_network?iters={iters}{query}")
    try:
        settle_browser()
        frames0 = s.page.evaluate("() => window.__bench.frames")
        t_play = s.play()
        done = s.wait_done(RUN_TIMEOUT_S)
        s.page.wait_for_timeout(SETTLE_S * 1000)
        t_end, log = s.now(), s.log()
        out: dict[str, Any] = {"errors": s.exceptions() + (done is None),
                               "first_change_ms": first_change_ms(log, t_play)}
        first_upd = _first(log["updates"], lambda t: t > t_play)
        out["first_boundary_ms"] = None if first_upd is None else first_upd - t_play
        t_stop = done if done is not None else t_end
        dur = (t_stop - t_play) / 1000
        out["duration_s"] = dur if done is not None else None
        out["duration_ratio"] = dur / (iters / RATE_1X) if done is not None else None
        out["updates_per_s"] = sum(t_play < t <= t_stop for t in log["updates"]) / dur
        out["status_per_s"] = sum(t_play < e[0] <= t_stop for e in log["status"]) / dur
        out["blank_frames"], out["longest_blank_ms"], out["blank_ms"] = blank_in(log, t_play, t_end)
        out["remounts"] = sum(t_play < t <= t_end for t in log["remount"])
        out["root_remounts"] = sum(t_play < t <= t_end for t in log["rootRemount"]) if s.kind == NEW else None
        out["fps"] = (log["frames"] - frames0) / ((t_end - t_play) / 1000)
        return out
    finally:
        s.close()


def cost_run(c: Ctx, iters: int) -> dict:
    """Browser, renderer main-thread and server CPU, websocket bytes: Play → finished + 2 s, no sampler."""
    s = c.session(f"Neural_network?iters={iters}", sample=False)
    try:
        settle_browser()
        b0 = chromium_cpu_seconds()
        time.sleep(1.0)
        idle = chromium_cpu_seconds() - b0
        srv0, br0, mt0 = server_cpu(c.tree.pid), chromium_cpu_seconds(), s.main_thread_seconds()
        t_play = s.play()
        done = s.wait_done(RUN_TIMEOUT_S)
        s.page.wait_for_timeout(SETTLE_S * 1000)
        n_bytes = s.ws_bytes(s.frame_play)
        srv1, br1, mt1 = server_cpu(c.tree.pid), chromium_cpu_seconds(), s.main_thread_seconds()
        out = {"cost_errors": s.exceptions() + (done is None), "idle_browser_cpu_per_s": idle,
               "server_cpu": srv1 - srv0, "browser_cpu": br1 - br0, "main_thread": mt1 - mt0, "ws_bytes": n_bytes}
        if s.kind == NEW and done is not None:  # the same frames and sizes, drawn by a bare page (bench/floor.py)
            draws = int(s.page.evaluate("() => document.querySelector('[data-testid=sn-live]').dataset.draws"))
            out["browser_floor"] = floor.browser_floor(c.browser, VIEWPORT, s.page.evaluate(floor.SIZES_JS), draws,
                                                       (done - t_play) / 1000, SETTLE_S)
            out |= floor.engine_cpu(iters)
        return out
    finally:
        s.close()


def no_diagram_run(c: Ctx) -> dict:
    """The default run with the network diagram switched off (&diagram=false; a view without one ignores it):
    what the boundary and the browser do without it, in the same view."""
    out = seen_run(c, DEFAULT_ITERS, "&diagram=false")
    s = c.session(f"Neural_network?iters={DEFAULT_ITERS}&diagram=false", sample=False)
    try:
        settle_browser()
        br0 = chromium_cpu_seconds()
        s.play()
        done = s.wait_done(RUN_TIMEOUT_S)
        s.page.wait_for_timeout(SETTLE_S * 1000)
        out |= {"browser_cpu": chromium_cpu_seconds() - br0, "ws_bytes": s.ws_bytes(s.frame_play),
                "cost_errors": s.exceptions() + (done is None)}
        return out
    finally:
        s.close()


EDIT_VALUES = ("1.5", "-0.5", "2", "0.25", "-1")


def edit_run(c: Ctx) -> dict:
    """A weight typed while paused (the diagram's table, keyboard) → the boundary drawn for it: the view stamps
    data-edit-ms from the Enter key to the first boundary draw after the server's answer. A view without the
    diagram has nothing to measure."""
    s = c.session(f"Neural_network?iters={DEFAULT_ITERS}", sample=False)
    try:
        page = s.page
        if not page.query_selector("[data-testid=sn-diagram-canvas]"):
            return {}
        page.click("[data-testid=sn-step]")
        page.wait_for_function("() => { const r = document.querySelector('[data-testid=sn-live]'); "
                               "return r.dataset.state === 'paused' && r.dataset.netIt === '10'; }")
        page.click("[data-testid=sn-net-table] summary")
        box = page.locator("[data-testid=sn-net-table] input[data-name='W1[2,0]']")
        times = []
        for value in EDIT_VALUES:
            page.evaluate("() => { delete document.querySelector('[data-testid=sn-live]').dataset.editMs; }")
            box.fill(value)
            box.press("Enter")
            page.wait_for_function("() => document.querySelector('[data-testid=sn-live]').dataset.editMs",
                                   timeout=RUN_TIMEOUT_S * 1000)
            times.append(float(page.evaluate("() => document.querySelector('[data-testid=sn-live]').dataset.editMs")))
        return {"edit_ms": times, "errors": s.exceptions()}
    finally:
        s.close()


def pause_measure(s: Session, t_pause: float) -> dict:
    """After Pause was pressed at page time t_pause: how long until the iteration on screen stopped changing."""
    s.wait_quiet(t_pause)
    log = s.log()
    prev = iteration_before(log, t_pause)
    changes = []
    for t, text in log["status"]:
        it = status_iteration(text)
        if t > t_pause and it is not None and it != prev:
            changes.append(t)
            prev = it
    if s.kind == NEW:
        shown = _first(log["state"], lambda e: e[0] > t_pause and e[1] == "paused")
    else:
        shown = _first(log["status"], lambda e: e[0] > t_pause and "paused" in (e[1] or ""))
    return {"frozen_ms": (changes[-1] - t_pause) if changes else 0.0, "changes_after": len(changes),
            "paused_shown_ms": None if shown is None else shown[0] - t_pause, "iteration": prev,
            "errors": s.exceptions() + (shown is None)}


def pause_run(c: Ctx) -> dict:
    s = c.session(f"Neural_network?iters={DEFAULT_ITERS}")
    try:
        settle_browser()
        s.play()
        s.wait_iteration(PAUSE_AT)
        return pause_measure(s, s.click(PLAY[s.kind]))
    finally:
        s.close()


class FullRuns:
    """The old view's full-page runs, read off its websocket: a full run starts with a `new_session` whose
    metadata lists no fragment; the first status-line delta after it is the first frame that run drew."""

    def __init__(self, s: Session):
        self.s, self.seen, self.started, self.status = s, 0, 0, []  # status: per full run, its first iteration

    def update(self) -> list[int]:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        for payload in self.s.frames[self.seen:]:
            self.seen += 1
            msg = ForwardMsg.FromString(payload)
            kind = msg.WhichOneof("type")
            if kind == "new_session" and not msg.metadata.run.fragment_ids:
                self.started += 1
            elif (kind == "delta" and len(self.status) < self.started and msg.delta.WhichOneof("type") == "new_element"
                  and msg.delta.new_element.WhichOneof("type") == "markdown"
                  and "data-testid='sn-status'" in msg.delta.new_element.markdown.body):
                it = status_iteration(re.sub(r"<[^>]+>", "", msg.delta.new_element.markdown.body))
                if it is not None:
                    self.status.append(it)
        return self.status


def alpha_run(c: Ctx, changes: int) -> dict:
    s = c.session("Neural_network?iters=2000")
    lat: list[float | None] = []
    try:
        settle_browser()
        s.play()
        s.wait_iteration(200)
        slider = s.page.locator(LR_SLIDER).first
        runs = FullRuns(s)
        for i in range(changes):
            slider.focus()
            log = s.log()
            s.frame_mark()
            n_keys, marks0, n_full = len(log["keys"]), (log["marks"][-1][1] if log["marks"] else 0), runs.started
            s.page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
            seen = None
            deadline = time.monotonic() + 15
            while seen is None and time.monotonic() < deadline:
                s.page.wait_for_timeout(50)
                log = s.log()
                if len(log["keys"]) <= n_keys:
                    continue
                t_key = log["keys"][n_keys][0]
                if s.kind == NEW:
                    hit = _first(log["marks"], lambda e, t0=t_key, m0=marks0: e[0] > t0 and e[1] > m0)
                else:  # the first frame of the full run the change caused
                    first_its = runs.update()
                    hit = None if len(first_its) <= n_full else _first(
                        log["status"],
                        lambda e, t0=t_key, n=first_its[n_full]: e[0] > t0 and (status_iteration(e[1]) or 0) >= n)
                seen = None if hit is None else hit[0] - t_key
            lat.append(seen)
            s.page.wait_for_timeout(1500)  # let the run go on before the next change
        return {"alpha_ms": [x for x in lat if x is not None], "errors": s.exceptions() + sum(x is None for x in lat)}
    finally:
        s.close()


def k_sessions(c: Ctx, k: int, iters: int = DEFAULT_ITERS) -> dict:
    sessions = [c.session(f"Neural_network?iters={iters}") for _ in range(k)]
    try:
        settle_browser(max_s=10)
        srv0, br0 = server_cpu(c.tree.pid), chromium_cpu_seconds()
        t_play = [s.play() for s in sessions]
        done = [s.wait_done(RUN_TIMEOUT_S) for s in sessions]
        sessions[0].page.wait_for_timeout(SETTLE_S * 1000)
        srv1, br1 = server_cpu(c.tree.pid), chromium_cpu_seconds()
        logs = [s.log() for s in sessions]
        nominal = iters / RATE_1X
        return {"k": k, "first_change_ms": [first_change_ms(g, t) for g, t in zip(logs, t_play, strict=True)],
                "ratios": [None if d is None else (d - t) / 1000 / nominal for d, t in zip(done, t_play, strict=True)],
                "server_cpu_per_run": (srv1 - srv0) / k, "browser_cpu_per_run": (br1 - br0) / k,
                "errors": sum(s.exceptions() for s in sessions) + sum(d is None for d in done)}
    finally:
        for s in sessions:
            s.close()


def big_run(c: Ctx, watch_s: float) -> dict:
    s = c.session(BIG_URL)
    try:
        settle_browser()
        t_play = s.play()
        s.wait_iteration(1)
        time.sleep(watch_s)
        t_pause = s.click(PLAY[s.kind])
        out = pause_measure(s, t_pause)
        log = s.log()
        first = _first(log["status"], lambda e: e[0] > t_play and (status_iteration(e[1]) or 0) > 0)
        t0 = first[0] if first else t_play
        out["updates_per_s"] = sum(t0 < t <= t_pause for t in log["updates"]) / ((t_pause - t0) / 1000)
        out["status_per_s"] = sum(t0 < e[0] <= t_pause for e in log["status"]) / ((t_pause - t0) / 1000)
        return out
    finally:
        s.close()


def big_training_alone(iterations: int = 10) -> str:
    """How fast this machine trains the big run right now, in-process (no server, no browser): for context."""
    from scratchnet import ui  # noqa: F401  (the server's allocator settings)
    from scratchnet.data import synthetic_dataset
    from scratchnet.network import make_model
    from scratchnet.training import TrainingRun

    ds = synthetic_dataset("moons", n=10000, noise=0.15, seed=0)
    run = TrainingRun(make_model("net", 2, hidden_units=64, activation="relu", seed=0), ds.X_train, ds.y_train,
                      ds.X_test, ds.y_test, lr=0.1, snapshot_every=100)
    run.advance(2)
    t, c = time.perf_counter(), time.process_time()
    run.advance(iterations)
    wall, cpu = (time.perf_counter() - t) / iterations, (time.process_time() - c) / iterations
    return f"big-run training alone, in-process: {1000 * wall:.1f} ms wall, {1000 * cpu:.1f} ms CPU per iteration"


def warm_up(c: Ctx) -> None:
    """First page load on a server: imports, caches, the first compile of the page."""
    s = c.session(f"Neural_network?iters={DEFAULT_ITERS}")
    try:
        s.play()
        s.wait_iteration(1)
    finally:
        s.close()


# --- report ------------------------------------------------------------------------------------------
def pct(values: list, q: float) -> float | None:
    v = sorted(x for x in values if x is not None)
    return v[min(len(v) - 1, max(0, round(q * (len(v) - 1))))] if v else None


def med(values: list) -> float | None:
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def top(values: list) -> float | None:
    """The largest, ignoring what a view cannot measure (None: the old view has no root element)."""
    v = [x for x in values if x is not None]
    return max(v) if v else None


@dataclass
class Row:
    label: str
    get: Callable[[dict], Any]
    fmt: str
    budget: str = ""
    ok: Callable[[float], bool] | None = None


def _fmt_pair(a: float | None, b: float | None) -> str | None:
    return None if a is None else f"{a:.0f} / {b or 0:.0f}"


def _runs(r: dict, section: str) -> list[dict]:
    return r.get(section, [])


def _col(section: str, key: str, agg=med) -> Callable[[dict], Any]:
    return lambda r: agg([x.get(key) for x in _runs(r, section)]) if _runs(r, section) else None


def _k(fn: Callable[[dict], Any]) -> Callable[[dict], Any]:
    return lambda r: fn(r["sessions"][0]) if r.get("sessions") else None


ROWS = [
    Row("visible boundary updates/s, default run", _col("default", "updates_per_s"), ".1f", "≥ 20", lambda v: v >= 20),
    Row("status-line changes/s, default run", _col("default", "status_per_s"), ".1f"),
    Row("blank boundary frames per run", _col("default", "blank_frames", top), ".0f", "0", lambda v: v == 0),
    Row("  longest blank / all blanks (ms)", lambda r: _fmt_pair(_col("default", "longest_blank_ms", top)(r),
                                                                 _col("default", "blank_ms", top)(r)), ""),
    Row("boundary element remounts per run", _col("default", "remounts", top), ".0f", "0", lambda v: v == 0),
    Row("root (sn-live) remounts per run", _col("default", "root_remounts", top), ".0f"),
    Row("Play → first change (ms)", _col("default", "first_change_ms"), ".0f", "≤ 150", lambda v: v <= 150),
    Row("Play → first boundary update (ms)", _col("default", "first_boundary_ms"), ".0f"),
    Row("run duration / nominal, 1 session", _col("default", "duration_ratio"), ".2f"),
    Row("Pause → frozen (ms)", _col("pause", "frozen_ms", top), ".0f", "≤ 150", lambda v: v <= 150),
    Row("status changes after Pause", _col("pause", "changes_after", top), ".0f"),
    Row("Pause → 'paused' shown (ms)", _col("pause", "paused_shown_ms", top), ".0f"),
    Row("α change → visible (ms)",
        lambda r: med([x for a in _runs(r, "alpha") for x in a.get("alpha_ms", [])]) if _runs(r, "alpha") else None,
        ".0f", "≤ 300", lambda v: v <= 300),
    Row("browser CPU / default run (s)", _col("default", "browser_cpu"), ".2f", "≤ 1.5", lambda v: v <= 1.5),
    Row("  renderer main thread busy, wall (s)", _col("default", "main_thread"), ".2f"),
    Row("  idle loaded page, browser CPU / s (s)", _col("default", "idle_browser_cpu_per_s"), ".3f"),
    Row("  floor: a bare page drawing the same frames (s)", _col("default", "browser_floor"), ".2f"),
    Row("server CPU / default run (s)", _col("default", "server_cpu"), ".2f", "≤ 0.3", lambda v: v <= 0.3),
    Row("  its engine alone, in-process: training, pictures, JSON (s)", _col("default", "engine_cpu"), ".2f"),
    Row("  its training alone, in-process (s)", _col("default", "training_cpu"), ".2f"),
    Row("websocket MB / default run", lambda r: None if (v := _col("default", "ws_bytes")(r)) is None else v / 1e6,
        ".2f", "≤ 1", lambda v: v <= 1),
    Row("K sessions: p95 Play → first change (ms)",
        _k(lambda x: pct(x["first_change_ms"], .95)), ".0f", "≤ 1000", lambda v: v <= 1000),
    Row("K sessions: slowest run / nominal",
        _k(lambda x: max((v for v in x["ratios"] if v is not None), default=None)), ".2f", "≤ 1.5",
        lambda v: v <= 1.5),
    Row("K sessions: server CPU / run (s)", _k(lambda x: x["server_cpu_per_run"]), ".2f"),
    Row("K sessions: browser CPU / run (s)", _k(lambda x: x["browser_cpu_per_run"]), ".2f"),
    Row("big run: Pause → frozen (ms)", _col("big", "frozen_ms", top), ".0f", "≤ 150", lambda v: v <= 150),
    Row("big run: visible boundary updates/s", _col("big", "updates_per_s"), ".1f", "≥ 10", lambda v: v >= 10),
    Row("6×8 network: visible boundary updates/s", _col("deep", "updates_per_s"), ".1f", "≥ 30", lambda v: v >= 30),
    Row("6×8 network: run duration / nominal", _col("deep", "duration_ratio"), ".2f"),
    Row("diagram off: visible boundary updates/s", _col("nodiagram", "updates_per_s"), ".1f"),
    Row("diagram off: browser CPU / default run (s)", _col("nodiagram", "browser_cpu"), ".2f"),
    Row("diagram off: websocket MB / default run",
        lambda r: None if (v := _col("nodiagram", "ws_bytes")(r)) is None else v / 1e6, ".2f"),
    Row("weight edit → new boundary on screen (ms, median / max of 5)",
        lambda r: None if not (x := [t for e in _runs(r, "edit") for t in e.get("edit_ms", [])])
        else f"{med(x):.0f} / {max(x):.0f}", "", "≤ 200"),
    Row("errors (exceptions, timeouts)",
        lambda r: sum(x.get("errors", 0) + x.get("cost_errors", 0) for sec in SECTIONS for x in r.get(sec, [])),
        ".0f", "0", lambda v: v == 0),
]


def table(results: dict[str, dict], k: int) -> list[str]:
    """metric | each view | new / old (the baseline measured in the same run) | budget | whether new meets it."""
    labels = list(results)
    both = OLD in labels and NEW in labels
    lines = ["| metric | " + " | ".join(labels) + (" | new / old" if both else "") + " | budget |"
             + (" new meets it |" if NEW in labels else ""),
             "|---|" + "---:|" * (len(labels) + both) + "---|" + ("---|" if NEW in labels else "")]
    for row in ROWS:
        vals = [row.get(results[lab]) for lab in labels]
        if all(v is None for v in vals):
            continue
        cells = ["—" if v is None else format(v, row.fmt) for v in vals]
        if both:
            o, n = vals[labels.index(OLD)], vals[labels.index(NEW)]
            numeric = isinstance(o, int | float) and isinstance(n, int | float)
            cells.append(f"{n / o:.2f}" if numeric and o else "—")
        line = f"| {row.label.replace('K sessions', f'{k} sessions')} | " + " | ".join(cells) + f" | {row.budget} |"
        if NEW in labels:
            v = vals[labels.index(NEW)]
            line += (" |" if row.ok is None or v is None else (" yes |" if row.ok(v) else " **no** |"))
        lines.append(line)
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        cpu = next(x.split(":", 1)[1].strip() for x in Path("/proc/cpuinfo").read_text().splitlines()
                   if x.startswith("model name"))
    return f"{cpu}; {os.cpu_count()} cores; {platform.platform()}; Python {platform.python_version()}"


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# --- main --------------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", default=OLD_COMMIT, help=f"old view: a directory or a commit (default {OLD_COMMIT})")
    ap.add_argument("--new", default=str(ROOT), help="new view: a directory or a commit (default: this repo)")
    ap.add_argument("--views", default="old,new", help="which to measure: old,new | old | new")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"sections, comma-separated: {','.join(SECTIONS)}")
    ap.add_argument("--quick", action="store_true", help="1 repeat, 3 sessions, a 2-change α run: for development")
    ap.add_argument("--repeats", type=int, help="default runs / pauses per view (default 3; 1 with --quick)")
    ap.add_argument("--sessions", type=int, help="K for the sessions section (default 10; 3 with --quick)")
    ap.add_argument("--json", type=Path, help="also write every raw number here")
    args = ap.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    k = args.sessions or (3 if args.quick else 10)
    sections = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    views = [v.strip() for v in args.views.split(",") if v.strip()]

    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list]] = {v: {} for v in views}
    print(f"# bench_live — {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}")
    print(f"# machine: {machine()}")
    print(f"# load average at start: {load()}", flush=True)
    with contextlib.ExitStack() as stack:
        trees = {v: stack.enter_context(checkout(v, getattr(args, v))) for v in views}
        for v, tree in trees.items():
            tree.base = stack.enter_context(streamlit_server(root=tree.path))
            tree.pid = server_pid(tree.base)
            print(f"# {v}: {describe(tree)} — {tree.base}", flush=True)
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print(f"# chromium {browser.version}, {' '.join(CHROMIUM_ARGS)}, viewport {VIEWPORT['width']}×"
              f"{VIEWPORT['height']}; {repeats} repeat(s), K = {k}", flush=True)
        ctxs = {v: Ctx(browser, tree) for v, tree in trees.items()}
        for v, c in ctxs.items():
            warm_up(c)
            print(f"# warmed up {v}", flush=True)

        jobs: dict[str, Callable[[Ctx], dict]] = {
            "default": default_run, "pause": pause_run, "alpha": lambda c: alpha_run(c, 2 if args.quick else 4),
            "sessions": lambda c: k_sessions(c, k), "big": lambda c: big_run(c, 2.0 if args.quick else 4.0),
            "deep": lambda c: seen_run(c, DEFAULT_ITERS, DEEP_QUERY), "nodiagram": no_diagram_run, "edit": edit_run}
        for sec in sections:
            n = repeats if sec in ("default", "pause") else 1
            print(f"## {sec}: load average {load()}", flush=True)
            if sec == "big":
                print(f"# {big_training_alone()}", flush=True)
            for rep in range(n):
                for v in (views if rep % 2 == 0 else views[::-1]):
                    try:
                        r = jobs[sec](ctxs[v])
                    except Exception as e:  # a broken view is a result, not the end of the benchmark
                        r = {"errors": 1, "exception": f"{type(e).__name__}: {e}"[:300]}
                    results[v].setdefault(sec, []).append(r)
                    print(f"   {v} {sec}[{rep}]: {json.dumps(r, default=str)}", flush=True)
    print(f"# load average at end: {load()}\n")
    print("\n".join(table(results, k)))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=1, default=str))


if __name__ == "__main__":
    main()
