"""Datasets for the classroom: 2-D synthetic generators, a forgiving CSV reader and validation.

Everything a student can get wrong in a file ends in a DataError whose str() is the message to show:
it names the column, the rows (spreadsheet numbering: the header is row 1, the first data row is row 2)
and what to do about it. The size of an upload is limited by Streamlit (server.maxUploadSize), not here.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------------------


class DataError(ValueError):
    """Base class of every problem with a student's data; str(err) is the student-facing message."""


class EmptyFileError(DataError):
    """The file has no content, or only blank lines."""


class UnreadableFileError(DataError):
    """The bytes are not a text table (an image, a zip/xlsx, a PDF, a web page ...)."""


class RowLengthError(DataError):
    """Some data rows have more values than the header has column names."""


class UnclosedQuoteError(DataError):
    """A quote mark opens a value that never closes, so the rest of the file became one value."""


class DuplicateColumnError(DataError):
    """Two or more columns share a name."""


class TooFewColumnsError(DataError):
    """The table has fewer than two columns, so there is no room for a feature and a label."""


class NoNumericColumnError(DataError):
    """No column (besides the label) holds only numbers."""


class NonNumericValueError(DataError):
    """A chosen feature column contains text."""


class MissingValueError(DataError):
    """A chosen column has empty / NA cells."""


class NonFiniteValueError(DataError):
    """A chosen feature column has infinite values (inf, -inf, Infinity, 1e999 ...)."""


class SingleClassError(DataError):
    """The label column has only one distinct value."""


class TooManyClassesError(DataError):
    """The label has more than two values and no positive class was chosen."""


class ConstantFeatureError(DataError):
    """A chosen feature column has (almost) the same value in every row."""


class TooFewRowsError(DataError):
    """Too few data rows overall, or in one class."""


class ColumnChoiceError(DataError):
    """The chosen columns don't work: unknown name, label also a feature, nothing chosen ..."""


# ---------------------------------------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------------------------------------

SYNTHETIC_KINDS: tuple[str, ...] = ("blobs", "moons", "circles", "xor", "spiral")

# Standard deviation of the Gaussian jitter at noise = 1, per kind (noise scales it linearly).
_JITTER_AT_FULL_NOISE = {"blobs": 1.2, "moons": 0.8, "circles": 0.6, "xor": 1.0, "spiral": 0.5}


def _clean_points(kind: str, rng: np.random.Generator, n: int, cls: int) -> np.ndarray:
    """n noise-free points of class `cls` (0 or 1) for one kind of dataset."""
    if kind == "blobs":
        # Gaussian blobs around (-1,-1) / (1,1), clipped to radius 1.2: the line x1 + x2 = 0 is √2 away
        # from each centre, so the clean blobs are always linearly separable.
        offsets = rng.normal(0.0, 0.4, size=(n, 2))
        radius = np.linalg.norm(offsets, axis=1, keepdims=True)
        offsets *= np.minimum(1.0, 1.2 / np.maximum(radius, 1e-12))
        centre = np.array([1.0, 1.0]) if cls == 1 else np.array([-1.0, -1.0])
        return centre + offsets
    if kind == "moons":
        t = rng.uniform(0.0, np.pi, size=n)
        if cls == 0:
            moon = np.column_stack([np.cos(t), np.sin(t)])
        else:
            moon = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
        return (moon - np.array([0.5, 0.25])) * 1.5  # centred, spanning about [-2.25, 2.25]
    if kind == "circles":
        # class 1: a disc of radius 1 in the middle; class 0: a ring between radius 1.6 and 2.4
        angle = rng.uniform(0.0, 2 * np.pi, size=n)
        if cls == 1:
            radius = np.sqrt(rng.uniform(0.0, 1.0, size=n))  # sqrt -> uniform density over the disc
        else:
            radius = rng.uniform(1.6, 2.4, size=n)
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    if kind == "xor":
        # class 1 in quadrants I and III (x1·x2 > 0), class 0 in II and IV; a 0.3 gap around the axes
        magnitude = rng.uniform(0.3, 2.5, size=(n, 2))
        sign1 = rng.choice(np.array([-1.0, 1.0]), size=n)
        sign2 = sign1 if cls == 1 else -sign1
        return magnitude * np.column_stack([sign1, sign2])
    if kind == "spiral":
        # two arms, half a turn apart, 1.5 turns each
        t = rng.uniform(0.0, 1.0, size=n)
        radius = 0.3 + 2.4 * t
        angle = 3 * np.pi * t + cls * np.pi
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    raise ValueError(f"unknown dataset kind {kind!r}")


