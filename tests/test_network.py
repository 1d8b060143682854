"""The 0–6 layer network (network.py), L1 with its zero rule, and the optimizers' state in a run."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnet import (
    SGD,
    Adam,
    LogisticRegression,
    Momentum,
    Network,
    SoftmaxNetwork,
    TrainingRun,
    TwoLayerNet,
    fit,
    gradcheck,
    make_model,
    model_from_dict,
)
from scratchnet.optimizers import OptimizerState, make_optimizer


def data(k: int = 2, m: int = 60, d: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    angle = np.arctan2(X[:, 1], X[:, 0])
    y = (np.floor((angle + np.pi) / (2 * np.pi) * k) % k) if k > 2 else (X[:, 0] * X[:, 1] > 0)
    return X, y.astype(np.float64)


def same_records(a, b, restarted_at: int | None = None) -> None:
    """Every column the same, bit for bit; gradient columns by position (w and w1 are the same tensor). A run
    restarted at an iteration (rewind) has no previous step there to take a step cosine with."""
    assert len(a) == len(b) and len(a.columns) == len(b.columns)
    for name, other in zip(a.columns, b.columns, strict=True):
        ours, theirs = a.array(name), b.array(other)
        if name == "step_cosine" and restarted_at is not None:
            ours[restarted_at] = np.nan
        np.testing.assert_array_equal(ours, theirs, err_msg=name)


# --- the same numbers as the readable models ------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_one_layer_gives_two_layer_nets_records_bit_for_bit(k, activation):
    X, y = data(k)
    two = TwoLayerNet(2, 7, activation, l2=1e-3, seed=5, n_classes=k)
    net = Network(2, (7,), activation, l2=1e-3, seed=5, n_classes=k)
    assert list(net.params) == list(two.params)
    for name in two.params:  # the same start from the same seed
        np.testing.assert_array_equal(net.params[name], two.params[name])
    h_two = fit(two, X, y, 0.5, 60, X_test=X[:9], y_test=y[:9], snapshot_every=7)
    h_net = fit(net, X, y, 0.5, 60, X_test=X[:9], y_test=y[:9], snapshot_every=7)
    same_records(h_two, h_net)
    for t, snap in h_two.snapshots.items():
        for name in snap:
            np.testing.assert_array_equal(h_net.snapshots[t][name], snap[name])
            np.testing.assert_array_equal(h_net.snapshot_grads[t][name], h_two.snapshot_grads[t][name])


@pytest.mark.parametrize("k", [2, 3])
def test_no_hidden_layer_is_logistic_regression_with_the_same_numbers(k):
    X, y = data(k, d=3)
    logistic = LogisticRegression(3, l2=1e-2, seed=2, n_classes=k)
    net = Network(3, (), l2=1e-2, seed=2, n_classes=k)
    names = dict(zip(logistic.params, net.params, strict=True))  # w → w1, b → b1 (W, b → W1, b1 for K)
    for ours, theirs in names.items():
        np.testing.assert_array_equal(net.params[theirs], logistic.params[ours])
    same_records(fit(logistic, X, y, 1.0, 40), fit(net, X, y, 1.0, 40))
    assert net.dead_units(net.forward(X)[1]) is None


def test_make_model_builds_the_network_asked_for():
    assert type(make_model("net", 2, hidden_units=8)) is TwoLayerNet
    assert type(make_model("net", 2, hidden_layers=(8,))) is TwoLayerNet  # one layer, no L1: the readable one
    assert make_model("net", 2, hidden_layers=(8,)).hidden_units == 8
    deep = make_model("net", 2, hidden_layers=(6, 4), activation="tanh", l1=1e-3, l2=1e-4, seed=3)
    assert type(deep) is Network and deep.hidden_layers == (6, 4) and deep.l1 == 1e-3
    assert list(deep.params) == ["W1", "b1", "W2", "b2", "w3", "b3"]
    assert [deep.params[n].shape for n in deep.params] == [(6, 2), (6,), (4, 6), (4,), (4,), ()]
    assert type(make_model("net", 2, hidden_layers=(8,), l1=0.01)) is Network
    multi = make_model("net", 2, 4, hidden_layers=(5, 5, 5))
    assert type(multi) is SoftmaxNetwork and multi.params["W4"].shape == (4, 5)
    again = model_from_dict(multi.to_dict())
    assert type(again) is SoftmaxNetwork and again.hidden_layers == (5, 5, 5)
    for name, value in multi.params.items():
        np.testing.assert_array_equal(again.params[name], value)


@pytest.mark.parametrize("layers", [(0,), (65,), (1,) * 7, ("a",)])
def test_a_network_out_of_range_is_a_clear_error(layers):
    with pytest.raises(ValueError, match="hidden layers|whole numbers"):
        Network(2, layers)


# --- gradients: finite differences for every configuration ----------------------------------------------
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("layers", [(), (4,), (4, 3), (3, 4, 3), (2,) * 6])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear", "relu"])
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.0, 0.05), (0.02, 0.0), (0.02, 0.05)])
def test_backward_matches_finite_differences(k, layers, activation, l1, l2):
    X, y = data(k, m=25, d=3, seed=1)
    net = Network(3, layers, activation, l1=l1, l2=l2, seed=7, n_classes=k)
    rng = np.random.default_rng(3)  # biases away from 0, so no ReLU input sits exactly at its corner
    net.set_params({p.name: rng.uniform(0.05, 0.2, net.params[p.name].shape) for p in net.param_info if p.is_bias})
    _, cache = net.forward(X)
    pre = [cache[f"a{i}"] for i in range(1, len(layers) + 1)]
    if activation == "relu":  # ReLU's corner: a finite difference straddling it is not exact
        assert all(np.min(np.abs(a)) > 1e-4 for a in pre)
    assert all(np.min(np.abs(net.params[w])) > 1e-4 for w in net.weight_names)  # L1's corner is at w = 0
    result = gradcheck(net, X, y)
    # relative error < 1e-6, or, for a tensor whose gradient has all but vanished (six sigmoid layers: ‖dW1‖ ≈ 4e-6),
    # a difference at the finite differences' own rounding floor (ε_machine·L/ε ≈ 1e-11 per entry)
    bad = [r for r in result.rows if not (r.rel_error < 1e-6 or r.max_abs_diff < 1e-10)]
    assert not bad, bad


def test_the_trace_has_a_row_per_layer():
    net = Network(2, (3, 2), "tanh", l1=0.1, l2=0.1, seed=0)
    symbols = [step.symbol for step in net.trace_steps(np.array([0.3, -0.2]), 1)]
    for expected in ["a1", "h1", "a2", "h2", "z", "δ2 = dL/da2", "δ1 = dL/da1", "dW1", "+ λ₁·sign(W1)", "∂J/∂w3"]:
        assert expected in symbols
    rows = {step.symbol: step for step in net.trace_steps(np.array([0.3, -0.2]), 1)}
    assert rows["penalty"].formula == "(λ/2)·‖W‖² + λ₁·‖W‖₁"
    assert rows["penalty"].value == pytest.approx(0.05 * sum(np.vdot(net.params[w], net.params[w]) for w in
                                                              net.weight_names)
                                                  + 0.1 * sum(np.abs(net.params[w]).sum() for w in net.weight_names))
    assert rows["∂J/∂W2"].formula == "dW2 + λ·W2 + λ₁·sign(W2)"
    np.testing.assert_allclose(rows["∂J/∂W2"].value, rows["dW2"].value + 0.1 * net.params["W2"]
                               + 0.1 * np.sign(net.params["W2"]), rtol=1e-15)


# --- L1: TF Playground's step and zero rule --------------------------------------------------------------
def test_l1_sets_exactly_to_zero_a_weight_its_shrink_carries_across_zero():
    """One step by hand: w_half = w − α·∂(CE + L2)/∂w, then w_half − α·λ₁·sign(w); where that crosses zero the
    weight is 0. Weights the data step alone carries across zero keep their new sign."""
    X, y = data(2, m=30)
    net = Network(2, (4,), "tanh", l1=0.05, seed=1)
    w = net.get_params()
    w["W1"][0, 0], w["W1"][1, 1] = 0.004, -0.003  # the shrink α·λ₁ = 0.5·0.05 = 0.025 carries these past 0
    net.set_params(w)
    smooth = net.add_penalty_gradients(net.data_backward(net.forward(X)[1], y), l1=False)
    fit(net, X, y, 0.5, 1)
    for name in w:
        half = w[name] - 0.5 * smooth[name]
        if name in net.weight_names:
            shrunk = half - 0.5 * 0.05 * np.sign(w[name])
            expected = np.where(half * shrunk < 0, 0.0, shrunk)
        else:
            expected = half
        np.testing.assert_allclose(net.params[name], expected, rtol=1e-14, atol=1e-17, err_msg=name)
    assert net.params["W1"][0, 0] == 0.0 and net.params["W1"][1, 1] == 0.0
    assert np.all(net.params["b1"] != 0.0)  # biases carry no penalty


@pytest.mark.parametrize("seed", range(10))
def test_l1_zeroes_weights_where_l2_only_shrinks_them(seed):
    X, y = data(2, m=80, seed=seed)
    l1 = Network(2, (8, 8), "tanh", l1=0.01, seed=seed)
    l2 = Network(2, (8, 8), "tanh", l2=0.01, seed=seed)
    fit(l1, X, y, 0.3, 300)
    fit(l2, X, y, 0.3, 300)
    zeros = sum(int(np.count_nonzero(l1.params[n] == 0.0)) for n in l1.weight_names)
    assert zeros >= 10
    assert all(np.all(l2.params[n] != 0.0) for n in l2.weight_names)


# --- optimizers: the updates, and their state kept by the run ---------------------------------------------
def test_the_update_rules_as_written():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    s = OptimizerState()
    assert np.array_equal(SGD().update(theta, g, 0.1, s), theta - 0.1 * g)
    s = OptimizerState()
    first = Momentum(0.5).update(theta, g, 0.1, s)
    second = Momentum(0.5).update(first, g, 0.1, s)
    np.testing.assert_allclose(second, first + (0.5 * -0.1 * g - 0.1 * g), rtol=1e-15)
    s = OptimizerState()
    step = Adam().update(theta, g, 0.1, s)  # the first Adam step moves each entry by ≈ α·sign(g)
    np.testing.assert_allclose(step, theta - 0.1 * np.sign(g), rtol=1e-6)
    assert s.t == 1 and set(s.slots) == {"m", "v"}
    with pytest.raises(ValueError):
        Momentum(1.0)
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("rmsprop")


@pytest.mark.parametrize("optimizer", [Momentum(0.9), Adam(0.9, 0.99)])
def test_pause_step_and_rewind_keep_the_optimizer_state_exact(optimizer):
    X, y = data(3, m=50)

    def run() -> TrainingRun:
        return TrainingRun(Network(2, (5, 4), "tanh", l1=1e-3, seed=2, n_classes=3), X, y, lr=0.05,
                           optimizer=optimizer)

    straight = run()
    straight.advance(40)
    steps = run()
    for n in (1, 9, 3, 27):  # Pause / Step in uneven chunks
        steps.advance(n)
    same_records(straight.history, steps.history)

    back = run()
    back.advance(25)
    fork = back.fork()  # trained ahead (Play's first frames): the fork carries the velocity / moments
    fork.advance(10)
    back.adopt(fork)  # the run takes the steps the fork trained, momentum and all
    assert back.iteration == 35
    np.testing.assert_array_equal(back.history.array("train_loss"), straight.history.array("train_loss")[:35])
    back.advance(5)
    back.rewind(20, back.history.snapshots[20])  # look back: the run keeps the velocity / moments it had at 20
    back.advance(20)
    same_records(straight.history, back.history, restarted_at=20)
    for name, value in straight.model.params.items():
        np.testing.assert_array_equal(back.model.params[name], value)
    earlier = back.fork(at=(30, back.history.snapshots[30]))  # a fork from a look back starts with the state there
    earlier.advance(10)
    np.testing.assert_array_equal(earlier.history.array("train_loss"), straight.history.array("train_loss")[30:40])


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("layers", [(), (5,), (6, 4), (8,) * 6])
def test_the_planes_fast_path_draws_the_networks_probabilities(k, layers):
    from scratchnet.plane import decision_grid, plane_grid

    X, _ = data(k)
    net = Network(2, layers, "tanh", seed=4, n_classes=k)
    grid = plane_grid(X, (0, 1), 40)
    expected = net.predict_proba(grid.points).reshape(40, 40, *((k,) if k > 2 else ()))
    np.testing.assert_allclose(decision_grid(net, grid), expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(decision_grid(net, grid, dtype=np.float32), expected, rtol=0, atol=1e-5)


def test_a_first_layer_units_path_weight_is_its_weight_in_a_linear_network():
    """The unit maps colour a deeper net's first-layer units by w_out·W_L·…·W_2: with linear units above them
    that is exactly each unit's weight in z (z = h1·path + a constant)."""
    from scratchnet.plane import unit_votes

    X, _ = data(2, m=30)
    net = Network(2, (4, 3, 2), "linear", seed=1)
    votes, path = unit_votes(net)
    rest = net.decision_function(X) - net.hidden(X) @ path
    np.testing.assert_allclose(rest, rest[0], rtol=0, atol=1e-12)
    assert np.array_equal(votes, (path > 0).astype(np.int64))


