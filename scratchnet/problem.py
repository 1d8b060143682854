"""A learning problem: a prepared Dataset, the extra inputs (x1², sin(x1), …) the models see, and the two
features the plane pictures draw (with more than two features, the picture is a slice: see plot_axes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np

from .data import MAX_CLASSES, Dataset, separation
from .features import expand_features, expanded_names
from .plane import PlaneGrid, SliceFade, plane_grid, slice_distance, slice_fade, slice_opacity


def best_axes(dataset: Dataset, labels: np.ndarray | None = None) -> tuple[int, int]:
    """The two features whose class means lie furthest apart on the training rows (data.separation), in
    feature order; (0, 1) for two features. `labels` (0 … K−1 per training row): those classes instead of
    dataset.y_train's two."""
    if dataset.n_features <= 2:
        return (0, 1)
    y = dataset.y_train if labels is None else labels
    score = np.nan_to_num(separation(dataset.X_train, y), posinf=np.finfo(np.float64).max)
    best = np.argsort(-np.round(score, 9), kind="stable")[:2]  # rounded: near-ties keep the feature order
    i, j = sorted(int(k) for k in best)
    return (i, j)


def axes_from_names(dataset: Dataset, x: str = "", y: str = "", labels: np.ndarray | None = None) -> tuple[int, int]:
    """Feature names (as a URL or a widget gives them) -> plot axes. An empty or unknown name falls back to
    best_axes (for `labels`, as there), and a y equal to x to the best other feature."""
    names = list(dataset.feature_names)
    best = best_axes(dataset, labels)
    i = names.index(x) if x in names else best[0]
    if y in names and names.index(y) != i:
        return (i, names.index(y))
    if x not in names and y not in names:
        return best
    score = separation(dataset.X_train, dataset.y_train if labels is None else labels)
    others = [k for k in np.argsort(-np.round(score, 9), kind="stable") if k != i]
    return (i, int(others[0]))


@dataclass(frozen=True, eq=False)
class ClassView:
    """A Dataset as the models number its classes, for pictures: y_train / y_test hold 0 … K−1 and class_names
    names all K; the points, feature names and units are the dataset's own."""

    dataset: Dataset
    y_train: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]

    @property
    def X_train(self) -> np.ndarray:
        return self.dataset.X_train

    @property
    def X_test(self) -> np.ndarray:
        return self.dataset.X_test

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.dataset.feature_names

    @property
    def n_features(self) -> int:
        return self.dataset.n_features

    @property
    def mean(self) -> np.ndarray:
        return self.dataset.mean

    @property
    def std(self) -> np.ndarray:
        return self.dataset.std

    def to_original(self, X_std: np.ndarray) -> np.ndarray:
        return self.dataset.to_original(X_std)


