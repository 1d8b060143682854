"""Reading chosen columns: labels to class numbers (guess_positive, label_values, LabelCoding), feature values."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import (
    ColumnChoiceError,
    MissingValueError,
    NonFiniteValueError,
    NonNumericValueError,
    SingleClassError,
    TooManyClassesError,
    _names_text,
    _quote,
    _rows_text,
)
from .numbers import _MISSING_MARKERS, _display, _parse_number_column, _plain_float

MAX_CLASSES = 6  # the most classes the models tell apart at once (one colour each); more: one-vs-rest only

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


@dataclass(frozen=True)
class LabelCoding:
    """A label column as class numbers, and the two classes the binary models tell apart.

    codes: per row 0..K-1, the position of its value in `classes` (natural order: numbers numerically, text
    alphabetically), -1 where the cell is empty. Class 1 of the binary task is classes[positive]; with more
    than two values, class 0 is all the others (one-vs-rest).
    """

    codes: np.ndarray
    classes: tuple[str, ...]
    positive: int
    class_names: tuple[str, str]
    note: str

    @property
    def y(self) -> np.ndarray:
        """The binary label: 1.0 for the positive class, else 0.0 (also 0.0 where the label is missing)."""
        return (self.codes == self.positive).astype(np.float64)

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0


def _label_coding(
    series: pd.Series, label: str, rows: np.ndarray, positive: str | None, allow_missing: bool = False
) -> LabelCoding:
    """Label cells -> LabelCoding. Empty cells are an error unless allow_missing (then their code is -1)."""
    shown = _display_column(series)
    missing = np.array([v is None for v in shown], dtype=bool)
    if missing.any() and not allow_missing:
        raise MissingValueError(
            f'The label column "{label}" is empty (or NA) in {_rows_text(rows[missing])}. Every example '
            "needs a label: fill these cells in or delete those rows, then upload again."
        )
    counts = Counter(v for v in shown.tolist() if v is not None)
    values = sorted(counts, key=lambda v: (-counts[v], _natural_key(v)))
    if not values:
        raise MissingValueError(f'The label column "{label}" is empty in every row. Choose another label column.')
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
            if len(values) <= MAX_CLASSES:  # all classes are kept too: say both views
                note = (f'Label "{label}": {len(values)} classes ({_names_text(sorted(values, key=_natural_key))}). '
                        f'One-vs-rest: class 1 = "{chosen}", class 0 = the other {len(others)} values '
                        f"({_names_text(others, limit=5)}).")
    elif len(values) == 2:
        chosen = guess_positive(values)
        other = values[0] if values[1] == chosen else values[1]
        class_names = (other, chosen)
        note = (
            f'Label "{label}": class 1 = "{chosen}", class 0 = "{other}" (choose the positive class to '
            "swap them)."
        )
    elif len(values) <= MAX_CLASSES:
        # every class is kept; one-vs-rest, if the student chooses it, starts with the first class
        chosen = sorted(values, key=_natural_key)[0]
        class_names = (f"not {chosen}", chosen)
        others = [v for v in values if v != chosen]
        note = (f'Label "{label}": {len(values)} classes ({_names_text(sorted(values, key=_natural_key))}). '
                f'One-vs-rest: class 1 = "{chosen}", class 0 = the other {len(others)} values '
                f"({_names_text(others, limit=5)}) (choose the positive class to change it).")
    else:
        listed = ", ".join(f'"{v}" ({counts[v]} row{"s" if counts[v] != 1 else ""})' for v in values[:8])
        if len(values) > 8:
            listed += f" and {len(values) - 8} more"
        advice = (
            f"The models here tell up to {MAX_CLASSES} classes apart: pick the positive class (class 1) and all "
            "the other values become class 0 (one-vs-rest)."
        )
        if len(values) > 10:
            advice += (
                f' With this many values "{label}" may be a measurement rather than a class: if so, '
                "choose another label column."
            )
        raise TooManyClassesError(
            f'The label column "{label}" has {len(values)} different values: {listed}. ' + advice
        )
    classes = tuple(sorted(values, key=_natural_key))
    code_of = {value: k for k, value in enumerate(classes)}
    codes = np.array([-1 if v is None else code_of[v] for v in shown.tolist()], dtype=np.int64)
    return LabelCoding(codes, classes, code_of[chosen], class_names, note)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


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


# A value that starts like a number ("12 kg", "$5", "-3%"): a column of these is a broken number column,
# never two categories.
_NUMBER_LIKE = re.compile(r"\s*[+-]?[$€£¥]?\s*[+-]?[.,]?\d")


def binary_coding(series: pd.Series) -> tuple[str, str] | None:
    """(value read as 0, value read as 1) for a text column with exactly two different words, else None.

    Class 1 is the value that looks positive (yes, true, male/female: the second alphabetically), as
    guess_positive decides for a label. Numbers with units or % signs are not words: those columns stay errors.
    """
    if _is_numeric(series) or pd.api.types.is_bool_dtype(series):
        return None
    raw = pd.unique(series.dropna())
    if len(raw) > 20:  # spelling variants (" yes", "NA") aside, that is more than two values: no need to look
        return None
    values = sorted({v for v in (_display(u) for u in raw) if v is not None}, key=_natural_key)
    if len(values) != 2 or any(_NUMBER_LIKE.match(v) for v in values):
        return None
    one = guess_positive(values)
    return (values[1] if values[0] == one else values[0]), one


def _empty_cells(series: pd.Series) -> np.ndarray:
    """True where a cell is empty as the readers see it (NaN, None, blank, NA, n/a, ?): fast for big columns."""
    missing = series.isna().to_numpy(dtype=bool)
    if _is_numeric(series) or pd.api.types.is_bool_dtype(series):
        return missing
    lowered = series.astype("string").str.strip().str.lower()
    return missing | lowered.isin(_MISSING_MARKERS).fillna(False).to_numpy(dtype=bool)


def _number_like_share(series: pd.Series) -> float:
    """The share of a column's non-empty cells that start like a number (vectorised: a quick look)."""
    text = series.dropna().astype("string")
    return float(text.str.match(_NUMBER_LIKE.pattern).fillna(False).mean()) if len(text) else 0.0


