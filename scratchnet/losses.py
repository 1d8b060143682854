"""Mean binary cross-entropy, computed from logits so it never takes log(0)."""

from __future__ import annotations

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
    y = np.asarray(y, dtype=np.float64)
    if z.size == 0:
        return float("nan"), z.copy()
    e = np.exp(-np.abs(z))
    return float(np.add.reduce(softplus(z, e) - y * z, axis=None)) / z.size, sigmoid_given(z, e)


def bce_naive(y_hat: np.ndarray, y: np.ndarray) -> float:
    """The textbook formula on probabilities; kept only to show students (and tests) where it breaks."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
