"""The learning-rate lab: one start, several learning rates, results kept per session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from scratchnet import History, Model, compare_learning_rates, sweep_verdicts
from scratchnet.plane import PlaneGrid, decision_grid, plane_grid
from ui import settings as S
from ui.data_source import Problem
from ui.live import make_model

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


def lab_signature(problem: Problem, values: dict[str, Any], kind: str, lrs: list[float]) -> tuple[Any, ...]:
    arch = (values["hidden"], values["act"]) if kind == "net" else ()
    return (problem.signature, kind, arch, tuple(lrs), values["iters"], values["batch"], values["l2"])


def estimated_seconds(problem: Problem, values: dict[str, Any], kind: str, lrs: list[float]) -> float:
    """Rough time for the comparison: the (m × h) array passes dominate each iteration."""
    width = int(values["hidden"]) if kind == "net" else 1
    m = problem.dataset.n_train + problem.dataset.n_test
    return m * width * int(values["iters"]) * len(lrs) / ENTRIES_PER_SECOND


def stored(signature: tuple[Any, ...]) -> LabResult | None:
    result = st.session_state.get(RESULT_KEY)
    return result if result is not None and result.signature == signature else None


def run_lab(problem: Problem, values: dict[str, Any], kind: str, lrs: list[float]) -> LabResult:
    ds = problem.dataset
    start = make_model(kind, problem, values)
    runs = compare_learning_rates(start, problem.X_train, ds.y_train, lrs, int(values["iters"]),
                                  problem.X_test, ds.y_test, batch_size=S.batch_size(values["batch"]),
                                  seed=int(values["seed"]))
    grid = plane_grid(problem.all_points, resolution=30)
    result = LabResult(
        signature=lab_signature(problem, values, kind, lrs),
        runs=runs,
        verdicts=sweep_verdicts({lr: h for lr, (_, h) in runs.items()}),
        grid=grid,
        probas={lr: decision_grid(m, grid, problem.transform) for lr, (m, _) in runs.items()},
    )
    st.session_state[RESULT_KEY] = result
    return result


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
        lines.append(f"**α = {S.fmt(lr)} — {VERDICT_WORDS[verdict]}**: {text}")
    return lines
