"""Extra input features in the style of TensorFlow Playground: x1², x2², x1·x2, sin(x1), sin(x2).

They are computed from the two standardised plane coordinates, so a linear model on the expanded inputs
can draw curved boundaries in the original plane.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# key -> label shown with the default names x1, x2 (in the order the columns are appended)
EXTRA_FEATURES: dict[str, str] = {
    "x1sq": "x1²",
    "x2sq": "x2²",
    "x1x2": "x1·x2",
    "sinx1": "sin(x1)",
    "sinx2": "sin(x2)",
}


def _ordered_extras(extras: Sequence[str]) -> list[str]:
    """Validate the keys and return them in EXTRA_FEATURES order."""
    if isinstance(extras, str):
        raise ValueError(f"extras must be a list of keys such as ['x1sq'], not the string {extras!r}")
    unknown = [e for e in extras if e not in EXTRA_FEATURES]
    if unknown:
        raise ValueError(f"unknown extra feature(s) {unknown}; choose from: {', '.join(EXTRA_FEATURES)}")
    repeated = sorted({e for e in extras if list(extras).count(e) > 1})
    if repeated:
        raise ValueError(f"extra feature(s) listed more than once: {repeated}")
    return [key for key in EXTRA_FEATURES if key in extras]


def expand_features(X: np.ndarray, extras: Sequence[str]) -> np.ndarray:
    """(m, 2) plane coordinates -> (m, 2 + len(extras)): x1, x2, then the extras in EXTRA_FEATURES order.

    With no extras any (m, d) X is returned as a float64 copy.
    """
    X = np.array(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (rows × features), got shape {X.shape}")
    keys = _ordered_extras(extras)
    if not keys:
        return X
    if X.shape[1] != 2:
        raise ValueError(f"extra features need exactly 2 input columns (x1, x2), X has {X.shape[1]}")
    x1, x2 = X[:, 0], X[:, 1]
    formulas = {
        "x1sq": lambda: x1 * x1,
        "x2sq": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2,
        "sinx1": lambda: np.sin(x1),
        "sinx2": lambda: np.sin(x2),
    }
    return np.column_stack([X, *(formulas[key]() for key in keys)])


def expanded_names(base_names: Sequence[str], extras: Sequence[str]) -> list[str]:
    """Column names matching expand_features, built from the real feature names.

    ("petal length", "petal width") + ["x1sq", "x1x2"]
    -> ["petal length", "petal width", "petal length²", "petal length·petal width"]
    """
    names = [str(n) for n in base_names]
    keys = _ordered_extras(extras)
    if not keys:
        return names
    if len(names) != 2:
        raise ValueError(f"extra features need exactly 2 base names, got {len(names)}")
    a, b = names
    labels = {
        "x1sq": f"{a}²",
        "x2sq": f"{b}²",
        "x1x2": f"{a}·{b}",
        "sinx1": f"sin({a})",
        "sinx2": f"sin({b})",
    }
    return names + [labels[key] for key in keys]
