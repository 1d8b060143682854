"""The live view's encoding (ui/live_payload.py) and its run bookkeeping (ui/live_engine.py), without Streamlit."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from live_support import set_engine_clock

from scratchnet import History, TrainingRun, make_model
from scratchnet.data import synthetic_dataset
from scratchnet.problem import Problem
from scratchnet.ui import live_payload as P
from scratchnet.ui.live_engine import FRAME_RATE, LiveRun, LiveSettings


# --- encoding ------------------------------------------------------------------------------------------------
def test_quantise_is_within_half_a_step_and_marks_non_finite_cells():
    p = np.array([[0.0, 1.0, 0.5, 1 / 510], [-0.1, 1.2, np.nan, np.inf]])
    q, finite = P.quantise(p)
    assert q.dtype == np.uint8 and not finite
    assert q.tolist() == [[0, 255, 128, 0], [0, 255, P.NAN_BYTE, P.NAN_BYTE]] or q[0, 3] == 1
    rng = np.random.default_rng(0)
    p = rng.random((50, 50))
    q, finite = P.quantise(p)
    assert finite and np.max(np.abs(q / 255 - p)) <= 0.5 / 255 + 1e-12


def test_grids_survive_delta_coding_with_wrap_around():
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, size=(7, 9), dtype=np.uint8) for _ in range(5)]
    frames.append(np.full((7, 9), 255, dtype=np.uint8))
    frames.append(np.zeros((7, 9), dtype=np.uint8))  # 255 → 0: a wrapped difference
    encoded = P.encode_grids(frames)
    assert encoded["n"] == 7 and (encoded["h"], encoded["w"]) == (7, 9)
    np.testing.assert_array_equal(P.decode_grids(json.loads(json.dumps(encoded))), np.stack(frames))
    assert P.decode_grids(P.encode_grids([])).shape[0] == 0
    with pytest.raises(ValueError):
        P.decode_grids({**encoded, "enc": "png"})


def test_smooth_slowly_moving_grids_compress_far_below_a_byte_per_cell():
    u = np.linspace(-3, 3, 100)
    frames = [P.quantise(1 / (1 + np.exp(-(u[None, :] * (1 + k / 50) + u[:, None]))))[0] for k in range(20)]
    encoded = P.encode_grids(frames)
    assert len(encoded["data"]) < 0.4 * 20 * 100 * 100  # base64 text included


def test_numbers_for_json_and_the_status_text():
    assert P.num(0.123456789) == 0.12346 and P.num(float("nan")) is None and P.num(float("inf")) is None
    tail = P.status_tail(0.71543, float("nan"), 0.351, float("nan"))
    assert tail == "train loss *0.7154* · test loss *—* · accuracy train *35%* / test *—*"
    assert P.status_text(1010, 1000, "paused", tail).startswith("Iteration 1,010 / 1,000 · paused · train loss 0.7154")
    assert P.status_text(10, 1000, "paused", tail, look_of=30).startswith("Looking back at iteration 10 of 30")


def test_series_sends_only_new_records_and_where_alpha_changed():
    h = History(("w", "b"))
    for name in h.columns:
        h.columns[name].extend([0.0] * 6)
    h.columns["train_loss"][:] = [0.7, 0.6, float("nan"), 0.5, 0.4, 0.3]
    h.columns["lr"][:] = [0.1, 0.1, 0.1, 0.3, 0.3, 0.1]
    s = P.series(h, 2, ["train_loss", "grad_norm_w", "nope"])
    assert s["t0"] == 2 and s["cols"]["train_loss"] == [None, 0.5, 0.4, 0.3] and set(s["cols"]) == {
        "train_loss", "grad_norm_w"}
    assert s["lr"] == [[2, 0.1], [3, 0.3], [5, 0.1]]
    assert P.series(h, 99, ["train_loss"])["t0"] == 6


def test_units_keep_the_strongest_voters_when_there_are_many():
    h1 = np.abs(np.random.default_rng(2).normal(size=(20, 4, 4)))
    h1[5] = 0.0
    w2 = np.linspace(-1, 1, 20)
    w2[5] = 5.0
    out = P.encode_units(h1, w2, max_units=4)
    assert out["of"] == 20 and len(out["ids"]) == 4 and 6 in out["ids"]  # unit 6 (index 5) has |w2| = 5
    maps = P.decode_grids(out)
    assert maps.shape == (4, 4, 4) and np.all(maps[out["ids"].index(6)] == 128)  # silent: 0 on the colour scale
    k = out["ids"].index(1)  # w2 < 0: its map votes for class 0, i.e. below the middle
    assert np.all(maps[k] <= 128)


@pytest.mark.parametrize("speed,stride", [("0.1×", 1), ("0.25×", 1), ("1×", 4), ("2×", 8), ("max", 40)])
def test_playback_aims_at_the_frame_rate(speed, stride):
    s = LiveSettings(lr=0.1, l2=0.0, iters=100, speed=speed, logy=False, hidden=8, act="relu", batch="full", seed=0)
    got, fps = s.playback()
    assert got == stride and fps <= FRAME_RATE * 1.5


# --- the run bookkeeping -------------------------------------------------------------------------------------
def _live(iters: int = 200, speed: str = "1×") -> tuple[LiveRun, LiveSettings]:
    ds = synthetic_dataset("moons", n=80, noise=0.2, seed=4)
    pb = Problem(ds, ("moons", 4))
    s = LiveSettings(lr=0.1, l2=0.0, iters=iters, speed=speed, logy=False, hidden=4, act="relu", batch="full",
                     seed=4)

    def new_run() -> TrainingRun:
        return TrainingRun(make_model("net", 2, hidden_units=4, seed=4), pb.X_train, pb.y_train, pb.X_test,
                           pb.y_test, lr=s.lr, seed=4)

    return LiveRun("net", ("sig",), pb, new_run, s), s


def _cmd(live: LiveRun, op: str, req: int, **kw) -> dict:
    return {"op": op, "req": req, "mount": "m", "epoch": live.epoch, **kw}


def test_a_slow_server_sends_fewer_frames_than_asked_for_and_the_run_still_ends(monkeypatch):
    """Each message trains only so long (the first frames of Play sent while paused, Play's answer, each request):
    on a slow server it carries fewer frames, at least one, and the browser asks again. Here the budgets' clock
    jumps a second at every reading, so each runs out after one frame."""
    ticks = itertools.count()
    set_engine_clock(monkeypatch, perf_counter=lambda: float(next(ticks)), monotonic=lambda: 0.0)
    live, s = _live(iters=60)
    stride = s.playback()[0]
    pre = live.snapshot(s)["preroll"]
    assert [f["it"] for f in pre["frames"]] == [stride]
    p = live.handle(_cmd(live, "play", 1, shown=0, preroll=pre["key"]), s)
    assert [f["it"] for f in p["frames"]] == [2 * stride]
    shown, req, sizes = 2 * stride, 1, []
    while not p.get("end"):
        req += 1
        p = live.handle(_cmd(live, "need", req, shown=shown, next=shown, want=4.0), s)
        sizes.append(len(p["frames"]))
        shown = p["frames"][-1]["it"]
    assert set(sizes) == {1} and p["end"] == {"it": 60, "state": "finished"} and live.run.iteration == 60
    assert live.handle(_cmd(live, "done", req + 1, shown=60), s)["state"] == "finished"


def test_alpha_moved_while_paused_needs_nothing_but_while_playing_sends_frames_from_just_ahead():
    live, s = _live()
    live.handle(_cmd(live, "step", 1, shown=0), s)
    faster = LiveSettings(**{**s.__dict__, "lr": 0.3})
    live.apply(faster)
    assert not live.hold and not live.splice and live.state == "paused"
    p = live.handle(_cmd(live, "play", 2, shown=10), faster)
    epoch = live.epoch
    live.apply(s)
    assert live.splice and not live.hold and live.epoch == epoch + 1
    stale = live.handle({**_cmd(live, "need", 3, shown=p["frames"][0]["it"], next=p["frames"][-1]["it"]),
                         "epoch": epoch}, s)
    sp = stale["splice"]
    assert not stale["hold"] and "frames" not in stale and live.run.iteration == p["frames"][-1]["it"]
    assert p["frames"][0]["it"] <= sp["base"] <= p["frames"][-1]["it"] and not live.splice
    base, last = sp["base"], sp["frames"][-1]["it"]
    again = live.handle(_cmd(live, "need", 4, shown=base, next=last, splice=sp["key"], want=0.12), s)
    lrs = live.run.history.columns["lr"]
    assert again["base"] == last and lrs[10:base] == [0.3] * (base - 10) and set(lrs[base:]) == {0.1}


def test_a_second_alpha_change_before_the_browser_answered_holds_the_frame_on_screen():
    live, s = _live()
    p = live.handle(_cmd(live, "play", 1, shown=0), s)
    live.handle(_cmd(live, "need", 2, shown=p["frames"][-1]["it"], next=p["frames"][-1]["it"], want=1.5), s)
    live.apply(LiveSettings(**{**s.__dict__, "lr": 0.3}))
    first = live.splice_payload(LiveSettings(**{**s.__dict__, "lr": 0.3}), ack=2)
    assert first["splice"] and not live.hold
    live.apply(LiveSettings(**{**s.__dict__, "lr": 1.0}))  # its frames may be on screen already: the old way
    assert live.hold and not live.splice


def test_new_alpha_frames_that_reach_the_limit_say_where_the_run_ends():
    live, s = _live()
    s = LiveSettings(**{**s.__dict__, "iters": 40})
    p = live.handle(_cmd(live, "play", 1, shown=0), s)
    assert p["frames"][-1]["it"] < 40 and "end" not in p
    live.apply(LiveSettings(**{**s.__dict__, "lr": 0.3}))
    sp = live.splice_payload(LiveSettings(**{**s.__dict__, "lr": 0.3}), ack=1)["splice"]
    assert sp["end"] == {"it": 40, "state": "finished"} and sp["frames"][-1]["it"] == 40


def test_a_frame_the_run_never_sent_brings_the_browser_back_in_step():
    live, s = _live()
    live.handle(_cmd(live, "play", 1, shown=0), s)
    epoch = live.epoch
    p = live.handle(_cmd(live, "pause", 2, shown=7), s)  # 7 is not a frame (stride 4)
    assert live.epoch == epoch + 1 and p["full"] and p["base"] == -1 and p["frames"][0]["it"] == live.run.iteration
    assert live.state == "paused"


def test_leaving_the_page_stops_at_the_last_frame_reported_on_screen():
    live, s = _live()
    p = live.handle(_cmd(live, "play", 1, shown=0), s)
    its = [f["it"] for f in p["frames"]]
    live.handle(_cmd(live, "need", 2, shown=its[2], next=its[-1]), s)
    assert live.run.iteration > its[-1]
    live.playing = False  # what scratchnet.ui.page does to every run when the page changes
    assert live.state == "paused" and live.run.iteration == its[2] == len(live.run.history)


def test_leaving_right_after_an_alpha_change_stops_at_the_frame_its_request_reported():
    """The request that fetched the frames with the new α (the splice) was the only report since Play: leaving
    then came back to "Iteration 0 · idle" (a fresh-clone run of test_browser's rapid-interaction test)."""
    live, s = _live()
    p = live.handle(_cmd(live, "play", 1, shown=0), s)
    its = [f["it"] for f in p["frames"]]
    moved = LiveSettings(**{**s.__dict__, "lr": 0.3})
    live.apply(moved)
    live.handle({**_cmd(live, "need", 2, shown=its[3], next=its[-1]), "epoch": live.epoch - 1}, moved)
    assert live.spliced is not None  # answered with the new α's frames
    live.playing = False  # the page was left before the next request
    assert live.state == "paused" and live.run.iteration == its[3] == len(live.run.history)


@pytest.mark.parametrize("after_s", [0.0, 0.2, 1.0, 60.0])
def test_leaving_before_any_report_after_play_and_an_alpha_change_stops_near_the_frame_on_screen(monkeypatch, after_s):
    """Play, α moved at once (its page run sends the new α's frames, no request), the page left `after_s` later,
    before the browser could report a frame (nothing is sent after the link's click): the run stops where the
    browser is by now at the playback rate, with the α change kept; not back at "Iteration 0 · idle" (a
    fresh-clone run of test_browser's rapid-interaction test, after the fix above)."""
    now = [100.0]
    set_engine_clock(monkeypatch, perf_counter=lambda: 0.0, monotonic=lambda: now[0])
    live, s = _live(iters=2000)
    live.handle(_cmd(live, "play", 1, shown=0), s)
    moved = LiveSettings(**{**s.__dict__, "lr": 0.3})
    now[0] += 0.05
    live.apply(moved)
    sp = live.splice_payload(moved, ack=1)["splice"]  # what _answer sends in the slider's run
    now[0] += after_s
    live.playing = False
    stride, fps = s.playback()
    by_now = stride * math.floor((0.05 + after_s) * fps)  # the last frame due on screen
    at, start = live.run.iteration, sp["base"]
    assert live.state == "paused" and at == len(live.run.history) == min(by_now, sp["frames"][-1]["it"]) > 0
    lrs = live.run.history.columns["lr"]
    assert lrs == [0.1] * min(at, start) + [0.3] * max(0, at - start)  # the α change kept where it was played


def test_leaving_while_the_browser_holds_its_frame_stops_at_the_frame_it_reported():
    """The limit moved while playing: the browser holds its frame and asks again (an epoch behind), and is
    answered with the frame the run is at. Leaving then stops at the frame that request reported, not at Play's."""
    live, s = _live()
    p = live.handle(_cmd(live, "play", 1, shown=0), s)
    its = [f["it"] for f in p["frames"]]
    moved = LiveSettings(**{**s.__dict__, "iters": 300})
    live.apply(moved)
    assert live.hold
    live.handle({**_cmd(live, "need", 2, shown=its[3], next=its[-1]), "epoch": live.epoch - 1}, moved)
    live.playing = False
    assert live.state == "paused" and live.run.iteration == its[3] == len(live.run.history)


def test_reset_starts_a_fresh_run_on_a_new_timeline():
    live, s = _live()
    live.handle(_cmd(live, "step", 1, shown=0), s)
    epoch = live.epoch
    p = live.handle(_cmd(live, "reset", 2, shown=10), s)
    assert live.run.iteration == 0 and live.epoch == epoch + 1 and p["state"] == "idle" and p["frames"][0]["it"] == 0
    assert p["series"] == {"t0": 0, "cols": {k: [] for k in p["series"]["cols"]}, "lr": []}


def test_new_alpha_frames_start_further_ahead_when_answers_take_longer_to_arrive():
    """The browser reports how long its last answer took besides the server's work; frames after an α change
    start that much further ahead of where it was, so it has not passed their first frame when they arrive."""
    bases = []
    for lag_ms in (0, 400):
        live, s = _live()
        p = live.handle(_cmd(live, "play", 1, shown=0), s)
        p = live.handle(_cmd(live, "need", 2, shown=0, next=p["frames"][-1]["it"], want=4.0, lag=lag_ms), s)
        assert p["ms"] >= 0
        live.seen = (0, 0.0)  # the browser was at 0 just now (the engine's clock is stopped: conftest)
        faster = LiveSettings(**{**s.__dict__, "lr": 0.3})
        live.apply(faster)
        bases.append(live.splice_payload(faster, ack=2)["splice"]["base"])
    rate = s.rate  # iterations per second at 1×
    assert bases[0] < bases[1] and abs((bases[1] - bases[0]) - 0.4 * rate) <= 2 * 6 + 0.05 * rate, bases


def test_first_frames_of_play_taken_once_are_not_offered_again_after_pausing_where_they_began():
    live, s = _live()
    pre = live.snapshot(s)["preroll"]
    p = live.handle(_cmd(live, "play", 1, shown=0, preroll=pre["key"]), s)
    assert p["base"] == pre["frames"][-1]["it"]
    p = live.handle(_cmd(live, "pause", 2, shown=0), s)  # at once
    assert live.run.iteration == 0 and p["preroll"]["key"] != pre["key"]
    again = live.handle(_cmd(live, "play", 3, shown=0, preroll=p["preroll"]["key"]), s)
    assert again["base"] == pre["frames"][-1]["it"] and live.run.history.columns["iteration"] == list(
        range(live.run.iteration))


def test_nums_rounds_a_column_as_num_rounds_each_value():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.lognormal(-3, 4, size=5000) * rng.choice([-1, 1], size=5000),
                             [0.0, np.nan, np.inf, -np.inf, 1e-30, 1e30, 123456.7, 0.5, 5e-324]])
    text = [float(f"{v:.5g}") if np.isfinite(v) else None for v in values]  # 5 digits, as the text rounds them
    assert P.nums(values) == text and [P.num(v) for v in values] == text and P.nums([]) == [] and P.num(None) is None
