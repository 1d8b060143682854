"""K ≥ 3 classes: softmax regression and a net with a softmax output, derived by hand like the binary models.

One example, K logits z = (z_1 … z_K), y its class number, Y its one-hot row (Y_k = 1 if k = y else 0):
    ŷ_k = softmax(z)_k = e^(z_k) / Σ_j e^(z_j)          (ŷ > 0, Σ_k ŷ_k = 1)
    L   = −log ŷ_y = log Σ_j e^(z_j) − z_y              (cross-entropy, computed with log-sum-exp)
    dL/dz_k = e^(z_k) / Σ_j e^(z_j) − [k = y] = ŷ_k − Y_k
so over m rows dL/dZ = (P − Y)/m for the mean loss: the binary chain's ŷ − y, one column per class.

Adding the same vector to every row of W (and the same number to every b_k) adds the same amount to every
logit, which softmax cancels: the coefficients are defined only up to that shared shift. Gradient descent never
moves it (the rows of P − Y sum to 0); an L2 penalty picks the W whose rows sum to 0.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .describe import ParamInfo, TraceStep
from .losses import class_labels, ones, softmax_cross_entropy, softmax_rows_and_cross_entropy
from .models import MODEL_CLASSES, Cache, LogisticRegression, Model, Params, TwoLayerNet


def softmax(Z: np.ndarray) -> np.ndarray:
    """Each row of Z → e^(z_k − max z) / Σ_j e^(z_j − max z): the same as e^(z_k) / Σ_j e^(z_j), never overflowing."""
    Z = np.asarray(Z, dtype=np.float64)
    e = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _check_classes(n_classes: Any) -> int:
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer) or n_classes < 2:
        raise ValueError(f"n_classes must be a whole number of at least 2, not {n_classes!r}")
    return int(n_classes)


class SoftmaxOutput(Model):
    """The output layer for K ≥ 3 classes: softmax and cross-entropy (the binary models' σ hooks, overridden)."""

    n_classes: int = 3
    _delta_formula: ClassVar[str] = "ŷ − onehot(y)"

    def proba_from_logits(self, z: np.ndarray) -> np.ndarray:
        """ŷ = softmax(z) per row, shape (m, K)."""
        return softmax(z)

    def cross_entropy(self, z: np.ndarray, y: np.ndarray) -> float:
        return softmax_cross_entropy(z, class_labels(y, self.n_classes))

    def row_losses_and_proba(self, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return softmax_rows_and_cross_entropy(z, class_labels(y, self.n_classes))

    def targets(self, y: np.ndarray) -> np.ndarray:
        """y as class numbers, as `decide` answers."""
        return class_labels(y, self.n_classes)

    def decide(self, z: np.ndarray) -> np.ndarray:
        """The class with the largest logit (= the largest probability: softmax keeps the order)."""
        return np.argmax(z, axis=1)

    def _dL_dz(self, y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
        delta = np.array(y_hat, dtype=np.float64)  # a copy: ŷ stays in the cache as it was
        delta[np.arange(delta.shape[0]), class_labels(y, self.n_classes)] -= 1.0  # dL/dz = P − Y
        return delta

    def one_hot(self, label: int) -> np.ndarray:
        return np.eye(self.n_classes)[int(label)]

    def _output_steps(self, t: Cache) -> list[TraceStep]:
        label = int(t["y"])
        return [TraceStep("ŷ", "softmax(z)", t["y_hat"][0]), TraceStep("y", "", label),
                TraceStep("onehot(y)", "", self.one_hot(label)),
                TraceStep("L (cross-entropy)", "−log ŷ_y", t["data_loss"])]


class SoftmaxRegression(SoftmaxOutput, LogisticRegression):
    """z = W·x + b (K logits; W (K, d): row k scores class k), ŷ = softmax(z).

    Gradients (means over the m rows, Y one-hot):  dW = (P − Y)ᵀ·X / m,  db = column means of P − Y.
    """

    param_info = (
        ParamInfo("W", 1, False, "input → output weights, one row per class", per_class=True),
        ParamInfo("b", 1, True, "output biases, one per class", per_class=True),
    )

    def __init__(self, n_features: int = 2, l2: float = 0.0, seed: int | None = 0, *, n_classes: int = 3) -> None:
        Model.__init__(self, n_features, l2)
        self.n_classes = _check_classes(n_classes)
        self.seed = seed
        rng = np.random.default_rng(seed)
        # small random start, as for two classes: the first regions are visible but say almost nothing
        self.params = {
            "W": rng.normal(0.0, 0.1, size=(self.n_classes, self.n_features)),
            "b": np.zeros(self.n_classes),
        }

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, Cache]:
        X = np.asarray(X, dtype=np.float64)
        z = X @ self.params["W"].T + self.params["b"]  # z = W·x + b, one row of K logits per example
        return z, {"X": X, "z": z}

    def _backward_data(self, cache: Cache, delta: np.ndarray) -> Params:
        X = cache["X"]
        m = X.shape[0]
        return {
            "W": delta.T @ X / m,  # dW = (ŷ − y)·xᵀ, averaged: (P − Y)ᵀ·X / m
            "b": ones(m) @ delta / m,  # db = ŷ − y, averaged
        }

    def _forward_steps(self, t: Cache) -> list[TraceStep]:
        return [TraceStep("z", "W·x + b", t["z"][0])]

    def _backward_steps(self, t: Cache) -> list[TraceStep]:
        return [*self._gradient_steps(t, "W", "dL/dz·xᵀ"), *self._gradient_steps(t, "b", "dL/dz")]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "n_classes": self.n_classes}


class SoftmaxNet(SoftmaxOutput, TwoLayerNet):
    """Input → hidden layer (W1, b1, g) → K logits z = W2·h1 + b2 (W2 (K, h)) → ŷ = softmax(z).

    Backprop, means over the m rows; only the output layer differs from the binary net:
        dL/dZ  = (P − Y)/m
        dW2    = dL/dZᵀ·h1             db2 = column sums of dL/dZ
        dL/dh1 = dL/dZ·W2              (each example's K errors sent back through W2's rows)
        dL/da1 = dL/dh1 ⊙ g'(a1),  dW1 and db1 as for two classes
    """

    param_info = (
        ParamInfo("W1", 1, False, "input → hidden weights"),
        ParamInfo("b1", 1, True, "hidden biases"),
        ParamInfo("W2", 2, False, "hidden → output weights, one row per class", per_class=True),
        ParamInfo("b2", 2, True, "output biases, one per class", per_class=True),
    )

    def __init__(self, n_features: int = 2, hidden_units: int = 8, activation: str = "relu", l2: float = 0.0,
                 seed: int | None = 0, *, n_classes: int = 3) -> None:
        k = _check_classes(n_classes)
        super().__init__(n_features, hidden_units, activation, l2, seed)
        self.n_classes = k
        rng = np.random.default_rng(None if seed is None else [seed, k])  # W1 as for two classes; W2 its own
        h = self.hidden_units
        del self.params["w2"], self.params["b2"]
        self.params["W2"] = rng.normal(0.0, np.sqrt(1.0 / h), size=(k, h))
        self.params["b2"] = np.zeros(k)

    def _output_logits(self, h1: np.ndarray) -> np.ndarray:
        return h1 @ self.params["W2"].T + self.params["b2"]  # z = W2·h1 + b2, one row of K logits

    def _dL_dh1(self, delta: np.ndarray) -> np.ndarray:
        return delta @ self.params["W2"]  # dL/dh1 = W2ᵀ·(ŷ − y), one row per example

    def _output_grads(self, h1: np.ndarray, delta: np.ndarray) -> Params:
        m = h1.shape[0]
        return {
            "W2": delta.T @ h1 / m,  # dW2 = (ŷ − y)·h1ᵀ, averaged
            "b2": ones(m) @ delta / m,  # db2 = ŷ − y, averaged
        }

    def _forward_steps(self, t: Cache) -> list[TraceStep]:
        return [TraceStep("a1", "W1·x + b1", t["a1"][0]), TraceStep("h1", "g(a1)", t["h1"][0]),
                TraceStep("z", "W2·h1 + b2", t["z"][0])]

    def _backward_steps(self, t: Cache) -> list[TraceStep]:
        return [
            *self._gradient_steps(t, "W2", "dL/dz·h1ᵀ"),
            *self._gradient_steps(t, "b2", "dL/dz"),
            TraceStep("dL/dh1", "W2ᵀ·dL/dz", t["dL_dh1"][0]),
            TraceStep("g'(a1)", f"{self.activation.name}'(a1)",
                      np.asarray(self.activation.g_prime(t["a1"][0]), dtype=np.float64)),
            TraceStep("dL/da1", "dL/dh1 ⊙ g'(a1)", t["dL_da1"][0]),
            *self._gradient_steps(t, "b1", "dL/da1"),
            *self._gradient_steps(t, "W1", "dL/da1·xᵀ"),
        ]

    def config(self) -> dict[str, Any]:
        return {**super().config(), "n_classes": self.n_classes}


SOFTMAX_VARIANTS: dict[type[Model], type[Model]] = {LogisticRegression: SoftmaxRegression, TwoLayerNet: SoftmaxNet}
MODEL_CLASSES.update({cls.__name__: cls for cls in SOFTMAX_VARIANTS.values()})
