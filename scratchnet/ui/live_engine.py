"""The run behind the live component: it trains a little ahead of the browser, one message of frames at a time,
keeps the weights of every frame it sent, and puts the run back at the frame on screen when the browser says
so. No Streamlit here: the browser's requests come in as dicts and the answers go out as payload dicts.

The browser asks (`op`): "play", "need" (more frames after `next`), "pause", "step", "done" (it showed the last
frame), "frame" (the frame now again: its plane changed), each with `shown` (the iteration on screen), `req` (its
request number) and `epoch` (the timeline it plays). The server bumps `epoch` when the frames it sent can no
longer be played (α, λ, the iteration limit or the drawn features changed mid-run): the browser then holds its
frame and asks again from there, so a change applies from the next frame and the run on the server is always the
one on screen.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from scratchnet import Problem, TrainingRun
from scratchnet.models import Params
from scratchnet.plane import class_regions, dead_unit_mask, decision_grid, hidden_unit_grids, unit_votes
from scratchnet.ui import live_payload as P
from scratchnet.ui import params as S
from scratchnet.ui.live_ahead import CHUNK_TRAIN_BUDGET, FIRST_CHUNK_SECONDS, Lookahead, losses

GRID_RESOLUTION = 100  # as TF Playground
UNIT_RESOLUTION = 40
MAX_UNIT_MAPS = 16
FRAME_RATE = 45.0  # frames per second of playback the server aims at (the browser draws at most one per screen refresh)
MAX_SPEED_STRIDE = 40  # 'max' speed: iterations per frame
# Playback one message carries: the browser asks for `want` seconds (it ramps up from a small first message,
# so the first frames come fast, to long ones: every message costs the browser a page re-render).
CHUNK_SECONDS = (0.1, 4.0)  # the range of `want`


@dataclass(frozen=True)
class LiveSettings:
    """The settings a run reads (from the sidebar and the toolbar)."""

    lr: float
    l2: float
    iters: int
    speed: str
    logy: bool
    hidden: int
    act: str
    batch: str
    seed: int

    @property
    def rate(self) -> float | None:
        """Iterations per second of playback; None = 'max'."""
        return S.iterations_per_second(self.speed)

    def playback(self) -> tuple[int, float]:
        """(iterations per frame, frames per second)."""
        rate = self.rate
        if rate is None:
            return MAX_SPEED_STRIDE, FRAME_RATE
        stride = max(1, round(rate / FRAME_RATE))
        return stride, rate / stride


class LiveRun(Lookahead):
    """One page's run as the live view sees it: the TrainingRun, the frames in flight, the browser's position."""

    def __init__(self, page: str, signature: tuple[Any, ...], problem: Problem,
                 make_run: Callable[[], TrainingRun], settings: LiveSettings) -> None:
        self.page, self.signature, self.make_run = page, signature, make_run
        self._plane(problem)
        self.notice = ""
        self.seq = 0
        self.inbox: list[dict[str, Any]] = []  # requests stashed by the component's callback, handled in the run
        self.mount, self.last_req = "", 0  # the browser view talking to this run, and its last request
        self._start(make_run(), settings)

    def _start(self, run: TrainingRun, s: LiveSettings) -> None:
        self.run = run
        self.state = "idle"
        self.epoch = getattr(self, "epoch", -1) + 1
        self.hold = False  # the browser must stop at its frame and ask again from there
        self.store: dict[int, Params] = {run.iteration: run.model.get_params()}  # θ of every frame in flight
        self.shown = run.iteration
        self.applied = (s.lr, s.l2, s.iters)
        self._current: tuple[dict[str, Any], Any] | None = None  # the frame for the weights now
        self._preroll_key: str | None = None  # the first frames of Play sent with the last paused payload
        self._preroll_its: list[int] = []
        self.splice = False  # α or λ moved while playing: the next answer carries frames with the new values
        self._splice: tuple[str, int, list[int]] | None = None  # (key, from, iterations) of those frames
        self.seen: tuple[int, float] | None = None  # (iteration on screen, when) from the last request while playing
        self.lag = 0.05  # seconds an answer spends on its way, besides the server's work (the browser measures it)

    def _plane(self, problem: Problem) -> None:
        """The grids over the problem's plotted axes (the decision boundary, the hidden-unit maps)."""
        self.problem = problem
        self.grid = problem.plane_grid(GRID_RESOLUTION)
        self.unit_grid = problem.plane_grid(UNIT_RESOLUTION)
        self._meta: dict[str, Any] | None = None
        self._current = None

    def replot(self, problem: Problem) -> None:
        """The same data drawn over other features: the run goes on, only the plane is drawn anew. Frames
        already sent while playing show the old plane, so the browser holds its frame and asks again (as for
        a new α): the run takes up from the frame on screen, with the new grid."""
        if problem.plot_axes == self.problem.plot_axes:
            return
        self._plane(problem)
        if self.state == "playing":
            self.epoch += 1
            self.hold = True

    def reset(self, run: TrainingRun, s: LiveSettings) -> None:
        self.notice = ""
        self._start(run, s)

    # --- state ----------------------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.state == "playing"

    @playing.setter
    def playing(self, value: bool) -> None:
        """Setting False (the page was left) stops at the last frame the browser reported on screen; requests
        still on their way from that page's view are dropped (a late Play must not restart it)."""
        if not value:
            self.inbox.clear()
        if not value and self.state == "playing":
            self._seek(self.shown)
            self.state = "paused"
            self._settle(self.applied[2])

    def _settle(self, target: int) -> None:
        """A run that is not playing is idle (never trained), paused, finished (at its limit) or diverged."""
        if self.state == "playing":
            return
        if self.run.diverged:
            self.state = "diverged"
        elif self.run.iteration >= target:
            self.state = "finished"
        elif self.run.iteration == 0 and len(self.run.history) == 0:
            self.state = "idle"
        else:
            self.state = "paused"

    def _seek(self, iteration: int) -> bool:
        """Put the run at a frame it sent (the weights are kept); False if that frame is unknown."""
        if iteration == self.run.iteration:
            return True
        params = self.store.get(iteration)
        if params is None or iteration > self.run.iteration:
            return False
        self.run.rewind(iteration, params)
        self._current = None
        for k in [k for k in self.store if k > iteration]:
            del self.store[k]
        return True

    def _note_shown(self, shown: Any) -> None:
        if isinstance(shown, int) and shown in self.store:
            self.shown = shown
            for k in [k for k in self.store if k < shown]:
                del self.store[k]

    # --- settings from a page run ---------------------------------------------------------------------------
    def apply(self, s: LiveSettings) -> None:
        """Every run of the page, before its requests: α, λ or the limit may have moved. While playing, the frames
        already sent were trained with the old values: for α or λ the next answer carries frames with the new
        values from just ahead of the screen (splice_payload); otherwise the browser is told to hold and ask again."""
        changed = (s.lr, s.l2, s.iters) != self.applied
        if changed and self.state == "playing":
            self.epoch += 1
            # α or λ alone: frames with the new values from just ahead of the screen (once; a second change
            # before the browser answered, or a new limit, holds the frame on screen and asks again from it)
            alpha_only = (s.lr, s.l2) != self.applied[:2] and s.iters == self.applied[2]
            if alpha_only and self._splice is None and not self.hold and self.seen is not None:
                self.splice = True
            else:
                self.hold, self.splice = True, False
        self.applied = (s.lr, s.l2, s.iters)
        self._settle(s.iters)
        if self.state == "finished" and self.run.iteration < s.iters and not self.run.diverged:
            self.state = "paused"  # the limit was raised: Resume goes on from here

    # --- requests from the browser ----------------------------------------------------------------------
    @property
    def plane_key(self) -> str:
        """The drawn features as the browser names its plane (its requests say which one it draws)."""
        return ",".join(str(k) for k in self.problem.plot_axes)

    def handle(self, cmd: dict[str, Any], s: LiveSettings) -> dict[str, Any]:
        """Answer one browser request with a payload (each request is acted on once). A browser that draws
        another plane than the run's (the features changed in a run that also carried this request) gets the
        plane's meta with the answer, whatever the answer is."""
        t0 = time.perf_counter()
        lag = cmd.get("lag")
        if isinstance(lag, int | float) and 0 <= lag < 5000:
            self.lag = lag / 1000
        p = self._handle(cmd, s)
        p["ms"] = round((time.perf_counter() - t0) * 1000)  # the browser subtracts it from the time it waited
        plane = cmd.get("plane")
        if plane is not None and plane != self.plane_key and "meta" not in p:
            p["meta"] = self.plane_meta()
        return p

    def _handle(self, cmd: dict[str, Any], s: LiveSettings) -> dict[str, Any]:
        mount, req = str(cmd.get("mount", "")), int(cmd.get("req") or 0)
        if mount != self.mount:  # a new browser view of this run numbers its requests from 1
            self.mount, self.last_req = mount, 0
        if req <= self.last_req:  # delivered again: say where things stand
            return self.snapshot(s, ack=req)
        self.last_req = req
        op, shown = cmd.get("op"), cmd.get("shown")
        if self._splice is not None and cmd.get("splice") == self._splice[0]:
            self._take_splice(s)  # the browser plays the frames sent after an α change: the run takes them too
        elif self._splice is not None and cmd.get("epoch") == self.epoch:
            self._splice = None  # it had passed their first frame: it asks again from its own
        if op in ("need", "play") and isinstance(shown, int):
            self.seen = (shown, time.monotonic())
        if op == "need":
            if self.splice and cmd.get("epoch") == self.epoch - 1:  # asked for frames as α moved
                return self.splice_payload(s, ack=req)
            if cmd.get("epoch") != self.epoch or self.state != "playing":  # the browser is behind
                return self.snapshot(s, ack=req, frames=not self.hold)
            self.hold = False
            self._note_shown(shown)
            start = cmd.get("next")
            if not (isinstance(start, int) and self._seek(start)):
                self.epoch += 1  # out of sync: the browser takes the frame the run is at and goes on from there
                return self.snapshot(s, ack=req)
            want = cmd.get("want")
            want = float(want) if isinstance(want, int | float) else FIRST_CHUNK_SECONDS
            return self._chunk(s, req, min(max(want, CHUNK_SECONDS[0]), CHUNK_SECONDS[1]))
        if op == "reset":
            self.reset(self.make_run(), s)
            return self.snapshot(s, ack=req)
        if op not in ("play", "pause", "step", "done"):  # "frame": the frame now, over the plane now
            return self.snapshot(s, ack=req)
        in_sync = isinstance(shown, int) and self._seek(shown)
        at = self.run.iteration  # the frame on screen, or (out of sync) where the run is
        self._note_shown(at)
        self.hold, self.state, self.notice = False, "paused", ""
        if op == "play" and not self.run.diverged and at < s.iters:
            self.state = "playing"
            key = cmd.get("preroll")
            if in_sync and key is not None and key == self._preroll_key:
                self._take_preroll(s)  # the browser is already playing those frames
                return self._chunk(s, req, 0.5)
            if in_sync and key is None:
                return self._chunk(s, req, FIRST_CHUNK_SECONDS)
            in_sync = False  # it played frames trained with other settings: back to the frame it started from
        elif op == "step" and not self.run.diverged and at < s.iters:
            self._advance(min(S.STEP_ITERATIONS, s.iters - at), s)
        self._settle(s.iters)  # pause, done, step, or a Play with nothing left to do
        if not in_sync:  # the browser showed a frame this run does not know: it takes the one the run is at
            self.epoch += 1
            return self.snapshot(s, ack=req)
        frames = [self._frame()] if self.run.iteration != at else []
        return self._payload(s, ack=req, base=at, frames=frames, t0=at)

    def _advance(self, n: int, s: LiveSettings) -> None:
        self.run.advance(n, lr=s.lr, l2=s.l2)
        self._current = None

    def _chunk(self, s: LiveSettings, req: int, seconds: float) -> dict[str, Any]:
        """Train the next `seconds` of playback (or what CHUNK_TRAIN_BUDGET allows) as frames."""
        stride, fps = s.playback()
        base = self.run.iteration
        want = max(1, math.ceil(seconds * fps))
        deadline = time.perf_counter() + min(CHUNK_TRAIN_BUDGET, seconds)  # never train longer than it plays
        frames = []
        while len(frames) < want and self.run.iteration < s.iters and not self.run.diverged:
            self._advance(min(stride, s.iters - self.run.iteration), s)
            frames.append(self._frame(tail=False))
            if time.perf_counter() > deadline:
                break
        for frame, _ in frames:  # the records of the next iterations already hold each frame's losses
            frame["s"] = self._tail(self.run.model, frame["it"])
        end = None
        if self.run.diverged or self.run.iteration >= s.iters:
            end = {"it": self.run.iteration, "state": "diverged" if self.run.diverged else "finished"}
        return self._payload(s, ack=req, base=base, frames=frames, t0=base, end=end)

    # --- frames -------------------------------------------------------------------------------------------
    def _model_at(self, look: int | None) -> Any:
        """The run's model, or a shallow copy with the weights of snapshot `look`."""
        if look is None:
            return self.run.model
        model = copy.copy(self.run.model)
        model.params = self.run.history.snapshots[look]
        return model

    def _tail(self, model: Any, it: int) -> str:
        """The status numbers at iteration `it`: record `it` holds them (losses at θ_it) once the run has gone
        one step further; otherwise they are computed for `model`, which then has θ_it."""
        c = self.run.history.columns
        units = getattr(model, "hidden_units", 0)  # a model without a hidden layer has no dead units
        if it < len(self.run.history):
            dead = c["dead_units"][it]
            return P.status_tail(c["train_loss"][it], c["test_loss"][it], c["train_acc"][it], c["test_acc"][it],
                                 c["penalty"][it], (int(dead), units) if units and dead == dead else None)
        dead = model.dead_units(model.forward(self.problem.X_train)[1])
        return P.status_tail(*losses(model, self.problem), model.penalty(), None if dead is None else (dead, units))

    def _frame(self, look: int | None = None, tail: bool = True) -> tuple[dict[str, Any], Any]:
        """(frame, quantised grid) for the weights now, or at snapshot `look` (looking back while paused)."""
        if look is None and self._current is not None:
            return self._current
        model = self._model_at(look)
        grid, finite = self._grid(model)
        it = self.run.iteration if look is None else look
        frame: dict[str, Any] = {"it": it}
        if tail:
            frame["s"] = self._tail(model, it)
        if not finite:
            frame["nan"] = 1
        if look is not None:
            frame["look"] = self.run.iteration
            return frame, grid
        self.store[self.run.iteration] = model.get_params()
        self._current = (frame, grid)
        return self._current

    def _grid(self, model: Any) -> tuple[Any, bool]:
        """The frame's grid as bytes: P(class 1) per cell, or for K ≥ 3 classes the winning class and its
        probability (the core's class_regions); and whether every cell was finite."""
        proba = decision_grid(model, self.grid, self.problem.transform, dtype=np.float32)  # a picture: bytes
        if self.problem.n_classes == 2:
            return P.quantise(proba)
        regions = class_regions(proba)
        return P.quantise_regions(regions.winner, regions.confidence)

    def meta(self) -> dict[str, Any]:
        """The plane's axes, colours and points (the same for the whole run)."""
        if self._meta is None:
            self._meta = P.plane_meta(self.problem.view, self.grid, self.problem.fade)
        return self._meta

    def plane_meta(self) -> dict[str, Any]:
        """What the live view's meta carries: the plane (meta) and the charts' lines (with K classes, W2's rows)."""
        classes = self.problem.class_names if self.run.model.n_classes > 2 else ()
        return {**self.meta(), "page": self.page, "charts": P.chart_lines(self.run.model.param_info, classes)}

    def units_payload(self, look: int | None = None) -> dict[str, Any] | None:
        """The hidden-unit maps for the weights now (or at snapshot `look`): paused network runs only."""
        if self.page != "net" or self.playing:
            return None
        if look is not None and look not in self.run.history.snapshots:
            look = None
        model = self._model_at(look)
        h1 = hidden_unit_grids(model, self.unit_grid, self.problem.transform)
        votes, weight = unit_votes(model)
        dead = dead_unit_mask(model, self.problem.X_train)  # as the status counts them: on the training points
        units = P.encode_units(h1, weight, MAX_UNIT_MAPS, None if model.n_classes == 2 else votes, dead)
        return {"units": units, "meta": self.meta(), "depth": getattr(model, "depth", 1),  # > 1: first-layer maps
                "look": look, "it": self.run.iteration}

    # --- payloads ---------------------------------------------------------------------------------------------
    def snapshot(self, s: LiveSettings, *, ack: int | None = None, meta: bool = False, look: int | None = None,
                 frames: bool = True) -> dict[str, Any]:
        """Where things stand, for a page run or a request that came too late: the whole series and the frame
        now, or the snapshot looked back at (a browser that is playing keeps its own frames)."""
        if look is not None and (self.playing or look not in self.run.history.snapshots):
            look = None
        return self._payload(s, ack=self.last_req if ack is None else ack, base=-1 if frames else None,
                             frames=[self._frame(look)] if frames else None, t0=0, meta=meta, full=True)

    def _payload(self, s: LiveSettings, *, ack: int, base: int | None, frames: list | None, t0: int | None,
                 end: dict | None = None, meta: bool = False, full: bool = False) -> dict[str, Any]:
        self.seq += 1
        run = self.run
        stride, fps = s.playback()
        now = frames[-1][0] if frames else self._frame()[0]
        p: dict[str, Any] = {
            "seq": self.seq, "ack": ack, "epoch": self.epoch, "state": self.state, "it": run.iteration,
            "target": s.iters, "hold": self.hold, "full": full, "notice": self.notice,
            "status": P.status_text(now["it"], s.iters, self.state, now["s"], now.get("look")),
            "view": {"logy": s.logy, "fps": round(fps, 3), "stride": stride, "lr": s.lr},
        }
        if meta:
            p["meta"] = self.plane_meta()
        if t0 is not None:
            p["series"] = P.series(run.history, t0, P.series_columns(run.model))
        if frames is not None:
            p["base"] = base
            p["frames"] = [f for f, _ in frames]
            p["grids"] = P.encode_grids([g for _, g in frames])
        if end is not None:
            p["end"] = end
        if self.state in ("idle", "paused") and "look" not in now:
            p["preroll"] = self._preroll(s)
        return p
