"""Evaluate a model over the input plane: decision grids and hidden-unit maps, each one matrix product."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .models import Model, TwoLayerNet

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


def decision_grid(model: Model, grid: PlaneGrid, transform: Transform | None = None) -> np.ndarray:
    """P(class 1) at every grid point, shape (res, res) — rows follow v, columns follow u."""
    inputs = grid.points if transform is None else transform(grid.points)
    with np.errstate(over="ignore", invalid="ignore"):
        return model.predict_proba(inputs).reshape(grid.shape)


def hidden_unit_grids(net: TwoLayerNet, grid: PlaneGrid, transform: Transform | None = None) -> np.ndarray:
    """Each hidden unit's output h1 over the plane, shape (h, res, res)."""
    inputs = grid.points if transform is None else transform(grid.points)
    with np.errstate(over="ignore", invalid="ignore"):
        h1 = net.hidden(inputs)
    return h1.T.reshape(net.hidden_units, *grid.shape)
