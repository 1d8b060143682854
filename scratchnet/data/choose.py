"""Default choices for a table: the label, what each column can be, and the two features that separate best.

- An ID (named like id / index / row / PassengerId, or unique whole numbers increasing down the file) is never
  a default feature: it numbers the rows and says nothing about them. It can still be chosen by hand.
- A text column with two values can be a feature, read as 0/1 (columns.binary_coding, the mapping is shown);
  text with more values cannot: one-hot encoding is not supported here.
- The default features are the two usable columns with the largest separation: how far apart the two classes'
  means are, in within-class standard deviations, |m1 − m0| / s (a standardised mean difference, the square
  root of a univariate Fisher score). It is measured on the training rows only (prepare.split_rows), so the
  test rows never influence the choice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import (
    MAX_CLASSES,
    _check_column,
    _display_column,
    _empty_cells,
    _feature_values,
    _is_numeric,
    _label_coding,
    _number_like_share,
    _row_numbers,
    binary_coding,
    label_values,
)
from .errors import DataError, NonNumericValueError, NoNumericColumnError, TooFewColumnsError, _names_text
from .numbers import _column_kind_hint
from .prepare import MAX_ROWS, split_rows

NUMBER, TWO_VALUES, ID, TEXT, CONSTANT, EMPTY = "number", "two-value text", "ID", "text", "constant", "empty"

_LABEL_WORDS = frozenset({"label", "class", "target", "y", "diagnosis", "species", "outcome", "survived",
                          "passed", "admitted", "churn", "spam", "result", "category"})
_ID_LAST_WORDS = frozenset({"id", "ids", "idx", "index", "no", "nr", "uid", "uuid"})
_ID_NAMES = frozenset({"row", "rows", "rownum", "rownumber", "number", "num", "key", "serial", "unnamed0",
                       "passengerid", "customerid", "userid", "patientid", "personid", "studentid", "recordid",
                       "sampleid", "orderid", "itemid", "productid"})


@dataclass(frozen=True)
class ColumnInfo:
    """What one column can be: its kind, its empty cells, and why it is not a default feature (if not)."""

    name: str
    kind: str  # NUMBER, TWO_VALUES, ID, TEXT, CONSTANT or EMPTY
    missing: int = 0
    coding: tuple[str, str] | None = None  # TWO_VALUES: (the value read as 0, the value read as 1)
    reason: str = ""  # ID, TEXT, CONSTANT, EMPTY, a lone two-value text: why it is not a default feature

    @property
    def offered(self) -> bool:
        """Can be chosen as a feature (an ID too, by hand)."""
        return self.kind in (NUMBER, TWO_VALUES, ID)

    @property
    def default(self) -> bool:
        """Can be a default feature."""
        return self.kind in (NUMBER, TWO_VALUES) and not self.reason


@dataclass(frozen=True)
class FeatureSuggestion:
    features: tuple[str, ...]  # the default features, in the table's column order
    scores: dict[str, float]  # separation of every usable column on the training rows, largest first
    measured: bool  # False when the label could not be read: then the first usable columns are taken


def _name_words(name: object) -> list[str]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name).strip())  # PassengerId -> Passenger Id
    return [w for w in re.split(r"[^0-9a-z]+", text.lower()) if w]


def id_reason(series: pd.Series, name: object) -> str | None:
    """Why the column looks like an ID (row numbers, keys), or None."""
    words = _name_words(name)
    if str(name).strip() == "#" or (words and (words[-1] in _ID_LAST_WORDS or "".join(words) in _ID_NAMES)):
        return "its name"
    if pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series) and len(series) >= 3:
        values = series.to_numpy(dtype=np.float64)
        if np.all(np.diff(values) > 0):
            return "unique whole numbers that increase down the file, like row numbers"
    return None


def _is_label_like(name: object) -> bool:
    norm = str(name).strip().lower()
    return norm in _LABEL_WORDS or any(w in _LABEL_WORDS and w != "y" for w in _name_words(name))


def describe_columns(df: pd.DataFrame, label: str | None = None) -> list[ColumnInfo]:
    """Every column but the label, in table order, with what it can be used for."""
    rows = _row_numbers(df)
    comma_first = _column_kind_hint(str(df.attrs.get("delimiter", ",")))
    infos = []
    for column in df.columns:
        if column == label:
            continue
        name, series = str(column), df[column]
        infos.append(_describe(name, series, int(_empty_cells(series).sum()), rows, comma_first))
    return infos


def _describe(name: str, series: pd.Series, empty: int, rows: np.ndarray, comma_first: bool) -> ColumnInfo:
    if empty == len(series):
        return ColumnInfo(name, EMPTY, empty, reason="empty in every row")
    coding = binary_coding(series)
    if coding is not None:
        counts = pd.Series(_display_column(series)).value_counts()
        rare = "" if counts.min() > 1 else f'"{counts.idxmin()}" is in only one row, so it cannot teach much'
        return ColumnInfo(name, TWO_VALUES, empty, coding=coding, reason=rare)
    if not (_is_numeric(series) or pd.api.types.is_bool_dtype(series)):
        words = series.nunique(dropna=True)
        if words > 1 and _number_like_share(series) < 0.5:  # plainly text: no need to read every cell
            return ColumnInfo(name, TEXT, empty, reason=f"text with {words:,} different values: one-hot encoding "
                              "(a 0/1 column per value) is not supported here")
        try:
            _feature_values(series, name, rows, comma_first, allow_missing=True)
        except NonNumericValueError as err:
            if words < 2:
                return ColumnInfo(name, CONSTANT, empty, reason="the same value in every row")
            examples = re.search(r"is mostly numbers but has text: (.*?)\. Features must be numbers", str(err))
            if examples:  # a number column with a few broken cells: say which, so they can be fixed
                return ColumnInfo(name, TEXT, empty, reason=f"mostly numbers, but has text: {examples.group(1)}")
            return ColumnInfo(name, TEXT, empty, reason=f"text with {words:,} different values: one-hot encoding "
                              "(a 0/1 column per value) is not supported here")
        except DataError:
            pass  # infinite values: a number column; prepare_dataset says what is wrong with it
    if series.nunique(dropna=True) < 2:
        return ColumnInfo(name, CONSTANT, empty, reason="the same value in every row")
    why = id_reason(series, name)
    if why is not None:
        return ColumnInfo(name, ID, empty, reason=f"looks like an ID ({why})")
    return ColumnInfo(name, NUMBER, empty)


def separation(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per column of X: |mean of class 1 − mean of class 0| / within-class standard deviation.

    Empty (NaN) and infinite cells are left out column by column. 0 where a class has no value; inf where
    both classes are constant but differ (a perfect split). With labels 0 … K−1 (K ≥ 3): see _k_score.
    """
    X = np.asarray(X, dtype=np.float64)
    X = X.reshape(len(X), -1)
    labels = np.asarray(y, dtype=np.float64).reshape(-1)
    if np.any(labels > 1):
        return _by_columns(X, labels.astype(np.int64), _k_score)
    return _by_columns(X, (labels > 0.5).astype(np.int64), _two_score)


