"""The two models: hand-derived gradients against finite differences, the public surface, plane grids."""

from __future__ import annotations

import json

import numpy as np
import pytest

from scratchnet import (
    ACTIVATIONS,
    LogisticRegression,
    TwoLayerNet,
    decision_grid,
    fit,
    gradcheck,
    hidden_unit_grids,
    make_model,
    model_from_dict,
    plane_grid,
    sigmoid,
)

ACTS = sorted(ACTIVATIONS)


def labelled(m: int = 30, d: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    y = (X @ rng.normal(size=d) + 0.5 * rng.normal(size=m) > 0).astype(np.float64)
    return X, y


def net_away_from_kinks(activation: str, l2: float) -> tuple[TwoLayerNet, np.ndarray, np.ndarray]:
    """Inputs in {±1, ±2}, W1 in multiples of 1/4 and b1 ≡ 1/8 (mod 1/4): every a1 is an odd multiple of 1/8,
    so |a1| ≥ 1/8 — far from the ReLU kink for any finite-difference step."""
    rng = np.random.default_rng(7)
    m, d, h = 24, 3, 6
    X = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(m, d))
    y = rng.integers(0, 2, size=m).astype(np.float64)
    net = TwoLayerNet(d, h, activation, l2=l2, seed=3)
    net.set_params(
        {
            "W1": rng.integers(-3, 4, size=(h, d)) / 4,
            "b1": 0.125 + rng.integers(-2, 3, size=h) / 4,
            "w2": rng.normal(0.0, 0.7, size=h),
            "b2": np.array(0.1),
        }
    )
    return net, X, y


# --- gradients -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_gradcheck_logistic_regression(l2):
    X, y = labelled()
    model = LogisticRegression(3, l2=l2, seed=1)
    model.set_params({"w": np.array([0.8, -0.4, 0.3]), "b": np.array(-0.2)})
    result = gradcheck(model, X, y)
    assert set(result) == {"w", "b"}
    assert result.worst < 1e-6, result.table()
    assert result.near_kink == 0


@pytest.mark.parametrize("l2", [0.0, 0.1])
@pytest.mark.parametrize("activation", ACTS)
def test_gradcheck_two_layer_net_away_from_kinks(activation, l2):
    net, X, y = net_away_from_kinks(activation, l2)
    _, cache = net.forward(X)
    assert np.min(np.abs(cache["a1"])) >= 1e-3
    before = net.get_params()
    result = gradcheck(net, X, y)
    assert set(result) == {"W1", "b1", "w2", "b2"}
    assert result.worst < 1e-6, result.table()
    assert result.near_kink == 0
    for name, value in net.params.items():  # gradcheck leaves the model as it found it
        np.testing.assert_array_equal(value, before[name])


def test_gradcheck_catches_a_wrong_gradient(monkeypatch):
    net, X, y = net_away_from_kinks("tanh", 0.0)
    real = TwoLayerNet._backward_data

    def off_by_a_factor(self, cache, delta):
        grads = real(self, cache, delta)
        grads["W1"] = 1.01 * grads["W1"]
        return grads

    monkeypatch.setattr(TwoLayerNet, "_backward_data", off_by_a_factor)
    result = gradcheck(net, X, y)
    assert result["W1"] > 1e-3 and not result.passed()
    assert result["w2"] < 1e-6


@pytest.mark.parametrize("a1_offset", [0.0, 3e-6])
def test_gradcheck_reports_relu_kinks(a1_offset):
    """An example at x = 0 with b1 ≈ 0 puts every a1 of that row at (or within ε of) the kink."""
    X, y = labelled(m=10, d=2)
    X[0] = 0.0
    y[0] = 1.0
    net = TwoLayerNet(2, 5, "relu", seed=2)
    net.set_params({"b1": np.full(5, a1_offset)})
    result = gradcheck(net, X, y)
    assert result.near_kink >= 5
    # and that is why it is reported: the central difference straddles the corner and disagrees
    assert result["b1"] > 1e-3


def test_no_kinks_for_smooth_activations():
    X, y = labelled(m=10, d=2)
    X[0] = 0.0
    for activation in ("tanh", "sigmoid"):
        net = TwoLayerNet(2, 5, activation, seed=2)
        result = gradcheck(net, X, y)
        assert result.near_kink == 0
        assert result.worst < 1e-6


def test_gradcheck_after_training_still_perturbs_biases():
    """Training leaves 0-d biases; gradcheck must still see (and restore) them."""
    X, y = labelled(m=40, d=2)
    for model in (LogisticRegression(2), TwoLayerNet(2, 4, "tanh")):
        fit(model, X, y, 0.3, 5)
        assert all(isinstance(p, np.ndarray) for p in model.params.values())
        assert gradcheck(model, X, y).worst < 1e-6


