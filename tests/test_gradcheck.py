"""The gradient check tells a wrong gradient from a finite difference's own error (rounding at a huge objective,
truncation), and its cost is bounded however large the network (a sample of entries per tensor)."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnet import LogisticRegression, TwoLayerNet, fit, gradcheck
from scratchnet.data import synthetic_dataset
from scratchnet.gradcheck import MAX_ENTRIES, GradCheckRow

SEEDS = range(10)


def blow_up(seed: int, iterations: int) -> tuple[LogisticRegression, np.ndarray, np.ndarray]:
    """The penalty blow-up lesson (moons, λ = 0.3, α = 10) after `iterations` steps: J ≈ 2.7e6 at 10, 3e12 at 20."""
    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=seed)
    model = LogisticRegression(2, l2=0.3, seed=seed)
    fit(model, ds.X_train, ds.y_train, 10.0, iterations)
    return model, ds.X_train[:100], ds.y_train[:100]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("iterations", [10, 20])
def test_a_blow_up_is_not_blamed_on_the_gradient(seed, iterations):
    model, X, y = blow_up(seed, iterations)
    assert model.loss(X, y) > 1e6  # the objective is huge: J(θ ± ε) rounds by far more than the old check allowed
    assert gradcheck(model, X, y).passed()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_wrong_gradient_still_fails_in_a_blow_up(seed, monkeypatch):
    model, X, y = blow_up(seed, 20)
    real = LogisticRegression._backward_data

    def off(self, cache, delta):
        grads = real(self, cache, delta)
        return {**grads, "w": 1.01 * grads["w"]}

    monkeypatch.setattr(LogisticRegression, "_backward_data", off)
    result = gradcheck(model, X, y)
    assert not result.passed() and {r.name: r.status() for r in result.rows}["w"] == "disagrees"


def overshot_net(seed: int, l2: float) -> tuple[TwoLayerNet, np.ndarray, np.ndarray]:
    """tanh, 64 units, α = 10 on moons, 20 iterations: the issue's example (W1 was ✘ at 3.0e-6, seed 0)."""
    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=seed)
    net = TwoLayerNet(2, 64, "tanh", l2=l2, seed=seed)
    fit(net, ds.X_train, ds.y_train, 10.0, 20)
    return net, ds.X_train[:100], ds.y_train[:100]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_an_overshot_network_passes(seed, l2):
    assert gradcheck(*overshot_net(seed, l2)).passed()


def test_the_issues_example_disagrees_only_within_the_differences_own_error():
    result = gradcheck(*overshot_net(0, 0.0))
    w1 = next(r for r in result.rows if r.name == "W1")
    assert w1.rel_error > 1e-6 and w1.status() == "rounding" and w1.spread * 3 >= w1.rel_error


def test_a_wrong_gradient_fails_in_the_overshot_network(monkeypatch):
    net, X, y = overshot_net(0, 0.0)
    real = TwoLayerNet._backward_data

    def off(self, cache, delta):
        grads = real(self, cache, delta)
        return {**grads, "b2": grads["b2"] + 1e-3 * max(1.0, float(np.abs(grads["b2"])))}

    monkeypatch.setattr(TwoLayerNet, "_backward_data", off)
    statuses = {r.name: r.status() for r in gradcheck(net, X, y).rows}
    assert statuses["b2"] == "disagrees" and statuses["W1"] != "disagrees"


def test_a_row_disagrees_beyond_its_spread_and_agrees_below_tol():
    row = GradCheckRow("b", (1,), 1.0, 1.0, 1e-5, 1e-5, 1e-5, checked=1, spread=1e-6)
    assert row.status() == "disagrees"
    assert GradCheckRow("b", (1,), 1.0, 1.0, 1e-5, 1e-5, 1e-5, checked=1, spread=1e-5).status() == "rounding"
    assert GradCheckRow("b", (1,), 1.0, 1.0, 0, 0, 1e-7).status() == "agrees"


@pytest.mark.parametrize("features", [3, 500])
def test_the_cost_is_a_sample_per_tensor_however_wide_the_input(features):
    """#21: 500 inputs × 64 units took ~10 s per rerun. At most MAX_ENTRIES entries per tensor are differenced
    (two data-loss evaluations each, and two more pairs for a tensor that disagrees): counted, not timed."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, features)), (rng.random(100) > 0.5).astype(float)
    net = TwoLayerNet(features, 64, "tanh", seed=0)
    calls = []
    real = net.data_loss
    net.data_loss = lambda *a: calls.append(1) or real(*a)
    result = gradcheck(net, X, y)
    assert result.passed()
    checked = {r.name: r.checked for r in result.rows}
    assert checked == {k: min(MAX_ENTRIES, v.size) for k, v in net.params.items()}
    assert len(calls) <= 1 + 3 * 2 * sum(checked.values())
    assert result.sampled == (features * 64 > MAX_ENTRIES)