def _by_columns(X: np.ndarray, codes: np.ndarray,
                score: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """score(x, codes) for every column: the columns whose cells are all finite at once (one pass over a
    table of hundreds of features, not a Python loop: issue #21's reruns), each other one on its finite cells."""
    out = np.zeros(X.shape[1])
    whole = np.isfinite(X).all(axis=0)
    with np.errstate(all="ignore"):
        if whole.any():
            out[whole] = score(X[:, whole], codes)
        for j in np.flatnonzero(~whole):
            ok = np.isfinite(X[:, j])
            out[j] = score(X[ok, j : j + 1], codes[ok])[0]
    return out


def _scaled(x: np.ndarray) -> np.ndarray:
    """Each column divided by its largest |value|, into [-1, 1]: nothing below overflows."""
    top = np.max(np.abs(x), axis=0) if len(x) else np.zeros(x.shape[1])
    return x / np.where(top > 0, top, 1.0)


def _two_score(x: np.ndarray, ones: np.ndarray) -> np.ndarray:
    c = ones.astype(bool)
    if c.all() or not c.any():
        return np.zeros(x.shape[1])
    x = _scaled(x)
    gap = np.abs(x[c].mean(axis=0) - x[~c].mean(axis=0))
    within = np.sqrt((c.sum() * x[c].var(axis=0) + (~c).sum() * x[~c].var(axis=0)) / len(x))
    return np.where(within > 0, gap / np.where(within > 0, within, 1.0), np.where(gap > 0, np.inf, 0.0))


def _k_score(x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """K classes: 2 · (spread of the class means, Σ n_k (m_k − m)² / n, square-rooted) / within-class standard
    deviation. For two equal classes that is |m1 − m0| / s, as above; squared it is a multiple of the ANOVA F
    statistic, F = (score / 2)² · (n − K) / (K − 1), so columns rank as F ranks them."""
    present = np.unique(labels)
    if present.size < 2:
        return np.zeros(x.shape[1])
    x = _scaled(x)
    rows = [labels == k for k in present]
    n = np.array([r.sum() for r in rows], dtype=np.float64)[:, None]
    means = np.array([x[r].mean(axis=0) for r in rows])
    within = np.sqrt(sum(n_k * x[r].var(axis=0) for n_k, r in zip(n, rows, strict=True)) / len(x))
    between = np.sqrt(np.sum(n * (means - x.mean(axis=0)) ** 2, axis=0) / len(x))
    return np.where(within > 0, 2 * between / np.where(within > 0, within, 1.0), np.where(between > 0, np.inf, 0.0))


def suggest_features(
    df: pd.DataFrame,
    label: str,
    positive: str | None = None,
    *,
    test_ratio: float = 0.25,
    seed: int = 0,
    max_rows: int = MAX_ROWS,
    k: int = 2,
    infos: list[ColumnInfo] | None = None,
    all_classes: bool = False,
) -> FeatureSuggestion:
    """The k usable columns (not IDs) that separate class 1 from class 0 best on the training rows (with
    all_classes and 3 to MAX_CLASSES label values: that separate all the classes best).

    The training rows are those prepare_dataset(..., test_ratio, seed, max_rows) trains on (before any rows
    with empty cells are dropped). positive=None: as prepare_dataset guesses it, and with more than two label
    values the most frequent one (the upload page's default). infos: describe_columns(df, label), if at hand.
    """
    _check_column(df, label, "label")
    infos = describe_columns(df, label) if infos is None else infos
    usable = [info.name for info in infos if info.default]
    # Fewer usable columns than k: fill up with number columns that are constant or empty, so that
    # prepare_dataset says what is wrong with them. Never with IDs.
    spare = [info.name for info in infos if info.kind in (CONSTANT, EMPTY) and _is_numeric(df[info.name])]
    rows = _row_numbers(df)
    try:
        values = label_values(df, label)
        if positive is None and len(values) > 2:
            positive = values[0]
        coding = _label_coding(df[label], label, rows, positive, allow_missing=True)
        train, _, _ = split_rows(coding.codes, test_ratio, seed, max_rows)
    except DataError:
        return FeatureSuggestion(tuple([*usable, *spare][:k]), {}, measured=False)
    comma_first = _column_kind_hint(str(df.attrs.get("delimiter", ",")))
    target = coding.codes if all_classes and 2 < len(coding.classes) <= MAX_CLASSES else coding.y
    scores = dict.fromkeys(usable, 0.0)  # 0: infinite values, which prepare_dataset explains
    columns: dict[str, np.ndarray] = {}
    for name in usable:
        try:
            columns[name] = _feature_values(df[name], name, rows, comma_first, allow_missing=True)[0][train]
        except DataError:
            pass
    if columns:  # one call for all the columns: each on its own finite cells, as separation does
        measured = separation(np.column_stack(list(columns.values())), target[train])
        scores |= {name: float(v) for name, v in zip(columns, measured, strict=True)}
    # rounded, so that columns tied up to rounding (one a multiple of the other) keep the table's order
    ranked = sorted(scores, key=lambda c: -round(scores[c], 9))
    best = set([*ranked, *spare][:k])
    chosen = tuple(c for c in [*usable, *spare] if c in best)
    return FeatureSuggestion(chosen, {c: scores[c] for c in ranked}, measured=True)


def suggest_label(df: pd.DataFrame) -> str:
    """A column named like label/class/target/survived… (one with 2-10 values if there are several), else the
    last column with 2-10 distinct values, else the last column."""
    columns = list(df.columns)
    distinct = {c: df[c].nunique(dropna=True) for c in columns}
    few = [c for c in columns if 2 <= distinct[c] <= 10]
    named = [c for c in columns if _is_label_like(c)]
    if named:  # the student's own naming wins, even if that column turns out to be unusable
        return str(next((c for c in named if c in few), named[0]))
    return str(few[-1] if few else columns[-1])


def check_table(df: pd.DataFrame) -> None:
    """A table needs at least two columns: a feature and a label."""
    columns = list(df.columns)
    if len(columns) < 2:
        only = f' ("{columns[0]}")' if columns else ""
        raise TooFewColumnsError(
            f"The table has only {len(columns)} column{only}. It needs at least two: one or more number "
            "columns (features) and a label column. If all your values ended up in one column, separate "
            "them with commas, semicolons or tabs."
        )


def check_feature_columns(df: pd.DataFrame, label: str, infos: list[ColumnInfo] | None = None) -> None:
    """Some column besides the label must be able to be a feature: numbers, or text with two values."""
    infos = describe_columns(df, label) if infos is None else infos
    if not any(info.offered or _is_numeric(df[info.name]) for info in infos):
        others = [str(c) for c in df.columns if c != label]
        raise NoNumericColumnError(
            f'None of the columns besides the label "{label}" holds only numbers ({_names_text(others)}), so '
            "there is nothing to use as features. Features must be numbers (or text with just two values): "
            "remove units, % signs or currency symbols in your spreadsheet, or add a number column, then "
            "upload again."
        )


def suggest_columns(df: pd.DataFrame, *, test_ratio: float = 0.25, seed: int = 0) -> tuple[list[str], str]:
    """Default (features, label): suggest_label, then suggest_features (IDs never, the best two otherwise)."""
    check_table(df)
    label = suggest_label(df)
    check_feature_columns(df, label)
    return list(suggest_features(df, label, test_ratio=test_ratio, seed=seed).features), label
