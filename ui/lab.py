"""The learning-rate lab: one start, several learning rates, results kept per session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import figures
from scratchnet import History, Model, compare_learning_rates, make_model, sweep_verdicts
from scratchnet.plane import PlaneGrid, decision_grid
from scratchnet.problem import Problem
from ui import controls, page
from ui.page import PageContext
from ui.params import Settings, fmt

RESULT_KEY = "lab_result"
ENTRIES_PER_SECOND = 2e8  # (example × hidden unit × iteration) entries a second, measured on a 2-core server
AUTO_RUN_SECONDS = 1.5  # run without a click when it should take less than this
VERDICT_WORDS = {"too small": "too small", "good": "just right", "too large": "too large", "diverged": "diverged"}


@dataclass
class LabResult:
    signature: tuple[Any, ...]
    runs: dict[float, tuple[Model, History]]
    verdicts: dict[float, str]
    grid: PlaneGrid
    probas: dict[float, np.ndarray]


def lab_signature(problem: Problem, settings: Settings, kind: str) -> tuple[Any, ...]:
    return (problem.signature, kind, settings.architecture(kind), settings.lab_lrs, settings.iters, settings.batch,
            settings.l2)


def estimated_seconds(problem: Problem, settings: Settings, kind: str) -> float:
    """Rough time for the comparison: the (m × h) array passes dominate each iteration."""
    width = settings.hidden if kind == "net" else 1
    m = problem.dataset.n_train + problem.dataset.n_test
    return m * width * settings.iters * len(settings.lab_lrs) / ENTRIES_PER_SECOND


def stored(signature: tuple[Any, ...]) -> LabResult | None:
    result = st.session_state.get(RESULT_KEY)
    return result if result is not None and result.signature == signature else None


def run_lab(problem: Problem, settings: Settings, kind: str) -> LabResult:
    ds = problem.dataset
    start = make_model(kind, problem.n_inputs, **settings.model_hyper())
    runs = compare_learning_rates(start, problem.X_train, ds.y_train, settings.lab_lrs, settings.iters,
                                  problem.X_test, ds.y_test, batch_size=settings.batch_size, seed=settings.seed)
    result = LabResult(
        signature=lab_signature(problem, settings, kind),
        runs=runs,
        verdicts=sweep_verdicts({lr: h for lr, (_, h) in runs.items()}),
        grid=problem.plane_grid(resolution=30),
        probas={},
    )
    draw_over_plotted_axes(result, problem)
    st.session_state[RESULT_KEY] = result
    return result


def draw_over_plotted_axes(result: LabResult, problem: Problem) -> None:
    """Each final model's P(class 1) over the features the sidebar draws (the others at their training mean).
    Choosing other features redraws from the stored models: nothing is trained again."""
    if result.probas and result.grid.axes == problem.plot_axes:
        return
    result.grid = grid = problem.plane_grid(resolution=30)
    result.probas = {lr: decision_grid(m, grid, problem.transform) for lr, (m, _) in result.runs.items()}


def explanation(result: LabResult) -> list[str]:
    """One line per learning rate, in the words of the lesson: too small / just right / too large."""
    lines = []
    for lr, (_, h) in sorted(result.runs.items()):
        loss = h.array("train_loss")
        verdict = result.verdicts[lr]
        if verdict == "diverged":
            text = f"blew up at iteration {h.diverged_at}: every step overshoots further than the last."
        elif verdict == "too large":
            text = (f"the loss went up on some steps (from {loss[0]:.3f}, peak {np.nanmax(loss):.3f}, "
                    f"ended {loss[-1]:.3f}): steps overshoot the valley floor.")
        elif verdict == "too small":
            text = f"the loss only fell from {loss[0]:.3f} to {loss[-1]:.3f}: right direction, steps too short."
        else:
            text = f"the loss fell steadily from {loss[0]:.3f} to {loss[-1]:.3f}."
        lines.append(f"**α = {fmt(lr)} — {VERDICT_WORDS[verdict]}**: {text}")
    return lines


# --- the page ----------------------------------------------------------------------------------------
def lab_page(ctx: PageContext) -> None:
    """The model and learning rates to compare, then the comparison: run at once when quick, else on a click."""
    if not page.require_data(ctx):
        return
    top = st.columns([1.4, 3.2, 2.2], vertical_alignment="bottom")
    with top[0]:
        kind = controls.draw("lab_model", horizontal=True)
    with top[1]:
        lrs = controls.draw("lab_lrs")
    with top[2]:
        iters = controls.iterations_control()
    ctx.settings = settings = ctx.settings.replace(lab_model=kind, lab_lrs=sorted(lrs), iters=iters)
    if not settings.lab_lrs:
        st.info("Choose at least one learning rate.")
    else:
        with page.guard("the learning-rate lab"):
            _comparison(ctx, settings, kind)
    page.data_notes(ctx)


def _comparison(ctx: PageContext, settings: Settings, kind: str) -> None:
    problem = ctx.problem
    assert problem is not None
    result = stored(lab_signature(problem, settings, kind))
    seconds = estimated_seconds(problem, settings, kind)
    if result is None and (seconds < AUTO_RUN_SECONDS
                           or st.button(f"Run the comparison (about {seconds:.0f} s)", type="primary")):
        with st.spinner("Training one copy per learning rate…"):
            result = run_lab(problem, settings, kind)
    if result is None:
        st.info("This comparison is large (many points, units or iterations): press the button to run it.")
        return
    left, right = st.columns([1.5, 1])
    with left:
        st.plotly_chart(figures.lr_lab_loss_figure({lr: h for lr, (_, h) in result.runs.items()}, result.verdicts),
                        key="lab_losses", config={"displayModeBar": False})
    with right:
        st.markdown("\n".join(f"- {line}" for line in explanation(result)))
        st.caption("Too small: every step is safe but tiny, so learning crawls. Too large: a step jumps past the "
                   "minimum to where the slope is steeper, and the next jump is bigger. Just right: big steps that "
                   "still go downhill.")
    draw_over_plotted_axes(result, problem)
    st.plotly_chart(figures.lr_lab_boundaries_figure(problem.dataset, result.grid, result.probas, result.verdicts,
                                                     fade=problem.fade),
                    key="lab_boundaries", config={"displayModeBar": False})
