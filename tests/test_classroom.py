"""The class logic and its two stores (SQLite and a real Redis): codes, the teacher key, joins, pushes, results,
rate limits, expiry, and what a hostile client can and cannot do."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import signal
import time

import numpy as np
import pytest
from class_support import redis_url_fixture, room_fixture, sqlite_url, store_url_fixture  # noqa: F401

import scratchnet
from scratchnet.classroom import ClassError, Classroom, Target, open_store
from scratchnet.classroom import room as R
from scratchnet.classroom.outcome import THUMB, clean_result, run_result, thumb_arrays
from scratchnet.data import synthetic_dataset
from scratchnet.plane import plane_grid


class Clock:
    """The room's clock, moved by hand (the stores keep real time: they only drop what has long expired)."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def test_a_class_round_trip(room):
    code, key = room.start()
    assert len(code) == R.CODE_LENGTH and set(code) <= set(R.CODE_ALPHABET)
    seat = room.join(f" {code.lower()[:3]}-{code.lower()[3:]} ", "Ada", "client-1")  # as a student types it
    assert seat.code == code and seat.nick == "Ada"
    setup = room.push(code, key, "net", {"data": "spiral", "hidden": "4"}, ("lr",))
    view = room.view(code)
    assert view.setup == setup and setup.version == 1 and setup.free == ("lr",)
    assert room.push(code, key, "logistic", {}).version == 2
    room.report(seat, "run1", {"test_loss": 0.25, "lr": 0.1, "iterations": 1000})
    room.report(seat, "run1", {"test_loss": 0.2, "lr": 0.1, "iterations": 1200})  # the same run, later: replaced
    room.report(seat, "run2", {"test_loss": 0.3, "lr": 1.0, "iterations": 1000})
    results = room.results(code)
    assert [(r["run"], r["test_loss"], r["nick"]) for r in results] == [("run1", 0.2, "Ada"), ("run2", 0.3, "Ada")]
    assert room.students(code)[seat.sid]["state"] == "finished"


def test_the_teacher_key_is_never_stored_or_shown(room):
    code, key = room.start()
    view = room.view(code)
    assert key not in json.dumps(view.__dict__, default=str)
    assert key not in room.store.meta(code)[0]  # only its hash is kept
    wrong = key[:-1] + ("y" if key.endswith("x") else "x")  # a key ending in "x" (1 in 64) made "x" the key itself
    assert room.is_teacher(code, key) and not room.is_teacher(code, wrong) and not room.is_teacher(code, key[:-1])


@pytest.mark.parametrize("action", ["push", "target", "close", "reset"])
def test_a_forged_teacher_key_can_do_nothing(room, action):
    code, key = room.start()
    other_code, other_key = room.start()
    seat = room.join(code, "Bo", "c")
    room.report(seat, "r", {"test_loss": 0.5})
    calls = {"push": lambda k: room.push(code, k, "net", {"data": "xor"}),
             "target": lambda k: room.set_target(code, k, Target("train_loss", 9.0)),
             "close": lambda k: room.close(code, k), "reset": lambda k: room.reset(code, k)}
    for forged in ("", "x" * 32, other_key, key.upper() if key.upper() != key else key + "a", seat.token):
        with pytest.raises(ClassError, match="Only the teacher"):
            calls[action](forged)
    view = room.view(code)
    assert view.setup is None and view.target == Target() and not view.closed and len(room.results(code)) == 1
    calls[action](key)  # the real key works
    assert room.view(other_code).setup is None


def test_unknown_expired_and_closed_classes_are_refused_clearly(store_url):
    clock = Clock()
    room = Classroom(open_store(store_url), ttl_s=3600, clock=clock)
    with pytest.raises(ClassError, match="no class with the code"):
        room.join("ZZZZZZ", "", "c")
    with pytest.raises(ClassError, match="no class with the code"):
        room.join("<script>", "", "c2")
    code, key = room.start()
    seat = room.join(code, "", "c")
    assert seat.nick.startswith("Student ")
    clock.t += 3601
    assert room.view(code) is None
    with pytest.raises(ClassError, match="has ended"):
        room.report(seat, "r", {})
    with pytest.raises(ClassError, match="no class with the code"):
        room.join(code, "", "c3")
    clock.t -= 3601
    room.close(code, key)
    with pytest.raises(ClassError, match="closed"):
        room.join(code, "", "c4")
    with pytest.raises(ClassError, match="has ended"):
        room.report(seat, "r", {})


def test_a_flood_of_joins_from_one_page_is_limited(room):
    code, _ = room.start()
    for i in range(R.JOINS_PER_CLIENT[0]):
        room.join(code, f"s{i}", "flooder")
    with pytest.raises(ClassError, match="Too many join attempts"):
        room.join(code, "one more", "flooder")
    room.join(code, "someone else", "another page")  # others still join


def test_guessing_codes_is_limited_for_everyone(room):
    code, _ = room.start()
    wrong = "".join(c for c in R.CODE_ALPHABET if c not in code)[: R.CODE_LENGTH]
    for i in range(R.BAD_CODES_PER_MINUTE[0]):
        with pytest.raises(ClassError, match="no class"):
            room.join(wrong, "", f"page{i}")  # each guess from a new page: the per-page limit does not stop it
    with pytest.raises(ClassError, match="Too many wrong codes"):
        room.join(wrong, "", "page-last")
    assert len(R.CODE_ALPHABET) ** R.CODE_LENGTH > 8e8


