"""What the figure builders read from their inputs, as Protocols: scratchnet/figures/ never imports the core's classes.

Each Protocol names only the members a builder uses, read-only, so the core's dataclasses (and the
small stand-ins tests make) satisfy them structurally.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np


class HistoryLike(Protocol):
    """A training run's records as columns (scratchnet.training.History)."""

    @property
    def columns(self) -> Mapping[str, Sequence[float]]: ...  # "iteration", "train_loss", "grad_norm_W1" …

    @property
    def diverged_at(self) -> int | None: ...

    def __len__(self) -> int: ...

    def array(self, name: str) -> np.ndarray: ...


class ParamInfoLike(Protocol):
    """What one parameter tensor is (scratchnet.models.ParamInfo): its layer and whether it is a bias."""

    @property
    def name(self) -> str: ...  # the key in model.params and in the gradients: "W1"

    @property
    def layer(self) -> int: ...  # 1 = input → hidden (or the only layer), 2 = hidden → output

    @property
    def is_bias(self) -> bool: ...

    @property
    def grad_name(self) -> str: ...  # the derivation's name for its gradient: "dW1"

    @property
    def per_class(self) -> bool: ...  # one row (or entry) per class: softmax's W, b, W2, b2


class DatasetLike(Protocol):
    """A prepared data set, standardised, that maps back to its file's units (scratchnet Dataset, or Problem.view
    for K ≥ 3 classes: y holds the class numbers 0 … K−1 and class_names names all K)."""

    @property
    def X_train(self) -> np.ndarray: ...

    @property
    def y_train(self) -> np.ndarray: ...

    @property
    def X_test(self) -> np.ndarray: ...

    @property
    def y_test(self) -> np.ndarray: ...

    @property
    def feature_names(self) -> Sequence[str]: ...

    @property
    def class_names(self) -> Sequence[str]: ...

    @property
    def n_features(self) -> int: ...

    def to_original(self, X_std: np.ndarray) -> np.ndarray: ...


class PlaneGridLike(Protocol):
    """A grid over two input columns in standardised units (scratchnet.plane.PlaneGrid)."""

    @property
    def u(self) -> np.ndarray: ...  # (nu,) values of column axes[0]

    @property
    def v(self) -> np.ndarray: ...  # (nv,) values of column axes[1]

    @property
    def axes(self) -> tuple[int, int]: ...


class RegionsLike(Protocol):
    """K class regions over a grid (scratchnet.plane.ClassRegions)."""

    @property
    def winner(self) -> np.ndarray: ...  # (nv, nu) the class with the largest probability

    @property
    def confidence(self) -> np.ndarray: ...  # (nv, nu) that probability

    @property
    def margin(self) -> np.ndarray: ...  # (nv, nu, K) p_c − max of the others: region c's border is its 0 line

    @property
    def n_classes(self) -> int: ...


class SliceFadeLike(Protocol):
    """How far each point lies from the drawn slice and how opaque to draw it (scratchnet.plane.SliceFade):
    per split, "train" and "test", one value per row of X_train / X_test."""

    @property
    def distance(self) -> Mapping[str, np.ndarray]: ...

    @property
    def alpha(self) -> Mapping[str, np.ndarray]: ...


class LineScanLike(Protocol):
    """The objective along the current gradient direction (scratchnet.landscape.LineScan)."""

    @property
    def t(self) -> np.ndarray: ...  # step sizes, 0 … t_max

    @property
    def loss(self) -> np.ndarray: ...  # L(θ − t·∇L) at each t

    @property
    def lr(self) -> float: ...  # the chosen α

    @property
    def loss_at_lr(self) -> float: ...  # L(θ − α·∇L)

    @property
    def slope(self) -> float: ...  # dL/dt at t = 0, i.e. −‖∇L‖²


class LossSurfaceLike(Protocol):
    """Logistic regression's objective over (w1, w2) with b held fixed (scratchnet.landscape.LossSurface)."""

    @property
    def w1(self) -> np.ndarray: ...  # (n,)

    @property
    def w2(self) -> np.ndarray: ...  # (n,)

    @property
    def loss(self) -> np.ndarray: ...  # (n, n), rows follow w2

    @property
    def b(self) -> float: ...

    @property
    def path(self) -> np.ndarray: ...  # (k, 2): the (w1, w2) points gradient descent visited
