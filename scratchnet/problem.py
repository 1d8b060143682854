"""A learning problem: a prepared Dataset plus the extra inputs (x1², sin(x1), …) the models see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import numpy as np

from .data import Dataset
from .features import expand_features, expanded_names


@dataclass(frozen=True)
class Problem:
    """What a model trains on. X_train / X_test are built once (extra inputs included) and reused.

    `signature` changes whenever the data a model trains on changes, so a UI can tell when to restart a run.
    """

    dataset: Dataset
    signature: tuple[Any, ...]
    extras: tuple[str, ...] = ()

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
    def y_train(self) -> np.ndarray:
        return self.dataset.y_train

    @property
    def y_test(self) -> np.ndarray:
        return self.dataset.y_test

    @cached_property
    def all_points(self) -> np.ndarray:
        """Every point, train and test, in the original standardised features (what the plots span)."""
        ds = self.dataset
        return np.vstack([ds.X_train, ds.X_test]) if ds.n_test else ds.X_train
