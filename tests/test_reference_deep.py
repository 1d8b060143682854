"""The deep network and the three optimizers against scikit-learn's MLPClassifier, from the same weights.

MLPClassifier with batch_size=N and shuffle=False takes one full-batch step per epoch; a warm-started `fit`
builds a fresh optimizer (velocities and moments at 0, Adam's t at 0), so a second fit with max_iter=100 takes
exactly 100 updates from the weights we set. Its L2 term is alpha/(2·n_samples)·‖W‖², so alpha = λ·m is our λ.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from scratchnet import SGD, Adam, Momentum, Network, fit
from tests.test_reference_sklearn import spiral3, standardise

STEPS = 100
SOLVERS = {  # ours, sklearn's settings
    "sgd": (SGD(), {"solver": "sgd", "momentum": 0.0, "nesterovs_momentum": False}),
    "momentum": (Momentum(0.9), {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": False}),
    "adam": (Adam(0.9, 0.999, 1e-8), {"solver": "adam", "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8}),
}
DATA = {
    "moons": lambda: make_moons(160, noise=0.2, random_state=0),
    "blobs3": lambda: make_blobs(150, centers=3, cluster_std=1.5, random_state=5),
    "spiral3": lambda: spiral3(150, seed=7),
}


def sklearn_run(net: Network, X: np.ndarray, y: np.ndarray, lr: float, activation: str, solver: dict,
                alpha: float) -> MLPClassifier:
    clf = MLPClassifier(hidden_layer_sizes=net.hidden_layers, activation=activation, batch_size=X.shape[0],
                        alpha=alpha, learning_rate="constant", learning_rate_init=lr, shuffle=False, tol=0.0,
                        n_iter_no_change=10**9, warm_start=True, max_iter=1, random_state=0, **solver)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)  # builds the layers
        n, p = net.depth + 1, net.params
        w_out = p[f"w{n}"][:, None] if net.n_classes == 2 else p[f"W{n}"].T
        clf.coefs_ = [np.array(p[f"W{i}"].T) for i in range(1, n)] + [np.array(w_out)]
        clf.intercepts_ = [np.array(p[f"b{i}"]) for i in range(1, n)] + [np.atleast_1d(np.array(p[f"b{n}"]))]
        clf.max_iter = STEPS
        clf.fit(X, y)
    assert clf.n_iter_ == STEPS
    return clf


@pytest.mark.parametrize("solver", list(SOLVERS))
@pytest.mark.parametrize("data, layers, activation, lr, lam", [
    ("moons", (6, 4), "relu", 0.3, 1e-3),
    ("moons", (5, 4, 3), "tanh", 0.3, 1e-2),
    ("blobs3", (6, 5), "tanh", 0.2, 1e-3),
    ("spiral3", (8, 6, 4), "relu", 0.2, 1e-2),
])
def test_network_matches_mlpclassifier(solver, data, layers, activation, lr, lam):
    X, y = DATA[data]()
    X = standardise(X)
    k = int(y.max()) + 1
    ours, theirs = SOLVERS[solver]
    net = Network(2, layers, activation, l2=lam, seed=3, n_classes=k)
    start = net.get_params()
    lr = lr / 20 if solver == "adam" else lr  # Adam's first steps move every weight by ≈ α: a smaller α suits it
    clf = sklearn_run(net, X, y, lr, activation, theirs, lam * len(y))
    history = fit(net, X, y.astype(np.float64), lr, STEPS, optimizer=ours)
    assert history.diverged_at is None and len(history) == STEPS

    n = net.depth + 1
    sk = {f"W{i}": clf.coefs_[i - 1].T for i in range(1, n)} | {f"b{i}": clf.intercepts_[i - 1] for i in range(1, n)}
    sk |= ({f"w{n}": clf.coefs_[-1][:, 0], f"b{n}": clf.intercepts_[-1][0]} if k == 2
           else {f"W{n}": clf.coefs_[-1].T, f"b{n}": clf.intercepts_[-1]})
    assert np.linalg.norm(net.params["W1"] - start["W1"]) > 0.1  # the runs went somewhere
    ours_theta = np.concatenate([np.ravel(v) for v in net.params.values()])
    sk_theta = np.concatenate([np.ravel(sk[name]) for name in net.params])
    assert np.linalg.norm(ours_theta - sk_theta) <= 1e-12 * np.linalg.norm(sk_theta)  # θ as one vector
    for name, value in net.params.items():  # each tensor too; Adam divides by √v, so a tensor whose gradient is
        # near 0 turns a last-bit difference in g (sklearn adds αW before dividing by m) into a bigger relative one
        assert np.linalg.norm(value - sk[name]) <= 1e-10 * np.linalg.norm(sk[name]), name
    np.testing.assert_array_equal(net.predict(X), clf.predict(X))