def _feature_values(
    series: pd.Series, name: str, rows: np.ndarray, decimal_comma_first: bool, allow_missing: bool = False
) -> tuple[np.ndarray, str | None]:
    """A feature column as float64 (NaN where empty, if allow_missing), and a note if text was coded as 0/1.

    Otherwise a DataError naming the column, rows and values.
    """
    note = None
    coding = binary_coding(series)
    if coding is not None:
        shown = _display_column(series)
        values = np.array([np.nan if v is None else float(v == coding[1]) for v in shown.tolist()])
        note = f'"{name}" is text with two values, used as {coding[0]} = 0, {coding[1]} = 1.'
    elif pd.api.types.is_bool_dtype(series) or _is_numeric(series):
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
            raise NonNumericValueError(_text_message(name, cells, rows, parsed.bad))
        values = parsed.numbers
    missing = np.isnan(values)
    if missing.any() and not allow_missing:
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
    return values, note


def _text_message(name: str, cells: list[str | None], rows: np.ndarray, bad: list[int]) -> str:
    """Why a column with text cells cannot be a feature, with examples and what to do."""
    bad_rows = rows[bad]
    examples = [cells[i] or "" for i in bad]
    pairs = zip(examples[:3], bad_rows[:3], strict=False)
    shown = ", ".join(f"{_quote(v)} in row {r}" for v, r in pairs)
    if len(bad) > 3:
        shown += f" and {len(bad) - 3} more rows"
    present = sum(c is not None for c in cells)
    if len(bad) * 2 < present:
        advice = (
            f'Column "{name}" is mostly numbers but has text: {shown}. Features must be '
            "numbers: fix or delete those rows and upload again."
        )
    else:
        words = len({c for c in cells if c is not None})
        advice = (
            f'Column "{name}" contains text, not numbers: {shown}. Features must be numbers: '
            "choose a number column as a feature (a text column can be the label)."
        )
        if words > 2:
            advice += f" It has {words} different values; one-hot encoding (a 0/1 column per value) is not supported."
    return advice + _non_numeric_hint(examples)
