"""Evaluate a model over the input plane: decision grids and hidden-unit maps, each one matrix product."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid_given
from .models import LogisticRegression, Model, TwoLayerNet
from .network import Network

Transform = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PlaneGrid:
    """A resolution × resolution grid over two input columns, in standardised units.

    Every other input column is held at 0, i.e. at its training mean.
    """

    u: np.ndarray  # (res,) values of column axes[0]
    v: np.ndarray  # (res,) values of column axes[1]
    points: np.ndarray  # (res·res, d), row-major: v varies slowest
    axes: tuple[int, int]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.v.size, self.u.size)


def plane_grid(
    X: np.ndarray, axes: tuple[int, int] = (0, 1), resolution: int = 40, margin: float = 0.1
) -> PlaneGrid:
    """Span the points of X (standardised, all d columns) along two columns, with a margin on each side."""
    X = np.asarray(X, dtype=np.float64)
    i, j = axes
    lo, hi = X[:, [i, j]].min(axis=0), X[:, [i, j]].max(axis=0)
    pad = np.maximum((hi - lo) * margin, 0.5)
    u = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    v = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    uu, vv = np.meshgrid(u, v)
    points = np.zeros((resolution * resolution, X.shape[1]))
    points[:, i], points[:, j] = uu.ravel(), vv.ravel()
    return PlaneGrid(u=u, v=v, points=points, axes=(i, j))


def decision_grid(
    model: Model, grid: PlaneGrid, transform: Transform | None = None, dtype: type = np.float64
) -> np.ndarray:
    """P(class 1) at every grid point, shape (res, res) — rows follow v, columns follow u. With K ≥ 3 classes,
    every class's probability: shape (res, res, K), summing to 1 along the last axis.

    dtype=np.float32 is for a picture only (one byte per cell shows steps of 1/255): two classes over the plane's
    own features in single precision, ~1e-6 from the float64 grid, for a third less work (else float64)."""
    with np.errstate(over="ignore", invalid="ignore"):
        if transform is None and isinstance(model, LogisticRegression | TwoLayerNet | Network):
            single = dtype == np.float32 and model.n_classes == 2
            m = _single_precision(model) if single else model
            a = _first_layer_on_plane(m, grid)  # z = a without hidden layers; a net goes on from a1 = a
            hidden = isinstance(m, TwoLayerNet) or getattr(m, "depth", 0) > 0
            z = m._output_logits(m.activation.g(a)) if hidden else a
            proba = sigmoid_given(z, np.exp(-np.abs(z))) if single else m.proba_from_logits(z)  # σ keeps float32
        else:
            proba = model.predict_proba(grid.points if transform is None else transform(grid.points))
    return proba.reshape(*grid.shape, *proba.shape[1:])


def _single_precision(model: Model) -> Model:
    """A shallow copy of `model` with float32 parameters (the model itself untouched). Copied as copy.copy would
    (a new object sharing the attributes) without its generic protocol: 16 µs a frame down to 0.3."""
    single = object.__new__(type(model))
    single.__dict__.update(vars(model))
    single.params = {name: np.asarray(v, dtype=np.float32) for name, v in model.params.items()}
    return single


def _first_layer_on_plane(model: Model, grid: PlaneGrid) -> np.ndarray:
    """The first layer's X·Wᵀ + b at every grid point, shaped as forward has it ((res², units), or (res²,) for
    logistic regression's w), in the parameters' precision. Every input but the two drawn is 0 on the plane, so
    at (v, u) it is u·W[:, i] + (v·W[:, j] + b): an outer sum of two axes, a third of the cost of the (res², d)
    product (the same up to rounding in the last bit)."""
    W, b = (np.asarray(model.params[p.name]) for p in model.param_info[:2])
    u, v = grid.u.astype(W.dtype, copy=False), grid.v.astype(W.dtype, copy=False)
    i, j = grid.axes
    W2d = W.reshape(-1, W.shape[-1])
    # (units, res_v, res_u): the sums run along whole rows of the plane, not along a few units at a time
    a = (W2d[:, j, None] * v + b.reshape(-1, 1))[:, :, None] + (W2d[:, i, None] * u)[:, None, :]
    return a.reshape(-1) if W.ndim == 1 else a.reshape(W2d.shape[0], -1).T


@dataclass(frozen=True)
class ClassRegions:
    """K class regions over a grid, as a picture draws them: each point belongs to the class with the largest
    probability (`winner`), shaded by that probability (`confidence`: 1/K where the model cannot choose, 1 deep
    inside a region). `margin[..., c]` = p_c − max over the other classes: region c is where it is > 0, so its
    border is the 0 contour (a smooth line, where a staircase of winning cells is not)."""

    winner: np.ndarray  # (res, res) int
    confidence: np.ndarray  # (res, res)
    margin: np.ndarray  # (res, res, K)

    @property
    def n_classes(self) -> int:
        return self.margin.shape[-1]


def class_regions(proba: np.ndarray) -> ClassRegions:
    """The regions of decision_grid's (res, res, K) probabilities. A non-finite point wins class 0 at NaN."""
    proba = np.asarray(proba, dtype=np.float64)
    winner = np.argmax(np.nan_to_num(proba, nan=-1.0), axis=-1)
    confidence = np.take_along_axis(proba, winner[..., None], axis=-1)[..., 0]
    # the best other class: the runner-up for the winner, the winner for every other class
    ordered = np.sort(np.nan_to_num(proba, nan=-1.0), axis=-1)
    best_other = np.where(proba == confidence[..., None], ordered[..., -2:-1], confidence[..., None])
    with np.errstate(invalid="ignore"):
        margin = proba - best_other
    return ClassRegions(winner, confidence, margin)