def test_l2_penalty_value_and_gradient_term():
    X, y = labelled(m=20, d=3)
    plain = TwoLayerNet(3, 4, "tanh", seed=5)
    reg = TwoLayerNet(3, 4, "tanh", l2=0.3, seed=5)
    p = reg.params
    expected = 0.15 * (np.sum(p["W1"] ** 2) + np.sum(p["w2"] ** 2))  # biases are not penalised
    assert reg.penalty() == pytest.approx(expected, rel=1e-14)
    assert plain.penalty() == 0.0
    assert reg.loss(X, y) == pytest.approx(plain.loss(X, y) + expected, rel=1e-14)
    g_plain = plain.backward(plain.forward(X)[1], y)
    g_reg = reg.backward(reg.forward(X)[1], y)
    for name in ("W1", "w2"):
        np.testing.assert_allclose(g_reg[name] - g_plain[name], 0.3 * p[name], rtol=1e-12, atol=1e-15)
    for name in ("b1", "b2"):
        np.testing.assert_array_equal(g_reg[name], g_plain[name])

    lr_model = LogisticRegression(3, l2=2.0, seed=1)
    assert lr_model.penalty() == pytest.approx(np.sum(lr_model.params["w"] ** 2), rel=1e-14)


# --- surface ---------------------------------------------------------------------------------------------


def test_logistic_regression_shapes_and_outputs():
    X, y = labelled(m=7, d=3)
    model = LogisticRegression(3, seed=0)
    assert model.params["w"].shape == (3,)
    assert model.params["b"].shape == ()
    assert model.n_params == 4
    z, cache = model.forward(X)
    assert z.shape == (7,)
    np.testing.assert_allclose(z, X @ model.params["w"] + model.params["b"], rtol=1e-15)
    grads = model.backward(cache, y)
    assert {k: g.shape for k, g in grads.items()} == {k: p.shape for k, p in model.params.items()}
    np.testing.assert_allclose(grads["w"], X.T @ (sigmoid(z) - y) / 7, rtol=1e-13)


@pytest.mark.parametrize("activation", ACTS)
def test_two_layer_net_shapes_and_cache(activation):
    X, y = labelled(m=9, d=3)
    net = TwoLayerNet(3, 5, activation, seed=0)
    shapes = {k: p.shape for k, p in net.params.items()}
    assert shapes == {"W1": (5, 3), "b1": (5,), "w2": (5,), "b2": ()}
    assert net.n_params == 15 + 5 + 5 + 1
    z, cache = net.forward(X)
    assert z.shape == (9,)
    assert cache["a1"].shape == cache["h1"].shape == (9, 5)
    np.testing.assert_allclose(cache["a1"], X @ net.params["W1"].T + net.params["b1"], rtol=1e-14)
    np.testing.assert_array_equal(cache["h1"], ACTIVATIONS[activation].g(cache["a1"]))
    np.testing.assert_array_equal(net.hidden(X), cache["h1"])
    grads = net.backward(cache, y)
    assert {k: g.shape for k, g in grads.items()} == shapes
    np.testing.assert_allclose(cache["dL_dz"], sigmoid(z) - y, rtol=1e-15)


@pytest.mark.parametrize("model", [LogisticRegression(2, seed=4), TwoLayerNet(2, 6, "relu", seed=4)])
def test_predict_is_the_sign_of_the_logit(model):
    rng = np.random.default_rng(0)
    X = rng.normal(0, 3, size=(200, 2))
    z = model.decision_function(X)
    pred = model.predict(X)
    assert pred.dtype.kind == "i"
    assert set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (z > 0).astype(int))
    proba = model.predict_proba(X)
    assert np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(pred == 1, proba > 0.5)


def test_to_dict_round_trip_through_json():
    X, y = labelled(m=30, d=2)
    for model in (LogisticRegression(2, l2=0.01, seed=3), TwoLayerNet(2, 3, "tanh", l2=0.1, seed=None)):
        fit(model, X, y, 0.5, 3)
        data = json.loads(json.dumps(model.to_dict()))
        again = model_from_dict(data)
        assert type(again) is type(model)
        assert again.config() == model.config()
        for name, value in model.params.items():
            np.testing.assert_array_equal(again.params[name], value)
            assert again.params[name].shape == value.shape
        np.testing.assert_array_equal(again.decision_function(X), model.decision_function(X))
    with pytest.raises(ValueError):
        model_from_dict({"model": "Perceptron", "params": {}})