def make_synthetic(
    kind: str, n: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D two-class toy dataset: X (n, 2) float64 and y (n,) float64 in {0, 1}.

    Classes are balanced (n // 2 of class 0, the rest class 1), rows are shuffled, and the result depends
    only on (kind, n, noise, seed). noise in [0, 1]: 0 = clean, 1 = heavily mixed. Coordinates stay
    roughly within [-3, 3] for small noise.
    """
    if kind not in SYNTHETIC_KINDS:
        raise ValueError(f"unknown dataset kind {kind!r}; choose one of: {', '.join(SYNTHETIC_KINDS)}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n must be a whole number of at least 2 (one point per class), not {n!r}")
    if not (isinstance(noise, int | float | np.floating) and 0.0 <= noise <= 1.0):
        raise ValueError(f"noise must be a number between 0 and 1, not {noise!r}")
    rng = np.random.default_rng(seed)
    n0 = n // 2
    n1 = n - n0
    X = np.vstack([_clean_points(kind, rng, n0, 0), _clean_points(kind, rng, n1, 1)])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    # Always draw the jitter, so the same seed gives the same points at every noise level, just moved.
    X = X + rng.normal(0.0, 1.0, size=X.shape) * (_JITTER_AT_FULL_NOISE[kind] * float(noise))
    order = rng.permutation(n)
    return X[order].astype(np.float64), y[order].astype(np.float64)


# ---------------------------------------------------------------------------------------------------------
# Train/test split and the Dataset
# ---------------------------------------------------------------------------------------------------------


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


def _frozen_array(values: np.ndarray, ndim: int, what: str) -> np.ndarray:
    array = np.array(values, dtype=np.float64)  # a private copy ...
    if array.ndim != ndim:
        raise ValueError(f"{what} must have {ndim} dimension(s), got shape {array.shape}")
    array.setflags(write=False)  # ... that nobody can change behind the frozen dataclass's back
    return array


@dataclass(frozen=True, eq=False)
class Dataset:
    """A prepared two-class dataset; X_train / X_test are standardised with the training mean and std."""

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
        """Per column a power of two near max(|mean|, std): dividing by it is exact and avoids overflow."""
        _, exponent = np.frexp(np.maximum(np.abs(self.mean), self.std))
        return np.ldexp(1.0, exponent - 1)

    def to_original(self, X_std: np.ndarray) -> np.ndarray:
        """Standardised coordinates -> the file's units: raw = X · std + mean.

        Results beyond the float range (only possible for data near ±1.8e308) are clipped to it.
        """
        f = self._power_of_two_scale()  # (X · std/f + mean/f) · f cannot overflow unless raw does
        with np.errstate(over="ignore"):
            raw = (np.asarray(X_std, dtype=np.float64) * (self.std / f) + self.mean / f) * f
        largest = np.finfo(np.float64).max
        return np.clip(raw, -largest, largest)

    def to_standard(self, X_raw: np.ndarray) -> np.ndarray:
        """The file's units -> standardised coordinates: (raw − mean) / std."""
        f = self._power_of_two_scale()
        return (np.asarray(X_raw, dtype=np.float64) / f - self.mean / f) / (self.std / f)


# A column whose spread is below this fraction of its largest |value| counts as constant: standardising it
# would only blow up rounding noise.
_CONSTANT_TOLERANCE = 1e-12


def _standardise(
    X_train: np.ndarray, X_test: np.ndarray, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Standardise with the training mean/std, safely for values as big as 1e300 or as small as 1e-300.

    Each column is first divided by its largest |value| (over all rows), so everything is in [-1, 1]
    before anything is squared; mean and std are then scaled back. Returns X_train, X_test, mean, std, notes.
    """
    notes: list[str] = []
    X_all = np.vstack([X_train, X_test])
    scale = np.max(np.abs(X_all), axis=0) if len(X_all) else np.ones(X_train.shape[1])
    scale = np.where(scale > 0, scale, 1.0)
    train_scaled = X_train / scale
    mean_scaled = train_scaled.mean(axis=0)
    std_scaled = train_scaled.std(axis=0)
    for j, name in enumerate(names):
        if std_scaled[j] >= _CONSTANT_TOLERANCE:
            continue
        if np.std(X_all[:, j] / scale[j]) < _CONSTANT_TOLERANCE:
            raise ConstantFeatureError(
                f'Column "{name}" has the same value in every row, so it cannot help tell the classes '
                "apart. Choose a different feature column."
            )
        # Constant in the training rows only: divide by the column's size instead of its (zero) spread.
        std_scaled[j] = 1.0
        notes.append(
            f'Column "{name}" has the same value in every training row; it was scaled by its '
            "largest value instead of its spread."
        )
    std = std_scaled * scale
    mean = mean_scaled * scale
    for j, name in enumerate(names):
        if not std[j] >= np.finfo(np.float64).tiny:
            raise ConstantFeatureError(
                f'The values in column "{name}" differ by less than 1e-307, too little for a computer to '
                "tell them apart. Multiply the column by a large number (change its unit) or choose another."
            )
    X_train_std = (train_scaled - mean_scaled) / std_scaled
    X_test_std = (X_test / scale - mean_scaled) / std_scaled
    return X_train_std, X_test_std, mean, std, notes


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
) -> Dataset:
    """Split (stratified, seeded), then standardise with the training set's mean and std."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) and y (n,); got X {X.shape} and y {y.shape}")
    if X.shape[1] != len(feature_names):
        raise ValueError(f"X has {X.shape[1]} columns but {len(feature_names)} feature names were given")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError("y must contain only 0 and 1")
    for j, feature in enumerate(feature_names):
        if not np.all(np.isfinite(X[:, j])):
            raise NonFiniteValueError(f'Column "{feature}" contains values that are not finite numbers.')
    X_train, X_test, y_train, y_test = split(X, y, test_ratio=test_ratio, seed=seed)
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
    )


def synthetic_dataset(
    kind: str, n: int = 200, noise: float = 0.1, seed: int = 0, test_ratio: float = 0.25
) -> Dataset:
    """make_synthetic + dataset_from_arrays, named like "moons (n=200, noise=0.1, seed=0)"."""
    X, y = make_synthetic(kind, n=n, noise=noise, seed=seed)
    return dataset_from_arrays(
        X,
        y,
        name=f"{kind} (n={n}, noise={noise:g}, seed={seed})",
        feature_names=("x1", "x2"),
        label_name="label",
        class_names=("0", "1"),
        test_ratio=test_ratio,
        seed=seed,
    )


# ---------------------------------------------------------------------------------------------------------
# Message helpers
# ---------------------------------------------------------------------------------------------------------


def _rows_text(rows: Sequence[int], limit: int = 5) -> str:
    """[4] -> "row 4"; [4, 9] -> "rows 4 and 9"; long lists end with "and 12 more"."""
    rows = [int(r) for r in rows]
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) <= limit:
        head, _, last = shown.rpartition(", ")
        return f"rows {head} and {last}"
    return f"rows {shown} and {len(rows) - limit} more"


def _quote(value: object, limit: int = 30) -> str:
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


def _names_text(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(_quote(n) for n in names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


# ---------------------------------------------------------------------------------------------------------
# Reading numbers written by people and spreadsheets
# ---------------------------------------------------------------------------------------------------------

# Cells that mean "no value" (compared lower-cased, after stripping).
_MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "#n/a", "?"})

_PLAIN, _COMMA_THOUSANDS, _COMMA_DECIMAL = "plain", "comma-thousands", "comma-decimal"
# 1,234.5  1 234.5  1'234.5  (grouping commas/spaces/apostrophes, dot for decimals)
_GROUPED_DOT_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:[, \u00a0\u202f']\d{3})+(?:\.\d*)?")
# 1.234,5  1 234,5  1.234.567
_GROUPED_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:[. \u00a0\u202f']\d{3})+(?:,\d*)?")
# 3,5  ,5  1,5e3
_COMMA_DECIMAL_NUMBER = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_GROUP_SEPARATORS = re.compile(r"[ ,.\u00a0\u202f']")
_SEPARATOR_CHARS = frozenset(" ,.\u00a0\u202f'")


def _is_missing_text(text: str) -> bool:
    return text.lower() in _MISSING_MARKERS


def _plain_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _parse_comma_thousands(text: str) -> float | None:
    if _GROUPED_DOT_DECIMAL.fullmatch(text):
        whole, dot, fraction = text.partition(".")
        return float(_GROUP_SEPARATORS.sub("", whole) + dot + fraction)
    return _plain_float(text) if "," not in text else None


def _parse_comma_decimal(text: str) -> float | None:
    if _GROUPED_COMMA_DECIMAL.fullmatch(text):
        whole, _, fraction = text.partition(",")
        return float(_GROUP_SEPARATORS.sub("", whole) + "." + (fraction or "0"))
    if _COMMA_DECIMAL_NUMBER.fullmatch(text):
        return float(text.replace(",", "."))
    return _plain_float(text) if "," not in text and "." not in text else None


_PARSERS = {
    _PLAIN: _plain_float,
    _COMMA_THOUSANDS: _parse_comma_thousands,
    _COMMA_DECIMAL: _parse_comma_decimal,
}


@dataclass
class _NumberColumn:
    numbers: np.ndarray  # float64, NaN where missing or unparseable
    bad: list[int]  # positions of non-missing cells that are not numbers under the chosen convention
    convention: str
    example: str | None  # a cell that used the convention's separators (for the note)
    integers: bool  # every cell is present and written as a whole number


def _parse_number_column(cells: Sequence[str | None], decimal_comma_first: bool) -> _NumberColumn:
    """Read a column of stripped cells (None = missing) as numbers under the best-fitting convention.

    Plain numbers (what Python's float accepts, incl. inf / Infinity / 1e999) win if every cell is one.
    Otherwise "1,234.5" (comma groups thousands) and "3,5" / "1.234,5" (comma is the decimal point) are
    tried; the convention with the fewest failures wins, ties going to `decimal_comma_first`'s choice.
    """
    present = [i for i, c in enumerate(cells) if c is not None]
    texts = [cells[i] for i in present]
    numbers = np.full(len(cells), np.nan)
    try:  # fast path: numpy parses a whole column of plain numbers at C speed
        numbers[present] = np.array(texts, dtype=np.float64)
        integers = len(present) == len(cells) and all(_INTEGER.fullmatch(t) for t in texts)
        integers = integers and bool(np.all(np.abs(numbers) < 2.0**53))
        return _NumberColumn(numbers, [], _PLAIN, None, integers)
    except ValueError:
        pass
    order = (
        [_PLAIN, _COMMA_DECIMAL, _COMMA_THOUSANDS]
        if decimal_comma_first
        else [_PLAIN, _COMMA_THOUSANDS, _COMMA_DECIMAL]
    )
    best: _NumberColumn | None = None
    for convention in order:
        parse = _PARSERS[convention]
        values = np.full(len(cells), np.nan)
        bad: list[int] = []
        example = None
        for i, text in zip(present, texts, strict=True):
            value = parse(text)
            if value is None:
                bad.append(i)
            else:
                values[i] = value
                if example is None and convention != _PLAIN and _plain_float(text) != value:
                    example = text
        if best is None or len(bad) < len(best.bad):
            best = _NumberColumn(values, bad, convention, example, False)
        if not bad:
            break
        if convention == _PLAIN and not any(_SEPARATOR_CHARS & set(str(cells[i])) for i in bad):
            break  # no failing cell has a separator, so no other convention can read more of them
    assert best is not None
    return best


# ---------------------------------------------------------------------------------------------------------
# read_csv
# ---------------------------------------------------------------------------------------------------------

_SAVE_AS_CSV = (
    "Open it in your spreadsheet program and save or download it as CSV (File → Save As / "
    "Download → .csv), then upload the .csv file."
)

# (magic bytes at the start, what the file looks like)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image (a photo)"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) or another Microsoft Office file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "a rich-text (RTF) document"),
)


def _describe_zip(data: bytes) -> str:
    # Member names are stored in plain text in a zip's local headers, so a byte search is enough.
    if b"xl/" in data:
        return "an Excel workbook (.xlsx)"
    if b"opendocument.spreadsheet" in data:
        return "an OpenDocument spreadsheet (.ods)"
    if b"word/" in data:
        return "a Word document (.docx)"
    return "a ZIP archive (compressed files)"


def _reject_binary(data: bytes) -> None:
    """Raise UnreadableFileError if the bytes are recognisably not a text table."""
    what = ""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        what = _describe_zip(data)
    elif data.startswith(b"BM") and len(data) > 26 and b"\x00" in data[:26]:
        what = "a BMP image"
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        what = "a WebP image"
    else:
        for magic, description in _SIGNATURES:
            if data.startswith(magic):
                what = description
                break
    if what:
        if "Excel" in what or "OpenDocument" in what:
            advice = (
                "Even if its name ends in .csv, it is a workbook. In Excel choose File → Save As → "
                '"CSV UTF-8 (Comma delimited)" (in Google Sheets: File → Download → .csv) and upload that.'
            )
        elif "image" in what:
            advice = (
                "A picture of a table cannot be read: upload the data itself as a CSV file (in a "
                "spreadsheet program: File → Save As / Download → .csv)."
            )
        elif "archive" in what or "compressed" in what:
            advice = "Extract (unzip) it first and upload the .csv file that was inside."
        else:
            advice = _SAVE_AS_CSV
        raise UnreadableFileError(f"This file looks like {what}, not a CSV table of values. {advice}")


def _decode(data: bytes) -> tuple[str, str, list[str]]:
    """bytes -> (text, encoding name, notes). UTF-8 (BOM or not), UTF-16 with BOM, cp1252, then latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return (
                data.decode("utf-16"),
                "utf-16",
                ['The file is UTF-16 text (Excel\'s "Unicode Text"); it was read as such.'],
            )
        except UnicodeDecodeError:
            raise UnreadableFileError(
                "This file starts like UTF-16 text but is damaged or is not text at all. " + _SAVE_AS_CSV
            ) from None
    if b"\x00" in data[:65536]:
        raise UnreadableFileError(
            "This file contains binary data (zero bytes), so it is not a text table. Is it an image, a "
            "spreadsheet or a compressed file renamed to .csv? " + _SAVE_AS_CSV
        )
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        note = (
            "The file is not UTF-8, so it was read as Windows-1252 (Western European) text. "
            'If accented letters look wrong, save it again as "CSV UTF-8".'
        )
        return text, "cp1252", [note]
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # never fails: every byte is a character
        return (
            text,
            "latin-1",
            [
                "The file is not UTF-8, so it was read as Latin-1 text. If accented letters "
                'look wrong, save it again as "CSV UTF-8".'
            ],
        )


_ALLOWED_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def _reject_non_table_text(text: str) -> None:
    head = text[:65536]
    controls = sum(
        1 for ch in head if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) and ch not in _ALLOWED_CONTROLS
    )
    if controls > max(0, len(head) // 100):
        raise UnreadableFileError(
            "This file contains binary data (control characters), so it is not a text table. Is it an "
            "image, a spreadsheet or a compressed file renamed to .csv? " + _SAVE_AS_CSV
        )
    start = head.lstrip().lower()
    if start.startswith(("<!doctype html", "<html")):
        raise UnreadableFileError(
            "This file is a web page (HTML), not a CSV table. If you downloaded it from a website such as "
            'GitHub, open the file\'s "Raw" view and save that instead.'
        )
    if start.startswith("<?xml"):
        raise UnreadableFileError("This file is XML, not a CSV table. " + _SAVE_AS_CSV)


_DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)[ \t]*(?:\r\n|\r|\n|$)")
_SNIFF_CHARS = 65536


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    stream = io.StringIO(text, newline="")
    return csv.reader(stream, delimiter=delimiter, quotechar='"', skipinitialspace=True)


def _choose_delimiter(text: str) -> str:
    """Among , ; and tab: the one whose header splits into the most columns that the rows agree with."""
    head = text[:_SNIFF_CHARS]
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in _DELIMITERS:
        rows: list[list[str]] = []
        try:
            for fields in _records(head, delimiter):
                if any(f.strip() for f in fields):
                    rows.append(fields)
                if len(rows) >= 50:
                    break
        except csv.Error:
            continue
        if len(text) > _SNIFF_CHARS and len(rows) > 2:
            rows = rows[:-1]  # the last record may be cut in half
        if not rows:
            continue
        width = len(rows[0])
        agreeing = sum(len(r) == width for r in rows[1:]) / max(1, len(rows) - 1)
        score = (width > 1, agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _column_kind_hint(delimiter: str) -> bool:
    """Whether ambiguous numbers like "1,234" should be read with a decimal comma (1.234)."""
    return delimiter == ";"


def _source_bytes(source: bytes | bytearray | memoryview | str | os.PathLike) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if hasattr(source, "getvalue"):  # io.BytesIO and Streamlit's UploadedFile
        return bytes(source.getvalue())
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    raise TypeError(f"read_csv needs bytes or a path, not {type(source).__name__}")


def read_csv(source: bytes | str | os.PathLike) -> pd.DataFrame:
    """Read a CSV upload (bytes, or a file-like with getvalue()) or a file path into a DataFrame.

    - delimiter sniffed among , ; and tab (an Excel "sep=;" first line is honoured);
    - encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252, else Latin-1;
    - values and header names are stripped; cells like "", NA, N/A, nan, null, #N/A, ? are missing;
    - columns of numbers become float64 (int64 when all whole and present), including "1,234.5", "1 234"
      and decimal commas ("3,5" in a ;-separated file); everything else stays text;
    - blank rows and Excel's trailing empty columns are dropped; a nameless column gets a name "column N";
    - the index holds spreadsheet row numbers (name "row"; the header is row 1);
    - df.attrs["notes"] lists, for the student, everything that was changed; df.attrs["delimiter"] and
      df.attrs["encoding"] record what was detected.

    Any problem with the bytes raises a DataError subclass, never another exception.
    """
    data = _source_bytes(source)
    if not data.strip():
        if data:
            raise EmptyFileError(
                "The file contains only blank lines or spaces, no table. Check that you "
                "picked the right file and saved it before uploading."
            )
        raise EmptyFileError(
            "The file is empty (0 bytes). Check that you picked the right file and saved it before uploading."
        )
    _reject_binary(data)
    text, encoding, notes = _decode(data)
    text = text.lstrip("\ufeff").rstrip("\x1a")  # a BOM left by UTF-16; a DOS end-of-file mark
    _reject_non_table_text(text)

    sep_line = _SEP_LINE.match(text)
    if sep_line and sep_line.group(1) not in '\r\n"':
        delimiter = sep_line.group(1)
        text = text[sep_line.end() :]
    else:
        delimiter = _choose_delimiter(text)

    records: list[tuple[int, list[str]]] = []  # (spreadsheet row number, cells)
    reader = _records(text, delimiter)
    try:
        for row_number, fields in enumerate(reader, start=1):
            records.append((row_number, fields))
    except csv.Error as exc:
        raise UnreadableFileError(
            f"Could not read row {len(records) + 1} as part of a table ({exc}). This usually means the file "
            'is not a CSV file, or a quote mark (") opens a value that never closes. ' + _SAVE_AS_CSV
        ) from None

    last_cell = records[-1][1][-1] if records and records[-1][1] else ""
    if ("\n" in last_cell or "\r" in last_cell) and text.count('"') % 2:
        raise UnclosedQuoteError(
            f'In row {records[-1][0]} a quote mark (") opens a value that never closes, so everything after '
            "it was read as one value. Remove the stray quote mark or add the closing one, then upload again."
        )
    frame = _build_frame(records, delimiter, notes)
    frame.attrs["notes"] = notes
    frame.attrs["delimiter"] = delimiter
    frame.attrs["encoding"] = encoding
    return frame


def _looks_like_data_row(cells: Sequence[str]) -> bool:
    """A "header" that is mostly plain numbers is really the first data row."""
    filled = [c.strip() for c in cells if c.strip()]
    numeric = sum(1 for c in filled if (v := _plain_float(c)) is not None and math.isfinite(v))
    return numeric > 0 and numeric * 2 > len(filled)


def _build_frame(records: list[tuple[int, list[str]]], delimiter: str, notes: list[str]) -> pd.DataFrame:
    is_filled = ["".join(fields).strip() != "" for _, fields in records]
    filled = [record for record, ok in zip(records, is_filled, strict=True) if ok]
    if not filled:
        raise EmptyFileError(
            "The file contains only blank lines or empty cells, no table. Check that you "
            "picked the right file and saved it before uploading."
        )
    last_row = filled[-1][0]
    blank_inside = sum(
        1
        for (number, _), ok in zip(records, is_filled, strict=True)
        if not ok and filled[0][0] < number < last_row
    )

    header = filled[0][1]
    if _looks_like_data_row(header):
        data_rows = filled
        header = [""] * max(len(fields) for _, fields in filled)
        notes.append(
            "The first row holds numbers, not column names, so it was read as data and the columns "
            'were named "column 1", "column 2", …'
        )
        headerless = True
    else:
        data_rows = filled[1:]
        headerless = False
    if not data_rows:
        shown = ", ".join(h.strip() for h in header if h.strip())
        raise TooFewRowsError(
            f"The file has a header row ({shown}) but no data rows below it. Add the data "
            "rows (one per example) under the header and upload again."
        )
    if blank_inside:
        notes.append(f"Skipped {blank_inside} empty row{'s' if blank_inside != 1 else ''}.")

    # Rows longer than the header: fine if the extra cells are empty (Excel does that); if every row has
    # the same extra values they are unnamed columns; otherwise a value probably holds an unquoted delimiter.
    width = len(header)
    long_rows = [(n, f) for n, f in data_rows if len(f) > width and any(x.strip() for x in f[width:])]
    if long_rows:
        lengths = {len(f) for _, f in data_rows}
        if len(long_rows) == len(data_rows) and len(lengths) == 1:
            width = lengths.pop()
            header = header + [""] * (width - len(header))
        else:
            shown_delimiter = "tab" if delimiter == "\t" else f'"{delimiter}"'
            n_values = len(long_rows[0][1])
            raise RowLengthError(
                f"{_rows_text([n for n, _ in long_rows]).capitalize()} "
                f"{'has' if len(long_rows) == 1 else 'have'} more values than the header has column names "
                f"(row {long_rows[0][0]} has {n_values}, the header {len(header)}). Usually a value contains "
                f"the separator {shown_delimiter} without quotes around it (like 1,234 or Smith, Jo). Put "
                "such values in quotes or remove the extra separator, then upload again."
            )

    row_numbers = [n for n, _ in data_rows]
    # Cells by column, stripped; short rows are padded with empty cells.
    padded = [f if len(f) == width else f[:width] + [""] * (width - len(f)) for _, f in data_rows]
    columns: list[list[str | None]] = []
    for j in range(width):
        stripped = [row[j].strip() for row in padded]
        # missing markers are at most 4 characters long: skip lower() for everything longer
        columns.append([None if len(c) <= 4 and c.lower() in _MISSING_MARKERS else c for c in stripped])

    header_names = {h.strip() for h in header}
    names: list[str] = []
    kept: list[int] = []
    dropped_empty = 0
    renamed: list[str] = []
    for j in range(width):
        name = header[j].strip()
        if not name:
            if all(cell is None for cell in columns[j]):
                dropped_empty += 1
                continue
            name = f"column {j + 1}"
            if name in header_names:
                name += " (unnamed)"
            if not headerless:
                renamed.append(name)
        names.append(name)
        kept.append(j)
    if dropped_empty:
        notes.append(
            f"Dropped {dropped_empty} empty column{'s' if dropped_empty != 1 else ''} without a name "
            "(spreadsheets often add these at the right)."
        )
    if renamed:
        notes.append(
            f"{len(renamed)} column{'s' if len(renamed) != 1 else ''} had no name in the header and "
            f"{'were' if len(renamed) != 1 else 'was'} called {_names_text(renamed)}."
        )

    counts = Counter(names)
    duplicates = [name for name, count in counts.items() if count > 1]
    if duplicates:
        parts = []
        for name in duplicates[:3]:
            positions = [str(kept[k] + 1) for k, other in enumerate(names) if other == name]
            parts.append(f'"{name}" (columns {", ".join(positions[:-1])} and {positions[-1]})')
        raise DuplicateColumnError(
            f"The header row has more than one column called {'; '.join(parts)}. Every column needs its own "
            "name: rename the copies in the first row of your spreadsheet and upload again."
        )
    if not names:
        raise EmptyFileError("The file has no columns with values.")

    index = pd.Index(row_numbers, dtype=np.int64, name="row")
    decimal_comma_first = _column_kind_hint(delimiter)
    series: dict[str, pd.Series] = {}
    convention_columns: dict[str, list[tuple[str, str]]] = {_COMMA_THOUSANDS: [], _COMMA_DECIMAL: []}
    for name, j in zip(names, kept, strict=True):
        cells = columns[j]
        if all(cell is None for cell in cells):
            series[name] = pd.Series(np.nan, index=index, dtype=np.float64)
            continue
        parsed = _parse_number_column(cells, decimal_comma_first)
        if parsed.bad:
            series[name] = pd.Series(cells, index=index, dtype="str")
        elif parsed.integers:
            series[name] = pd.Series(parsed.numbers.astype(np.int64), index=index)
        else:
            series[name] = pd.Series(parsed.numbers, index=index)
            if parsed.example is not None:
                convention_columns[parsed.convention].append((name, parsed.example))
    for convention, found in convention_columns.items():
        if not found:
            continue
        example = found[0][1]
        shown = _display(_PARSERS[convention](example))
        decimal_comma = convention == _COMMA_DECIMAL and "," in example
        how = "comma as the decimal point" if decimal_comma else "thousands separators left out"
        notes.append(
            f'Read numbers like "{example}" as {shown} ({how}) in column{"s" if len(found) > 1 else ""} '
            f"{_names_text([n for n, _ in found])}."
        )
    return pd.DataFrame(series, index=index)


# ---------------------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------------------

_POSITIVE_WORDS = frozenset(
    {
        "1",
        "true",
        "t",
        "yes",
        "y",
        "positive",
        "pos",
        "+",
        "+1",
        "spam",
        "malignant",
        "present",
        "sick",
        "disease",
        "diseased",
        "fraud",
        "abnormal",
        "anomaly",
        "survived",
        "churn",
        "default",
    }
)
_NEGATIVE_WORDS = frozenset(
    {
        "0",
        "false",
        "f",
        "no",
        "n",
        "negative",
        "neg",
        "-",
        "-1",
        "ham",
        "benign",
        "absent",
        "healthy",
        "normal",
    }
)


def _display(value: object) -> str | None:
    """How one label value is shown and compared: whole floats without ".0", text stripped; None = missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return None
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    text = str(value).strip()
    return None if _is_missing_text(text) else text


def _display_column(series: pd.Series) -> np.ndarray:
    """Each cell's display string (object array, None where missing); fast for big columns."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    shown = np.array([_display(u) for u in uniques] + [None], dtype=object)
    return shown[codes]  # code -1 (missing) picks the trailing None


def _natural_key(text: str) -> tuple:
    number = _plain_float(text)
    if number is not None and not math.isnan(number):
        return (0, number, text)
    return (1, 0.0, text.lower(), text)


def _check_column(df: pd.DataFrame, column: str, role: str) -> None:
    if column not in df.columns:
        raise ColumnChoiceError(
            f'There is no column called "{column}" to use as the {role}. The columns are: '
            f"{_names_text([str(c) for c in df.columns])}."
        )


def label_values(df: pd.DataFrame, label: str) -> list[str]:
    """Distinct non-missing values of the label column as display strings, most frequent first."""
    _check_column(df, label, "label")
    shown = _display_column(df[label])
    counts = Counter(v for v in shown if v is not None)
    return sorted(counts, key=lambda v: (-counts[v], _natural_key(v)))


def _match_value(wanted: str, values: Sequence[str]) -> str | None:
    wanted_text = str(wanted).strip()
    if wanted_text in values:
        return wanted_text
    folded = [v for v in values if v.lower() == wanted_text.lower()]
    if len(folded) == 1:
        return folded[0]
    wanted_number = _plain_float(wanted_text)
    if wanted_number is not None:
        same = [v for v in values if _plain_float(v) == wanted_number]
        if len(same) == 1:
            return same[0]
    return None


def guess_positive(values: Sequence[str]) -> str:
    """Of two label values, the one prepare_dataset makes class 1 by default.

    The one that looks positive (1, true, yes, spam, malignant …), else the other one of a pair where one
    looks negative (0, false, no, ham, benign …), else the second in sorted order (numbers numerically).
    """
    if len(values) != 2:
        raise ValueError(f"guess_positive needs exactly two values, got {len(values)}")
    positive = [v for v in values if v.lower() in _POSITIVE_WORDS]
    if len(positive) == 1:
        return positive[0]
    negative = [v for v in values if v.lower() in _NEGATIVE_WORDS]
    if len(negative) == 1:
        return next(v for v in values if v != negative[0])
    return sorted(values, key=_natural_key)[1]


_guess_positive = guess_positive  # the older private name, still imported by pages/4_Your_data.py


def _label_to_binary(
    series: pd.Series, label: str, rows: np.ndarray, positive: str | None
) -> tuple[np.ndarray, tuple[str, str], str]:
    """Label cells -> (y in {0,1}, (class 0 name, class 1 name), note)."""
    shown = _display_column(series)
    missing = np.array([v is None for v in shown], dtype=bool)
    if missing.any():
        raise MissingValueError(
            f'The label column "{label}" is empty (or NA) in {_rows_text(rows[missing])}. Every example '
            "needs a label: fill these cells in or delete those rows, then upload again."
        )
    counts = Counter(shown.tolist())
    values = sorted(counts, key=lambda v: (-counts[v], _natural_key(v)))
    if len(values) == 1:
        raise SingleClassError(
            f'The label column "{label}" has the same value, "{values[0]}", in every row. A classifier needs '
            "examples of two classes: add rows of the other class or choose another label column."
        )
    if positive is not None:
        chosen = _match_value(positive, values)
        if chosen is None:
            raise ColumnChoiceError(
                f'"{positive}" is not a value of the label column "{label}". Its values are: '
                f"{_names_text(values)}."
            )
        others = [v for v in values if v != chosen]
        if len(others) == 1:
            class_names = (others[0], chosen)
            note = f'Label "{label}": class 1 = "{chosen}", class 0 = "{others[0]}".'
        else:
            class_names = (f"not {chosen}", chosen)
            note = (
                f'Label "{label}": class 1 = "{chosen}", class 0 = the other {len(others)} values '
                f"({_names_text(others, limit=5)})."
            )
    elif len(values) == 2:
        chosen = guess_positive(values)
        other = values[0] if values[1] == chosen else values[1]
        class_names = (other, chosen)
        note = (
            f'Label "{label}": class 1 = "{chosen}", class 0 = "{other}" (choose the positive class to '
            "swap them)."
        )
    else:
        listed = ", ".join(f'"{v}" ({counts[v]} row{"s" if counts[v] != 1 else ""})' for v in values[:8])
        if len(values) > 8:
            listed += f" and {len(values) - 8} more"
        advice = (
            "Logistic regression tells two classes apart: pick the positive class (class 1) and all "
            "the other values become class 0."
        )
        if len(values) > 10:
            advice += (
                f' With this many values "{label}" may be a measurement rather than a class: if so, '
                "choose another label column."
            )
        raise TooManyClassesError(
            f'The label column "{label}" has {len(values)} different values: {listed}. ' + advice
        )
    y = (shown == chosen).astype(np.float64)
    return y, class_names, note


# ---------------------------------------------------------------------------------------------------------
# Choosing columns and preparing a Dataset
# ---------------------------------------------------------------------------------------------------------

_LABEL_WORDS = ("label", "class", "target", "y", "diagnosis", "species", "outcome")
_ID_WORDS = frozenset({"id", "index", "row", "no", "number"})
MIN_ROWS = 10


def _words(name: object) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", str(name).strip().lower()) if w]


def _is_label_like(name: object) -> bool:
    norm = str(name).strip().lower()
    return norm in _LABEL_WORDS or any(w in _LABEL_WORDS and w != "y" for w in _words(name))


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _is_clean_feature(series: pd.Series) -> bool:
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return bool(np.all(np.isfinite(values))) and series.nunique() > 1


def suggest_columns(df: pd.DataFrame) -> tuple[list[str], str]:
    """Default (features, label).

    Label: a column named like label/class/target/y/diagnosis/species/outcome (one with 2-10 values if
    there are several), else the last column with 2-10 distinct values, else the last column.
    Features: the first two numeric columns that are not the label, preferring complete, non-constant,
    non-id columns.
    """
    columns = list(df.columns)
    if len(columns) < 2:
        only = f' ("{columns[0]}")' if columns else ""
        raise TooFewColumnsError(
            f"The table has only {len(columns)} column{only}. It needs at least two: one or more number "
            "columns (features) and a label column. If all your values ended up in one column, separate "
            "them with commas, semicolons or tabs."
        )
    distinct = {c: df[c].nunique(dropna=True) for c in columns}
    few = [c for c in columns if 2 <= distinct[c] <= 10]
    named = [c for c in columns if _is_label_like(c)]
    if named:  # the student's own naming wins, even if that column turns out to be unusable
        label = next((c for c in named if c in few), named[0])
    else:
        label = few[-1] if few else columns[-1]

    numeric = [c for c in columns if c != label and _is_numeric(df[c])]
    if not numeric:
        others = [str(c) for c in columns if c != label]
        raise NoNumericColumnError(
            f'None of the columns besides the label "{label}" holds only numbers ({_names_text(others)}), so '
            "there is nothing to use as features. Features must be numbers: remove units, % signs or "
            "currency symbols in your spreadsheet, or add a number column, then upload again."
        )
    ranked = sorted(numeric, key=lambda c: (not _is_clean_feature(df[c]), bool(set(_words(c)) & _ID_WORDS)))
    return [str(c) for c in ranked[:2]], str(label)


def _row_numbers(df: pd.DataFrame) -> np.ndarray:
    """Spreadsheet row numbers: read_csv's "row" index, else position + 2 (the header is row 1)."""
    if df.index.name == "row" and pd.api.types.is_integer_dtype(df.index):
        return df.index.to_numpy(dtype=np.int64)
    return np.arange(len(df), dtype=np.int64) + 2


def _non_numeric_hint(bad_values: Sequence[str]) -> str:
    if any("%" in v for v in bad_values):
        return " Write percentages without the % sign (12 rather than 12%)."
    if any(re.search(r"[$€£¥]", v) for v in bad_values):
        return " Remove currency symbols ($, €, £ …) so only the number is left."
    if any(re.fullmatch(r"[+-]?[\d.,]+\s*[A-Za-zµ°]+", v) for v in bad_values):
        return " Remove units (like kg or cm) so only the number is left; put the unit in the column name."
    return ""


def _feature_values(series: pd.Series, name: str, rows: np.ndarray, decimal_comma_first: bool) -> np.ndarray:
    """A feature column as finite float64, or a DataError naming the column, rows and values."""
    if pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    elif _is_numeric(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        cells: list[str | None] = []
        for value in series.tolist():
            if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
                cells.append(None if math.isnan(float(value)) else repr(float(value)))
            else:
                cells.append(_display(value))
        parsed = _parse_number_column(cells, decimal_comma_first)
        if parsed.bad:
            bad_rows = rows[parsed.bad]
            examples = [cells[i] or "" for i in parsed.bad]
            pairs = zip(examples[:3], bad_rows[:3], strict=False)
            shown = ", ".join(f"{_quote(v)} in row {r}" for v, r in pairs)
            if len(parsed.bad) > 3:
                shown += f" and {len(parsed.bad) - 3} more rows"
            present = sum(c is not None for c in cells)
            if len(parsed.bad) * 2 < present:
                advice = (
                    f'Column "{name}" is mostly numbers but has text: {shown}. Features must be '
                    "numbers: fix or delete those rows and upload again."
                )
            else:
                advice = (
                    f'Column "{name}" contains text, not numbers: {shown}. Features must be numbers: '
                    "choose a number column as a feature (a text column can be the label)."
                )
            raise NonNumericValueError(advice + _non_numeric_hint(examples))
        values = parsed.numbers
    missing = np.isnan(values)
    if missing.any():
        raise MissingValueError(
            f'Column "{name}" is empty (or NA / NaN) in {_rows_text(rows[missing])}. Fill these cells in or '
            "delete those rows, or choose other feature columns."
        )
    infinite = np.isinf(values)
    if infinite.any():
        raise NonFiniteValueError(
            f'Column "{name}" has infinite values (inf, -inf, Infinity, or a number too large such as '
            f"1e999) in {_rows_text(rows[infinite])}. Replace them with ordinary numbers or delete "
            "those rows."
        )
    return values


def _check_not_constant(values: np.ndarray, name: str) -> None:
    scale = np.max(np.abs(values))
    if scale == 0 or np.std(values / scale) < _CONSTANT_TOLERANCE:
        if np.all(values == values[0]):
            raise ConstantFeatureError(
                f'Column "{name}" has the same value ({_display(values[0])}) in every row, so it cannot help '
                "tell the classes apart. Choose a different feature column."
            )
        raise ConstantFeatureError(
            f'The values in column "{name}" are almost all the same (they differ only in the 12th digit or '
            "later), so they cannot help tell the classes apart. Choose a different feature column."
        )


def _stratified_sample(y: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of a seeded sample of `size` rows that keeps the class balance (≥ 2 per class)."""
    rng = np.random.default_rng(seed)
    ones = np.flatnonzero(y == 1.0)
    zeros = np.flatnonzero(y == 0.0)
    take_ones = min(len(ones), int(np.clip(round(size * len(ones) / len(y)), 2, size - 2)))
    take_zeros = min(len(zeros), size - take_ones)
    take_ones = min(len(ones), size - take_zeros)
    sample_zeros = rng.choice(zeros, take_zeros, replace=False)
    sample_ones = rng.choice(ones, take_ones, replace=False)
    return np.sort(np.concatenate([sample_zeros, sample_ones]))


def prepare_dataset(
    df: pd.DataFrame,
    features: Sequence[str],
    label: str,
    *,
    positive: str | None = None,
    test_ratio: float = 0.25,
    seed: int = 0,
    name: str = "uploaded.csv",
    max_rows: int = 20_000,
) -> Dataset:
    """Check the chosen columns of a table and turn them into a standardised two-class Dataset.

    The label's two values map to 0/1 (class 1 = `positive`, or the value that looks positive); with more
    than two values `positive` is required and all other values become class 0. Features must be numbers,
    present, finite and not constant. Needs MIN_ROWS rows and 2 per class; above max_rows rows a seeded,
    stratified sample is used. Notes from read_csv (df.attrs["notes"]) are carried into Dataset.notes.
    """
    if max_rows < MIN_ROWS:
        raise ValueError(f"max_rows must be at least {MIN_ROWS}")
    chosen = [features] if isinstance(features, str) else list(features)
    if not chosen:
        raise ColumnChoiceError("Choose at least one feature column (the numbers the model learns from).")
    _check_column(df, label, "label")
    for feature in chosen:
        _check_column(df, feature, "feature")
    repeated = [f for f, count in Counter(chosen).items() if count > 1]
    if repeated:
        raise ColumnChoiceError(f"Column {_quote(repeated[0])} is chosen twice as a feature; choose it once.")
    if label in chosen:
        raise ColumnChoiceError(
            f'"{label}" is the label, so it cannot also be a feature. Remove it from the '
            "features, or choose another label."
        )
    duplicated = [c for c in [*chosen, label] if (df.columns == c).sum() > 1]
    if duplicated:
        raise DuplicateColumnError(
            f'The table has more than one column called "{duplicated[0]}". Rename them so every column '
            "has its own name."
        )

    rows = _row_numbers(df)
    n = len(df)
    if n < MIN_ROWS:
        listed = f" ({_rows_text(rows)})" if n else ""
        raise TooFewRowsError(
            f"The table has only {n} data row{'s' if n != 1 else ''}{listed}. You need at least {MIN_ROWS} "
            "rows, with at least 2 of each class, to train and test a model: add more examples."
        )
    y, class_names, label_note = _label_to_binary(df[label], label, rows, positive)
    decimal_comma_first = _column_kind_hint(str(df.attrs.get("delimiter", ",")))
    columns = [_feature_values(df[f], f, rows, decimal_comma_first) for f in chosen]
    for values, feature in zip(columns, chosen, strict=True):
        _check_not_constant(values, feature)
    X = np.column_stack(columns)
    for cls, class_name in ((0.0, class_names[0]), (1.0, class_names[1])):
        count = int(np.sum(y == cls))
        if count < 2:
            raise TooFewRowsError(
                f'Class "{class_name}" (class {int(cls)}) has only {count} row{"s" if count != 1 else ""} '
                f"({_rows_text(rows[y == cls])}). Each class needs at least 2 rows, one to train on and one "
                "to test with: add examples of this class or choose another positive class."
            )

    notes = [*df.attrs.get("notes", []), label_note]
    if n > max_rows:
        keep = _stratified_sample(y, max_rows, seed)
        X, y = X[keep], y[keep]
        notes.append(
            f"Used {max_rows:,} of {n:,} rows (a random sample with the same class balance) to keep "
            "training fast."
        )
    return dataset_from_arrays(
        X,
        y,
        name=name,
        feature_names=tuple(str(f) for f in chosen),
        label_name=str(label),
        class_names=class_names,
        test_ratio=test_ratio,
        seed=seed,
        notes=notes,
    )


# ---------------------------------------------------------------------------------------------------------
# Bundled samples
# ---------------------------------------------------------------------------------------------------------

SAMPLE_DIR: Path = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class SampleSpec:
    """A CSV shipped in sample_data/ and how to read it."""

    key: str
    title: str
    file: str
    features: tuple[str, ...]
    label: str
    positive: str
    description: str
    source: str
    licence: str


_UCI_LICENCE = "CC BY 4.0 (Creative Commons Attribution 4.0 International)"

SAMPLES: dict[str, SampleSpec] = {
    "iris": SampleSpec(
        key="iris",
        title="Iris flowers: setosa vs versicolor",
        file="iris_setosa_versicolor.csv",
        features=("sepal length (cm)", "sepal width (cm)"),
        label="species",
        positive="versicolor",
        description="100 iris flowers of two species, measured by their sepals (the green leaves under the "
        "petals). Fisher's classic 1936 data.",
        source="Fisher, R. A. (1936). Iris [Dataset]. UCI Machine Learning Repository. "
        "https://doi.org/10.24432/C56C76 (the copy shipped with scikit-learn)",
        licence=_UCI_LICENCE,
    ),
    "breast_cancer": SampleSpec(
        key="breast_cancer",
        title="Breast cancer (Wisconsin diagnostic): malignant vs benign",
        file="breast_cancer.csv",
        features=("mean radius", "mean texture"),
        label="diagnosis",
        positive="malignant",
        description="569 breast-tissue samples; each row describes the cell nuclei in a digitised image of a "
        "fine-needle aspirate: their average radius and texture (variation of grey levels).",
        source="Wolberg, W., Mangasarian, O., Street, N. & Street, W. (1993). Breast Cancer Wisconsin "
        "(Diagnostic) [Dataset]. UCI Machine Learning Repository. https://doi.org/10.24432/C5DW2B "
        "(the copy shipped with scikit-learn)",
        licence=_UCI_LICENCE,
    ),
}


def load_sample(key: str, test_ratio: float = 0.25, seed: int = 0) -> Dataset:
    """Read one of SAMPLES from sample_data/ with read_csv + prepare_dataset."""
    if key not in SAMPLES:
        raise ValueError(f"unknown sample {key!r}; choose one of: {', '.join(SAMPLES)}")
    spec = SAMPLES[key]
    frame = read_csv(SAMPLE_DIR / spec.file)
    return prepare_dataset(
        frame,
        spec.features,
        spec.label,
        positive=spec.positive,
        test_ratio=test_ratio,
        seed=seed,
        name=spec.file,
    )