def hidden_unit_grids(net: TwoLayerNet, grid: PlaneGrid, transform: Transform | None = None) -> np.ndarray:
    """Each hidden unit's output h1 over the plane, shape (h, res, res)."""
    inputs = grid.points if transform is None else transform(grid.points)
    with np.errstate(over="ignore", invalid="ignore"):
        h1 = net.hidden(inputs)
    return h1.T.reshape(net.hidden_units, *grid.shape)


def dead_unit_mask(net: TwoLayerNet, X: np.ndarray) -> np.ndarray:
    """Per hidden unit, True where it outputs 0 on every row of X (the training points): the definition the
    status line's count uses (Model.dead_units), so the unit maps name the same units dead. A unit can be dead
    on the training points and still light up somewhere else on the plane."""
    with np.errstate(over="ignore", invalid="ignore"):
        h1 = net.hidden(np.asarray(X, dtype=np.float64))
    return ~h1.any(axis=0)


def unit_votes(net: TwoLayerNet) -> tuple[np.ndarray, np.ndarray]:
    """Per hidden unit, the class its output raises most where the unit is active, and that weight: 1 where
    w2 > 0 (else 0) and w2 itself for two classes; for K classes the row of W2 with the largest weight from the
    unit, and that entry of W2. A deeper network's first-layer units use w_out·W_L·…·W_2 in place of w2."""
    depth = getattr(net, "depth", 1)
    out = depth + 1
    w = np.asarray(net.params[f"w{out}" if net.n_classes == 2 else f"W{out}"], dtype=np.float64)
    for layer in range(depth, 1, -1):  # deeper: the first layer's units reach the output through every path,
        w = w @ net.params[f"W{layer}"]  # summed as if the units above were linear (w_out·W_L·…·W_2)
    if net.n_classes == 2:
        return (w > 0).astype(np.int64), w
    votes = np.argmax(w, axis=0)
    return votes, w[votes, np.arange(w.shape[1])]


# --- the slice: with more than two features, the plane is a slice through feature space -------------------
# Opacity by distance from the slice (standardised units, root mean square over the features not drawn):
# fully drawn up to SLICE_NEAR, fading to SLICE_FLOOR at SLICE_FAR and beyond.
SLICE_NEAR, SLICE_FAR, SLICE_FLOOR = 0.5, 2.0, 0.15


def slice_distance(X: np.ndarray, axes: tuple[int, int]) -> np.ndarray:
    """How far each row of X (standardised, all d columns) lies from the plane drawn over `axes`.

    The plane holds every other feature at 0, its training mean; the distance is the root mean square of
    a point's other features, so 1 means "on average one standard deviation away". 0 for every point when
    only the two drawn features exist.
    """
    X = np.asarray(X, dtype=np.float64)
    others = [k for k in range(X.shape[1]) if k not in axes]
    if not others:
        return np.zeros(len(X))
    with np.errstate(over="ignore"):  # a test value near ±1e308 is simply infinitely far
        return np.sqrt(np.mean(np.square(X[:, others]), axis=1))


def slice_opacity(distance: np.ndarray) -> np.ndarray:
    """Opacity for points at `distance` from the slice: 1 up to SLICE_NEAR, SLICE_FLOOR from SLICE_FAR on."""
    t = np.clip((np.asarray(distance, dtype=np.float64) - SLICE_NEAR) / (SLICE_FAR - SLICE_NEAR), 0.0, 1.0)
    return 1.0 - t * (1.0 - SLICE_FLOOR)


@dataclass(frozen=True)
class SliceFade:
    """Per point, by split ("train", "test"): the distance from the slice and the opacity to draw it with."""

    axes: tuple[int, int]
    distance: dict[str, np.ndarray]
    alpha: dict[str, np.ndarray]


def slice_fade(X_train: np.ndarray, X_test: np.ndarray, axes: tuple[int, int]) -> SliceFade:
    distance = {"train": slice_distance(X_train, axes), "test": slice_distance(X_test, axes)}
    return SliceFade(axes, distance, {split: slice_opacity(d) for split, d in distance.items()})
