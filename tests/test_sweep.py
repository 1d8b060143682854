"""The lab's comparison trained a slice at a time (scratchnet/sweep.py): the same numbers as training each run at
once, and a page run never trains more than its slice (issue #21: every rerun ≤ 1 s of server CPU)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from app_support import open_page

from scratchnet import Momentum, Sweep, TwoLayerNet, compare_learning_rates, fit
from scratchnet.data import synthetic_dataset
from scratchnet.optimizers import SGD, Adam


def one_step_clock():
    """A clock that moves a second at every reading: each slice trains exactly one step."""
    ticks = itertools.count()
    return lambda: float(next(ticks))


@pytest.mark.parametrize("batch_size", [None, 32])
def test_a_sweep_in_slices_gives_fit_s_numbers_bit_for_bit(batch_size):
    ds = synthetic_dataset("moons", n=120, noise=0.15, seed=3)
    start = TwoLayerNet(2, 5, "tanh", seed=3)
    lrs, iters = (0.1, 30.0), 25  # α = 30 diverges: the run ends early, the sweep goes on
    optimizers = {"sgd": SGD(), "momentum": Momentum(0.9), "adam": Adam(0.9, 0.999)}
    sweep = Sweep(start, ds.X_train, ds.y_train, lrs, iters, ds.X_test, ds.y_test, optimizers=optimizers,
                  batch_size=batch_size, seed=3, snapshot_every=5)
    clock, slices = one_step_clock(), 0
    while not sweep.advance(0.5, clock):
        slices += 1
        assert 0 < sweep.fraction <= 1
    assert sweep.finished and sweep.fraction == 1 and slices >= len(lrs) * 3
    for name, optimizer in optimizers.items():
        for lr in lrs:
            twin = start.copy()
            expected = fit(twin, ds.X_train, ds.y_train, lr, iters, X_test=ds.X_test, y_test=ds.y_test,
                           batch_size=batch_size, seed=3, snapshot_every=5, optimizer=optimizer)
            model, history = sweep.runs[name][lr]
            assert len(history) == len(expected)
            for column in expected.columns:
                np.testing.assert_array_equal(history.array(column), expected.array(column), err_msg=column)
            for k, v in twin.params.items():
                np.testing.assert_array_equal(model.params[k], v)
    at_once = compare_learning_rates(start, ds.X_train, ds.y_train, lrs, iters, ds.X_test, ds.y_test,
                                     batch_size=batch_size, seed=3, snapshot_every=5)
    for lr in lrs:
        np.testing.assert_array_equal(at_once[lr][1].array("train_loss"), sweep.runs["sgd"][lr][1].array("train_loss"))


def run_buttons(at) -> list:
    return [b for b in at.button if b.label.startswith("Run the comparison")]


def test_the_lab_trains_a_large_comparison_a_slice_per_page_run(monkeypatch):
    """A comparison too large to run without a click trains across page runs once pressed (here one step a run),
    with the same verdicts as when it runs at once; nothing of the sweep stays in the session afterwards."""
    from scratchnet.ui import lab

    at = open_page("lab", lab_lrs=["0.01", "1"], iters="100")
    at_once = [m.value for m in at.markdown if "α = " in m.value]
    assert at_once and not run_buttons(at)

    monkeypatch.setattr(lab, "AUTO_RUN_SECONDS", 0.0)  # as if large: the button
    monkeypatch.setattr(lab, "SLICE_SECONDS", 0.0)  # every page run trains one step, then runs the page again
    at = open_page("lab", lab_lrs=["0.01", "1"], iters="100")
    [button] = run_buttons(at)
    assert lab.SWEEP_KEY not in at.session_state
    button.click().run(timeout=120)
    assert not at.exception
    assert [m.value for m in at.markdown if "α = " in m.value] == at_once
    assert lab.SWEEP_KEY not in at.session_state
