"""A curious student cannot stall the class through the live view (issue #21, defects 1 and 4): a message with
thousands of copies of a request is answered once, and forged values in any request field reach nothing that can
raise. The in-process tests drive the engine itself; the browser-marked ones a real server over its websocket, with
bench/class_client.py's protocol client (loopback, bounded in count and time)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import psutil
import pytest

from bench.bench_class import listening_streamlit
from bench.class_client import Student
from scratchnet import TrainingRun, make_model
from scratchnet.data import synthetic_dataset
from scratchnet.problem import Problem
from scratchnet.ui import live_payload as P
from scratchnet.ui.live_engine import LiveRun, LiveSettings
from tests.serving import run_async, streamlit_server

FORGED: list[Any] = [float("nan"), float("inf"), -float("inf"), "abc", "", None, True, [], {"a": 1}, -5, 10**30,
                     1e308, 2.5, "x" * 10_000]


def _live(iters: int = 120) -> tuple[LiveRun, LiveSettings]:
    ds = synthetic_dataset("moons", n=80, noise=0.2, seed=4)
    pb = Problem(ds, ("moons", 4))
    s = LiveSettings(lr=0.1, l2=0.0, iters=iters, speed="1×", logy=False, hidden=4, act="relu", batch="full",
                     seed=4)

    def new_run() -> TrainingRun:
        return TrainingRun(make_model("net", 2, hidden_units=4, seed=4), pb.X_train, pb.y_train, pb.X_test,
                           pb.y_test, lr=s.lr, seed=4)

    return LiveRun("net", ("sig",), pb, new_run, s), s


def _answer(live: LiveRun, s: LiveSettings) -> dict[str, Any] | None:
    """What a page run does with the requests its callback kept (scratchnet/ui/live._answer)."""
    cmd, live.inbox = live.inbox, None
    return None if cmd is None else live.handle(cmd, s)


@pytest.mark.parametrize("op", ["play", "need", "pause", "step", "done", "frame"])
def test_forged_values_in_every_field_are_answered_and_the_run_keeps_working(op):
    live, s = _live(iters=100_000)
    fields = ["op", *P.REQUEST_FIELDS]
    for field in fields:
        for value in FORGED:
            req = live.last_req + 1
            cmd = {"op": op, "req": req, "mount": "m", "epoch": live.epoch, "shown": live.shown, "next": live.shown,
                   "want": 0.5, field: value}
            live.take(cmd)
            p = _answer(live, s)
            if p is not None:
                assert p["ack"] <= live.last_req and math.isfinite(p["ms"])
    live.take({"op": "pause", "req": live.last_req + 1, "mount": "m", "epoch": live.epoch, "shown": live.shown})
    _answer(live, s)
    shown = live.run.iteration
    live.take({"op": "play", "req": live.last_req + 1, "mount": "m", "epoch": live.epoch, "shown": shown})
    p = _answer(live, s)
    assert p["state"] == "playing" and p["frames"][0]["it"] > shown  # the session still plays


def test_thousands_of_copies_in_one_message_are_answered_once():
    live, s = _live()
    calls = []
    handle = live.handle
    live.handle = lambda cmd, s: calls.append(cmd) or handle(cmd, s)  # type: ignore[method-assign]
    play = {"op": "play", "req": 1, "mount": "m", "epoch": live.epoch, "shown": 0}
    for _ in range(2000):
        live.take(dict(play))
    for req in range(2, 500):  # newer numbers too: only the newest is kept
        live.take({**play, "req": req})
    live.take({"op": "hello"})
    p = _answer(live, s)
    assert len(calls) == 1 and calls[0]["req"] == 499 and p["ack"] == 499 and live.mounting
    for _ in range(100):  # copies of a request already answered: nothing to answer (the page run acks it)
        live.take({**play, "req": 499})
    assert _answer(live, s) is None and len(calls) == 1


def test_a_view_that_floods_the_server_with_requests_trains_only_within_its_own_share():
    live, s = _live(iters=100_000)
    p = live.handle({"op": "play", "req": 1, "mount": "m", "epoch": live.epoch, "shown": 0}, s)
    want = {"op": "need", "mount": "m", "epoch": live.epoch, "shown": 0, "want": 4.0}
    p = live.handle({**want, "req": 2, "next": p["frames"][-1]["it"]}, s)
    assert len(p["frames"]) == math.ceil(4.0 * s.playback()[1])  # 4 s of playback: its share allows it
    live.cpu = (-1.0, time.monotonic())  # its share is spent: refilled in 2 s
    p = live.handle({**want, "req": 3, "next": p["frames"][-1]["it"]}, s)
    assert len(p["frames"]) == 1 and live.last_req == 3  # one frame per request until it has refilled
    live.cpu = (0.1, time.monotonic())
    p = live.handle({**want, "req": 4, "next": p["frames"][-1]["it"]}, s)
    assert len(p["frames"]) > 1


# --- a real server --------------------------------------------------------------------------------------------
async def _wait(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


async def _hostile(base: str, proc: psutil.Process) -> dict[str, Any]:
    attacker = Student(base, "iters=200")
    await attacker.open()
    view = attacker.view
    out: dict[str, Any] = {}
    try:
        await _wait(lambda: view.pending is None and view.queued is None, "the page to settle")
        # forged numbers where int() and math.ceil() used to meet them, and in every other field
        forged = [{"op": "need", "req": 1, "mount": "evil", "want": float("nan")},
                  {"op": "play", "req": "abc", "mount": "evil"}, {"op": "play", "req": float("inf"), "mount": "evil"}]
        forged += [{"op": "need", "req": 2 + k, "mount": "evil", f: v} for k, (f, v) in enumerate(
            (f, v) for f in P.REQUEST_FIELDS if f != "req" for v in FORGED)]
        seq = view.seq
        await attacker._rerun({"op": "frame", "req": 1, "mount": "evil"}, more=forged)
        await _wait(lambda: view.seq > seq, "the answer to the forged requests")
        # one message with 2,000 copies of Play
        await _wait(lambda: view.pending is None and view.queued is None, "the page to settle")
        seq, cpu0 = view.seq, _cpu(proc)
        play = {"op": "play", "req": 10_000, "mount": "flood", "epoch": view.epoch, "shown": 0}
        await attacker._rerun(play, copies=2000)
        await _wait(lambda: view.seq > seq, "the answer to the flood")
        await asyncio.sleep(0)  # the answer is the end of that run's work
        out["flood_cpu_s"] = _cpu(proc) - cpu0
        # the student's own view still plays its run to the end
        await _wait(lambda: view.pending is None and view.queued is None, "the page to settle")
        if view.mode == "playing":
            view.mode = "paused"  # the flood's Play went through: as a browser, press Pause's effect away
        await attacker.press_play()
        await asyncio.wait_for(attacker.done.wait(), 120)
        out["result"] = attacker.result
    finally:
        await attacker.close()
    return out


@pytest.mark.browser
def test_a_flood_and_forged_requests_on_a_real_server(tmp_path):
    log = tmp_path / "server.log"
    with streamlit_server(log_path=log) as base:
        [server] = listening_streamlit(base)
        out = run_async(_hostile(base, psutil.Process(server.pid)))
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "Error" not in text, text[-3000:]
    assert out["flood_cpu_s"] <= 0.5, out["flood_cpu_s"]  # was 10.9 s (issue #21)
    r = out["result"]
    assert not r.errors and r.finish_s is not None and r.last_iteration == 200, r
