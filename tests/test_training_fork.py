"""TrainingRun.fork and adopt: a fork takes exactly the run's next steps, and adopting it makes them the run's own."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnet import SoftmaxNet, TrainingRun, TwoLayerNet
from scratchnet.data import synthetic_dataset


def _run(batch_size: int | None = None, lr: float = 0.1, seed: int = 3, classes: int = 2) -> TrainingRun:
    ds = synthetic_dataset("moons", n=120, noise=0.2, seed=seed)
    y_train, y_test = ds.y_train, ds.y_test
    if classes > 2:  # a third class from the first feature's sign: a run with per-class gradient rows
        y_train = np.where(ds.X_train[:, 0] > 1.2, 2, y_train)
        y_test = np.where(ds.X_test[:, 0] > 1.2, 2, y_test)
    model = TwoLayerNet(2, 6, seed=seed) if classes == 2 else SoftmaxNet(2, 6, seed=seed, n_classes=classes)
    return TrainingRun(model, ds.X_train, y_train, ds.X_test, y_test, lr=lr, batch_size=batch_size, seed=seed,
                       snapshot_every=5)


def _steps(run: TrainingRun, change_at: int) -> None:
    """Twenty updates with α 0.1, then α 0.5 and λ 0.01 from update `change_at` on."""
    run.advance(change_at)
    run.advance(20 - change_at, lr=0.5, l2=0.01)


def _assert_same(a: TrainingRun, b: TrainingRun, since: int = 0) -> None:
    """Bit-identical records from iteration `since` on (every column, the snapshots) and parameters."""
    assert a.iteration == b.iteration
    for name, col in a.history.columns.items():
        x = np.asarray(col[since - a.origin:], dtype=np.float64)
        y = np.asarray(b.history.columns[name][since - b.origin:], dtype=np.float64)
        np.testing.assert_array_equal(x, y, err_msg=name)
    for store in ("snapshots", "snapshot_grads"):
        sa = {t: v for t, v in getattr(a.history, store).items() if t >= since}
        sb = {t: v for t, v in getattr(b.history, store).items() if t >= since}
        assert sorted(sa) == sorted(sb)
        for t in sa:
            for name in sa[t]:
                np.testing.assert_array_equal(sa[t][name], sb[t][name])
    for name, value in a.model.params.items():
        np.testing.assert_array_equal(b.model.params[name], value, err_msg=name)
    assert a.model.l2 == b.model.l2 and a.lr == b.lr


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("batch_size", [None, 16])
@pytest.mark.parametrize("change_at", [0, 7])
def test_a_fork_takes_exactly_the_steps_of_the_run_it_came_from(seed, batch_size, change_at):
    run = _run(batch_size=batch_size, seed=seed)
    run.advance(13)  # mid-epoch for mini-batches (16 of 84 per batch): the fork continues the epoch's order
    fork = run.fork()
    assert fork.iteration == run.iteration == 13 and len(fork.history) == 0
    _steps(fork, change_at)
    assert run.iteration == 13 and len(run.history) == 13 and run.model.l2 == 0.0 and run.lr == 0.1  # untouched
    _steps(run, change_at)
    _assert_same(run, fork, since=13)
    assert fork.history.columns["iteration"] == list(range(13, 33))


@pytest.mark.parametrize("batch_size", [None, 16])
def test_a_fork_of_a_run_that_never_forked_matches_a_straight_run(batch_size):
    straight, run = _run(batch_size=batch_size), _run(batch_size=batch_size)
    straight.advance(40)
    run.advance(9)
    fork = run.fork()
    fork.advance(31)
    run.adopt(fork)
    _assert_same(straight, run)  # step_cosine at the fork point too: the fork carries the last gradient


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("batch_size", [None, 16])
def test_adopt_leaves_the_run_exactly_where_the_fork_was(seed, batch_size):
    run, twin = _run(batch_size=batch_size, seed=seed), _run(batch_size=batch_size, seed=seed)
    run.advance(11)
    twin.advance(11)
    fork = run.fork()
    _steps(fork, 5)
    run.adopt(fork)
    _steps(twin, 5)
    _assert_same(twin, run)
    assert run.last_record is fork.last_record and run.model is fork.model
    run.advance(15)  # and goes on as the fork would have: its generator, its cursor, its α
    twin.advance(15)
    _assert_same(twin, run)
    run.advance(3, lr=0.05)  # α set on the run reaches the adopted generator
    twin.advance(3, lr=0.05)
    _assert_same(twin, run)


def test_adopt_of_a_k_class_run_keeps_the_per_class_columns_aligned():
    run, twin = _run(classes=3), _run(classes=3)
    fork = run.fork()  # at iteration 0: the per-class columns start in the fork
    fork.advance(12)
    run.adopt(fork)
    twin.advance(12)
    _assert_same(twin, run)
    assert any(name.startswith("grad_norm_W2[") for name in run.history.columns)


def test_a_fork_can_fork_and_a_diverging_fork_is_adopted_with_its_divergence():
    run, twin = _run(), _run()
    run.advance(4)
    twin.advance(4)
    fork = run.fork()
    fork.advance(3)
    grandchild = fork.fork()
    grandchild.advance(50, lr=1e300)  # the weights overflow
    assert grandchild.diverged
    fork.adopt(grandchild)
    run.adopt(fork)
    twin.advance(3)
    twin.advance(50, lr=1e300)
    assert run.diverged and run.history.diverged_at == twin.history.diverged_at
    assert run.history.message == twin.history.message
    _assert_same(twin, run)


def test_adopt_refuses_a_stale_or_foreign_fork():
    run = _run()
    fork = run.fork()
    run.advance(2)  # the run moved on: the fork's steps are no longer the next ones
    with pytest.raises(ValueError, match="iteration 0"):
        run.adopt(fork)
    other = TrainingRun(TwoLayerNet(2, 6, seed=1), run.X, run.y)
    with pytest.raises(ValueError):
        other.adopt(run.fork())
    assert run.iteration == 2 and len(run.history) == 2


@pytest.mark.parametrize("batch_size", [None, 16])
def test_a_fork_at_an_earlier_iteration_is_what_the_run_takes_after_a_rewind_to_there(batch_size):
    run, twin = _run(batch_size=batch_size), _run(batch_size=batch_size)
    run.advance(6)
    theta_6 = run.model.get_params()
    run.advance(9)  # trained ahead past 6: the fork goes back there
    fork = run.fork(at=(6, theta_6))
    assert fork.iteration == 6 and run.iteration == 15
    fork.advance(12, lr=0.3)
    run.rewind(6, theta_6)
    run.adopt(fork)
    twin.advance(6)
    twin.rewind(6, twin.model.get_params())  # batches restart at 6, as the fork's did
    twin.advance(12, lr=0.3)
    _assert_same(twin, run)
    with pytest.raises(ValueError):
        run.fork(at=(19, theta_6))
