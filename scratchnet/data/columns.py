"""Choosing columns and reading them: labels to 0/1 (guess_positive, label_values), suggest_columns, features."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import (
    ColumnChoiceError,
    MissingValueError,
    NonFiniteValueError,
    NonNumericValueError,
    NoNumericColumnError,
    SingleClassError,
    TooFewColumnsError,
    TooManyClassesError,
    _names_text,
    _quote,
    _rows_text,
)
from .numbers import _display, _parse_number_column, _plain_float

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


_LABEL_WORDS = ("label", "class", "target", "y", "diagnosis", "species", "outcome")
_ID_WORDS = frozenset({"id", "index", "row", "no", "number"})


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
