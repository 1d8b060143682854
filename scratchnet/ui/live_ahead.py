"""Frames trained on a copy of a live run (TrainingRun.lookahead), sent before the run takes those steps: the
first frames of the next Play (with every paused payload, so Play starts at once) and the frames after α or λ
moved mid-run (at once, from a frame just ahead of the screen). The run takes the same steps when the browser's
next request says it plays them. A part of scratchnet/ui/live_engine.LiveRun, kept apart for its size."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from scratchnet import History, Problem, evaluate
from scratchnet.ui import live_payload as P

if TYPE_CHECKING:
    from scratchnet.ui.live_engine import LiveSettings

FIRST_CHUNK_SECONDS = 0.12  # after Play or a change
CHUNK_TRAIN_BUDGET = 0.3  # seconds of training one message may take (big runs send fewer frames instead)
PREROLL_BUDGET = 0.04  # seconds a paused payload may spend on the first frames of the next Play
# α or λ moved mid-run: frames with the new values start this far ahead of where the browser is estimated to be
# when the answer arrives (besides the answer's measured way: the training of those frames), so the change shows
# without the view stopping.
SPLICE_MARGIN = 0.06


class Lookahead:
    """LiveRun's frames trained ahead on a copy (the attributes it uses are LiveRun's)."""

    def _ahead(self, s: LiveSettings, start: int, seconds: float, budget: float, *,
               last: bool) -> dict[str, Any] | None:
        """Frames from iteration `start` (a frame the run sent, or where it is) with the settings now, trained on a
        copy (TrainingRun.lookahead): {"base", "frames", "grids", "series", "its", "end"}; None if none can be.
        `last`: they may reach the iteration limit (and then say where the run ends)."""
        params = self.run.model.get_params() if start == self.run.iteration else self.store.get(start)
        if params is None or self.run.diverged or start >= s.iters:
            return None
        stride, fps = s.playback()
        want = max(1, math.ceil(seconds * fps))
        deadline = time.perf_counter() + budget
        history = History(tuple(self.run.model.params))
        frames, ahead, model = [], self.run.lookahead(s.lr, s.l2, start=start, params=params), None
        limit = s.iters if last else s.iters - 1
        while len(frames) < want and start + len(history) < limit:
            for _ in range(min(stride, limit - start - len(history))):
                rec, model = next(ahead)
                history.append(rec)
                if rec.diverged:
                    break
            if history.diverged_at is not None:
                break
            grid, finite = self._grid(model)
            frames.append(({"it": start + len(history)} | ({} if finite else {"nan": 1}), grid))
            if time.perf_counter() > deadline:
                break
        if not frames:
            return None
        pb, c = self.problem, history.columns
        for frame, _ in frames:  # losses at each frame's weights: the record one step on, or evaluated
            k = frame["it"] - start
            frame["s"] = (P.status_tail(c["train_loss"][k], c["test_loss"][k], c["train_acc"][k], c["test_acc"][k])
                          if k < len(history) else P.status_tail(*losses(model, pb)))
        last = frames[-1][0]["it"]
        series = P.series(history, 0, P.series_columns(self.run.model))
        series["cols"] = {k: v[: last - start] for k, v in series["cols"].items()}
        series["t0"], series["lr"] = start, [[t + start, a] for t, a in series["lr"] if t < last - start]
        end = {"it": last, "state": "finished"} if last >= s.iters else None
        return {"base": start, "frames": [f for f, _ in frames], "grids": P.encode_grids([g for _, g in frames]),
                "series": series, "its": [f["it"] for f, _ in frames], "end": end}

    def _preroll(self, s: LiveSettings) -> dict[str, Any] | None:
        """The frames Play would show first: the browser starts playing them the moment Play is pressed, and the
        run takes the same steps when the request arrives (the run's end comes from the run, not from these)."""
        self._preroll_key, self._preroll_its = None, []
        start = self.run.iteration
        ahead = self._ahead(s, start, FIRST_CHUNK_SECONDS, PREROLL_BUDGET, last=False)
        if ahead is None:
            return None
        self._preroll_key = f"{self.epoch}:{start}:{s.lr}:{s.l2}:{s.playback()[0]}:{s.iters}:{self.seq}"
        self._preroll_its = ahead.pop("its")
        ahead.pop("end")
        return {"key": self._preroll_key, **ahead}

    def _take_preroll(self, s: LiveSettings) -> None:
        """Take the preroll's steps for real (from a restarted generator, so mini-batches match too); keep each
        frame's weights for a later Pause, and send none of them again."""
        self._retake(self.run.iteration, self._preroll_its, s)

    def _retake(self, start: int, its: list[int], s: LiveSettings) -> None:
        """Put the run at frame `start` and take, for real, the steps a lookahead from there took."""
        self._seek(start)
        self.run.rewind(self.run.iteration, self.run.model.get_params())  # a restarted generator: same batches
        for it in its:
            self._advance(it - self.run.iteration, s)
            self.store[it] = self.run.model.get_params()

    # --- an α or λ change while playing --------------------------------------------------------------------
    def splice_payload(self, s: LiveSettings, *, ack: int) -> dict[str, Any]:
        """Frames with the new α from a frame just ahead of the one the browser is estimated to show: it plays on
        into them if it has not passed that frame yet (the run takes them when it says so), and otherwise holds
        its frame and asks again from there (what every change did before: two round trips, a visible stop)."""
        self.splice = False
        stride, fps = s.playback()
        shown, when = self.seen or (self.shown, time.monotonic())
        # where it will be when this answer arrives: its way there and back, and the training below
        estimate = shown + (time.monotonic() - when + min(self.lag, 0.4) + SPLICE_MARGIN) * stride * fps
        start = min((k for k in self.store if k >= estimate), default=self.run.iteration)
        ahead = self._ahead(s, start, FIRST_CHUNK_SECONDS * 2, CHUNK_TRAIN_BUDGET / 3, last=True)
        if ahead is None:  # nothing to train from there (the end, a divergence): hold, as before
            self.hold = True
            return self.snapshot(s, ack=ack, frames=False)
        key = f"{self.epoch}:{start}:{s.lr}:{s.l2}:{self.seq}"
        self._splice = (key, start, ahead.pop("its"))
        p = self._payload(s, ack=ack, base=None, frames=None, t0=None)
        p["splice"] = {"key": key, **ahead}
        return p

    def _take_splice(self, s: LiveSettings) -> None:
        key, start, its = self._splice  # type: ignore[misc]
        self._splice = None
        self._retake(start, its, s)


def losses(model: Any, pb: Problem) -> tuple[float, float, float, float]:
    """(train loss, test loss, train accuracy, test accuracy) of `model` as it is, in status_tail's order."""
    (tl, ta), (vl, va) = evaluate(model, pb.X_train, pb.y_train), evaluate(model, pb.X_test, pb.y_test)
    return tl, vl, ta, va
