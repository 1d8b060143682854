"""From csv records to read_csv's DataFrame: header, row widths, column names, each column numbers or text."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import DuplicateColumnError, EmptyFileError, RowLengthError, TooFewRowsError, _names_text, _rows_text
from .numbers import (
    _COMMA_DECIMAL,
    _COMMA_THOUSANDS,
    _MISSING_MARKERS,
    _PARSERS,
    _column_kind_hint,
    _display,
    _parse_number_column,
    _plain_float,
)

_Record = tuple[int, list[str]]  # (spreadsheet row number, cells)
_Cells = list[str | None]  # one column's stripped cells, None where missing


def _build_frame(records: list[_Record], delimiter: str, notes: list[str]) -> pd.DataFrame:
    """Records -> DataFrame indexed by spreadsheet row number; tells in `notes` what it changed."""
    filled, blank_inside = _drop_blank_rows(records)
    header, data_rows, headerless = _split_header(filled, notes)
    if blank_inside:
        notes.append(f"Skipped {blank_inside} empty row{'s' if blank_inside != 1 else ''}.")
    header = _widen_header(header, data_rows, delimiter)
    columns = _cells_by_column(data_rows, len(header))
    named = _name_columns(header, columns, headerless, notes)
    index = pd.Index([n for n, _ in data_rows], dtype=np.int64, name="row")
    series, read_as = _typed_columns(named, index, _column_kind_hint(delimiter))
    notes.extend(_convention_notes(read_as))
    return pd.DataFrame(series, index=index)


def _drop_blank_rows(records: list[_Record]) -> tuple[list[_Record], int]:
    """The records with any content, and how many blank ones lie between the first and the last of them."""
    is_filled = ["".join(fields).strip() != "" for _, fields in records]
    filled = [record for record, ok in zip(records, is_filled, strict=True) if ok]
    if not filled:
        raise EmptyFileError(
            "The file contains only blank lines or empty cells, no table. Check that you "
            "picked the right file and saved it before uploading."
        )
    first, last = filled[0][0], filled[-1][0]
    blank_inside = sum(1 for (n, _), ok in zip(records, is_filled, strict=True) if not ok and first < n < last)
    return filled, blank_inside


def _looks_like_data_row(cells: Sequence[str]) -> bool:
    """A "header" that is mostly plain numbers is really the first data row."""
    filled = [c.strip() for c in cells if c.strip()]
    numeric = sum(1 for c in filled if (v := _plain_float(c)) is not None and math.isfinite(v))
    return numeric > 0 and numeric * 2 > len(filled)


def _split_header(filled: list[_Record], notes: list[str]) -> tuple[list[str], list[_Record], bool]:
    """(header cells, data rows, headerless). A first row of numbers is data; its columns get no names."""
    if _looks_like_data_row(filled[0][1]):
        notes.append(
            "The first row holds numbers, not column names, so it was read as data and the columns "
            'were named "column 1", "column 2", …'
        )
        return [""] * max(len(fields) for _, fields in filled), filled, True
    header = filled[0][1]
    if len(filled) == 1:
        shown = ", ".join(h.strip() for h in header if h.strip())
        raise TooFewRowsError(
            f"The file has a header row ({shown}) but no data rows below it. Add the data "
            "rows (one per example) under the header and upload again."
        )
    return header, filled[1:], False


def _widen_header(header: list[str], data_rows: list[_Record], delimiter: str) -> list[str]:
    """The header, with nameless columns added if every row has the same number of extra values.

    Empty extra cells are fine (Excel adds them); extra values in only some rows mean that a value
    probably holds the delimiter without quotes.
    """
    width = len(header)
    long_rows = [(n, f) for n, f in data_rows if len(f) > width and any(x.strip() for x in f[width:])]
    if not long_rows:
        return header
    lengths = {len(f) for _, f in data_rows}
    if len(long_rows) == len(data_rows) and len(lengths) == 1:
        return header + [""] * (lengths.pop() - width)
    shown_delimiter = "tab" if delimiter == "\t" else f'"{delimiter}"'
    n_values = len(long_rows[0][1])
    raise RowLengthError(
        f"{_rows_text([n for n, _ in long_rows]).capitalize()} "
        f"{'has' if len(long_rows) == 1 else 'have'} more values than the header has column names "
        f"(row {long_rows[0][0]} has {n_values}, the header {width}). Usually a value contains "
        f"the separator {shown_delimiter} without quotes around it (like 1,234 or Smith, Jo). Put "
        "such values in quotes or remove the extra separator, then upload again."
    )


def _cells_by_column(data_rows: list[_Record], width: int) -> list[_Cells]:
    """Stripped cells by column, None where missing; short rows are padded with empty cells."""
    padded = [f if len(f) == width else f[:width] + [""] * (width - len(f)) for _, f in data_rows]
    columns: list[_Cells] = []
    for j in range(width):
        stripped = [row[j].strip() for row in padded]
        # missing markers are at most 4 characters long: skip lower() for everything longer
        columns.append([None if len(c) <= 4 and c.lower() in _MISSING_MARKERS else c for c in stripped])
    return columns


def _name_columns(
    header: list[str], columns: list[_Cells], headerless: bool, notes: list[str]
) -> dict[str, _Cells]:
    """Columns by name: a nameless empty column is dropped, another nameless one is called "column N"."""
    header_names = {h.strip() for h in header}
    names: list[str] = []
    kept: list[int] = []
    dropped_empty = 0
    renamed: list[str] = []
    for j, cells in enumerate(columns):
        name = header[j].strip()
        if not name:
            if all(cell is None for cell in cells):
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
    _check_unique(names, kept)
    return {name: columns[j] for name, j in zip(names, kept, strict=True)}


def _check_unique(names: list[str], positions: list[int]) -> None:
    """Every column needs its own name; there must be at least one column."""
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    if duplicates:
        parts = []
        for name in duplicates[:3]:
            found = [str(positions[k] + 1) for k, other in enumerate(names) if other == name]
            parts.append(f'"{name}" (columns {", ".join(found[:-1])} and {found[-1]})')
        raise DuplicateColumnError(
            f"The header row has more than one column called {'; '.join(parts)}. Every column needs its own "
            "name: rename the copies in the first row of your spreadsheet and upload again."
        )
    if not names:
        raise EmptyFileError("The file has no columns with values.")


def _typed_columns(
    named: dict[str, _Cells], index: pd.Index, decimal_comma_first: bool
) -> tuple[dict[str, pd.Series], dict[str, list[tuple[str, str]]]]:
    """Each column as float64, int64 (whole numbers, none missing) or text.

    Also returns, per separator convention, the (column, example cell) pairs that were read with it.
    """
    series: dict[str, pd.Series] = {}
    read_as: dict[str, list[tuple[str, str]]] = {_COMMA_THOUSANDS: [], _COMMA_DECIMAL: []}
    for name, cells in named.items():
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
                read_as[parsed.convention].append((name, parsed.example))
    return series, read_as


def _convention_notes(read_as: dict[str, list[tuple[str, str]]]) -> list[str]:
    """One note per separator convention that was used, with an example cell and what it was read as."""
    notes = []
    for convention, found in read_as.items():
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
    return notes
