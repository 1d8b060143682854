"""The one frame producer: every frame the live view shows comes from `produce` (Play, the frames asked for next,
the first frames of Play sent while paused, the frames after α or λ moved, Step, the frame now, a look back).

A frame is a run's weights drawn over the plane: its iteration, the status numbers there, its decision grid as
bytes. `produce` trains the run it is given (the live run itself, or a fork of it) a stride at a time and draws
one frame per stride; it keeps each frame's weights so the run can be put back at any frame on screen.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scratchnet import Problem, TrainingRun, evaluate
from scratchnet.models import Params
from scratchnet.plane import class_regions, dead_unit_mask, decision_grid, hidden_unit_grids, unit_votes
from scratchnet.ui import live_payload as P
from scratchnet.ui.diagram_payload import Diagram, DiagramFrames

# TF Playground draws 100 a side; smoothed onto the canvas 80 looks the same (bench/README.md, session 7) for 36 % less
GRID_RESOLUTION = 80
UNIT_RESOLUTION = 40


class Plane:
    """The grids over the problem's plotted axes (the decision boundary, the hidden-unit maps) and its meta."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.grid = problem.plane_grid(GRID_RESOLUTION)
        self.unit_grid = problem.plane_grid(UNIT_RESOLUTION)
        self.key = ",".join(str(k) for k in problem.plot_axes)  # how the browser names the plane it draws
        self.diagram = Diagram(problem)  # the network's nodes over a coarse grid, drawn while it is on screen
        self._meta: dict[str, Any] | None = None

    def meta(self) -> dict[str, Any]:
        """The plane's axes, colours and points (the same for the whole run)."""
        if self._meta is None:
            self._meta = P.plane_meta(self.problem.view, self.grid, self.problem.fade)
        return self._meta

    def draw(self, model: Any) -> tuple[np.ndarray, bool]:
        """The model's grid as bytes: P(class 1) per cell, or for K ≥ 3 classes the winning class and its
        probability (the core's class_regions); and whether every cell was finite."""
        proba = decision_grid(model, self.grid, self.problem.transform, dtype=np.float32)  # a picture: bytes
        if self.problem.n_classes == 2:
            return P.quantise(proba)
        regions = class_regions(proba)
        return P.quantise_regions(regions.winner, regions.confidence)

    def units(self, run: TrainingRun, look: int | None, max_units: int) -> dict[str, Any]:
        """The hidden-unit maps of the run's weights now, or at snapshot `look`, encoded."""
        model = model_at(run, look)
        h1 = hidden_unit_grids(model, self.unit_grid, self.problem.transform)
        votes, weight = unit_votes(model)
        dead = dead_unit_mask(model, self.problem.X_train)  # as the status counts them: on the training points
        return P.encode_units(h1, weight, max_units, None if model.n_classes == 2 else votes, dead)


def model_at(run: TrainingRun, look: int | None) -> Any:
    """The run's model, or a shallow copy (its settings) with the weights of snapshot `look`."""
    if look is None:
        return run.model
    model = copy.copy(run.model)
    model.params = run.history.snapshots[look]
    return model


@dataclass
class Frames:
    """What `produce` made: the frames (JSON-ready dicts), their grids, the weights of each, where the run ended."""

    base: int  # the iteration the run was at before the first frame
    frames: list[dict[str, Any]] = field(default_factory=list)
    grids: list[np.ndarray] = field(default_factory=list)
    params: dict[int, Params] = field(default_factory=dict)  # θ at each frame's iteration
    end: dict[str, Any] | None = None  # {"it", "state"} when the run reached its limit or diverged
    diagram: DiagramFrames = field(default_factory=DiagramFrames)  # the diagram's part of each frame (when on)

    @property
    def its(self) -> list[int]:
        return [f["it"] for f in self.frames]

    def encoded(self) -> dict[str, Any]:
        return P.encode_grids(self.grids)

    def parts(self) -> dict[str, Any]:
        """What a payload carries of these frames: the frames, their grids, the diagram's part when on."""
        out = {"frames": self.frames, "grids": self.encoded()}
        dgm = self.diagram.encoded()
        if dgm is not None:
            out["dgm"] = dgm
        return out


def produce(run: TrainingRun, plane: Plane, *, lr: float, l2: float, stride: int, count: int, limit: int,
            budget: float = math.inf, look: int | None = None) -> Frames:
    """Train `run` up to `count` strides of `stride` updates (not past iteration `limit`, nor longer than `budget`
    seconds after the first frame: at least one), drawing a frame after each. count=0 draws the weights now, or
    with `look` those of the run's snapshot there (a look back: the frame says where the run is)."""
    out = Frames(run.iteration)
    if count == 0:
        _draw(out, run, plane, model_at(run, look), look if look is not None else run.iteration)
        if look is not None:
            out.frames[0]["look"] = run.iteration
        return out
    deadline = time.perf_counter() + budget
    took = 0.0  # the last frame's time: a frame that would end past the deadline is not begun
    while len(out.frames) < count and run.iteration < limit and not run.diverged:
        start = time.perf_counter()
        if out.frames and start + took > deadline:
            break
        run.advance(min(stride, limit - run.iteration), lr=lr, l2=l2)
        _draw(out, run, plane, run.model, run.iteration, tail=False)
        took = time.perf_counter() - start
        if start + took >= deadline:  # a budget of 0: one frame
            break
    if plane.diagram.on and out.frames and out.diagram.at[-1:] != [len(out.frames) - 1]:
        plane.diagram.draw(run.model, out.diagram, len(out.frames) - 1)  # the last frame always has the diagram
    for frame in out.frames:  # the record one step on holds each frame's losses (the last one is evaluated)
        frame["s"] = status(run, plane.problem, run.model, frame["it"])
    if run.diverged or (out.frames and run.iteration >= limit):
        out.end = {"it": run.iteration, "state": "diverged" if run.diverged else "finished"}
    return out


def _draw(out: Frames, run: TrainingRun, plane: Plane, model: Any, it: int, tail: bool = True) -> None:
    grid, finite = plane.draw(model)
    frame: dict[str, Any] = {"it": it}
    if tail:
        frame["s"] = status(run, plane.problem, model, it)
    if not finite:
        frame["nan"] = 1
    out.frames.append(frame)
    out.grids.append(grid)
    out.params[it] = model.get_params()
    if plane.diagram.on and (tail or len(out.frames) % plane.diagram.every == 0):
        plane.diagram.draw(model, out.diagram, len(out.frames) - 1)


def status(run: TrainingRun, pb: Problem, model: Any, it: int) -> str:
    """The status numbers at iteration `it`: record `it` holds them (losses at θ_it) once the run has gone one step
    further; otherwise they are computed for `model`, which then has θ_it."""
    c, k = run.history.columns, it - run.origin
    units = getattr(model, "hidden_units", 0)  # a model without a hidden layer has no dead units
    if 0 <= k < len(run.history):
        dead = c["dead_units"][k]
        return P.status_tail(c["train_loss"][k], c["test_loss"][k], c["train_acc"][k], c["test_acc"][k],
                             c["penalty"][k], (int(dead), units) if units and dead == dead else None)
    dead = model.dead_units(model.forward(pb.X_train)[1])
    (tl, ta), (vl, va) = evaluate(model, pb.X_train, pb.y_train), evaluate(model, pb.X_test, pb.y_test)
    return P.status_tail(tl, vl, ta, va, model.penalty(), None if dead is None else (dead, units))
