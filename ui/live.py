"""The live-training panel: Play / Pause / Step / Reset, redrawn by a fragment a few times a second.

Per redraw the server trains one chunk in numpy and rebuilds three compact figures; nothing else on
the page reruns. The run (model, history, snapshots) lives in st.session_state, one per page.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import figures
import scratchnet
from scratchnet import TrainingRun, evaluate, lr_verdict
from scratchnet.plane import PlaneGrid, decision_grid, hidden_unit_grids, plane_grid
from scratchnet.problem import Problem
from ui import controls, runs
from ui import settings as S
from ui.page import PageContext, data_notes, guard, require_data
from ui.params import Settings

GRID_RESOLUTION = 40
UNIT_GRID_RESOLUTION = 24
# numpy time one redraw may spend training: a share of the time since the last redraw, within these bounds,
# so big runs keep moving when the browser redraws slowly and Pause still lands within a fraction of a second
TRAIN_SHARE, MIN_TRAIN_SECONDS, MAX_TRAIN_SECONDS = 0.3, 0.05, 0.15
PLOT_HEIGHT = 360


@dataclass
class LiveRun:
    signature: tuple[Any, ...]
    run: TrainingRun
    grid: PlaneGrid
    unit_grid: PlaneGrid
    playing: bool = False
    last_tick: float | None = None  # when the last redraw trained (perf_counter), to keep playback in real time


def run_signature(kind: str, problem: Problem, settings: Settings) -> tuple[Any, ...]:
    """What, when changed, starts a new run: the data, the inputs, the architecture, the batch size."""
    return (kind, problem.signature, settings.architecture(kind), settings.batch)


def get_live(page: str, kind: str, problem: Problem, settings: Settings) -> LiveRun:
    sig = run_signature(kind, problem, settings)
    live = runs.get(page)
    if live is None or live.signature != sig:
        ds = problem.dataset
        run = TrainingRun(
            scratchnet.make_model(kind, problem.n_inputs, **settings.model_hyper()), problem.X_train, ds.y_train,
            problem.X_test, ds.y_test, lr=settings.lr, batch_size=settings.batch_size, seed=settings.seed,
            snapshot_every=max(1, settings.iters // 100),
        )
        live = LiveRun(sig, run, plane_grid(problem.all_points, resolution=GRID_RESOLUTION),
                       plane_grid(problem.all_points, resolution=UNIT_GRID_RESOLUTION))
        runs.put(page, live)
    return live


# --- button callbacks (run before the rerun they trigger) ----------------------------------------
def _set_playing(page: str, play: bool, target: int) -> None:
    """Play or Pause, as the button said when it was drawn: idempotent, so a click delivered twice
    (a fragment tick racing the click) cannot undo itself."""
    live = runs.get(page)
    if live is None:
        return
    live.playing = play and live.run.iteration < target and not live.run.diverged
    live.last_tick = None


def _step(page: str, lr: float, l2: float) -> None:
    live = runs.get(page)
    if live is not None and not live.run.diverged:
        live.playing = False
        live.run.advance(S.STEP_ITERATIONS, lr=lr, l2=l2)


def _reset(page: str) -> None:
    runs.drop(page)


# --- the panel ---------------------------------------------------------------------------------------
def model_page(ctx: PageContext) -> None:
    """A model page's body (logistic regression, the network): the training panel on the data in use."""
    if require_data(ctx):
        with guard("the training panel"):
            training_panel(ctx)
        data_notes(ctx)


def training_panel(ctx: PageContext) -> None:
    """Toolbar, then the live fragment (status + three plots), then what updates on pause."""
    page, problem = ctx.page, ctx.problem
    assert problem is not None and ctx.kind is not None
    toolbar = st.columns([1.9, 1.0, 1.0, 2.8, 2.4, 1.9], vertical_alignment="bottom")
    with toolbar[3]:
        lr = controls.current("lr") if "model" in ctx.hidden else controls.lr_control()
    with toolbar[4]:
        iters = controls.current("iters") if "model" in ctx.hidden else controls.iterations_control()
    with toolbar[5]:
        speed = controls.speed_control()
    ctx.settings = settings = ctx.settings.replace(lr=lr, iters=iters, speed=speed)
    live = get_live(page, ctx.kind, problem, settings)
    run, target = live.run, settings.iters
    finished = run.iteration >= target or run.diverged
    if live.playing and finished:
        live.playing = False
    label = "⏸ Pause" if live.playing else ("▶ Play" if run.iteration == 0 or finished else "▶ Resume")
    with toolbar[0]:
        st.button(label, key=f"{page}_play", type="primary", on_click=_set_playing,
                  args=(page, not live.playing, target),
                  disabled=finished and not live.playing, shortcut="space", width="stretch",
                  help="Finished: raise Iterations to keep going, or Reset" if finished else
                  "Play / pause (space bar)")
    with toolbar[1]:
        st.button("Step", key=f"{page}_step", on_click=_step, args=(page, settings.lr, settings.l2),
                  disabled=run.diverged, width="stretch", help=f"{S.STEP_ITERATIONS} iterations, then pause")
    with toolbar[2]:
        st.button("Reset", key=f"{page}_reset", on_click=_reset, args=(page,), width="stretch",
                  help="Back to iteration 0 with fresh starting weights (same seed)")

    rate = S.iterations_per_second(settings.speed)
    run_every = S.TICK_SECONDS if live.playing else None
    st.fragment(run_every=run_every)(_guarded_live_view)(ctx, page, target, rate)

    if not live.playing:
        _after_run(ctx, live, target)