def test_set_params_checks_names_and_shapes():
    net = TwoLayerNet(2, 3)
    with pytest.raises(ValueError):
        net.set_params({"W1": np.zeros((2, 3))})
    with pytest.raises(ValueError):
        net.set_params({"b2": np.zeros(1)})
    with pytest.raises(KeyError):
        net.set_params({"W2": np.zeros((3, 2))})
    source = np.ones((3, 2))
    net.set_params({"W1": source})
    source[0, 0] = 5.0  # set_params copies
    assert net.params["W1"][0, 0] == 1.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: LogisticRegression(0),
        lambda: LogisticRegression(2, l2=-0.1),
        lambda: TwoLayerNet(0, 3),
        lambda: TwoLayerNet(2, 0),
        lambda: TwoLayerNet(2, 3, "softmax"),
        lambda: TwoLayerNet(2, 3, l2=-1.0),
    ],
)
def test_invalid_arguments_raise(make):
    with pytest.raises(ValueError):
        make()


def test_init_is_seeded():
    a, b, c = TwoLayerNet(3, 4, seed=11), TwoLayerNet(3, 4, seed=11), TwoLayerNet(3, 4, seed=12)
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    np.testing.assert_array_equal(a.params["b1"], np.zeros(4))
    np.testing.assert_array_equal(
        LogisticRegression(3, seed=5).params["w"], LogisticRegression(3, seed=5).params["w"]
    )


@pytest.mark.parametrize("activation, gain, name", [("relu", 2.0, "He"), ("tanh", 1.0, "LeCun"),
                                                    ("sigmoid", 1.0, "LeCun")])
def test_init_scale(activation, gain, name):
    d = 50
    W1 = TwoLayerNet(d, 2000, activation, seed=0).params["W1"]  # 100,000 draws: std within ~0.5 %
    assert W1.std() == pytest.approx(np.sqrt(gain / d), rel=0.02)
    assert abs(W1.mean()) < 0.02 * np.sqrt(gain / d)
    assert ACTIVATIONS[activation].init_name == name  # N(0, 1/fan_in) is LeCun's; Glorot's averages fan_in, fan_out


def test_the_core_never_calls_lecun_init_glorot():
    from pathlib import Path

    import scratchnet

    for path in Path(scratchnet.__file__).parent.glob("*.py"):
        assert "glorot" not in path.read_text(encoding="utf-8").lower(), path.name


# --- plane grids -----------------------------------------------------------------------------------------


def test_plane_grid_orientation_and_other_columns_at_zero():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    grid = plane_grid(X, axes=(2, 0), resolution=7)
    assert grid.shape == (7, 7) and grid.points.shape == (49, 4)
    np.testing.assert_array_equal(grid.points[:, [1, 3]], 0.0)
    pts = grid.points.reshape(7, 7, 4)
    np.testing.assert_array_equal(pts[:, :, 2], np.broadcast_to(grid.u, (7, 7)))  # columns follow u
    np.testing.assert_array_equal(pts[:, :, 0], np.broadcast_to(grid.v[:, None], (7, 7)))  # rows follow v
    assert grid.u[0] < X[:, 2].min() and grid.u[-1] > X[:, 2].max()
    assert grid.v[0] < X[:, 0].min() and grid.v[-1] > X[:, 0].max()


