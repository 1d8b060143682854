"""Activation functions, each next to its derivative, and a numerically stable sigmoid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), vectorised and without overflow for any finite z.

    e^(−|z|) is always in (0, 1], so neither branch can overflow:
    z ≥ 0: 1 / (1 + e^(−z));  z < 0: e^(z) / (1 + e^(z)).
    """
    z = np.asarray(z, dtype=np.float64)
    return sigmoid_given(z, np.exp(-np.abs(z)))


def sigmoid_given(z: np.ndarray, e: np.ndarray) -> np.ndarray:
    """σ(z) when e = e^(−|z|) is already at hand (the loss needs it too)."""
    r = np.asarray(1.0 / (1.0 + e))  # an array even for one z: `out` needs one
    return np.multiply(e, r, out=r, where=z < 0)  # e·r where z < 0, in place: np.where costs a third more


def sigmoid_prime(a: np.ndarray) -> np.ndarray:
    """σ'(a) = σ(a)·(1 − σ(a))."""
    s = sigmoid(a)
    return s * (1.0 - s)


def relu(a: np.ndarray) -> np.ndarray:
    """ReLU(a) = max(0, a)."""
    return np.maximum(a, 0.0)


def relu_prime(a: np.ndarray) -> np.ndarray:
    """g'(a) = 1 if a > 0 else 0 (the derivation takes 0 at the kink a = 0).

    Returned as a boolean mask: in a product it counts as 1.0 / 0.0, and it costs an eighth of the memory.
    """
    return a > 0


def tanh(a: np.ndarray) -> np.ndarray:
    return np.tanh(a)


def tanh_prime(a: np.ndarray) -> np.ndarray:
    """tanh'(a) = 1 − tanh²(a)."""
    t = np.tanh(a)
    return 1.0 - t * t


def linear(a: np.ndarray) -> np.ndarray:
    """g(a) = a: a layer of these units is an affine map, so a stack of them still draws a straight boundary."""
    return a


def linear_prime(a: np.ndarray) -> np.ndarray:
    """g'(a) = 1 everywhere."""
    return np.ones_like(a)


@dataclass(frozen=True)
class Activation:
    """A hidden-layer activation g with its derivative g' and the init scale that suits it."""

    name: str
    g: Callable[[np.ndarray], np.ndarray]
    g_prime: Callable[[np.ndarray], np.ndarray]
    init_gain: float  # W1 ~ N(0, init_gain / fan_in): He (2) for ReLU, LeCun (1) for tanh/sigmoid
    init_name: str    # whose initialisation that is, for captions
    has_kink: bool    # True where g' jumps (finite differences straddling it are not exact)
    nonnegative: bool  # g(a) ≥ 0 everywhere, so a unit is dead exactly when its outputs sum to 0


ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", relu, relu_prime, 2.0, "He", has_kink=True, nonnegative=True),
    "tanh": Activation("tanh", tanh, tanh_prime, 1.0, "LeCun", has_kink=False, nonnegative=False),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, 1.0, "LeCun", has_kink=False, nonnegative=True),
    "linear": Activation("linear", linear, linear_prime, 1.0, "LeCun", has_kink=False, nonnegative=False),
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}") from None