def _guarded_live_view(ctx: PageContext, page: str, target: int, rate: float | None) -> None:
    """The fragment body, guarded inside the fragment: Streamlit handles a fragment's own exceptions
    (a redacted traceback box) before any guard around the fragment call could see them."""
    with guard("the live plots"):
        _live_view(ctx, page, target, rate)


def _tick_work(live: LiveRun, rate: float | None) -> tuple[int | None, float]:
    """(updates owed, seconds of training allowed) for this redraw. At `rate` per second of wall time, a browser
    that redraws less often gets bigger steps, so a run takes as long as its speed says on any machine.
    None updates ('max' speed): as many as the time allows."""
    now = time.perf_counter()
    elapsed = S.TICK_SECONDS if live.last_tick is None else min(now - live.last_tick, 1.0)
    live.last_tick = now
    budget = min(MAX_TRAIN_SECONDS, max(MIN_TRAIN_SECONDS, TRAIN_SHARE * elapsed))
    return (None if rate is None else max(1, round(rate * elapsed))), budget


def _live_view(ctx: PageContext, page: str, target: int, rate: float | None) -> None:
    live: LiveRun | None = runs.get(page)
    if live is None:
        return
    run, settings, problem = live.run, ctx.settings, ctx.problem
    if live.playing:
        remaining, (due, budget) = target - run.iteration, _tick_work(live, rate)
        run.advance(remaining if due is None else min(due, remaining), lr=settings.lr,
                    l2=settings.l2, time_budget=budget)
        if run.diverged or run.iteration >= target:
            live.playing = False
            st.rerun()  # whole page: stops the timer, enables the downloads and the unit maps
    status_row, plots = st.container(), st.container()
    view = _view_snapshot(ctx.page, live)  # drawn under the plots, read before drawing them
    with status_row:
        status, toggle = st.columns([6, 1], vertical_alignment="center")
        with status:
            _status_line(live, problem, target, view)
        with toggle:
            log_y = controls.log_y_control()
        if run.diverged:
            _divergence_message(run, settings.lr)
    params, grads, marker = _state_at(live, problem, view)
    ds = problem.dataset
    with plots:
        cols = st.columns([1.05, 1, 1.1])
        with cols[0]:
            model = run.model
            if params is not None:  # looking back: the same model with that iteration's weights
                model = copy.copy(model)
                model.params = params
            proba = decision_grid(model, live.grid, problem.transform)
            title = f"Decision boundary at iteration {marker}" if marker is not None else "Decision boundary"
            st.plotly_chart(figures.boundary_figure(ds, live.grid, proba, title=title, height=PLOT_HEIGHT),
                            key=f"{ctx.page}_boundary", config={"displayModeBar": False})
        with cols[1]:
            st.plotly_chart(
                figures.loss_figure(run.history, log_y=bool(log_y), marker=marker, height=PLOT_HEIGHT),
                key=f"{ctx.page}_loss", config={"displayModeBar": False},
            )
        with cols[2]:
            if "gradients" not in ctx.hidden:
                st.plotly_chart(
                    figures.gradient_figure(run.history, grads, params=run.model.param_info,
                                            input_names=problem.input_names, marker=marker,
                                            height=PLOT_HEIGHT),
                    key=f"{ctx.page}_grads", config={"displayModeBar": False},
                )


