"""The Dataset, the stratified split, standardisation and dataset_from_arrays (prepare.py reads tables)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ConstantFeatureError, NonFiniteValueError

MIN_ROWS = 10


def split(
    X: np.ndarray, y: np.ndarray, test_ratio: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified, seeded split -> (X_train, X_test, y_train, y_test).

    Each class sends round(test_ratio · its size) rows to the test set but always keeps at least one for
    training. test_ratio = 0 gives empty test arrays of shape (0, d) and (0,).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) and y (n,); got X {X.shape} and y {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must hold finite class labels")
    if not (0.0 <= test_ratio <= 0.9):
        raise ValueError(f"test_ratio must be between 0 and 0.9, not {test_ratio!r}")
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for value in np.unique(y):
        rows = np.flatnonzero(y == value)
        rng.shuffle(rows)
        n_test = min(math.floor(test_ratio * len(rows) + 0.5), len(rows) - 1)
        test_parts.append(rows[:n_test])
        train_parts.append(rows[n_test:])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    return X[train], X[test], y[train], y[test]


def _frozen_array(values: np.ndarray, ndim: int, what: str, dtype: type = np.float64) -> np.ndarray:
    array = np.array(values, dtype=dtype)  # a private copy ...
    if array.ndim != ndim:
        raise ValueError(f"{what} must have {ndim} dimension(s), got shape {array.shape}")
    array.setflags(write=False)  # ... that nobody can change behind the frozen dataclass's back
    return array


@dataclass(frozen=True, eq=False)
class Dataset:
    """A prepared dataset; X_train / X_test are standardised with the training mean and std.

    The models tell two classes apart: y_train / y_test are 0/1 and class_names names them (class 0, class 1).
    The label's own values are kept too, so more than two classes can slot in: `classes` lists all K values
    (label numbers 0..K-1 in natural order), labels_train / labels_test hold each row's label number, and
    y = (labels == positive). With K > 2 that is one-vs-rest: class 0 is every value but classes[positive].
    Built without them (synthetic data, dataset_from_arrays), classes = class_names and labels = y.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    label_name: str
    class_names: tuple[str, str]
    mean: np.ndarray
    std: np.ndarray
    notes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    labels_train: np.ndarray | None = None
    labels_test: np.ndarray | None = None
    positive: int = 1

    def __post_init__(self) -> None:
        arrays = {"X_train": 2, "y_train": 1, "X_test": 2, "y_test": 1, "mean": 1, "std": 1}
        for attr, ndim in arrays.items():
            object.__setattr__(self, attr, _frozen_array(getattr(self, attr), ndim, attr))
        object.__setattr__(self, "feature_names", tuple(str(f) for f in self.feature_names))
        object.__setattr__(self, "class_names", tuple(str(c) for c in self.class_names))
        object.__setattr__(self, "notes", tuple(self.notes))
        d = len(self.feature_names)
        widths = (self.X_train.shape[1], self.X_test.shape[1], len(self.mean), len(self.std))
        if any(width != d for width in widths):
            raise ValueError(
                f"{d} feature names but X_train {self.X_train.shape}, X_test {self.X_test.shape}, "
                f"mean {self.mean.shape}, std {self.std.shape}"
            )
        if len(self.y_train) != len(self.X_train) or len(self.y_test) != len(self.X_test):
            raise ValueError("X and y must have the same number of rows")
        if len(self.class_names) != 2:
            raise ValueError(f"class_names must name exactly two classes, got {self.class_names!r}")
        for y in (self.y_train, self.y_test):
            if not np.all((y == 0.0) | (y == 1.0)):
                raise ValueError("labels must be 0 or 1")
        self._set_labels()

    def _set_labels(self) -> None:
        """Fill in (or check) the K-class labels: y must be (labels == positive)."""
        if not self.classes:
            object.__setattr__(self, "classes", self.class_names)
            object.__setattr__(self, "positive", 1)
        object.__setattr__(self, "classes", tuple(str(c) for c in self.classes))
        k = len(self.classes)
        if k < 2 or not 0 <= self.positive < k:
            raise ValueError(f"classes must name at least two values and positive index one: {self.classes!r}")
        for attr, y in (("labels_train", self.y_train), ("labels_test", self.y_test)):
            labels = getattr(self, attr)
            labels = y.astype(np.int64) if labels is None else _frozen_array(labels, 1, attr, np.int64)
            if len(labels) != len(y) or np.any((labels < 0) | (labels >= k)):
                raise ValueError(f"{attr} must hold one label number in 0..{k - 1} per row")
            if not np.array_equal(labels == self.positive, y == 1.0):
                raise ValueError(f"y must be 1 exactly where {attr} == positive ({self.positive})")
            labels.setflags(write=False)
            object.__setattr__(self, attr, labels)

    @property
    def n_classes(self) -> int:
        """K, the number of different label values (2 for a two-class set)."""
        return len(self.classes)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        return self.X_test.shape[0]

    def _power_of_two_scale(self) -> np.ndarray:
        """Per column the power of two just above max(|mean|, std), capped at 2^1023 (2^1024 is inf): dividing by
        it is exact, and mean and std divided by it are below 2, so neither direction overflows unless its result
        does (a test value ~1e66 over training values ~1e-242 has a standard coordinate near the float maximum)."""
        _, exponent = np.frexp(np.maximum(np.abs(self.mean), self.std))
        return np.ldexp(1.0, np.minimum(exponent, _MAX_EXPONENT))

    def to_original(self, X_std: np.ndarray) -> np.ndarray:
        """Standardised coordinates -> the file's units: raw = X · std + mean.

        Results beyond the float range (only possible for data near ±1.8e308) are clipped to it.
        """
        f = self._power_of_two_scale()  # (X · std/f + mean/f) · f cannot overflow unless raw does
        with np.errstate(over="ignore"):
            raw = (np.asarray(X_std, dtype=np.float64) * (self.std / f) + self.mean / f) * f
        return np.clip(raw, -_LARGEST, _LARGEST)

    def to_standard(self, X_raw: np.ndarray) -> np.ndarray:
        """The file's units -> standardised coordinates: (raw − mean) / std, clipped to the float range."""
        f = self._power_of_two_scale()
        with np.errstate(over="ignore"):
            standard = (np.asarray(X_raw, dtype=np.float64) / f - self.mean / f) / (self.std / f)
        return np.clip(standard, -_LARGEST, _LARGEST)


