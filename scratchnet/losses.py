"""Mean binary cross-entropy, computed from logits so it never takes log(0)."""

from __future__ import annotations

import numpy as np


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)): exact and finite for any finite z."""
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """L = −mean[y·log ŷ + (1−y)·log(1−ŷ)] with ŷ = σ(z).

    Since log σ(z) = −softplus(−z) and log(1 − σ(z)) = −softplus(z), each term is softplus(z) − y·z.
    """
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if z.size == 0:
        return float("nan")
    return float(np.mean(softplus(z) - y * z))


def bce_naive(y_hat: np.ndarray, y: np.ndarray) -> float:
    """The textbook formula on probabilities; kept only to show students (and tests) where it breaks."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
