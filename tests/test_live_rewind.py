"""TrainingRun.rewind: the live view trains ahead of what it shows and puts the run back at the frame on screen."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnet import TrainingRun, TwoLayerNet
from scratchnet.data import synthetic_dataset


def _run(batch_size: int | None = None, lr: float = 0.1) -> TrainingRun:
    ds = synthetic_dataset("moons", n=120, noise=0.2, seed=3)
    return TrainingRun(TwoLayerNet(2, 6, seed=3), ds.X_train, ds.y_train, ds.X_test, ds.y_test, lr=lr,
                       batch_size=batch_size, seed=3, snapshot_every=5)


def test_rewind_then_train_again_equals_a_run_that_never_went_ahead():
    ahead, straight = _run(), _run()
    ahead.advance(30)
    probe = _run()
    probe.advance(17)
    theta_17 = probe.model.get_params()
    ahead.rewind(17, theta_17)
    assert ahead.iteration == 17 and len(ahead.history) == 17
    assert max(ahead.history.snapshots) == 15 and max(ahead.history.snapshot_grads) == 15
    ahead.advance(13)
    straight.advance(30)
    for name in straight.history.columns:
        a, b = ahead.history.array(name), straight.history.array(name)
        if name == "step_cosine":  # cos(∇L_17, ∇L_16) needs ∇L_16, which a rewind to θ_17 does not keep: unknown
            assert np.isnan(a[17]) and not np.isnan(b[17])
            a, b = np.delete(a, 17), np.delete(b, 17)
        np.testing.assert_array_equal(a, b, err_msg=name)
    for name, value in straight.model.params.items():
        np.testing.assert_array_equal(ahead.model.params[name], value)
    assert sorted(ahead.history.snapshots) == sorted(straight.history.snapshots)


def test_rewind_keeps_a_copy_and_applies_a_new_learning_rate_from_there():
    run = _run()
    run.advance(10)
    theta = run.model.get_params()
    run.advance(10)
    run.rewind(10, theta)
    theta["W1"][:] = 99.0  # the caller's dict is not the model's
    assert not np.any(run.model.params["W1"] == 99.0)
    run.advance(5, lr=0.3)
    lrs = run.history.array("lr")
    assert lrs.size == 15 and np.all(lrs[:10] == 0.1) and np.all(lrs[10:] == 0.3)
    assert run.current_grads() is run.last_record.grads


def test_rewind_forgets_a_divergence_after_the_target():
    run = _run(lr=1e300)  # the weights overflow: diverged by any definition
    run.advance(50)
    assert run.diverged and run.history.diverged_at >= 1
    start = _run()
    run.rewind(0, start.model.get_params())
    assert not run.diverged and run.iteration == 0 and len(run.history) == 0 and run.last_record is None
    run.advance(3, lr=0.01)
    assert run.iteration == 3 and not run.diverged


def test_rewind_of_a_minibatch_run_continues_with_fresh_batches():
    run = _run(batch_size=10)
    run.advance(8)
    theta = run.model.get_params()
    run.advance(4)
    run.rewind(8, theta)
    assert run.advance(6) == 6 and run.iteration == 14
    assert np.all(np.isfinite(run.history.array("train_loss")))


def test_rewind_rejects_the_future_and_foreign_params():
    run = _run()
    run.advance(3)
    with pytest.raises(ValueError):
        run.rewind(4, run.model.get_params())
    with pytest.raises(ValueError):
        run.rewind(-1, run.model.get_params())
    with pytest.raises(ValueError):
        run.rewind(1, {"W": np.zeros(2)})