def _view_snapshot(page: str, live: LiveRun) -> int | None:
    """The scrub slider (paused runs only): the snapshot iteration looked at, or None for 'now'."""
    run = live.run
    if live.playing or len(run.history) < 2:
        return None
    now = run.iteration
    picked = st.slider(
        "Look back through the run", 0, now, now, key=f"{page}_view_{id(run)}_{now}",
        help="Drag to see the boundary, the loss and the gradients as they were at an earlier iteration.",
    )
    return None if picked >= now else run.history.nearest_snapshot(picked)


def _state_at(live: LiveRun, problem: Problem, view: int | None):
    """(params or None for the live model, gradients to show, marker iteration or None)."""
    run = live.run
    history = run.history
    if view is not None:
        return history.snapshots[view], history.snapshot_grads[view], view
    return None, run.current_grads(), None


def _fmt_pct(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.0%}"


def _fmt_loss(x: float) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.4f}"


def _status_line(live: LiveRun, problem: Problem, target: int, view: int | None) -> None:
    run, h = live.run, live.run.history
    state = "playing" if live.playing else ("diverged" if run.diverged else
                                            "finished" if run.iteration >= target else "paused")
    if view is not None:
        i = h.columns["iteration"].index(view)
        tl, vl = h.columns["train_loss"][i], h.columns["test_loss"][i]
        ta, va = h.columns["train_acc"][i], h.columns["test_acc"][i]
        where = f"looking back at iteration <b>{view:,}</b> of {run.iteration:,}"
    elif len(h):
        tl, vl, ta, va = (h.last(c) for c in ("train_loss", "test_loss", "train_acc", "test_acc"))
        where = f"Iteration <b>{run.iteration:,}</b> / {target:,} · {state}"
    else:  # before the first step: the starting weights' numbers
        tl, ta, vl, va = evaluate(run.model, problem.X_train, problem.y_train) + evaluate(
            run.model, problem.X_test, problem.y_test)
        where = f"Iteration <b>{run.iteration:,}</b> / {target:,} · {state}"
    st.markdown(
        f"<div class='sn-status' data-testid='sn-status'>{where} · train loss <b>{_fmt_loss(tl)}</b> · "
        f"test loss <b>{_fmt_loss(vl)}</b> · accuracy train <b>{_fmt_pct(ta)}</b> / "
        f"test <b>{_fmt_pct(va)}</b></div>",
        unsafe_allow_html=True,
    )


def _divergence_message(run: TrainingRun, lr: float) -> None:
    smaller = max([o for o in S.LR_OPTIONS if o <= lr / 10] or [S.LR_OPTIONS[0]])
    st.error(
        f"**The run diverged at iteration {run.history.diverged_at}** — {run.history.message}. "
        f"With α = {S.fmt(lr)}, each step θ ← θ − α·∂L/∂θ jumps past the bottom of the loss valley and "
        "lands higher up the other side, where the slope is steeper; the next step is longer still, and the "
        f"loss explodes instead of shrinking. Lower the learning rate (try {S.fmt(smaller)}) and press "
        "**Reset**. The plots show the last weights before it blew up.",
        icon="💥",
    )


def _after_run(ctx: PageContext, live: LiveRun, target: int) -> None:
    """What only changes when paused: the verdict, hidden-unit maps, downloads."""
    run = live.run
    if len(run.history) >= 20 and not run.diverged and lr_verdict(run.history) == "too large":
        st.warning("The loss went **up** on some steps: the learning rate is large enough to overshoot. "
                   "It may still settle — or try a smaller α.", icon="📈")
    if ctx.kind == "net":
        with st.expander("What each hidden unit learned", expanded=False):
            net = run.model
            grids = hidden_unit_grids(net, live.unit_grid, ctx.problem.transform)
            st.caption("Each map is one unit's output h1 = g(a1) over the plane (bright = large); w2 is how "
                       "strongly it votes for class 1 (+) or class 0 (−). The boundary is their weighted sum.")
            st.plotly_chart(
                figures.hidden_units_figure(ctx.problem.dataset, live.unit_grid, grids, w2=net.params["w2"]),
                key=f"{ctx.page}_units", config={"displayModeBar": False},
            )
    if len(run.history):
        left, right, _ = st.columns([1, 1, 3])
        with left:
            st.download_button(
                "⬇ Parameters (JSON)", data=lambda: json.dumps(run.model.to_dict(), indent=1),
                file_name=f"scratchnet_{ctx.page}_params.json", mime="application/json",
                key=f"{ctx.page}_dl_params",
            )
        with right:
            st.download_button(
                "⬇ History (CSV)", data=lambda: run.history.to_frame().to_csv(index=False),
                file_name=f"scratchnet_{ctx.page}_history.csv", mime="text/csv", key=f"{ctx.page}_dl_history",
            )