# --- the math page's claim about momentum on a bowl (scratchnet/ui/explain_deep.py) ----------------------------
@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_momentum_on_a_bowl_oscillates_past_one_threshold_and_diverges_past_another(beta):
    """f(θ) = h·θ²/2, g = h·θ: heavy-ball momentum starts to overshoot 0 once αh > (1 − √β)² and diverges only
    once αh > 2(1 + β)."""

    def path(alpha_h: float, steps: int = 3000) -> np.ndarray:
        theta, state, out = np.array([1.0]), OptimizerState(), []
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging path overflows on the way
            for _ in range(steps):
                theta = Momentum(beta).update(theta, theta.copy(), alpha_h, state)  # h = 1, so α = αh
                out.append(theta[0])
        return np.array(out)

    calm, swing = (1 - np.sqrt(beta)) ** 2, 2 * (1 + beta)
    below = path(0.9 * calm)
    assert np.all(below > 0)  # creeps to 0 from one side
    above = path(1.1 * calm)
    assert np.any(above < 0) and abs(above[-1]) < 1e-6  # overshoots 0, yet converges
    assert abs(path(0.98 * swing)[-1]) < 1.0  # still (slowly) converging just below 2(1 + β)
    assert not abs(path(1.02 * swing)[-1]) < 1e6  # diverges just above it (to inf or nan)