def test_decision_grid_rows_follow_v_columns_follow_u():
    X = np.random.default_rng(1).normal(size=(30, 3))
    grid = plane_grid(X, axes=(0, 1), resolution=9)
    model = LogisticRegression(3)
    model.set_params({"w": np.array([2.0, 0.0, 0.0]), "b": np.array(0.0)})  # P rises with column 0 = u
    P = decision_grid(model, grid)
    assert P.shape == (9, 9)
    assert np.all(np.diff(P, axis=1) > 0)  # along the last axis
    assert np.all(np.diff(P, axis=0) == 0)
    model.set_params({"w": np.array([0.0, -1.0, 50.0])})  # column 2 is held at 0: it must not matter
    P = decision_grid(model, grid)
    assert np.all(np.diff(P, axis=0) < 0) and np.all(np.diff(P, axis=1) == 0)
    # a transform is applied to the grid points before the model sees them
    shifted = decision_grid(model, grid, transform=lambda pts: pts + np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(shifted, sigmoid(-grid.v[:, None] + 50.0 + 0 * grid.u), rtol=1e-12)


@pytest.mark.parametrize("kind", ["logistic", "net"])
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_decision_grid_is_the_model_on_the_grid_points(kind, k, activation):
    # decision_grid takes the first layer from the plane's two axes (an outer sum): the same up to rounding,
    # over any two of four features (the others held at 0)
    X = np.random.default_rng(4).normal(size=(40, 4))
    model = make_model(kind, 4, k, hidden_units=5, activation=activation, seed=3)
    model.params = {name: v * 3.0 for name, v in model.params.items()}  # big enough logits to saturate somewhere
    for axes in ((0, 1), (3, 1)):
        grid = plane_grid(X, axes=axes, resolution=13)
        expected = model.predict_proba(grid.points).reshape(grid.shape + ((k,) if k > 2 else ()))
        np.testing.assert_allclose(decision_grid(model, grid), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", ["logistic", "net"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_a_single_precision_grid_is_for_pictures(kind, activation):
    # dtype=np.float32: two classes within 2e-5 of the float64 grid (a byte per cell shows steps of 1/255), over a
    # wide range of probabilities and logits; K classes and transformed inputs stay float64
    X = np.random.default_rng(5).normal(size=(40, 3))
    model = make_model(kind, 3, hidden_units=6, activation=activation, seed=1)
    model.params = {name: v * 10.0 for name, v in model.params.items()}
    before = model.get_params()
    grid = plane_grid(X, axes=(2, 0), resolution=31)
    single, double = decision_grid(model, grid, dtype=np.float32), decision_grid(model, grid)
    assert single.shape == double.shape and np.ptp(double) > 0.5
    assert single.dtype == (np.float64 if activation == "sigmoid" and kind == "net" else np.float32)  # σ is float64
    np.testing.assert_allclose(single, double, rtol=0, atol=2e-5)
    for name in before:  # the model keeps its float64 weights
        assert model.params[name].dtype == np.float64
        np.testing.assert_array_equal(model.params[name], before[name])
    k3 = make_model(kind, 3, 3, hidden_units=6, activation=activation, seed=1)
    np.testing.assert_array_equal(decision_grid(k3, grid, dtype=np.float32), decision_grid(k3, grid))
    shift = lambda pts: pts + 0.5  # noqa: E731
    np.testing.assert_array_equal(decision_grid(model, grid, shift, np.float32), decision_grid(model, grid, shift))


def test_hidden_unit_grids_match_the_hidden_layer():
    X = np.random.default_rng(2).normal(size=(30, 2))
    net = TwoLayerNet(2, 3, "relu", seed=0)
    net.set_params({"W1": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), "b1": np.zeros(3)})
    grid = plane_grid(X, resolution=6)
    H = hidden_unit_grids(net, grid)
    assert H.shape == (3, 6, 6)
    np.testing.assert_array_equal(H[0], np.broadcast_to(np.maximum(grid.u, 0), (6, 6)))
    np.testing.assert_array_equal(H[1], np.broadcast_to(np.maximum(grid.v, 0)[:, None], (6, 6)))
    np.testing.assert_array_equal(H.reshape(3, -1).T, net.hidden(grid.points))


# --- model kinds and parameter metadata (one place: the core) ------------------------------------------------
def test_make_model_builds_each_kind_and_ignores_settings_of_other_kinds():
    from scratchnet import MODEL_KINDS, make_model

    assert set(MODEL_KINDS) == {"logistic", "net"}
    lr = make_model("logistic", 3, hidden_units=5, activation="tanh", l2=0.1, seed=4)
    assert isinstance(lr, LogisticRegression) and lr.n_features == 3 and lr.l2 == 0.1 and lr.seed == 4
    net = make_model("net", 3, hidden_units=5, activation="tanh", l2=0.1, seed=4)
    assert isinstance(net, TwoLayerNet) and net.hidden_units == 5 and net.activation.name == "tanh"
    same = TwoLayerNet(3, 5, "tanh", l2=0.1, seed=4)
    for name in net.params:
        np.testing.assert_array_equal(net.params[name], same.params[name])
    with pytest.raises(ValueError, match="unknown model kind"):
        make_model("svm", 2)


def test_param_info_lists_every_tensor_in_order_with_layer_and_bias():
    for model in (LogisticRegression(2), TwoLayerNet(2, 3)):
        assert [p.name for p in model.param_info] == list(model.params)
        assert model.weight_names == tuple(p.name for p in model.param_info if not p.is_bias)
    net = {p.name: p for p in TwoLayerNet(2, 3).param_info}
    assert (net["W1"].layer, net["b1"].layer, net["w2"].layer, net["b2"].layer) == (1, 1, 2, 2)
    assert [n for n, p in net.items() if p.is_bias] == ["b1", "b2"]
    assert net["W1"].grad_name == "dW1"


def test_has_kink_follows_the_activation():
    assert TwoLayerNet(2, 3, "relu").has_kink and not TwoLayerNet(2, 3, "tanh").has_kink
    assert not LogisticRegression(2).has_kink
