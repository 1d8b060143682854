"""DataError, its subclasses (one per kind of problem) and helpers that word their messages."""

from __future__ import annotations

from collections.abc import Sequence


class DataError(ValueError):
    """Base class of every problem with a student's data; str(err) is the student-facing message."""


class EmptyFileError(DataError):
    """The file has no content, or only blank lines."""


class UnreadableFileError(DataError):
    """The bytes are not a text table (an image, a zip/xlsx, a PDF, a web page ...)."""


class RowLengthError(DataError):
    """Some data rows have more values than the header has column names."""


class TooLargeError(DataError):
    """The table has more columns, rows or cells than a class needs (csv_reader's limits), refused before parsing."""


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


# Message helpers

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
