"""Mean binary cross-entropy, computed from logits so it never takes log(0)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .activations import sigmoid_given


def softplus(z: np.ndarray, e: np.ndarray | None = None) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)): exact and finite for any finite z. `e` = e^(−|z|) if known."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)) if e is None else e)


def bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """L = −mean[y·log ŷ + (1−y)·log(1−ŷ)] with ŷ = σ(z).

    Since log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z), each term is softplus(z) − y·z.
    """
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if z.size == 0:
        return float("nan")
    return float(np.add.reduce(softplus(z) - y * z, axis=None)) / z.size  # np.mean's sum, without its overhead


def bce_and_sigmoid(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(bce_from_logits(z, y), sigmoid(z)), bit for bit, from one e^(−|z|): a full-batch step needs both."""
    z = np.asarray(z, dtype=np.float64)
    if z.size == 0:
        return float("nan"), z.copy()
    terms, y_hat = bce_rows_and_sigmoid(z, y)
    return float(np.add.reduce(terms, axis=None)) / z.size, y_hat


def bce_rows_and_sigmoid(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each row's term softplus(z) − y·z, sigmoid(z)): the mean of any rows' terms is their cross-entropy, so
    one pass serves the training and the test rows."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return softplus(z, e) - y * z, sigmoid_given(z, e)


def bce_naive(y_hat: np.ndarray, y: np.ndarray) -> float:
    """The textbook formula on probabilities; kept only to show students (and tests) where it breaks."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


@lru_cache(maxsize=16)
def ones(m: int) -> np.ndarray:
    """m ones, read-only: column sums as one mat-vec product (ones(m) @ A), without a new vector every step."""
    v = np.ones(m)
    v.flags.writeable = False
    return v


def class_labels(y: np.ndarray, n_classes: int) -> np.ndarray:
    """y (floats or ints 0..K−1) as int64 label numbers; a clear error for anything else."""
    y = np.asarray(y)
    labels = y.astype(np.int64)
    if y.ndim != 1 or not np.array_equal(labels, y) or np.any((labels < 0) | (labels >= n_classes)):
        raise ValueError(f"labels must be whole numbers 0..{n_classes - 1}, one per row")
    return labels


def softmax_cross_entropy(Z: np.ndarray, labels: np.ndarray) -> float:
    """L = mean over rows of −log softmax(z)_y = log Σ_k e^(z_k) − z_y (log-sum-exp; see softmax_and_cross_entropy)."""
    return softmax_and_cross_entropy(Z, labels)[0]


def softmax_and_cross_entropy(Z: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """(mean cross-entropy, P = softmax(Z) row by row) from one e^(Z − max).

    With c = max_k z_k: log Σ_k e^(z_k) = c + log Σ_k e^(z_k − c). Every z_k − c ≤ 0, so no e^ overflows, and one
    term is e^0 = 1, so the sum is ≥ 1 and log never sees 0. Each row's loss is log Σ e^(z_k − c) − (z_y − c):
    exact and finite even for logits of ±1e4.
    """
    Z = np.asarray(Z, dtype=np.float64)
    if Z.shape[0] == 0:
        return float("nan"), Z.copy()
    terms, P = softmax_rows_and_cross_entropy(Z, labels)
    return float(np.add.reduce(terms)) / Z.shape[0], P


def softmax_rows_and_cross_entropy(Z: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each row's cross-entropy, P = softmax(Z)): as softmax_and_cross_entropy, before the mean over rows."""
    Z = np.asarray(Z, dtype=np.float64)
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1)
    return np.log(s) - shifted[np.arange(Z.shape[0]), labels], e / s[:, None]
