"""prepare_dataset: a table's chosen columns -> a Dataset, with a choice of what to do about empty cells.

The order is fixed so that nothing about the test rows leaks into training: the rows that have a label are
(sampled if there are very many, then) split, stratified by label value; only then are rows with gaps
dropped, or gaps filled with the mean of the training rows, and only then are the features standardised
with the training rows' mean and std. split_rows is that split, so other code (the default feature choice
in choose.py) can look at exactly the training rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .columns import LabelCoding, _check_column, _empty_cells, _feature_values, _label_coding, _row_numbers
from .dataset import Dataset, assemble, split
from .errors import (
    ColumnChoiceError,
    ConstantFeatureError,
    DuplicateColumnError,
    MissingValueError,
    TooFewRowsError,
    _quote,
    _rows_text,
)
from .numbers import _column_kind_hint, _display

MIN_ROWS = 10
MAX_ROWS = 20_000
# What to do about empty cells in the chosen columns: stop with a message naming them, drop those rows, or
# fill them with the column's mean over the training rows.
MISSING_CHOICES = ("tell", "drop", "fill")
_CONSTANT_TOLERANCE = 1e-12  # as in dataset.py: a spread below this share of the largest |value| is none


def _stratified_sample(codes: np.ndarray, size: int, seed: int) -> np.ndarray:
    """Sorted positions of a seeded sample of `size` rows with each label value's share (at least 2 of each)."""
    rng = np.random.default_rng(seed)
    values, counts = np.unique(codes, return_counts=True)
    quota = size * counts / len(codes)
    take = np.minimum(counts, np.maximum(np.floor(quota).astype(np.int64), 2))
    for k in np.argsort(-(quota - np.floor(quota)), kind="stable"):  # largest remainders first
        if take.sum() >= size:
            break
        take[k] += take[k] < counts[k]
    while take.sum() > size:  # the minimum of 2 per value overshot: trim the largest
        take[np.argmax(take)] -= 1
    parts = [rng.choice(np.flatnonzero(codes == v), t, replace=False) for v, t in zip(values, take, strict=True)]
    return np.sort(np.concatenate(parts))