@dataclass(frozen=True)
class Problem:
    """What a model trains on. X_train / X_test are built once (extra inputs included) and reused.

    `signature` changes whenever the data a model trains on changes, so a UI can tell when to restart a run.
    """

    dataset: Dataset
    signature: tuple[Any, ...]
    extras: tuple[str, ...] = ()
    axes: tuple[int, int] | None = None  # the features to draw; None: best_axes
    one_vs_rest: bool = False  # with K > 2 classes: the positive class against the rest (else all K classes)

    def __post_init__(self) -> None:
        if self.axes is not None:
            i, j = self.axes
            if i == j or not (0 <= i < self.dataset.n_features and 0 <= j < self.dataset.n_features):
                raise ValueError(f"axes must be two different feature indices, not {self.axes!r}")
            if self.extras and (i, j) != (0, 1):
                raise ValueError("with extra inputs the plane is (x1, x2): axes must be (0, 1)")

    @property
    def transform(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """Original (standardised) features → model inputs; None when there are no extras."""
        return partial(expand_features, extras=self.extras) if self.extras else None

    @property
    def n_inputs(self) -> int:
        return self.dataset.n_features + len(self.extras)

    @cached_property
    def input_names(self) -> list[str]:
        names = list(self.dataset.feature_names)
        return expanded_names(names, self.extras) if self.extras else names

    def inputs(self, X: np.ndarray) -> np.ndarray:
        return expand_features(X, self.extras) if self.extras else X

    @cached_property
    def X_train(self) -> np.ndarray:
        return self.inputs(self.dataset.X_train)

    @cached_property
    def X_test(self) -> np.ndarray:
        return self.inputs(self.dataset.X_test)

    @property
    def n_classes(self) -> int:
        """K the models tell apart: every class of the data (up to MAX_CLASSES), or 2 for one-vs-rest."""
        k = self.dataset.n_classes
        return k if 2 < k <= MAX_CLASSES and not self.one_vs_rest else 2

    @property
    def class_names(self) -> tuple[str, ...]:
        """The names of classes 0 … n_classes − 1, as the models number them."""
        return self.dataset.classes if self.n_classes > 2 else self.dataset.class_names

    @property
    def y_train(self) -> np.ndarray:
        """Class numbers 0 … n_classes − 1 (as floats) of the training rows."""
        return self._labels("train")

    @property
    def y_test(self) -> np.ndarray:
        return self._labels("test")

    @cached_property
    def view(self) -> Dataset | ClassView:
        """What the pictures draw: the dataset itself for two classes, else a ClassView of all K."""
        if self.n_classes == 2:
            return self.dataset
        return ClassView(self.dataset, self.y_train, self.y_test, self.class_names)

    def _labels(self, split: str) -> np.ndarray:
        ds = self.dataset
        if self.n_classes == 2:
            return ds.y_train if split == "train" else ds.y_test
        labels = ds.labels_train if split == "train" else ds.labels_test
        return labels.astype(np.float64)

    @cached_property
    def all_points(self) -> np.ndarray:
        """Every point, train and test, in the original standardised features (what the plots span)."""
        ds = self.dataset
        return np.vstack([ds.X_train, ds.X_test]) if ds.n_test else ds.X_train

    # --- the plane pictures: which two features, and how far each point is from the drawn slice ----------
    @cached_property
    def plot_axes(self) -> tuple[int, int]:
        """(i, j): the plane is drawn over features i (across) and j (up); every other feature is held at 0,
        its training mean (a slice through feature space when there are more than two)."""
        if self.axes is not None:
            return tuple(self.axes)
        return best_axes(self.dataset, self.y_train if self.n_classes > 2 else None)

    @property
    def plot_names(self) -> tuple[str, str]:
        names = self.dataset.feature_names
        return names[self.plot_axes[0]], names[self.plot_axes[1]]

    @property
    def held_names(self) -> list[str]:
        """The features the slice holds at their training mean (not drawn)."""
        return [n for k, n in enumerate(self.dataset.feature_names) if k not in self.plot_axes]

    def plane_grid(self, resolution: int = 40, margin: float = 0.1) -> PlaneGrid:
        """A grid over the plotted axes spanning every point (the others at their training mean)."""
        return plane_grid(self.all_points, axes=self.plot_axes, resolution=resolution, margin=margin)

    def slice_distance(self, X: np.ndarray) -> np.ndarray:
        """Per row of X (standardised features, as dataset.X_train): its distance from the drawn slice."""
        return slice_distance(X, self.plot_axes)

    def point_alpha(self, X: np.ndarray) -> np.ndarray:
        """Per row of X: the opacity to draw it with (1 on the slice, fading with distance from it)."""
        return slice_opacity(self.slice_distance(X))

    @cached_property
    def fade(self) -> SliceFade | None:
        """Distances and opacities of the training and test points; None when all features are drawn."""
        if self.dataset.n_features <= 2:
            return None
        return slice_fade(self.dataset.X_train, self.dataset.X_test, self.plot_axes)
