"""Our hand-derived training against scikit-learn, started from the same weights.

MLPClassifier with solver="sgd", momentum 0, batch_size=N and shuffle=False does exactly one full-batch
gradient step θ ← θ − α·∇L per epoch; `max_iter` counts epochs and a warm-started `fit` restarts the
count (n_iter_ = 0), so a second fit with max_iter=K performs exactly K updates from the weights we set.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.neural_network import MLPClassifier

from scratchnet import LogisticRegression, TwoLayerNet, fit

STEPS = 100


def standardise(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)


def xor(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


DATASETS = {
    "moons": lambda: make_moons(200, noise=0.2, random_state=0),
    "circles": lambda: make_circles(160, noise=0.1, factor=0.5, random_state=1),
    "xor": lambda: xor(120, seed=2),
    "blobs3d": lambda: make_blobs(150, n_features=3, centers=2, cluster_std=2.0, random_state=3),
}


def sklearn_mlp_from(net: TwoLayerNet, X: np.ndarray, y: np.ndarray, lr: float, activation: str):
    clf = MLPClassifier(
        hidden_layer_sizes=(net.hidden_units,),
        activation=activation,
        solver="sgd",
        batch_size=X.shape[0],
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        learning_rate="constant",
        learning_rate_init=lr,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=10**9,
        warm_start=True,
        max_iter=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)  # builds the layers (one update on sklearn's own random weights, then discarded)
        p = net.params
        # fresh C-contiguous copies: sklearn updates them in place
        if net.n_classes == 2:  # one sigmoid output
            clf.coefs_ = [np.array(p["W1"].T), np.array(p["w2"][:, None])]
            clf.intercepts_ = [np.array(p["b1"]), np.array([p["b2"]])]
        else:  # K softmax outputs: sklearn's coefs_[1] is (h, K) = W2ᵀ
            clf.coefs_ = [np.array(p["W1"].T), np.array(p["W2"].T)]
            clf.intercepts_ = [np.array(p["b1"]), np.array(p["b2"])]
        clf.max_iter = STEPS
        clf.fit(X, y)
    assert clf.n_iter_ == STEPS
    return clf


@pytest.mark.parametrize(
    "data, hidden, activation, lr",
    [
        ("moons", 8, "relu", 0.5),
        ("circles", 16, "relu", 1.0),
        ("xor", 3, "relu", 0.8),
        ("blobs3d", 5, "relu", 0.3),
        ("moons", 6, "tanh", 0.5),
        ("circles", 12, "tanh", 1.0),
        ("xor", 4, "logistic", 2.0),
    ],
)
def test_two_layer_net_matches_mlpclassifier_trajectory(data, hidden, activation, lr):
    X, y = DATASETS[data]()
    X = standardise(X)
    ours = "sigmoid" if activation == "logistic" else activation
    net = TwoLayerNet(X.shape[1], hidden, ours, seed=4)
    clf = sklearn_mlp_from(net, X, y, lr, activation)

    history = fit(net, X, y.astype(np.float64), lr, STEPS, snapshot_every=1)
    assert history.diverged_at is None and len(history) == STEPS

    theirs = {
        "W1": clf.coefs_[0].T,
        "b1": clf.intercepts_[0],
        "w2": clf.coefs_[1][:, 0],
        "b2": clf.intercepts_[1][0],
    }
    moved = np.linalg.norm(net.params["W1"] - history.snapshots[0]["W1"])
    assert moved > 0.1  # the runs went somewhere, so agreeing means something
    for name, value in net.params.items():
        np.testing.assert_allclose(value, theirs[name], rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_array_equal(net.predict(X), clf.predict(X))

    # loss curves: sklearn records the loss at θ_k before update k, as we do. It clips ŷ to [ε, 1 − ε] and
    # computes log(1 − ŷ) from a rounded ŷ, so compare where every ŷ keeps well away from 0 and 1.
    sk_loss = np.asarray(clf.loss_curve_[-STEPS:])
    our_loss = history.array("train_loss")
    probe = net.copy()
    clean = []
    for k in range(STEPS):
        probe.set_params(history.snapshots[k])
        p = probe.predict_proba(X)
        clean.append(np.min(np.minimum(p, 1 - p)) > 1e-6)
    clean = np.array(clean)
    assert clean.sum() >= STEPS // 2
    np.testing.assert_allclose(our_loss[clean], sk_loss[clean], rtol=1e-12)
    assert our_loss[-1] < our_loss[0]


@pytest.mark.parametrize("seed, d", [(0, 2), (1, 4)])
def test_logistic_regression_gradient_descent_reaches_sklearn_optimum(seed, d):
    rng = np.random.default_rng(seed)
    m = 400
    X = standardise(rng.normal(size=(m, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d))))
    true_w = rng.normal(size=d)
    # logistic noise: the classes overlap, so the unpenalised optimum is finite
    y = (X @ true_w + 0.3 + rng.logistic(size=m) > 0).astype(np.float64)

    ref = SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-14, max_iter=1000).fit(X, y)
    model = LogisticRegression(d, seed=seed)
    history = fit(model, X, y, 4.0, 800)
    assert history.diverged_at is None
    np.testing.assert_allclose(model.params["w"], ref.coef_[0], rtol=0, atol=1e-8)
    assert abs(float(model.params["b"]) - ref.intercept_[0]) <= 1e-8
    assert history.last("grad_norm_w") < 1e-8


# --- K ≥ 3 classes: a softmax output ---------------------------------------------------------------------
def spiral3(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three arms a third of a turn apart, with a little noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    t = rng.uniform(0.0, 1.0, size=n)
    angle = 2.5 * np.pi * t + y * 2 * np.pi / 3
    X = (0.3 + 2 * t)[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + rng.normal(0.0, 0.1, size=X.shape), y


MULTI = {
    "blobs3": lambda: make_blobs(180, centers=3, cluster_std=1.5, random_state=5),
    "blobs4_3d": lambda: make_blobs(160, n_features=3, centers=4, cluster_std=2.0, random_state=6),
    "spiral3": lambda: spiral3(150, seed=7),
}


@pytest.mark.parametrize(
    "data, hidden, activation, lr",
    [
        ("blobs3", 6, "relu", 0.5),
        ("spiral3", 16, "relu", 1.0),
        ("blobs4_3d", 5, "tanh", 0.5),
        ("spiral3", 10, "tanh", 1.0),
        ("blobs3", 4, "logistic", 2.0),
    ],
)
def test_softmax_net_matches_mlpclassifier_trajectory(data, hidden, activation, lr):
    """The same settings as the binary test; sklearn's MLPClassifier uses a softmax output for K ≥ 3 labels."""
    X, y = MULTI[data]()
    X = standardise(X)
    k = int(y.max()) + 1
    ours = "sigmoid" if activation == "logistic" else activation
    net = TwoLayerNet(X.shape[1], hidden, ours, seed=4, n_classes=k)
    assert net.params["W2"].shape == (k, hidden)
    clf = sklearn_mlp_from(net, X, y, lr, activation)
    assert clf.out_activation_ == "softmax"

    history = fit(net, X, y.astype(np.float64), lr, STEPS, snapshot_every=1)
    assert history.diverged_at is None and len(history) == STEPS
    theirs = {"W1": clf.coefs_[0].T, "b1": clf.intercepts_[0], "W2": clf.coefs_[1].T, "b2": clf.intercepts_[1]}
    moved = np.linalg.norm(net.params["W1"] - history.snapshots[0]["W1"])
    assert moved > 0.1  # the runs went somewhere, so agreeing means something
    for name, value in net.params.items():
        np.testing.assert_allclose(value, theirs[name], rtol=0, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(net.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(net.predict(X), clf.predict(X))

    # sklearn clips probabilities to [ε, 1 − ε] for its loss: compare while every probability is well inside
    sk_loss = np.asarray(clf.loss_curve_[-STEPS:])
    our_loss = history.array("train_loss")
    probe = net.copy()
    clean = []
    for step in range(STEPS):
        probe.set_params(history.snapshots[step])
        clean.append(np.min(probe.predict_proba(X)) > 1e-6)
    clean = np.array(clean)
    assert clean.sum() >= STEPS // 2
    np.testing.assert_allclose(our_loss[clean], sk_loss[clean], rtol=1e-12)
    assert our_loss[-1] < our_loss[0]
    # accuracy is the argmax's
    assert history.last("train_acc") == np.mean(probe.predict(X) == y)


@pytest.mark.parametrize("seed, d, k", [(0, 2, 3), (1, 4, 4), (2, 3, 5)])
def test_softmax_regression_gradient_descent_reaches_sklearn_multinomial_optimum(seed, d, k):
    rng = np.random.default_rng(seed)
    m = 150 * k
    X = standardise(rng.normal(size=(m, d)))
    # Gumbel noise on true logits: the labels a softmax model would draw, so the classes overlap and the
    # unpenalised optimum is finite
    y = np.argmax(X @ rng.normal(0.0, 1.5, size=(k, d)).T + rng.gumbel(size=(m, k)), axis=1).astype(np.float64)
    assert len(np.unique(y)) == k

    # C = ∞: no penalty. With K ≥ 3 labels sklearn fits the multinomial (softmax) model.
    ref = SkLogisticRegression(C=np.inf, solver="newton-cg", tol=1e-14, max_iter=1000).fit(X, y)
    model = LogisticRegression(d, seed=seed, n_classes=k)
    history = fit(model, X, y, 4.0, 800)
    assert history.diverged_at is None
    assert history.last("grad_norm_W") < 1e-8
    # compared as probabilities: adding one vector to every row of W (one number to every b_k) changes no
    # softmax, so the coefficients are defined only up to that shared shift and may differ by it
    np.testing.assert_allclose(model.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-8)
    grid = rng.uniform(-3, 3, size=(200, d))  # and away from the data too
    np.testing.assert_allclose(model.predict_proba(grid), ref.predict_proba(grid), rtol=0, atol=1e-8)
    # with the shift removed (each coefficient column centred over the classes) they are the same numbers
    centred = model.params["W"] - model.params["W"].mean(axis=0)
    np.testing.assert_allclose(centred, ref.coef_ - ref.coef_.mean(axis=0), rtol=0, atol=1e-7)