# A column whose spread is below this fraction of its largest |value| counts as constant: standardising it
# would only blow up rounding noise.
_CONSTANT_TOLERANCE = 1e-12
_TINY = np.finfo(np.float64).tiny  # the smallest normal float: a spread below it cannot be divided by
_LARGEST = np.finfo(np.float64).max
_MAX_EXPONENT = np.finfo(np.float64).maxexp - 1  # 1023: 2.0**1023 is the largest power of two a float holds


def _spread(values: np.ndarray) -> tuple[float, float]:
    """(std / largest |value|, std) of a column, without squaring anything larger than 1."""
    size = float(np.max(np.abs(values)))
    if size == 0:
        return 0.0, 0.0
    relative = float(np.std(values / size))
    return relative, relative * size


def _standardise(
    X_train: np.ndarray, X_test: np.ndarray, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Standardise with the mean and std of the training rows only; the test rows are just transformed.

    Safe for values as big as 1e300 or as small as 1e-300: each column is first divided by its largest
    |value| in the training rows, so those are in [-1, 1] before anything is squared; mean and std are then
    scaled back. A column that is constant in the training rows only is divided by the size of its training
    value instead of its spread (by 1 if that value is 0). Returns X_train, X_test, mean, std, notes.
    """
    notes: list[str] = []
    size = np.max(np.abs(X_train), axis=0, initial=0.0)
    scale = np.where(size >= _TINY, size, 1.0)  # 0 or subnormal: dividing by it could overflow
    train_scaled = X_train / scale
    mean_scaled = train_scaled.mean(axis=0)
    std_scaled = train_scaled.std(axis=0)
    for j, name in enumerate(names):
        if std_scaled[j] >= _CONSTANT_TOLERANCE and std_scaled[j] * scale[j] >= _TINY:
            continue
        relative, spread = _spread(np.concatenate([X_train[:, j], X_test[:, j]]))
        if relative < _CONSTANT_TOLERANCE:
            raise ConstantFeatureError(
                f'Column "{name}" has the same value in every row, so it cannot help tell the classes '
                "apart. Choose a different feature column."
            )
        if spread < _TINY:
            raise ConstantFeatureError(
                f'The values in column "{name}" differ by less than 1e-307, too little for a computer to '
                "tell them apart. Multiply the column by a large number (change its unit) or choose another."
            )
        # Constant in the training rows only: their spread is no divisor, so use the size of their value.
        std_scaled[j] = 1.0
        how = "scaled by the size of that value instead of its spread"
        if size[j] < _TINY:
            how = "not scaled, as that value is (almost) 0"
        notes.append(f'Column "{name}" has the same value in every training row; it was {how}.')
    with np.errstate(over="ignore"):  # only a test value ~1e308 training spreads away overflows
        X_test_std = (X_test / scale - mean_scaled) / std_scaled
    for j in np.flatnonzero(~np.all(np.isfinite(X_test_std), axis=0)):
        # No float holds that test value's standard coordinate (clipping it would lose the value): this column
        # is standardised with all its rows, so every coordinate is at most ~√n.
        both = np.concatenate([X_train[:, j], X_test[:, j]])
        scale[j] = np.max(np.abs(both))
        mean_scaled[j], std_scaled[j] = np.mean(both / scale[j]), np.std(both / scale[j])
        train_scaled[:, j] = X_train[:, j] / scale[j]
        X_test_std[:, j] = (X_test[:, j] / scale[j] - mean_scaled[j]) / std_scaled[j]
        notes = [note for note in notes if not note.startswith(f'Column "{names[j]}"')]  # replaced by this one
        notes.append(f'Column "{names[j]}" has a test value too far from its training values to standardise '
                     "with their spread; it was standardised with the mean and spread of all rows instead.")
    return (train_scaled - mean_scaled) / std_scaled, X_test_std, mean_scaled * scale, std_scaled * scale, notes


def dataset_from_arrays(
    X: np.ndarray,
    y: np.ndarray,
    *,
    name: str,
    feature_names: Sequence[str] = ("x1", "x2"),
    label_name: str = "class",
    class_names: Sequence[str] = ("0", "1"),
    test_ratio: float = 0.25,
    seed: int = 0,
    notes: Sequence[str] = (),
    positive: int = 1,
) -> Dataset:
    """Split (stratified, seeded), then standardise with the training set's mean and std.

    y holds 0/1, or with K = len(class_names) > 2 class numbers 0..K−1: then every class is kept (Dataset.classes,
    labels_*) and the two-class y is class `positive` against the rest."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) and y (n,); got X {X.shape} and y {y.shape}")
    if X.shape[1] != len(feature_names):
        raise ValueError(f"X has {X.shape[1]} columns but {len(feature_names)} feature names were given")
    k = len(class_names)
    if not np.all(np.isin(y, np.arange(max(k, 2)))):
        raise ValueError(f"y must contain only the class numbers 0..{max(k, 2) - 1}")
    for j, feature in enumerate(feature_names):
        if not np.all(np.isfinite(X[:, j])):
            raise NonFiniteValueError(f'Column "{feature}" contains values that are not finite numbers.')
    X_train, X_test, labels_train, labels_test = split(X, y, test_ratio=test_ratio, seed=seed)  # stratified by class
    if k <= 2:
        return assemble(
            name, (X_train, labels_train), (X_test, labels_test), feature_names=feature_names,
            label_name=label_name, class_names=class_names, notes=notes,
        )
    chosen = str(class_names[positive])
    return assemble(
        name, (X_train, (labels_train == positive) * 1.0), (X_test, (labels_test == positive) * 1.0),
        feature_names=feature_names, label_name=label_name, class_names=(f"not {chosen}", chosen), notes=notes,
        labels=(labels_train.astype(np.int64), labels_test.astype(np.int64)), classes=class_names, positive=positive,
    )


def assemble(
    name: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    feature_names: Sequence[str],
    label_name: str,
    class_names: Sequence[str],
    notes: Sequence[str] = (),
    labels: tuple[np.ndarray, np.ndarray] | None = None,
    classes: Sequence[str] = (),
    positive: int = 1,
) -> Dataset:
    """The Dataset of split (X, y) rows in the file's units: standardised with the training rows' mean and std."""
    (X_train, y_train), (X_test, y_test) = train, test
    X_train, X_test, mean, std, scale_notes = _standardise(X_train, X_test, feature_names)
    return Dataset(
        name=name,
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        feature_names=tuple(feature_names),
        label_name=label_name,
        class_names=(str(class_names[0]), str(class_names[1])),
        mean=mean,
        std=std,
        notes=(*notes, *scale_notes),
        classes=tuple(classes),
        labels_train=None if labels is None else labels[0],
        labels_test=None if labels is None else labels[1],
        positive=positive,
    )
