"""Numbers as people and spreadsheets write them: plain, "1,234.5" (comma thousands), "3,5" (comma decimal).

Also how a single value is shown to a student (_display).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

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


def _column_kind_hint(delimiter: str) -> bool:
    """Whether ambiguous numbers like "1,234" should be read with a decimal comma (1.234)."""
    return delimiter == ";"


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
