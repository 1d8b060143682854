"""Gradient descent as a generator: determinism, mini-batches, divergence, learning-rate changes, History."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scratchnet import (
    History,
    LogisticRegression,
    Record,
    TrainingRun,
    TwoLayerNet,
    compare_learning_rates,
    fit,
    lr_verdict,
    train,
)
from scratchnet.data import synthetic_dataset


def moons(m: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with noise, standardised (no sklearn needed)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, size=m)
    y = (np.arange(m) % 2).astype(np.float64)
    X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    X = X + rng.normal(0, 0.2, size=X.shape)
    return (X - X.mean(0)) / X.std(0), y


MODELS = {
    "logistic": lambda seed=0: LogisticRegression(2, seed=seed),
    "net": lambda seed=0: TwoLayerNet(2, 8, "relu", seed=seed),
}


def run(make, model_seed=0, **kwargs) -> History:
    X, y = moons()
    Xt, yt = moons(40, seed=1)
    return fit(make(model_seed), X, y, 0.3, 40, X_test=Xt, y_test=yt, snapshot_every=7, **kwargs)


def assert_same_history(a: History, b: History) -> None:
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.snapshots.keys() == b.snapshots.keys() and a.snapshot_grads.keys() == b.snapshot_grads.keys()
    for t in a.snapshots:
        for name in a.param_names:
            np.testing.assert_array_equal(a.snapshots[t][name], b.snapshots[t][name])
            np.testing.assert_array_equal(a.snapshot_grads[t][name], b.snapshot_grads[t][name])


# --- determinism -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 16])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_same_seed_same_history(kind, batch_size):
    a = run(MODELS[kind], batch_size=batch_size, seed=3)
    b = run(MODELS[kind], batch_size=batch_size, seed=3)
    assert len(a) == 40 and sorted(a.snapshots) == [0, 7, 14, 21, 28, 35]
    assert_same_history(a, b)


@pytest.mark.parametrize("batch_size", [None, 16])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_different_model_seed_different_history(kind, batch_size):
    a = run(MODELS[kind], model_seed=0, batch_size=batch_size)
    b = run(MODELS[kind], model_seed=1, batch_size=batch_size)
    assert not np.array_equal(a.array("train_loss"), b.array("train_loss"))


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_training_seed_orders_mini_batches_only(kind):
    mini_a, mini_b = run(MODELS[kind], batch_size=16, seed=0), run(MODELS[kind], batch_size=16, seed=1)
    assert not np.array_equal(mini_a.array("train_loss")[1:], mini_b.array("train_loss")[1:])
    assert_same_history(run(MODELS[kind], seed=0), run(MODELS[kind], seed=1))  # full batch: no randomness
    assert_same_history(run(MODELS[kind], batch_size=120), run(MODELS[kind]))  # batch ≥ m is full batch


# --- mini-batches ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("m, batch_size, sizes", [(12, 4, [4, 4, 4]), (10, 4, [4, 4, 2]), (7, 1, [1] * 7)])
def test_each_epoch_visits_every_example_once(monkeypatch, m, batch_size, sizes):
    X, y = moons(m)
    X[:, 0] = np.arange(m)  # the first column is the example's id
    model = LogisticRegression(2)
    seen: list[np.ndarray] = []
    real_backward = model.backward

    def spy(cache, y_batch):
        seen.append(cache["X"][:, 0].astype(int))
        return real_backward(cache, y_batch)

    monkeypatch.setattr(model, "backward", spy)
    epochs = 4
    records = list(train(model, X, y, 0.01, epochs * len(sizes), batch_size=batch_size, seed=5,
                         snapshot_every=1))
    assert [len(ids) for ids in seen] == sizes * epochs
    orders = []
    for e in range(epochs):
        ids = np.concatenate(seen[e * len(sizes) : (e + 1) * len(sizes)])
        assert sorted(ids) == list(range(m))
        orders.append(tuple(ids))
    if m > 2:
        assert len(set(orders)) > 1  # a fresh permutation each epoch
    # every update used the mean gradient over its batch, taken at θ_t
    twin = LogisticRegression(2)
    for rec, ids in zip(records, seen, strict=True):
        twin.set_params(rec.params)
        _, cache = twin.forward(X[ids])
        expected = twin.backward(cache, y[ids])
        for name in expected:
            np.testing.assert_array_equal(rec.grads[name], expected[name])


def test_mini_batch_order_is_seeded(monkeypatch):
    X, y = moons(30)
    X[:, 0] = np.arange(30)

    def batches(seed):
        model, seen = LogisticRegression(2), []
        real = model.backward
        monkeypatch.setattr(model, "backward", lambda c, yb: seen.append(tuple(c["X"][:, 0])) or real(c, yb))
        list(train(model, X, y, 0.1, 9, batch_size=8, seed=seed))
        return seen

    assert batches(1) == batches(1)
    assert batches(1) != batches(2)


# --- records ---------------------------------------------------------------------------------------------


def test_record_describes_theta_t_before_its_update():
    X, y = moons()
    net = TwoLayerNet(2, 4, "tanh", seed=0)
    records = list(train(net, X, y, 0.5, 5, snapshot_every=1, start=10))
    assert [r.iteration for r in records] == [10, 11, 12, 13, 14]
    probe = TwoLayerNet(2, 4, "tanh")
    for rec, nxt in zip(records, records[1:], strict=False):
        probe.set_params(rec.params)
        assert rec.train_loss == probe.loss(X, y)
        assert rec.train_acc == np.mean(probe.predict(X) == y)
        for name, g in rec.grads.items():
            assert rec.grad_norms[name] == pytest.approx(np.linalg.norm(g), rel=1e-15)
            np.testing.assert_array_equal(nxt.params[name], rec.params[name] - 0.5 * g)  # θ ← θ − α·g
        assert rec.test_loss is None and not rec.diverged and rec.message == ""


def test_params_replaced_or_edited_between_steps_are_the_ones_trained():
    # train keeps θ as one vector with the model's params as views into it: a caller may still replace the
    # params (set_params, a dict in another key order, as a rewind may pass) or edit one in place between steps
    X, y = moons()
    net = TwoLayerNet(2, 4, "tanh", seed=0)
    steps = train(net, X, y, 0.5, 10)
    next(steps)
    theta = net.get_params()
    theta["W1"][0, 0] += 0.25
    twin = TwoLayerNet(2, 4, "tanh")
    twin.set_params(theta)
    net.params = dict(reversed(list(theta.items())))  # other order, other arrays
    rec, expected = next(steps), next(train(twin, X, y, 0.5, 1))
    assert rec.train_loss == expected.train_loss
    for name in theta:
        np.testing.assert_array_equal(net.params[name], twin.params[name])
    net.set_params({"b2": np.array(1.5)})
    net.params["b1"][1] = -2.0  # in place: a view into θ
    twin.set_params(net.get_params())
    rec, expected = next(steps), next(train(twin, X, y, 0.5, 1))
    assert rec.train_loss == expected.train_loss and rec.params is None
    for name in theta:
        np.testing.assert_array_equal(net.params[name], twin.params[name])


def test_train_rejects_mismatched_shapes():
    X, y = moons(20)
    with pytest.raises(ValueError):
        list(train(LogisticRegression(3), X, y, 0.1, 1))
    with pytest.raises(ValueError):
        list(train(LogisticRegression(2), X, y[:-1], 0.1, 1))
    with pytest.raises(ValueError):
        list(train(LogisticRegression(2), X[:, 0], y, 0.1, 1))


# --- divergence ------------------------------------------------------------------------------------------


# Logistic regression without a penalty cannot diverge (each step is bounded: see test_fidelity.py); with
# λ·α > 2 the weight decay term multiplies w by 1 − λα < −1 at every step, and it does.
DIVERGING = {"logistic": lambda: LogisticRegression(2, l2=1.0), "net": MODELS["net"]}


@pytest.mark.parametrize("kind", sorted(DIVERGING))
def test_huge_learning_rate_diverges_and_stops(kind):
    X, y = moons()
    model = DIVERGING[kind]()
    gen = train(model, X, y, 1e4, 1000, snapshot_every=1)
    records = list(gen)
    last = records[-1]
    assert len(records) < 1000 and last.diverged
    assert not any(r.diverged for r in records[:-1])
    assert f"iteration {last.iteration}" in last.message
    with pytest.raises(StopIteration):
        next(gen)
    # the update of the diverged iteration was not applied: the model keeps θ_t, all finite
    for name, value in model.params.items():
        assert np.all(np.isfinite(value))
        np.testing.assert_array_equal(value, last.params[name])

    history = History(tuple(MODELS[kind]().params))
    for rec in records:
        history.append(rec)
    assert history.diverged_at == last.iteration and history.message == last.message
    assert lr_verdict(history) == "diverged"


def test_overflowing_update_is_caught():
    X, y = moons(50)
    model = LogisticRegression(2)
    before = model.get_params()
    (rec,) = list(train(model, 1e3 * X, y, 1e308, 5))
    assert rec.diverged and rec.message == "a parameter overflowed at iteration 0"
    for name in before:
        np.testing.assert_array_equal(model.params[name], before[name])


def test_infinite_loss_is_caught():
    X, y = moons(50)
    model = LogisticRegression(2)
    model.set_params({"w": np.array([1e308, 1e308])})  # z overflows to ±inf
    (rec,) = list(train(model, 10 * X, y, 0.1, 5))
    assert rec.diverged and rec.message == "the loss became infinite at iteration 0"
    assert np.all(np.isfinite(model.params["w"]))


def test_max_loss_threshold():
    X, y = moons(50)
    model = LogisticRegression(2)
    model.set_params({"w": np.array([-60.0, 0.0])})
    assert model.loss(X, y) > 1.0
    (rec,) = list(train(model.copy(), X, y, 1e-9, 5, max_loss=1.0))
    assert rec.diverged and rec.message == "the loss exploded past 1 at iteration 0"
    assert len(list(train(model.copy(), X, y, 1e-9, 5, max_loss=None))) == 5


def test_training_run_stops_on_divergence():
    X, y = moons()
    run = TrainingRun(TwoLayerNet(2, 8, seed=0), X, y, lr=1e4)
    errstate = np.geterr()
    done = run.advance(50)
    assert np.geterr() == errstate  # the suspended generator must not leak its np.errstate to the caller
    assert 0 <= done < 50
    assert run.diverged and run.last_record.diverged
    assert run.history.diverged_at == run.iteration == done
    assert f"iteration {done}" in run.history.message
    n = len(run.history)
    assert run.advance(10) == 0 and len(run.history) == n
    assert all(np.all(np.isfinite(p)) for p in run.model.params.values())


# --- learning-rate changes -------------------------------------------------------------------------------


def test_changing_lr_takes_effect_at_the_next_update():
    X, y = moons()
    net = TwoLayerNet(2, 6, "relu", seed=1)
    twin = net.copy()
    run = TrainingRun(net, X, y, lr=0.1, snapshot_every=1)
    assert run.advance(3) == 3 and run.iteration == 3
    assert run.advance(2, lr=0.5) == 2 and run.iteration == 5
    h = run.history
    assert h.columns["lr"] == [0.1, 0.1, 0.1, 0.5, 0.5]
    theta, grad = h.snapshots, h.snapshot_grads
    for name in net.params:  # θ_4 = θ_3 − 0.5·g_3 and θ_3 = θ_2 − 0.1·g_2
        np.testing.assert_array_equal(theta[4][name], theta[3][name] - 0.5 * grad[3][name])
        np.testing.assert_array_equal(theta[3][name], theta[2][name] - 0.1 * grad[2][name])
    fit(twin, X, y, 0.1, 3)
    fit(twin, X, y, 0.5, 2, start=3)
    for name in net.params:
        np.testing.assert_array_equal(net.params[name], twin.params[name])
    for name, value in run.initial_params.items():
        np.testing.assert_array_equal(value, h.snapshots[0][name])


def test_lr_callable_is_read_before_every_update():
    X, y = moons(40)
    schedule = iter([0.3, 0.2, 0.1, 0.05])
    records = list(train(LogisticRegression(2), X, y, lambda: next(schedule), 4))
    assert [r.lr for r in records] == [0.3, 0.2, 0.1, 0.05]


def test_advance_with_time_budget_returns_early():
    X, y = moons()
    run = TrainingRun(TwoLayerNet(2, 8), X, y, lr=0.1)
    done = run.advance(10**9, time_budget=0.05)  # without the budget this would not end
    assert 1 <= done < 10**9 and run.iteration == done == len(run.history)


# --- History and friends ---------------------------------------------------------------------------------


def test_history_columns_and_frame():
    X, y = moons()
    Xt, yt = moons(40, seed=1)
    run = TrainingRun(TwoLayerNet(2, 5), X, y, Xt, yt, lr=0.3, snapshot_every=4)
    run.advance(10)
    frame = run.history.to_frame()
    assert list(frame.columns) == [
        "iteration", "lr", "train_loss", "test_loss", "train_acc", "test_acc", "penalty", "objective",
        "dead_units", "step_cosine", "grad_norm_W1", "grad_norm_b1", "grad_norm_w2", "grad_norm_b2",
    ]
    assert len(frame) == 10 and frame["iteration"].tolist() == list(range(10))
    assert frame["iteration"].dtype.kind == "i"
    assert frame.drop(columns="step_cosine").notna().all().all()
    assert frame["step_cosine"].iloc[1:].between(-1, 1).all()  # undefined at iteration 0: no step before it
    assert frame["train_loss"].iloc[-1] < frame["train_loss"].iloc[0]
    assert frame["test_acc"].between(0, 1).all()
    assert sorted(run.history.snapshots) == [0, 4, 8]
    assert run.history.nearest_snapshot(7) == 4 and run.history.nearest_snapshot(8) == 8
    assert run.history.last("train_loss") == frame["train_loss"].iloc[-1]

    no_test = fit(LogisticRegression(2), X, y, 0.1, 3).to_frame()
    assert list(no_test.columns[-2:]) == ["grad_norm_w", "grad_norm_b"]
    assert no_test["test_loss"].isna().all() and no_test["test_acc"].isna().all()
    empty = History(("w", "b"))
    assert len(empty) == 0 and np.isnan(empty.last("train_loss")) and empty.nearest_snapshot(5) is None


def test_compare_learning_rates_starts_every_run_from_the_same_model():
    X, y = moons()
    model = TwoLayerNet(2, 8, seed=0)
    before = model.get_params()
    results = compare_learning_rates(model, X, y, [1e-5, 0.3, 1e4], 150)
    assert list(results) == [1e-5, 0.3, 1e4]
    for name in before:
        np.testing.assert_array_equal(model.params[name], before[name])
    first = {lr: h.columns["train_loss"][0] for lr, (_, h) in results.items()}
    assert len(set(first.values())) == 1
    verdicts = {lr: lr_verdict(h) for lr, (_, h) in results.items()}
    assert verdicts[1e-5] == "too small"
    assert verdicts[0.3] == "good"
    assert verdicts[1e4] in ("diverged", "too large")
    twins = [twin for twin, _ in results.values()]
    assert len({id(t) for t in twins}) == 3 and all(t is not model for t in twins)


def _history_with_losses(losses: list[float]) -> History:
    h = History(("w", "b"))
    for t, loss in enumerate(losses):
        h.append(Record(t, 0.1, loss, 0.5, {"w": 0.0, "b": 0.0}, {}))
    return h


@pytest.mark.parametrize(
    "losses, verdict",
    [
        ([0.7, 0.5, 0.4, 0.35, 0.3], "good"),
        ([0.7, 0.69, 0.68], "too small"),
        ([0.7], "too small"),
        ([0.7, 0.8, 0.9], "too large"),
        ([0.7, 0.3, 0.5, 0.2, 0.4, 0.1], "too large"),  # falls overall but oscillates
    ],
)
def test_lr_verdict_rules(losses, verdict):
    assert lr_verdict(_history_with_losses(losses)) == verdict


# --- evaluate, and α / λ through advance() only ------------------------------------------------------------
def test_evaluate_matches_a_record_and_is_nan_on_an_empty_set():
    from scratchnet import evaluate

    ds = synthetic_dataset("moons", n=80, noise=0.2, seed=1)
    net = TwoLayerNet(2, 4, seed=1)
    loss, acc = evaluate(net, ds.X_train, ds.y_train)
    rec = next(train(net.copy(), ds.X_train, ds.y_train, 0.1, 1))
    assert loss == pytest.approx(rec.train_loss, rel=1e-12) and acc == rec.train_acc
    assert all(np.isnan(v) for v in evaluate(net, np.zeros((0, 2)), np.zeros(0)))


def test_advance_takes_l2_mid_run_and_rejects_a_negative_one():
    ds = synthetic_dataset("moons", n=80, noise=0.2, seed=1)
    run = TrainingRun(TwoLayerNet(2, 4, seed=1), ds.X_train, ds.y_train, lr=0.1)
    run.advance(5)
    assert run.model.l2 == 0.0
    run.advance(5, l2=0.3)
    assert run.model.l2 == 0.3 and run.last_record.grads["W1"] is not None
    with pytest.raises(ValueError):
        run.advance(1, l2=-1.0)


def test_current_grads_before_and_after_the_first_step():
    ds = synthetic_dataset("blobs", n=60, noise=0.2, seed=2)
    run = TrainingRun(LogisticRegression(2, seed=2), ds.X_train, ds.y_train, lr=0.1)
    start = run.current_grads()
    expected = run.model.gradients(ds.X_train, ds.y_train)
    for name in expected:
        np.testing.assert_allclose(start[name], expected[name])
    run.advance(3)
    assert run.current_grads() is run.last_record.grads
