"""Issue #21, defect 2: an upload's shape is limited (columns, rows, cells) and refused before the file is parsed."""

from __future__ import annotations

import pytest

from scratchnet.data import MAX_CELLS, MAX_COLUMNS, MAX_FILE_ROWS, TooLargeError, csv_reader, read_csv


def _table(columns: int, rows: int) -> bytes:
    header = ",".join(f"c{i}" for i in range(columns - 1)) + ",label"
    row = ",".join("1.5" for _ in range(columns - 1))
    return (header + "\n" + "".join(f"{row},{r % 2}\n" for r in range(rows))).encode()


@pytest.fixture
def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing the whole file fails the test: the limits must answer from the header and the line count."""

    def refuse(*_args: object) -> None:
        raise AssertionError("the whole file was parsed")

    monkeypatch.setattr(csv_reader, "_read_records", refuse)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_table(200_001, 2)[:9_900_000], "columns"),  # the 9.9 MB file, 21 rows × 200,001 columns
        (_table(MAX_COLUMNS + 1, 20), f"{MAX_COLUMNS + 1:,} columns"),
        (b"x\n" + b"1\n" * MAX_FILE_ROWS, "rows"),
        (_table(MAX_COLUMNS, MAX_CELLS // MAX_COLUMNS + 1), "values"),
    ],
    ids=["issue-wide", "columns", "rows", "cells"],
)
def test_too_large_is_refused_before_parsing(no_parse: None, data: bytes, says: str) -> None:
    with pytest.raises(TooLargeError) as err:
        read_csv(data)
    message = str(err.value)
    assert says in message and "too large" in message and "Keep the columns you need" in message


def test_rows_wider_than_the_header_stop_the_reading() -> None:
    """A short header cannot smuggle in wide rows: the reader stops at the first row past MAX_COLUMNS."""
    data = b"a,b\n1,2\n" + ",".join(["1"] * (MAX_COLUMNS + 5)).encode() + b"\n" + b"3,4\n" * 10
    with pytest.raises(TooLargeError, match=f"row 3 has {MAX_COLUMNS + 5:,} values"):
        read_csv(data)


def test_the_largest_legal_table_is_read() -> None:
    rows = MAX_CELLS // MAX_COLUMNS - 1  # the header is a row too
    df = read_csv(_table(MAX_COLUMNS, rows))
    assert df.shape == (rows, MAX_COLUMNS)
