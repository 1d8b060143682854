"""K ≥ 3 classes: softmax regression and the softmax-output net against finite differences, their loss at
extreme logits, their outputs, and the binary models left exactly as they were."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from scratchnet import (
    ACTIVATIONS,
    LogisticRegression,
    SoftmaxNet,
    SoftmaxRegression,
    TwoLayerNet,
    class_regions,
    decision_grid,
    evaluate,
    fit,
    gradcheck,
    make_model,
    model_from_dict,
    plane_grid,
    softmax,
)
from scratchnet.losses import softmax_cross_entropy

ACTS = sorted(ACTIVATIONS)


def labelled(m: int = 40, d: int = 3, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    y = np.argmax(X @ rng.normal(size=(k, d)).T + 0.5 * rng.normal(size=(m, k)), axis=1).astype(np.float64)
    return X, y


def net_away_from_kinks(activation: str, l2: float, k: int = 3) -> tuple[SoftmaxNet, np.ndarray, np.ndarray]:
    """As test_models: inputs in {±1, ±2}, W1 in quarters, b1 ≡ 1/8 (mod 1/4), so |a1| ≥ 1/8 everywhere."""
    rng = np.random.default_rng(11)
    m, d, h = 24, 3, 6
    X = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(m, d))
    y = (np.arange(m) % k).astype(np.float64)
    net = TwoLayerNet(d, h, activation, l2=l2, seed=3, n_classes=k)
    net.set_params({"W1": rng.integers(-3, 4, size=(h, d)) / 4, "b1": 0.125 + rng.integers(-2, 3, size=h) / 4,
                    "W2": rng.normal(0.0, 0.7, size=(k, h)), "b2": rng.normal(0.0, 0.3, size=k)})
    return net, X, y


# --- gradients -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("k", [3, 5])
def test_gradcheck_softmax_regression(l2, k):
    X, y = labelled(k=k)
    model = LogisticRegression(3, l2=l2, seed=1, n_classes=k)
    model.set_params({"W": np.random.default_rng(2).normal(size=(k, 3)), "b": np.linspace(-0.5, 0.5, k)})
    result = gradcheck(model, X, y)
    assert set(result) == {"W", "b"}
    assert result.worst < 1e-6, result.table()


@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("activation", ACTS)
def test_gradcheck_softmax_net_every_activation(activation, l2):
    net, X, y = net_away_from_kinks(activation, l2)
    assert np.min(np.abs(net.forward(X)[1]["a1"])) >= 1e-3
    before = net.get_params()
    result = gradcheck(net, X, y)
    assert set(result) == {"W1", "b1", "W2", "b2"}
    assert result.worst < 1e-6, result.table()
    assert result.near_kink == 0
    for name, value in net.params.items():
        np.testing.assert_array_equal(value, before[name])


def test_gradcheck_catches_a_wrong_softmax_gradient(monkeypatch):
    net, X, y = net_away_from_kinks("tanh", 0.0)
    real = SoftmaxNet._output_grads

    def wrong(self, h1, delta):  # forgets the 1/m on db2
        grads = real(self, h1, delta)
        grads["b2"] = grads["b2"] * h1.shape[0]
        return grads

    monkeypatch.setattr(SoftmaxNet, "_output_grads", wrong)
    result = gradcheck(net, X, y)
    assert result["b2"] > 1e-3 and not result.passed()
    assert result["W1"] < 1e-6


def test_dL_dZ_is_P_minus_Y_over_m():
    X, y = labelled(m=12, k=4)
    model = LogisticRegression(3, seed=0, n_classes=4)
    z, cache = model.forward(X)
    grads = model.backward(cache, y)
    P, Y = softmax(z), np.eye(4)[y.astype(int)]
    np.testing.assert_allclose(cache["dL_dz"], P - Y, rtol=0, atol=1e-15)
    np.testing.assert_allclose(grads["W"], (P - Y).T @ X / 12, rtol=1e-13)
    np.testing.assert_allclose(grads["b"], (P - Y).mean(axis=0), rtol=1e-13, atol=1e-16)


# --- the loss ---------------------------------------------------------------------------------------------
def test_cross_entropy_is_exact_and_warning_free_at_huge_logits():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # e^(−2e4) = 0 is right: underflow is fine
            assert softmax_cross_entropy(Z[:1], np.array([0])) == 0.0  # certain and right
            assert softmax_cross_entropy(Z[:1], np.array([1])) == 2e4  # certain and wrong: log Σ − z_y
            assert softmax_cross_entropy(Z[:1], np.array([2])) == 1e4
            assert softmax_cross_entropy(Z[2:3], np.array([0])) == pytest.approx(np.log(2), rel=1e-15)
            assert softmax_cross_entropy(Z[3:], np.array([2])) == pytest.approx(np.log(3), rel=1e-15)
            P = softmax(Z)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(P[0], [1.0, 0.0, 0.0])


def test_cross_entropy_equals_the_textbook_formula_where_that_is_safe():
    rng = np.random.default_rng(1)
    Z = rng.normal(0, 3, size=(50, 4))
    labels = rng.integers(0, 4, size=50)
    textbook = -np.mean(np.log(np.exp(Z)[np.arange(50), labels] / np.exp(Z).sum(axis=1)))
    assert softmax_cross_entropy(Z, labels) == pytest.approx(textbook, rel=1e-13)


def test_labels_outside_0_to_k_minus_1_are_refused_clearly():
    X, _ = labelled(m=6)
    model = LogisticRegression(3, n_classes=3)
    for bad in ([0, 1, 3, 0, 1, 2], [0, 1, 1.5, 0, 1, 2], [0, -1, 2, 0, 1, 2]):
        with pytest.raises(ValueError, match=r"labels must be whole numbers 0\.\.2"):
            model.loss(X, np.array(bad, dtype=np.float64))
        with pytest.raises(ValueError, match="labels must be"):
            fit(model, X, np.array(bad, dtype=np.float64), 0.1, 1)


# --- outputs and the public surface ---------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: LogisticRegression(n_features=3, n_classes=4, seed=2),
                                  lambda: TwoLayerNet(n_features=3, hidden_units=5, n_classes=4, seed=2)])
def test_outputs_logits_probabilities_and_argmax(make):
    model = make()
    X = np.random.default_rng(3).normal(0, 3, size=(60, 3))
    z = model.decision_function(X)
    assert z.shape == (60, 4)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 4) and np.all(proba > 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    pred = model.predict(X)
    assert pred.dtype.kind == "i"
    np.testing.assert_array_equal(pred, np.argmax(z, axis=1))
    np.testing.assert_array_equal(pred, np.argmax(proba, axis=1))


def test_shapes_names_and_param_info():
    lr = LogisticRegression(n_features=2, n_classes=3)
    net = TwoLayerNet(n_features=2, hidden_units=4, n_classes=3)
    assert isinstance(lr, SoftmaxRegression) and isinstance(lr, LogisticRegression)
    assert isinstance(net, SoftmaxNet) and isinstance(net, TwoLayerNet)
    assert {k: v.shape for k, v in lr.params.items()} == {"W": (3, 2), "b": (3,)}
    assert {k: v.shape for k, v in net.params.items()} == {"W1": (4, 2), "b1": (4,), "W2": (3, 4), "b2": (3,)}
    for model in (lr, net):
        assert [p.name for p in model.param_info] == list(model.params)
        assert model.n_classes == 3
    info = {p.name: p for p in net.param_info}
    assert info["W2"].per_class and info["b2"].per_class and not info["W1"].per_class
    assert info["W2"].layer == 2 and "one row per class" in info["W2"].role
    assert lr.weight_names == ("W",) and net.weight_names == ("W1", "W2")
    assert net.has_kink and not TwoLayerNet(2, 3, "tanh", n_classes=3).has_kink


@pytest.mark.parametrize("bad", [1, 0, -3, 2.5, True])
def test_bad_class_counts_raise(bad):
    with pytest.raises(ValueError, match="n_classes"):
        LogisticRegression(2, n_classes=bad)
    with pytest.raises(ValueError, match="n_classes"):
        TwoLayerNet(2, 3, n_classes=bad)


def test_two_classes_stay_exactly_the_binary_models():
    X, y = labelled(m=30, k=2)
    for default, explicit in ((LogisticRegression(3, seed=5), LogisticRegression(3, seed=5, n_classes=2)),
                              (TwoLayerNet(3, 4, seed=5), TwoLayerNet(3, 4, seed=5, n_classes=2))):
        assert type(default) is type(explicit) and type(default) in (LogisticRegression, TwoLayerNet)
        assert default.n_classes == 2 and "n_classes" not in default.config()
        for name in default.params:
            np.testing.assert_array_equal(default.params[name], explicit.params[name])
        assert default.predict_proba(X).shape == (30,)
        h1, h2 = fit(default, X, y, 0.5, 20), fit(explicit, X, y, 0.5, 20)
        np.testing.assert_array_equal(h1.array("train_loss"), h2.array("train_loss"))
    assert list(LogisticRegression(2).params) == ["w", "b"]
    assert list(TwoLayerNet(2, 3).params) == ["W1", "b1", "w2", "b2"]


def test_the_net_keeps_the_binary_hidden_layer_start():
    """Same seed, same W1: what differs between two and K classes is only the output layer."""
    two, three = TwoLayerNet(2, 5, seed=9), TwoLayerNet(2, 5, seed=9, n_classes=3)
    np.testing.assert_array_equal(two.params["W1"], three.params["W1"])
    np.testing.assert_array_equal(three.params["b2"], np.zeros(3))


def test_make_model_round_trip_copy_and_seeds():
    lr = make_model("logistic", 3, n_classes=4, hidden_units=5, l2=0.1, seed=4)
    net = make_model("net", 3, n_classes=4, hidden_units=5, activation="tanh", seed=4)
    assert isinstance(lr, SoftmaxRegression) and lr.n_classes == 4 and lr.l2 == 0.1
    assert isinstance(net, SoftmaxNet) and net.hidden_units == 5 and net.params["W2"].shape == (4, 5)
    X, _ = labelled(m=10, k=4)
    for model in (lr, net):
        back = model_from_dict(json.loads(json.dumps(model.to_dict())))
        assert type(back) is type(model) and back.config() == model.config()
        np.testing.assert_array_equal(back.predict_proba(X), model.predict_proba(X))
        twin = model.copy()
        assert type(twin) is type(model) and twin.n_classes == 4
    a, b = TwoLayerNet(2, 3, seed=None, n_classes=3), TwoLayerNet(2, 3, seed=None, n_classes=3)
    assert not np.array_equal(a.params["W2"], b.params["W2"])  # seed None: a fresh draw each time


def test_shared_shift_changes_no_probability_and_gradient_descent_never_moves_it():
    """The coefficients are defined only up to a shared shift: softmax cancels it, and since each row of
    P − Y sums to 0, the gradient's rows sum to 0 too — unpenalised descent keeps Σ_k W_k where it started."""
    X, y = labelled(m=50, k=3)
    model = LogisticRegression(3, seed=1, n_classes=3)
    shifted = model.copy()
    shifted.set_params({"W": model.params["W"] + np.array([1.5, -2.0, 0.7]), "b": model.params["b"] + 4.0})
    np.testing.assert_allclose(shifted.predict_proba(X), model.predict_proba(X), rtol=0, atol=1e-14)
    start = model.params["W"].sum(axis=0)
    fit(model, X, y, 1.0, 50)
    np.testing.assert_allclose(model.params["W"].sum(axis=0), start, rtol=0, atol=1e-13)
    penalised = LogisticRegression(3, seed=1, n_classes=3, l2=0.5)
    fit(penalised, X, y, 0.5, 3000)  # with L2 the optimum is the W whose rows sum to 0
    np.testing.assert_allclose(penalised.params["W"].sum(axis=0), 0.0, atol=1e-10)


