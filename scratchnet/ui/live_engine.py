"""The run behind the live component: the protocol's state around one TrainingRun. Every frame comes from
live_frames.produce; this module decides which run trains (the run itself, or a fork of it) and what it answers.

The browser asks (`op`): "play", "need" (more frames after `next`), "pause", "step", "done" (it showed the last
frame), "frame" (the frame now again: its plane changed), each with `shown` (the iteration on screen), `req` (its
request number) and `epoch` (the timeline it plays). The server bumps `epoch` when the frames it sent can no
longer be played (α, λ, the iteration limit or the drawn features changed mid-run): the browser then holds its
frame and asks again from there, so a change applies from the next frame and the run on the server is always the
one on screen. Two answers are trained on a fork, so nothing is trained twice: the first frames of Play, sent
while paused (a Play that says it plays them adopts the fork), and the frames after α or λ moved mid-run.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic as wall_clock
from time import thread_time
from typing import Any

from scratchnet import Problem, TrainingRun
from scratchnet.ui import live_payload as P
from scratchnet.ui import params as S
from scratchnet.ui.diagram_payload import edit_answer
from scratchnet.ui.live_frames import Frames, Plane, produce
from scratchnet.ui.live_payload import PROTOCOL

MAX_UNIT_MAPS = 16
FRAME_RATE = 60.0  # frames per second of playback the server aims at: one per refresh of a 60 Hz screen
MAX_SPEED_STRIDE = 40  # 'max' speed: iterations per frame, for a model and data of a usual size …
# … and fewer for a big one: a frame trains at most this many (rows × weights) multiply-adds, ~25 ms on the 2-core
# server. 40 iterations of a 6×32 net on the largest upload (2,500 × 299) took 0.35 s a frame, and a paused page
# spent that on Play's first frame at every rerun (issue #21: every rerun ≤ 1 s of server CPU).
FRAME_WORK = 1e8
CHUNK_SECONDS = (0.1, PROTOCOL["want_max_s"])  # the range of `want`, seconds of playback one message carries
# seconds of training one message may take (big runs send fewer frames instead); with the page's own work a message
# on the largest upload costs ~0.25 s of CPU, 4x inside issue #21's budget of 1 s a rerun (0.3 s left it 3x)
CHUNK_TRAIN_BUDGET = 0.2
PREROLL_BUDGET = 0.04  # seconds a paused payload may spend on the first frames of the next Play
# α or λ moved mid-run: frames with the new values start this far ahead of where the browser is estimated to be
# when the answer arrives (besides the answer's measured way: the training of those frames), so the change shows
# without the view stopping.
SPLICE_MARGIN = 0.06
# Each view's own share of the server: CPU seconds its requests may take per second, banked up to a cap. A
# browser playing a default run uses a few percent of it; once it is spent, each request trains one frame only.
CPU_SHARE, CPU_BANK = 0.5, 2.0


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
    max_stride: int = MAX_SPEED_STRIDE  # 'max' speed's iterations per frame for this model and data

    @property
    def rate(self) -> float | None:
        """Iterations per second of playback; None = 'max'."""
        return S.iterations_per_second(self.speed)

    def playback(self) -> tuple[int, float]:
        """(iterations per frame, frames per second)."""
        rate = self.rate
        if rate is None:
            return self.max_stride, FRAME_RATE
        stride = max(1, round(rate / FRAME_RATE))
        return stride, rate / stride


def max_speed_stride(rows: int, widths: Sequence[int]) -> int:
    """'max' speed's iterations per frame: MAX_SPEED_STRIDE, fewer when one iteration over `rows` rows (the step's
    and the test rows) through layers of `widths` (inputs, hidden units …, outputs) is big (FRAME_WORK)."""
    work = rows * sum(a * b for a, b in itertools.pairwise(widths))
    return int(max(1, min(MAX_SPEED_STRIDE, FRAME_WORK // max(1, work))))


class LiveRun:
    """One page's run as the live view sees it: the TrainingRun, the frames in flight, the browser's position."""

    def __init__(self, page: str, signature: tuple[Any, ...], problem: Problem,
                 make_run: Callable[[], TrainingRun], settings: LiveSettings) -> None:
        self.page, self.signature, self.make_run = page, signature, make_run
        self.plane = Plane(problem)
        self.notice = ""
        self.seq = 0
        self.arrived: set[str] = set()  # components whose callback said a request came (the run reads it)
        self.inbox: dict[str, Any] | None = None  # the one request kept for the run to answer
        self.mounting = False  # a view said hello since the last run (it needs the code)
        self.mount, self.last_req = "", 0  # the browser view talking to this run, and its last request
        self.cpu = (CPU_BANK, wall_clock())  # (CPU seconds banked, when) for this view's requests
        self.budget = CHUNK_TRAIN_BUDGET  # seconds of training the request being answered may take
        self.lag = 0.05  # seconds an answer spends on its way, besides the server's work (the browser measures it)
        self._start(make_run(), settings)

    def _start(self, run: TrainingRun, s: LiveSettings) -> None:
        self.run = run
        self.state = "idle"
        self.epoch = getattr(self, "epoch", -1) + 1
        self.hold = False  # the browser must stop at its frame and ask again from there
        self.store = {run.iteration: run.model.get_params()}  # θ of every frame in flight
        self.shown = run.iteration
        self.applied = (s.lr, s.l2, s.iters)
        self.pace = math.prod(s.playback())  # iterations a second the browser plays
        self.now: tuple[tuple[Any, ...], Frames] | None = None  # the frame for the weights now, and of what
        self.preroll: tuple[tuple[Any, ...], TrainingRun, Frames, dict[str, Any]] | None = None  # (what, fork, …)
        self.splice = False  # α or λ moved while playing: the next answer carries frames with the new values
        self.spliced: tuple[str, int, TrainingRun, Frames] | None = None  # (key, from, fork, frames) sent
        self.seen: tuple[int, float] | None = None  # (iteration on screen, when) from the last request while playing

    def replot(self, problem: Problem) -> None:
        """The same data drawn over other features: the run goes on, only the plane is drawn anew. Frames
        already sent while playing show the old plane, so the browser holds its frame and asks again (as for
        a new α): the run takes up from the frame on screen, with the new grid."""
        if problem.plot_axes == self.plane.problem.plot_axes:
            return
        self.plane = Plane(problem)
        self.now = self.preroll = None
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
        """Setting False (the page was left) stops at the frame the browser shows by now (_on_screen); requests
        still on their way from that page's view are dropped (a late Play must not restart it)."""
        if not value:
            self.inbox = None
            self.arrived.clear()
        if not value and self.state == "playing":
            self._seek(self._on_screen())
            self.state = "paused"
            self._settle(self.applied[2])

    def _on_screen(self) -> int:
        """The frame the browser shows by now, as far as the run can tell when no request can say it (the page
        was left: nothing is sent after the link's click): its last report played on at the playback rate, up to
        the last frame sent. A student who left a second after Play or an α change comes back to about the frame
        they saw, never to the start. Frames sent after an α change that it has reached are taken as the run's."""
        if self.seen is None:
            return self.shown
        shown, when = self.seen
        estimate = shown + (time.monotonic() - when) * self.pace
        if self.spliced is not None and self.spliced[1] <= estimate and self._seek(self.spliced[1]):
            self._take_splice()  # it played on into them (it would have, from a frame before their first)
        self._note_shown(max((k for k in self.store if k <= estimate), default=self.shown))
        return self.shown

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
        self.now = None
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
            if alpha_only and self.spliced is None and not self.hold and self.seen is not None:
                self.splice = True
            else:
                self.hold, self.splice = True, False
        self.applied, self.pace = (s.lr, s.l2, s.iters), math.prod(s.playback())
        self._settle(s.iters)
        if self.state == "finished" and self.run.iteration < s.iters and not self.run.diverged:
            self.state = "paused"  # the limit was raised: Resume goes on from here

    # --- requests from the browser ----------------------------------------------------------------------
    def take(self, value: Any) -> None:
        """Keep a request the component's callback received, for the next run to answer: checked field by field
        (live_payload.request), and only the newest of a view (one per run; a copy of one kept or answered is
        dropped: every run's answer says which request the server saw last)."""
        cmd = P.request(value)
        if cmd is None:
            return
        if cmd["op"] == "hello":
            self.mounting = True
            return
        mount, req = cmd["mount"], cmd["req"]
        newer = self.inbox is None or mount != self.inbox["mount"] or req > self.inbox["req"]
        if newer and (mount != self.mount or req > self.last_req):
            self.inbox = cmd

    def _afford(self) -> bool:
        """Whether this view's CPU bank has anything left (it refills at CPU_SHARE per second)."""
        bank, when = self.cpu
        now = wall_clock()
        self.cpu = (min(CPU_BANK, bank + (now - when) * CPU_SHARE), now)
        return self.cpu[0] > 0

    def handle(self, cmd: dict[str, Any], s: LiveSettings) -> dict[str, Any]:
        """Answer one browser request with a payload (each request is acted on once). A browser that draws
        another plane than the run's (the features changed in a run that also carried this request) gets the
        plane's meta with the answer, whatever the answer is."""
        t0, cpu0 = time.perf_counter(), thread_time()
        if cmd.get("lag") is not None:
            self.lag = min(cmd["lag"], 5000) / 1000
        self.budget = CHUNK_TRAIN_BUDGET if self._afford() else 0.0  # 0: one frame, however long it takes
        p = self._handle(cmd, s)
        self.cpu = (self.cpu[0] - (thread_time() - cpu0), self.cpu[1])
        p["ms"] = round((time.perf_counter() - t0) * 1000)  # the browser subtracts it from the time it waited
        plane = cmd.get("plane")
        if plane is not None and plane != self.plane.key and "meta" not in p:
            p["meta"] = self.plane_meta()
        return p

    def _handle(self, cmd: dict[str, Any], s: LiveSettings) -> dict[str, Any]:
        mount, req = cmd.get("mount", ""), cmd.get("req", 0)  # checked where they entered (take)
        if mount != self.mount:  # a new browser view of this run numbers its requests from 1
            self.mount, self.last_req = mount, 0
        if req <= self.last_req:  # delivered again: say where things stand
            return self.snapshot(s, ack=req)
        self.last_req = req
        op, shown = cmd.get("op"), cmd.get("shown")
        if self.spliced is not None and cmd.get("splice") == self.spliced[0]:
            self._take_splice()  # the browser plays the frames sent after an α change: the run adopts them
        elif self.spliced is not None and cmd.get("epoch") == self.epoch:
            self.spliced = None  # it had passed their first frame: it asks again from its own
        if op in ("need", "play") and shown is not None:
            self.seen = (shown, time.monotonic())
        if op == "need":
            if self.splice and cmd.get("epoch") == self.epoch - 1:  # asked for frames as α moved
                return self.splice_payload(s, ack=req)
            if cmd.get("epoch") != self.epoch or self.state != "playing":  # the browser is behind
                return self.snapshot(s, ack=req, frames=not self.hold)
            self.hold = False
            self._note_shown(shown)
            start = cmd.get("next")
            if not (start is not None and self._seek(start)):
                self.epoch += 1  # out of sync: the browser takes the frame the run is at and goes on from there
                return self.snapshot(s, ack=req)
            want = cmd.get("want", PROTOCOL["first_chunk_s"])
            return self._chunk(s, req, min(max(want, CHUNK_SECONDS[0]), CHUNK_SECONDS[1]))
        if op == "edit":  # a weight typed while paused (diagram_payload: checked there, the run takes it)
            return edit_answer(self, cmd, s)
        if op == "reset":
            self.reset(self.make_run(), s)
            return self.snapshot(s, ack=req)
        if op not in ("play", "pause", "step", "done"):  # "frame": the frame now, over the plane now
            return self.snapshot(s, ack=req)
        in_sync = shown is not None and self._seek(shown)
        at = self.run.iteration  # the frame on screen, or (out of sync) where the run is
        self._note_shown(at)
        self.hold, self.state, self.notice = False, "paused", ""
        step = Frames(at)  # a Pause or "done" carries no frame: the browser keeps what it shows up to `at`
        if op == "play" and not self.run.diverged and at < s.iters:
            self.state = "playing"
            key = cmd.get("preroll")
            if in_sync and key is not None and self.preroll is not None and key == self.preroll[3]["key"]:
                _, fork, frames, _ = self.preroll  # the browser is already playing those frames
                self.preroll = None  # taken: its fork is the run's now
                self.run.adopt(fork)
                self.store.update(frames.params)
                return self._chunk(s, req, 0.5)
            if in_sync and key is None:
                return self._chunk(s, req, PROTOCOL["first_chunk_s"])
            in_sync = False  # it played frames trained with other settings: back to the frame it started from
        elif op == "step" and not self.run.diverged and at < s.iters:
            step = self._produce(self.run, s, stride=min(S.STEP_ITERATIONS, s.iters - at), count=1)
        self._settle(s.iters)  # pause, done, step, or a Play with nothing left to do
        if not in_sync:  # the browser showed a frame this run does not know: it takes the one the run is at
            self.epoch += 1
            return self.snapshot(s, ack=req)
        return self._payload(s, ack=req, frames=step, t0=at)

    # --- frames: every one from live_frames.produce ------------------------------------------------------
    def _produce(self, run: TrainingRun, s: LiveSettings, *, count: int, stride: int | None = None,
                 budget: float = math.inf, last: bool = True) -> Frames:
        frames = produce(run, self.plane, lr=s.lr, l2=s.l2, stride=stride or s.playback()[0], count=count,
                         limit=s.iters if last else s.iters - 1, budget=budget)
        if run is self.run:
            self.store.update(frames.params)
        return frames

    def _chunk(self, s: LiveSettings, req: int, seconds: float) -> dict[str, Any]:
        """Train the next `seconds` of playback (or what the request's budget allows: at least a frame) as frames."""
        base = self.run.iteration
        frames = self._produce(self.run, s, count=max(1, math.ceil(seconds * s.playback()[1])),
                               budget=min(self.budget, seconds))  # never train longer than it plays
        return self._payload(s, ack=req, frames=frames, t0=base)

    def frame_now(self, look: int | None = None) -> Frames:
        """The frame of the weights now (drawn once per weights and plane), or of the snapshot `look`."""
        if look is not None:
            return produce(self.run, self.plane, lr=0, l2=0, stride=0, count=0, limit=0, look=look)
        what = (id(self.run), self.run.iteration, len(self.run.history), self.run.edits, self.plane.key)
        if self.now is None or self.now[0] != what:
            self.now = (what, produce(self.run, self.plane, lr=0, l2=0, stride=0, count=0, limit=0))
            self.store.update(self.now[1].params)
        return self.now[1]

    def _ahead(self, fork: TrainingRun, s: LiveSettings, seconds: float, budget: float, *,
               last: bool) -> tuple[Frames, dict[str, Any]] | None:
        """Frames trained on `fork` (the first of Play, or after α moved), and what the browser gets of them:
        {"base", "frames", "grids", "series", "end"}; None if none can be."""
        if fork.diverged or fork.iteration >= (s.iters if last else s.iters - 1):
            return None
        frames = self._produce(fork, s, count=max(1, math.ceil(seconds * s.playback()[1])), budget=budget, last=last)
        if not frames.frames:
            return None
        sent = {"base": frames.base, **frames.parts(),
                "series": P.series(fork.history, 0, P.series_columns(fork.model), origin=fork.origin),
                "end": frames.end if last else None}
        return frames, sent

    def _preroll(self, s: LiveSettings) -> dict[str, Any] | None:
        """The frames Play would show first: the browser starts playing them the moment Play is pressed, and a
        Play that says so adopts the fork they were trained on. Trained once per position and settings."""
        what = (self.epoch, self.run.iteration, len(self.run.history), s.lr, s.l2, s.playback()[0], s.iters,
                self.plane.key, self.run.edits)
        if self.preroll is None or self.preroll[0] != what:
            self.preroll, fork = None, self.run.fork()
            ahead = self._ahead(fork, s, PROTOCOL["first_chunk_s"], PREROLL_BUDGET, last=False)
            if ahead is None:
                return None
            ahead[1].pop("end")
            key = f"{self.epoch}:{self.run.iteration}:{s.lr}:{s.l2}:{s.playback()[0]}:{s.iters}:{self.seq}"
            self.preroll = (what, fork, ahead[0], {"key": key, **ahead[1]})
        return self.preroll[3]

    # --- an α or λ change while playing --------------------------------------------------------------------
    def splice_payload(self, s: LiveSettings, *, ack: int) -> dict[str, Any]:
        """Frames with the new α from a frame just ahead of the one the browser is estimated to show: it plays on
        into them if it has not passed that frame yet (the run adopts them when it says so), and otherwise holds
        its frame and asks again from there (what every change did before: two round trips, a visible stop)."""
        self.splice = False
        stride, fps = s.playback()
        shown, when = self.seen or (self.shown, time.monotonic())
        # where it will be when this answer arrives: its way there and back, and the training below
        estimate = shown + (time.monotonic() - when + min(self.lag, 0.4) + SPLICE_MARGIN) * stride * fps
        start = min((k for k in self.store if k >= estimate), default=self.run.iteration)
        fork = self.run.fork(at=(start, self.store[start])) if start != self.run.iteration else self.run.fork()
        ahead = self._ahead(fork, s, PROTOCOL["first_chunk_s"] * 2, self.budget / 3, last=True)
        if ahead is None:  # nothing to train from there (the end, a divergence): hold, as before
            self.hold = True
            return self.snapshot(s, ack=ack, frames=False)
        key = f"{self.epoch}:{start}:{s.lr}:{s.l2}:{self.seq}"
        self.spliced = (key, start, fork, ahead[0])
        p = self._payload(s, ack=ack, frames=None, t0=None)
        p["splice"] = {"key": key, **ahead[1]}
        return p

    def _take_splice(self) -> None:
        _, start, fork, frames = self.spliced  # type: ignore[misc]
        self.spliced = None
        self._seek(start)
        self.run.adopt(fork)
        self.store.update(frames.params)

    def units_payload(self, look: int | None = None) -> dict[str, Any] | None:
        """The hidden-unit maps for the weights now (or at snapshot `look`): paused network runs only."""
        if self.page != "net" or self.playing:
            return None
        if look is not None and look not in self.run.history.snapshots:
            look = None
        return {"units": self.plane.units(self.run, look, MAX_UNIT_MAPS), "meta": self.plane.meta(), "look": look,
                "depth": getattr(self.run.model, "depth", 1), "it": self.run.iteration}  # depth > 1: first-layer maps

    # --- payloads ---------------------------------------------------------------------------------------------
    def plane_meta(self) -> dict[str, Any]:
        """What the live view's meta carries: the plane (meta) and the charts' lines (with K classes, W2's rows)."""
        classes = self.plane.problem.class_names if self.run.model.n_classes > 2 else ()
        return {**self.plane.meta(), "page": self.page, "charts": P.chart_lines(self.run.model.param_info, classes),
                "diagram": self.plane.diagram.meta(self.run.model)}

    def snapshot(self, s: LiveSettings, *, ack: int | None = None, meta: bool = False, look: int | None = None,
                 frames: bool = True) -> dict[str, Any]:
        """Where things stand, for a page run or a request that came too late: the whole series and the frame
        now, or the snapshot looked back at (a browser that is playing keeps its own frames)."""
        if look is not None and (self.playing or look not in self.run.history.snapshots):
            look = None
        return self._payload(s, ack=self.last_req if ack is None else ack, full=True, meta=meta, t0=0,
                             frames=self.frame_now(look) if frames else None, base=-1 if frames else None)

    def _payload(self, s: LiveSettings, *, ack: int, frames: Frames | None, t0: int | None, base: int | None = None,
                 meta: bool = False, full: bool = False) -> dict[str, Any]:
        self.seq += 1
        run = self.run
        stride, fps = s.playback()
        now = frames.frames[-1] if frames is not None and frames.frames else self.frame_now().frames[0]
        p: dict[str, Any] = {
            "seq": self.seq, "ack": ack, "epoch": self.epoch, "state": self.state, "it": run.iteration,
            "target": s.iters, "hold": self.hold, "full": full, "notice": self.notice,
            "status": P.status_text(now["it"], s.iters, self.state, now["s"], now.get("look")),
            "view": {"logy": s.logy, "fps": round(fps, 3), "stride": stride, "lr": s.lr, "net": self.plane.diagram.on},
        }
        if meta:
            p["meta"] = self.plane_meta()
        if t0 is not None:
            p["series"] = P.series(run.history, t0, P.series_columns(run.model))
        if frames is not None:
            p["base"] = frames.base if base is None else base
            p.update(frames.parts())
            if frames.end is not None and self.state == "playing":
                p["end"] = frames.end
        if self.state in ("idle", "paused") and "look" not in now:
            p["preroll"] = self._preroll(s)
        return p
