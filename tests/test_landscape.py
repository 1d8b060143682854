"""Why α overshoots: the objective along the gradient, logistic regression's loss surface, its step bound."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scratchnet.landscape as landscape
from scratchnet import (
    LogisticRegression,
    TwoLayerNet,
    fit,
    loss_along_gradient,
    loss_surface,
    max_step_length,
    zigzag,
)
from scratchnet.data import SYNTHETIC_KINDS, synthetic_dataset
from scratchnet.features import EXTRA_FEATURES, expand_features
from scratchnet.landscape import penalty_diverges, weight_path


def moons(seed: int = 0):
    ds = synthetic_dataset("moons", n=200, noise=0.15, seed=seed)
    return ds.X_train, ds.y_train


MODELS = {
    "logistic": lambda: LogisticRegression(2, l2=0.1, seed=3),
    "net": lambda: TwoLayerNet(2, 6, "tanh", l2=0.1, seed=3),
    "relu net": lambda: TwoLayerNet(2, 64, "relu", seed=0),
}


def same_params(a, b) -> bool:
    return all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


# --- the loss along the gradient -----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize("lr", [0.01, 0.3, 10.0])
def test_scan_lands_where_one_real_step_lands(kind, lr):
    X, y = moons()
    model = MODELS[kind]()
    before = model.copy()
    scan = loss_along_gradient(model, X, y, lr)
    assert same_params(model, before)  # the model is left as it was
    history = fit(model.copy(), X, y, lr, 2)  # full batch: θ1 = θ0 − α·∇L(θ0)
    assert scan.loss_at_lr == pytest.approx(history.array("objective")[1], rel=1e-12)
    assert scan.loss[0] == pytest.approx(history.array("objective")[0], rel=1e-12)
    assert scan.t[0] == 0.0 and scan.t[-1] >= 3 * lr and np.all(np.diff(scan.t) > 0) and scan.t.shape == (81,)
    assert scan.loss.shape == (81,) and scan.lr == lr


@pytest.mark.parametrize("kind", ["logistic", "net"])
def test_scan_slope_is_the_derivative_at_zero(kind):
    X, y = moons()
    model = MODELS[kind]()
    scan = loss_along_gradient(model, X, y, 0.3)
    g = model.gradients(X, y)
    h = 1e-6

    def along(t):
        probe = model.copy()
        probe.params = {k: p - t * g[k] for k, p in model.params.items()}
        return probe.loss(X, y)

    finite_difference = (along(h) - along(-h)) / (2 * h)
    assert scan.slope == pytest.approx(finite_difference, rel=1e-6)
    assert scan.slope == pytest.approx(-sum(np.sum(v * v) for v in g.values()), rel=1e-12) and scan.slope < 0


def test_scan_shows_the_far_wall_for_a_small_alpha_and_lands_on_it_for_a_large_one():
    X, y = moons()
    net = TwoLayerNet(2, 64, "relu", seed=0)
    small = loss_along_gradient(net, X, y, 1e-4)
    assert small.t[-1] > 3e-4  # widened until the valley and its far wall are in view
    assert small.loss[-1] >= small.loss[0] and small.loss.min() < small.loss[0]
    assert small.loss_at_lr < small.loss[0]  # the first step of a small α does go down, a little
    big = loss_along_gradient(net, X, y, 10.0)  # the run: 0.74 → 4.05 at the first step
    assert big.t[-1] == 30.0 and big.loss_at_lr == pytest.approx(4.05, abs=0.01)
    assert big.loss_at_lr > big.loss[0]
    assert big.loss.min() < big.loss[0]  # there was a valley on the way: α stepped over it


def test_scan_rejects_a_non_positive_alpha():
    X, y = moons()
    with pytest.raises(ValueError):
        loss_along_gradient(LogisticRegression(2), X, y, 0.0)


# --- the loss surface of logistic regression ----------------------------------------------------------------
def test_surface_minimum_sits_at_the_trained_weights():
    X, y = moons()
    model = LogisticRegression(2, seed=0)
    history = fit(model, X, y, 1.0, 3000, snapshot_every=10)
    assert np.linalg.norm(model.gradients(X, y)["w"]) < 1e-6  # converged (moons are not separable)
    path = weight_path(history)
    assert path.shape == (300, 2) and np.array_equal(path[0], history.snapshots[0]["w"])
    before = model.copy()
    surface = loss_surface(model, X, y, path, n=61)
    assert same_params(model, before)
    assert surface.loss.shape == (61, 61) and surface.w1.shape == surface.w2.shape == (61,)
    assert surface.b == float(model.params["b"]) and np.array_equal(surface.path, path)
    i, j = np.unravel_index(np.argmin(surface.loss), surface.loss.shape)  # rows follow w2, columns w1
    cell = (surface.w1[1] - surface.w1[0], surface.w2[1] - surface.w2[0])
    w = model.params["w"]
    assert abs(surface.w1[j] - w[0]) <= cell[0] and abs(surface.w2[i] - w[1]) <= cell[1]
    # the box holds the whole path and the weights, with the same width on both axes
    assert surface.w1[0] < path[:, 0].min() and surface.w1[-1] > path[:, 0].max()
    assert surface.w2[0] < path[:, 1].min() and surface.w2[-1] > path[:, 1].max()
    assert np.ptp(surface.w1) == pytest.approx(np.ptp(surface.w2))


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_surface_values_are_the_objective_at_each_grid_point(monkeypatch, l2):
    X, y = moons(1)
    model = LogisticRegression(2, l2=l2, seed=1)
    model.set_params({"w": np.array([1.5, -0.7]), "b": np.array(0.4)})
    path = np.array([[0.0, 0.0], [0.8, -0.3]])
    surface = loss_surface(model, X, y, path, n=7)
    probe = model.copy()
    for i, j in itertools.product(range(7), repeat=2):
        probe.set_params({"w": np.array([surface.w1[j], surface.w2[i]])})
        assert surface.loss[i, j] == pytest.approx(probe.loss(X, y), rel=1e-12)
    monkeypatch.setattr(landscape, "GRID_BUDGET", 1000)  # a large data set goes in blocks: same numbers
    np.testing.assert_allclose(loss_surface(model, X, y, path, n=7).loss, surface.loss, rtol=1e-14)


def test_surface_only_for_logistic_regression_with_two_inputs():
    X, y = moons()
    with pytest.raises(ValueError, match="two inputs"):
        loss_surface(TwoLayerNet(2, 3), X, y, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="two inputs"):
        loss_surface(LogisticRegression(3), np.c_[X, X[:, :1]], y, np.zeros((1, 3)))


# --- logistic regression and large α -----------------------------------------------------------------------
CASES = list(itertools.product(SYNTHETIC_KINDS, (0.0, 0.5, 1.0), (0, 1), ((), tuple(EXTRA_FEATURES))))


@pytest.mark.parametrize("kind, noise, seed, extras", CASES)
def test_lr_steps_are_bounded_so_alpha_ten_cannot_blow_up(kind, noise, seed, extras):
    """|∂L/∂z| ≤ 1: each step moves (w, b) by at most α·mean‖(x, 1)‖, so the loss can grow only linearly.
    Over every data set, three noise levels, two seeds, with and without all extra inputs, at α = 10 for
    400 iterations, the highest loss is about 5.1 nats (spiral, all extras), and nothing diverges. Every case
    reaches its highest loss by iteration 150 (2,000 iterations, 5x the time, gave the same highest losses up to
    5e-7: circles, seed 1 creeps along a plateau)."""
    ds = synthetic_dataset(kind, n=200, noise=noise, seed=seed)
    X = expand_features(ds.X_train, extras) if extras else ds.X_train
    history = fit(LogisticRegression(X.shape[1], seed=seed), X, ds.y_train, 10.0, 400)
    assert history.diverged_at is None
    steps = 10.0 * np.sqrt(sum(history.array(c) ** 2 for c in history.norm_columns))  # ‖θ_t+1 − θ_t‖
    bound = max_step_length(X, 10.0)
    assert np.all(steps <= bound * (1 + 1e-12))
    assert history.array("train_loss").max() < 6.0


def test_max_step_length_for_mini_batches_is_the_worst_batch():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    norms = np.sqrt(X[:, 0] ** 2 + 1)
    assert max_step_length(X, 2.0) == pytest.approx(2.0 * norms.mean())
    assert max_step_length(X, 2.0, batch_size=2) == pytest.approx(2.0 * norms[-1])  # the last batch holds 1
    assert max_step_length(X, 2.0, batch_size=5) == max_step_length(X, 2.0)


def test_zigzag_is_what_too_large_an_alpha_does_to_logistic_regression():
    circles = synthetic_dataset("circles", n=200, noise=0.15, seed=0)
    bouncing = fit(LogisticRegression(2, seed=0), circles.X_train, circles.y_train, 10.0, 300)
    count, last = zigzag(bouncing)
    assert count >= 295 and last == 299  # every step reverses the one before: it never settles
    cos = bouncing.array("step_cosine")
    assert np.isnan(cos[0]) and np.all(cos[1:] < -0.9)
    X, y = moons()
    settles = fit(LogisticRegression(2, seed=0), X, y, 10.0, 300)
    assert zigzag(settles) == (1, 1)  # one step back, then straight down the valley
    assert zigzag(fit(LogisticRegression(2, seed=0), X, y, 1.0, 300)) == (0, None)


def test_penalty_makes_logistic_regression_diverge_only_past_two():
    assert penalty_diverges(10.0, 0.3) and penalty_diverges(10.0, 1.0)
    assert not penalty_diverges(10.0, 0.2) and not penalty_diverges(0.1, 1.0)
    X, y = moons()
    assert fit(LogisticRegression(2, l2=1.0), X, y, 10.0, 2000).diverged_at is not None