# --- training records and the plane -----------------------------------------------------------------------
def test_history_accuracy_loss_and_dead_units_for_k_classes():
    X, y = labelled(m=60, k=3)
    Xt, yt = labelled(m=20, k=3, seed=1)
    net = TwoLayerNet(3, 6, "relu", seed=0, n_classes=3)
    history = fit(net, X, y, 0.5, 30, X_test=Xt, y_test=yt)
    assert history.diverged_at is None and history.last("train_loss") < history.array("train_loss")[0]
    loss, acc = evaluate(net, Xt, yt)
    assert acc == np.mean(net.predict(Xt) == yt)
    assert loss == pytest.approx(net.data_loss(Xt, yt), rel=1e-15)
    _, cache = net.forward(X)
    assert history.last("dead_units") == net.dead_units(cache) or len(history) == 30
    # the record is taken at θ_t before the update: one more step's record has the current accuracy
    rec_acc = fit(net, X, y, 0.0, 1).last("train_acc")
    assert rec_acc == np.mean(net.predict(X) == y)
    mini = fit(TwoLayerNet(3, 6, seed=0, n_classes=3), X, y, 0.5, 10, batch_size=16)
    assert mini.diverged_at is None and np.all(np.isfinite(mini.array("train_loss")))


def test_divergence_is_reported_not_raised():
    X, y = labelled(m=30, k=3)
    net = TwoLayerNet(3, 6, "relu", seed=0, n_classes=3)
    net.set_params({"W2": np.full((3, 6), 1e307)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = fit(net, X * 1e3, y, 1e3, 5)
    assert history.diverged_at is not None and history.message


def test_decision_grid_and_class_regions():
    net = TwoLayerNet(2, 5, seed=1, n_classes=4)
    grid = plane_grid(np.random.default_rng(0).normal(size=(30, 2)), resolution=9)
    proba = decision_grid(net, grid)
    assert proba.shape == (9, 9, 4)
    np.testing.assert_allclose(proba.reshape(-1, 4), net.predict_proba(grid.points), rtol=1e-12, atol=1e-15)
    regions = class_regions(proba)
    winner, p_win = regions.winner, regions.confidence
    np.testing.assert_array_equal(winner.ravel(), net.predict(grid.points))
    np.testing.assert_array_equal(p_win, proba.max(axis=-1))
    assert np.all(p_win >= 0.25)  # the winner of four always has at least 1/4
    assert regions.n_classes == 4
    ordered = np.sort(proba, axis=-1)
    others = np.array([np.delete(proba, c, axis=-1).max(axis=-1) for c in range(4)]).transpose(1, 2, 0)
    np.testing.assert_array_equal(regions.margin, proba - others)  # p_c − the best other class
    np.testing.assert_array_equal(regions.margin.max(axis=-1), ordered[..., -1] - ordered[..., -2])
    binary = decision_grid(TwoLayerNet(2, 5, seed=1), grid)
    assert binary.shape == (9, 9)


def test_trace_steps_for_k_classes():
    net = TwoLayerNet(2, 4, "relu", seed=0, n_classes=3)
    steps = {s.label: s.value for s in net.trace_steps(np.array([0.4, -1.2]), 2)}
    assert list(steps)[:8] == ["x", "a1 = W1·x + b1", "h1 = g(a1)", "z = W2·h1 + b2", "ŷ = softmax(z)", "y",
                               "onehot(y)", "L (cross-entropy) = −log ŷ_y"]
    y_hat = steps["ŷ = softmax(z)"]
    assert y_hat.shape == (3,) and y_hat.sum() == pytest.approx(1.0, abs=1e-15)
    assert steps["y"] == 2 and list(steps["onehot(y)"]) == [0.0, 0.0, 1.0]
    assert steps["L (cross-entropy) = −log ŷ_y"] == pytest.approx(-np.log(y_hat[2]), rel=1e-14)
    np.testing.assert_allclose(steps["dL/dz = ŷ − onehot(y)"], y_hat - [0, 0, 1], atol=1e-16)
    np.testing.assert_allclose(steps["dW2 = dL/dz·h1ᵀ"], np.outer(y_hat - [0, 0, 1], steps["h1 = g(a1)"]))
    np.testing.assert_allclose(steps["dL/dh1 = W2ᵀ·dL/dz"], net.params["W2"].T @ (y_hat - [0, 0, 1]))


@pytest.mark.parametrize("kind", ["blobs3", "blobs4", "spiral3"])
def test_softmax_regression_steps_are_bounded_so_alpha_ten_cannot_blow_up(kind):
    """‖ŷ − onehot(y)‖ ≤ √2 per example: a step moves (W, b) by at most √2·α·mean‖(x, 1)‖ (the lab's note)."""
    from scratchnet.data import synthetic_dataset
    from scratchnet.landscape import max_step_length
    from scratchnet.problem import Problem

    problem = Problem(synthetic_dataset(kind, n=200, noise=0.5, seed=1), (kind,))
    X, y = problem.X_train, problem.y_train
    history = fit(LogisticRegression(2, seed=1, n_classes=problem.n_classes), X, y, 10.0, 1000)
    assert history.diverged_at is None
    steps = 10.0 * np.sqrt(sum(history.array(c) ** 2 for c in history.norm_columns))
    bound = max_step_length(X, 10.0, n_classes=problem.n_classes)
    assert bound == pytest.approx(np.sqrt(2) * max_step_length(X, 10.0))
    assert np.all(steps <= bound * (1 + 1e-12))
    rng = np.random.default_rng(0)
    p = softmax(rng.normal(0, 5, size=(1000, 4)))
    worst = np.linalg.norm(p - np.eye(4)[rng.integers(0, 4, 1000)], axis=1).max()
    assert worst <= np.sqrt(2)


def test_history_keeps_each_class_rows_gradient_norm():
    """The gradient panel draws W2's K rows: ‖row k of dW2‖ per iteration, whose squares sum to ‖dW2‖²."""
    X, y = labelled(m=40, k=3)
    net = TwoLayerNet(3, 5, "tanh", seed=1, n_classes=3)
    start = net.copy()
    history = fit(net, X, y, 0.5, 8)
    rows = np.array([history.array(f"grad_norm_W2[{c}]") for c in range(3)])
    np.testing.assert_allclose(np.sqrt((rows ** 2).sum(axis=0)), history.array("grad_norm_W2"), rtol=1e-12)
    g = start.gradients(X, y)["W2"]
    np.testing.assert_allclose(rows[:, 0], np.linalg.norm(g, axis=1), rtol=1e-12)
    assert "grad_norm_W2[0]" not in history.norm_columns and "grad_norm_W1[0]" not in history.columns
    model = LogisticRegression(3, seed=0, n_classes=4)
    assert {f"grad_norm_W[{c}]" for c in range(4)} <= set(fit(model, X, y, 0.1, 2).columns)
    binary = fit(LogisticRegression(3), X, (y > 0) * 1.0, 0.1, 2)
    assert not any("[" in name for name in binary.columns)  # two classes: as before