def test_a_flood_of_results_is_limited(room):
    code, _ = room.start()
    seat = room.join(code, "", "c")
    for i in range(R.RESULTS_PER_SEAT[0]):
        room.report(seat, f"r{i}", {"test_loss": 0.1})
    with pytest.raises(ClassError, match="Too many results"):
        room.report(seat, "r-last", {"test_loss": 0.1})
    assert len(room.results(code)) == R.RESULTS_PER_SEAT[0]


def test_a_student_writes_only_its_own_results(room):
    code, _ = room.start()
    ann, bob = room.join(code, "Ann", "a"), room.join(code, "Bob", "b")
    room.report(ann, "r1", {"test_loss": 0.1})
    # Bob sends a result naming Ann's hash and nickname: it is stored as his own, Ann's stays
    room.report(bob, "r1", {"test_loss": 9.0, "sid": ann.sid, "nick": "Ann"})
    by = {r["sid"]: r for r in room.results(code)}
    assert by[ann.sid]["test_loss"] == 0.1 and by[ann.sid]["nick"] == "Ann"
    assert by[bob.sid]["nick"] == "Bob" and by[bob.sid]["test_loss"] == 9.0
    assert ann.token not in json.dumps(room.results(code)) and ann.token not in json.dumps(room.students(code))


def test_nicknames_are_cut_and_kept_as_text(room):
    code, _ = room.start()
    huge = room.join(code, "A" * 10_000, "a")
    assert huge.nick == "A" * R.NICK_MAX
    html = room.join(code, "<img src=x onerror=alert(1)>\u202e\x00\n", "b")
    assert html.nick == "<img src=x onerror=alert(1)>"[: R.NICK_MAX]  # kept as typed text; control chars gone
    assert room.join(code, "\u200b\u200b", "c").nick.startswith("Student ")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e308, -1.0, "0.1; DROP TABLE", None, [1], {}])
def test_a_result_with_nan_or_huge_numbers_stores_none(room, bad):
    code, _ = room.start()
    seat = room.join(code, "", "c")
    fields = ("train_loss", "test_loss", "train_acc", "test_acc", "lr", "iterations", "n_params", "hidden")
    stored = room.report(seat, "r", {f: bad for f in fields} | {"diverged": "yes", "thumb": {"res": 10**9},
                                                                 "page": "<b>", "extra": "x" * 10_000})
    assert all(stored[f] is None for f in fields)
    assert stored["diverged"] is False and stored["thumb"] is None and stored["page"] is None
    assert "extra" not in stored and json.loads(json.dumps(stored)) == stored  # strict JSON: no NaN


def test_results_survive_a_process_killed_after_reporting(tmp_path):
    """A replica killed mid-class loses no reported result: a write is committed before report() returns."""
    url = sqlite_url(tmp_path)
    code, _ = Classroom(open_store(url)).start()
    ready = multiprocessing.get_context("fork").Event()

    def student() -> None:
        room = Classroom(open_store(url))
        room.report(room.join(code, "K", "k"), "r", {"test_loss": 0.42})
        ready.set()
        signal.pause()

    proc = multiprocessing.get_context("fork").Process(target=student)
    proc.start()
    assert ready.wait(60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    assert [r["test_loss"] for r in Classroom(open_store(url)).results(code)] == [0.42]


@pytest.mark.parametrize("seed", range(10))
def test_a_runs_report_is_its_final_numbers_and_boundary(seed):
    """What the board shows of a run is the run's own last record, and the thumbnail is its decision."""
    ds = synthetic_dataset("moons", n=120, noise=0.2, seed=seed)
    net = scratchnet.TwoLayerNet(n_features=2, hidden_units=4, activation="tanh", seed=seed)
    run = scratchnet.TrainingRun(net, ds.X_train, ds.y_train, ds.X_test, ds.y_test, lr=0.5, seed=seed)
    run.advance(150)
    grid = plane_grid(ds.X_train, resolution=THUMB)
    result = clean_result(run_result(net, run.history, grid))
    h = run.history
    assert result["iterations"] == 150 == run.iteration and result["diverged"] is False
    assert result["n_params"] == net.n_params == 4 * 2 + 4 + 4 + 1
    for name in ("train_loss", "test_loss", "train_acc", "test_acc"):
        assert result[name] == h.last(name)
    cls, p = thumb_arrays(result["thumb"])
    predicted = (net.predict_proba(grid.points) >= 0.5).astype(int).reshape(THUMB, THUMB)
    sure = p > 0.52  # a cell at 0.5 ± 1/255 could round either way
    assert np.array_equal(cls[sure], predicted[sure]) and sure.mean() > 0.5


def test_a_diverged_run_reports_diverged():
    ds = synthetic_dataset("moons", n=100, noise=0.1, seed=0)
    net = scratchnet.TwoLayerNet(n_features=2, hidden_units=8, seed=0)
    run = scratchnet.TrainingRun(net, ds.X_train, ds.y_train, ds.X_test, ds.y_test, lr=1e4)  # as test_training
    run.advance(50)
    assert run.diverged
    result = clean_result(run_result(net, run.history, plane_grid(ds.X_train, resolution=THUMB)))
    assert result["diverged"] is True and result["iterations"] == run.history.diverged_at


def test_store_urls():
    with pytest.raises(ValueError, match="unknown class store"):
        open_store("postgres://x")
    with pytest.raises(ValueError, match="database must be a number"):
        open_store("redis://127.0.0.1:1/abc")