def split_rows(
    codes: np.ndarray, test_ratio: float = 0.25, seed: int = 0, max_rows: int = MAX_ROWS
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(training rows, test rows, a note if sampled): positions of rows with a label (code ≥ 0).

    Above max_rows labelled rows, a seeded sample keeps each label value's share. The split is stratified
    by label value and seeded (dataset.split).
    """
    rows = np.flatnonzero(np.asarray(codes) >= 0)
    note = None
    if len(rows) > max_rows:
        rows = rows[_stratified_sample(codes[rows], max_rows, seed)]
        note = (f"Used {max_rows:,} of {int(np.sum(codes >= 0)):,} rows (a random sample with the same class "
                "balance) to keep training fast.")
    train, test, _, _ = split(rows[:, None].astype(np.float64), codes[rows], test_ratio=test_ratio, seed=seed)
    return train[:, 0].astype(np.int64), test[:, 0].astype(np.int64), note


def _check_choice(df: pd.DataFrame, features: Sequence[str] | str, label: str) -> list[str]:
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
    return chosen


def _check_not_constant(values: np.ndarray, name: str) -> None:
    """values: a column's non-missing values."""
    if values.size == 0:
        raise MissingValueError(f'Column "{name}" is empty in every row. Choose another feature column.')
    size = float(np.max(np.abs(values)))
    if size > 0 and np.std(values / size) >= _CONSTANT_TOLERANCE:
        return
    if np.all(values == values[0]):
        raise ConstantFeatureError(
            f'Column "{name}" has the same value ({_display(values[0])}) in every row, so it cannot help '
            "tell the classes apart. Choose a different feature column."
        )
    raise ConstantFeatureError(
        f'The values in column "{name}" are almost all the same (they differ only in the 12th digit or '
        "later), so they cannot help tell the classes apart. Choose a different feature column."
    )


def _check_class_sizes(coding: LabelCoding, rows: np.ndarray) -> None:
    """Each of the two classes needs 2 labelled rows: one to train on, one to test with."""
    labelled = ~coding.missing
    y = coding.y
    for cls, class_name in ((0.0, coding.class_names[0]), (1.0, coding.class_names[1])):
        mine = labelled & (y == cls)
        count = int(mine.sum())
        if count < 2:
            where = f" ({_rows_text(rows[mine])})" if count else ""
            raise TooFewRowsError(
                f'Class "{class_name}" (class {int(cls)}) has only {count} row{"s" if count != 1 else ""}{where}. '
                "Each class needs at least 2 rows, one to train on and one to test with: add examples of this "
                "class or choose another positive class."
            )


def _drop_gaps(
    X: np.ndarray, train: np.ndarray, test: np.ndarray, names: Sequence[str], coding: LabelCoding
) -> tuple[np.ndarray, np.ndarray, str]:
    """Rows (of the split) with a value in every chosen column, and a note on what was dropped."""
    gaps = np.isnan(X)
    complete = ~gaps.any(axis=1)
    kept_train, kept_test = train[complete[train]], test[complete[test]]
    dropped_train, dropped_test = len(train) - len(kept_train), len(test) - len(kept_test)
    per_column = [f'"{n}" {int(gaps[np.concatenate([train, test]), j].sum())}' for j, n in enumerate(names)
                  if gaps[np.concatenate([train, test]), j].any()]
    kept = len(kept_train) + len(kept_test)
    if kept < MIN_ROWS:
        raise TooFewRowsError(
            f"Only {kept} row{'s' if kept != 1 else ''} have a value in every chosen column; at least {MIN_ROWS} "
            "are needed. Choose columns with fewer empty cells, or fill the gaps with the training mean."
        )
    y = coding.y
    for cls, class_name in ((0.0, coding.class_names[0]), (1.0, coding.class_names[1])):
        if not np.any(y[kept_train] == cls):
            raise TooFewRowsError(
                f'No training row of class "{class_name}" has a value in every chosen column, so there is '
                "nothing to learn that class from. Choose columns with fewer empty cells, or fill the gaps "
                "with the training mean."
            )
    dropped = dropped_train + dropped_test
    note = (f"Dropped {dropped} row{'s' if dropped != 1 else ''} with empty cells ({', '.join(per_column)}): "
            f"{dropped_train} training and {dropped_test} test rows." if dropped else "")
    return kept_train, kept_test, note


def _fill_gaps(
    X_train: np.ndarray, X_test: np.ndarray, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Empty cells -> the column's mean over the TRAINING rows (the test rows never inform it)."""
    notes = []
    X_train, X_test = X_train.copy(), X_test.copy()
    for j, name in enumerate(names):
        train_gaps, test_gaps = np.isnan(X_train[:, j]), np.isnan(X_test[:, j])
        if not train_gaps.any() and not test_gaps.any():
            continue
        known = X_train[~train_gaps, j]
        if known.size == 0:
            raise MissingValueError(
                f'Column "{name}" has no value in any training row, so there is no training mean to fill its '
                "empty cells with. Choose another feature column."
            )
        scale = float(np.max(np.abs(known))) or 1.0
        mean = float(np.mean(known / scale)) * scale  # scaled first: no overflow near ±1.8e308
        X_train[train_gaps, j] = mean
        X_test[test_gaps, j] = mean
        cells = int(train_gaps.sum() + test_gaps.sum())
        notes.append(
            f'Filled {cells} empty cell{"s" if cells != 1 else ""} of "{name}" ({int(train_gaps.sum())} training, '
            f"{int(test_gaps.sum())} test) with its mean over the {known.size} training rows that have a value, "
            f"{mean:.4g}."
        )
    return X_train, X_test, notes


def prepare_dataset(
    df: pd.DataFrame,
    features: Sequence[str],
    label: str,
    *,
    positive: str | None = None,
    test_ratio: float = 0.25,
    seed: int = 0,
    name: str = "uploaded.csv",
    max_rows: int = MAX_ROWS,
    missing: str = "tell",
) -> Dataset:
    """Check the chosen columns of a table and turn them into a standardised two-class Dataset.

    The label's two values map to 0/1 (class 1 = `positive`, or the value that looks positive). With 3 to
    MAX_CLASSES values every class is kept (Dataset.classes / labels_*) and the 0/1 view is `positive` (else the
    first class) against the rest; with more, `positive` is required (one-vs-rest only).
    Features must be numbers or text with two values (read as 0/1, noted),
    finite and not constant. Empty cells: missing="tell" raises a MissingValueError naming them, "drop" drops
    those rows, "fill" fills feature cells with the training rows' mean (rows without a label are left out
    under both). Needs MIN_ROWS rows and 2 per class; above max_rows rows a seeded, stratified sample is used.
    Notes from read_csv (df.attrs["notes"]) are carried into Dataset.notes.
    """
    if max_rows < MIN_ROWS:
        raise ValueError(f"max_rows must be at least {MIN_ROWS}")
    if missing not in MISSING_CHOICES:
        raise ValueError(f"missing must be one of {MISSING_CHOICES}, not {missing!r}")
    rows = _row_numbers(df)
    n = len(df)
    if n < MIN_ROWS:  # first: no choice of columns can help
        listed = f" ({_rows_text(rows)})" if n else ""
        raise TooFewRowsError(
            f"The table has only {n} data row{'s' if n != 1 else ''}{listed}. You need at least {MIN_ROWS} "
            "rows, with at least 2 of each class, to train and test a model: add more examples."
        )
    chosen = _check_choice(df, features, label)
    tolerant = missing != "tell"
    coding = _label_coding(df[label], label, rows, positive, allow_missing=tolerant)
    decimal_comma_first = _column_kind_hint(str(df.attrs.get("delimiter", ",")))
    read = [_feature_values(df[f], f, rows, decimal_comma_first, allow_missing=tolerant) for f in chosen]
    labelled = ~coding.missing
    for (values, _), feature in zip(read, chosen, strict=True):
        present = values[labelled]
        _check_not_constant(present[~np.isnan(present)], feature)
    _check_class_sizes(coding, rows)
    X = np.column_stack([values for values, _ in read])

    notes = [*df.attrs.get("notes", []), coding.note, *(note for _, note in read if note)]
    if not labelled.all():
        unlabelled = rows[~labelled]
        notes.append(f"Left out {len(unlabelled)} row{'s' if len(unlabelled) != 1 else ''} without a label "
                     f"({_rows_text(unlabelled)}).")
    train, test, sample_note = split_rows(coding.codes, test_ratio, seed, max_rows)
    notes += [sample_note] if sample_note else []
    if missing == "drop":
        train, test, drop_note = _drop_gaps(X, train, test, chosen, coding)
        notes += [drop_note] if drop_note else []
    X_train, X_test = X[train], X[test]
    if missing == "fill":
        X_train, X_test, fill_notes = _fill_gaps(X_train, X_test, chosen)
        notes += fill_notes
    y = coding.y
    return assemble(
        name,
        (X_train, y[train]),
        (X_test, y[test]),
        feature_names=tuple(str(f) for f in chosen),
        label_name=str(label),
        class_names=coding.class_names,
        notes=notes,
        labels=(coding.codes[train], coding.codes[test]),
        classes=coding.classes,
        positive=coding.positive,
    )


def missing_cells(df: pd.DataFrame, columns: Sequence[str]) -> tuple[int, dict[str, int]]:
    """(rows with an empty cell in any of `columns`, empty cells per column that has some)."""
    present = [c for c in columns if c in df.columns]
    if not present:
        return 0, {}
    # numeric and bool columns: NaN only, all in one pass (300 columns one by one cost 0.1 s a rerun); text as read
    plain = [c for c in present if pd.api.types.is_numeric_dtype(df.dtypes[c])] if df.columns.is_unique else []
    block = df[plain].isna().to_numpy(dtype=bool) if plain else np.zeros((len(df), 0), dtype=bool)
    where = {c: j for j, c in enumerate(plain)}
    gaps = np.column_stack([block[:, where[c]] if c in where else _empty_cells(df[c]) for c in present])
    per_column = {str(c): int(gaps[:, j].sum()) for j, c in enumerate(present) if gaps[:, j].any()}
    return int(gaps.any(axis=1).sum()), per_column
