"""A catalogue of nasty CSV files, each with its exact expected outcome.

Every case goes through the app's pipeline: read_csv -> suggest_columns (unless the case picks columns
itself) -> prepare_dataset. A case is either Accepted (shape, columns, label mapping and a specific note
are checked) or Rejected (a specific DataError subclass whose message names the column / row / advice).

CATALOGUE and run_pipeline are importable so the app's own tests can replay the same files.
The upload size limit is not tested here: Streamlit enforces it (server.maxUploadSize).
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

import scratchnet.data as data_module
from scratchnet.data import (
    ColumnChoiceError,
    ConstantFeatureError,
    DataError,
    Dataset,
    DuplicateColumnError,
    EmptyFileError,
    MissingValueError,
    NonFiniteValueError,
    NonNumericValueError,
    NoNumericColumnError,
    RowLengthError,
    SingleClassError,
    TooFewColumnsError,
    TooFewRowsError,
    TooLargeError,
    TooManyClassesError,
    UnclosedQuoteError,
    UnreadableFileError,
    prepare_dataset,
    read_csv,
    suggest_columns,
)


@dataclass(frozen=True)
class Accepted:
    columns: tuple[str, ...]  # read_csv's columns, in order
    n_rows: int  # rows read_csv returns
    features: tuple[str, ...]  # features used (suggested, or the case's own)
    label: str
    class_names: tuple[str, str]  # (class 0, class 1)
    note: str  # a substring of one of Dataset.notes
    cells: dict[tuple[int, str], object] = field(default_factory=dict)  # (spreadsheet row, column) -> value
    n_used: int | None = None  # rows in the Dataset (train + test) when not n_rows
    delimiter: str | None = None


@dataclass(frozen=True)
class Rejected:
    error: type[DataError]  # exactly this class
    says: tuple[str, ...]  # substrings of the message


@dataclass(frozen=True)
class Case:
    id: str
    data: bytes
    expected: Accepted | Rejected
    features: tuple[str, ...] | None = None  # None: use suggest_columns
    label: str | None = None
    positive: str | None = None


def run_pipeline(case: Case) -> tuple[pd.DataFrame, list[str], str, Dataset]:
    """read_csv -> suggest_columns (unless the case chooses) -> prepare_dataset."""
    frame = read_csv(case.data)
    if case.features is None:
        features, label = suggest_columns(frame)
    else:
        features, label = list(case.features), str(case.label)
    dataset = prepare_dataset(frame, features, label, positive=case.positive)
    return frame, list(features), label, dataset


# --- building blocks -------------------------------------------------------------------------------------


def column_x1(i: int) -> str:
    return str((i * 5) % 12)  # 0, 5, 10, 3, 8, ...: not increasing down the file, so not an ID (choose.id_reason)


def column_x2(i: int) -> str:
    return f"{(i * 7) % 5}.5"  # 0.5, 2.5, 4.5, 1.5, 3.5, ...


def yes_no(i: int) -> str:
    return "yes" if i % 2 else "no"  # odd rows (spreadsheet rows 3, 5, ...) are "yes"


Cell = Callable[[int], str]


def rows(n: int = 12, *columns: Cell) -> list[list[str]]:
    columns = columns or (column_x1, column_x2, yes_no)
    return [[make(i) for make in columns] for i in range(n)]


def with_cell(table: list[list[str]], i: int, j: int, value: str) -> list[list[str]]:
    """A copy of the table with data row i (spreadsheet row i + 2), column j replaced (raw text)."""
    copy = [list(r) for r in table]
    copy[i][j] = value
    return copy


def encode(
    header: str | None,
    table: list[list[str]],
    *,
    sep: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
) -> bytes:
    lines = ([header] if header is not None else []) + [sep.join(r) for r in table]
    return (newline.join(lines) + newline).encode(encoding)


BASE = rows()
BASE_CSV = encode("x1,x2,label", BASE)
XY = ("x1", "x2")
XYL = ("x1", "x2", "label")
YES_NO = ("no", "yes")
YES_NOTE = 'class 1 = "yes", class 0 = "no"'


def labelled(labels: list[str], header: str = "x1,x2,label") -> bytes:
    return encode(header, [[column_x1(i), column_x2(i), lab] for i, lab in enumerate(labels)])


def png_bytes() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), payload)
    return buffer.getvalue()


XLSX = zip_bytes(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
        "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet/>',
    }
)


def big_table_csv(n_rows: int, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 2)).round(3)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    buffer = io.StringIO()
    np.savetxt(buffer, np.column_stack([X, y]), fmt=("%.3f", "%.3f", "%d"), delimiter=",")
    return ("x1,x2,label\n" + buffer.getvalue()).encode()


def wide_table_csv(n_columns: int, n_rows: int = 20, seed: int = 2) -> bytes:
    rng = np.random.default_rng(seed)
    names = [f"c{j:04d}" for j in range(1, n_columns + 1)]
    X = rng.normal(size=(n_rows, n_columns)).round(3)
    lines = [",".join([*names, "label"])]
    lines += [",".join([*(f"{v:.3f}" for v in X[i]), str(i % 2)]) for i in range(n_rows)]
    return ("\n".join(lines) + "\n").encode()


WIDE_COLUMNS = (*(f"c{j:04d}" for j in range(1, 300)), "label")  # MAX_COLUMNS, the label included
SPECIES = ["setosa", "versicolor", "virginica"]
MULTILINE = with_cell(rows(12, column_x1, column_x2, lambda i: "ok", yes_no), 1, 2, '"Smith, J\nsecond line"')


# --- the catalogue ----------------------------------------------------------------------------------------

CATALOGUE: list[Case] = [
    # Empty and tiny files
    Case("empty file", b"", Rejected(EmptyFileError, ("empty", "0 bytes"))),
    Case("only blank lines", b"\n  \r\n\t\n", Rejected(EmptyFileError, ("only blank lines",))),
    Case("header only", b"x1,x2,label\n", Rejected(TooFewRowsError, ("no data rows", "x1, x2, label"))),
    Case(
        "one data row",
        b"x1,x2,label\n1,2,yes\n",
        Rejected(TooFewRowsError, ("only 1 data row", "(row 2)", "at least 10")),
    ),
    Case("nine rows", encode("x1,x2,label", rows(9)), Rejected(TooFewRowsError, ("only 9 data rows",))),
    Case(
        "single column",
        b"x1\n" + b"\n".join(b"%d" % i for i in range(12)) + b"\n",
        Rejected(TooFewColumnsError, ('only 1 column ("x1")', "commas, semicolons or tabs")),
    ),
    # Labels
    Case(
        "only one class",
        labelled(["yes"] * 12),
        Rejected(SingleClassError, ('"label"', '"yes"', "two classes")),
    ),
    Case(
        "a class with a single example",
        labelled(["yes" if i == 5 else "no" for i in range(12)]),
        Rejected(TooFewRowsError, ('Class "yes"', "only 1 row", "(row 7)", "at least 2 rows")),
    ),
    Case(
        "three classes, no positive class chosen: all kept, one-vs-rest would start with the first",
        labelled([SPECIES[i % 3] for i in range(12)], "x1,x2,species"),
        Accepted(("x1", "x2", "species"), 12, XY, "species", ("not setosa", "setosa"),
                 'Label "species": 3 classes ("setosa", "versicolor", "virginica")'),
    ),
    Case(
        "seven classes, no positive class chosen",
        labelled([f"grade {i % 7}" for i in range(21)], "x1,x2,grade"),
        Rejected(TooManyClassesError, ('"grade"', "7 different values", "up to 6 classes", "pick the positive class")),
    ),
    Case(
        "three classes, positive class chosen",
        labelled([SPECIES[i % 3] for i in range(12)], "x1,x2,species"),
        Accepted(
            ("x1", "x2", "species"),
            12,
            XY,
            "species",
            ("not virginica", "virginica"),
            'class 0 = the other 2 values ("setosa", "versicolor")',
        ),
        features=XY,
        label="species",
        positive="virginica",
    ),
    Case(
        "label is a measurement (30 values)",
        encode("x1,x2,price", rows(30, column_x1, column_x2, lambda i: f"{i * 1.37 + 1:.2f}")),
        Rejected(TooManyClassesError, ('"price" has 30 different values', "and 22 more", "measurement")),
        features=XY,
        label="price",
    ),
    Case("label yes/no", BASE_CSV, Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE)),
    Case(
        "label True/False",
        labelled(["True" if i % 2 else "False" for i in range(12)]),
        Accepted(XYL, 12, XY, "label", ("False", "True"), 'class 1 = "True"'),
    ),
    Case(
        "label 1/0 as numbers",
        labelled([str(i % 2) for i in range(12)]),
        Accepted(XYL, 12, XY, "label", ("0", "1"), 'class 1 = "1"', cells={(2, "label"): 0, (3, "label"): 1}),
    ),
    Case(
        "label 1.0/0.0 written as decimals",
        labelled([f"{i % 2}.0" for i in range(12)]),
        Accepted(XYL, 12, XY, "label", ("0", "1"), 'class 1 = "1"'),
    ),
    Case(
        "label -1/1",
        labelled(["1" if i % 2 else "-1" for i in range(12)]),
        Accepted(XYL, 12, XY, "label", ("-1", "1"), 'class 1 = "1", class 0 = "-1"'),
    ),
    Case(
        'label " spam " with spaces, quoted and not',
        labelled(['" spam "' if i % 2 else " ham " for i in range(12)]),
        Accepted(XYL, 12, XY, "label", ("ham", "spam"), 'class 1 = "spam"', cells={(3, "label"): "spam"}),
    ),
    Case(
        "label M/B letters (no obvious positive)",
        labelled(["M" if i % 2 else "B" for i in range(12)]),
        Accepted(XYL, 12, XY, "label", ("B", "M"), 'class 1 = "M", class 0 = "B"'),
    ),
    Case(
        "positive class that is not a label value",
        BASE_CSV,
        Rejected(ColumnChoiceError, ('"maybe" is not a value of the label column "label"', '"no", "yes"')),
        features=XY,
        label="label",
        positive="maybe",
    ),
    # Missing and non-finite values
    Case(
        "empty feature cell",
        encode("x1,x2,label", with_cell(BASE, 2, 1, "")),
        Rejected(MissingValueError, ('Column "x2"', "in row 4.", "Fill these cells in")),
    ),
    Case(
        "missing labels",
        encode("x1,x2,label", with_cell(with_cell(BASE, 3, 2, ""), 8, 2, "NA")),
        Rejected(MissingValueError, ('label column "label"', "rows 5 and 10")),
    ),
    Case(
        "nan, NaN and NA written in a feature",
        encode("x1,x2,label", with_cell(with_cell(with_cell(BASE, 1, 0, "nan"), 3, 0, "NaN"), 5, 0, "NA")),
        Rejected(MissingValueError, ('Column "x1"', "rows 3, 5 and 7")),
    ),
    Case(
        "inf and -inf",
        encode("x1,x2,label", with_cell(with_cell(BASE, 0, 1, "inf"), 4, 1, "-inf")),
        Rejected(NonFiniteValueError, ('Column "x2"', "infinite", "rows 2 and 6")),
    ),
    Case(
        "Infinity",
        encode("x1,x2,label", with_cell(BASE, 7, 0, "Infinity")),
        Rejected(NonFiniteValueError, ('Column "x1"', "in row 9.")),
    ),
    Case(
        "1e999 overflows to infinity",
        encode("x1,x2,label", with_cell(BASE, 10, 1, "1e999")),
        Rejected(NonFiniteValueError, ('Column "x2"', "in row 12.", "too large")),
    ),
    Case(
        "short row (missing the label)",
        encode("x1,x2,label", [r[:2] if i == 4 else r for i, r in enumerate(BASE)]),
        Rejected(MissingValueError, ('label column "label"', "in row 6.")),
    ),
    # Text in feature columns
    Case(
        "text column chosen as a feature",
        encode("x1,colour,label", rows(12, column_x1, lambda i: ["red", "blue", "green"][i % 3], yes_no)),
        Rejected(
            NonNumericValueError, ('Column "colour" contains text', '"red" in row 2', "and 9 more rows")
        ),
        features=("x1", "colour"),
        label="label",
    ),
    Case(
        "numbers with a few words",
        encode("x1,x2,label", with_cell(with_cell(BASE, 6, 0, "unknown"), 9, 0, "n/a?")),
        Rejected(
            NonNumericValueError, ('Column "x1" is mostly numbers', '"unknown" in row 8', '"n/a?" in row 11')
        ),
        features=XY,
        label="label",
    ),
    Case(
        "percentages",
        encode("x1,x2,label", rows(12, column_x1, lambda i: f"{i * 3}%", yes_no)),
        Rejected(NonNumericValueError, ('Column "x2"', '"0%" in row 2', "without the % sign")),
        features=XY,
        label="label",
    ),
    Case(
        "numbers with units",
        encode("x1,weight,label", rows(12, column_x1, lambda i: f"{60 + i} kg", yes_no)),
        Rejected(NonNumericValueError, ('Column "weight"', '"60 kg" in row 2', "Remove units")),
        features=("x1", "weight"),
        label="label",
    ),
    Case(
        "text and number columns mixed (suggestion skips the text)",
        encode(
            "name,x1,colour,x2,label",
            rows(12, lambda i: f"person {i}", column_x1, lambda i: "red", column_x2, yes_no),
        ),
        Accepted(("name", "x1", "colour", "x2", "label"), 12, XY, "label", YES_NO, YES_NOTE),
    ),
    Case(
        "only text columns",
        encode("name,city,label", rows(12, lambda i: f"person {i}", lambda i: "Paris", yes_no)),
        Rejected(NoNumericColumnError, ('besides the label "label"', "holds only numbers", '"name", "city"')),
    ),
    # Number formats
    Case(
        "thousands separators, quoted",
        encode("x1,x2,label", rows(12, lambda i: f'"{1000 + i * 1111:,}.5"', column_x2, yes_no)),
        Accepted(
            XYL,
            12,
            XY,
            "label",
            YES_NO,
            'Read numbers like "1,000.5" as 1000.5 (thousands separators',
            cells={(2, "x1"): 1000.5, (13, "x1"): 13221.5},
        ),
    ),
    Case(
        "thousands separated by spaces",
        encode(
            "x1,x2,label", rows(12, lambda i: f"{1000 + i * 1111:,}".replace(",", " "), column_x2, yes_no)
        ),
        Accepted(
            XYL,
            12,
            XY,
            "label",
            YES_NO,
            'Read numbers like "1 000" as 1000',
            cells={(2, "x1"): 1000.0, (4, "x1"): 3222.0},
        ),
    ),
    Case(
        "decimal commas in a ;-separated file",
        encode("x1;x2;label", rows(12, lambda i: f"{i},5", column_x2, yes_no), sep=";"),
        Accepted(
            XYL,
            12,
            XY,
            "label",
            YES_NO,
            'Read numbers like "0,5" as 0.5 (comma as the decimal point)',
            cells={(2, "x1"): 0.5, (3, "x2"): 2.5},
            delimiter=";",
        ),
    ),
    Case(
        "dot thousands and decimal comma (1.234,5)",
        encode("x1;x2;label", rows(12, lambda i: f"{i + 1}.234,5", column_x2, yes_no), sep=";"),
        Accepted(XYL, 12, XY, "label", YES_NO, "comma as the decimal point", cells={(2, "x1"): 1234.5}),
    ),
    Case(
        "ambiguous 1,234 in a ;-separated file means 1.234",
        encode("x1;x2;label", rows(12, lambda i: f"{i + 1},234", column_x2, yes_no), sep=";"),
        Accepted(
            XYL, 12, XY, "label", YES_NO, 'Read numbers like "1,234" as 1.234', cells={(2, "x1"): 1.234}
        ),
    ),
    # Delimiters, quoting, line endings
    Case(
        "semicolon delimiter",
        encode("x1;x2;label", BASE, sep=";"),
        Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE, cells={(4, "x2"): 4.5}, delimiter=";"),
    ),
    Case(
        "tab delimiter",
        encode("x1\tx2\tlabel", BASE, sep="\t"),
        Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE, cells={(4, "x2"): 4.5}, delimiter="\t"),
    ),
    Case(
        "Excel sep=; first line",
        b"sep=;\r\n" + encode("x1;x2;label", BASE, sep=";", newline="\r\n"),
        Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE, cells={(2, "x1"): 0, (13, "x1"): 7}, delimiter=";"),
    ),
    Case(
        "quoted field with comma and newline inside",
        encode("x1,x2,comment,label", MULTILINE),
        Accepted(
            ("x1", "x2", "comment", "label"),
            12,
            XY,
            "label",
            YES_NO,
            YES_NOTE,
            cells={(3, "comment"): "Smith, J\nsecond line", (4, "x1"): 10},
        ),
    ),
    Case(
        "row numbers stay right after a multi-line value",
        encode("x1,x2,comment,label", with_cell(MULTILINE, 5, 1, "")),
        Rejected(MissingValueError, ('Column "x2"', "in row 7.")),
    ),
    Case(
        "quoted header names with commas and spaces",
        encode('" length, cm ", x2 ,label', BASE),
        Accepted(("length, cm", "x2", "label"), 12, ("length, cm", "x2"), "label", YES_NO, YES_NOTE),
    ),
    Case(
        "unquoted comma inside a value",
        encode("x1,x2,label", with_cell(BASE, 3, 0, "1,234")),
        Rejected(RowLengthError, ("Row 5 has more values", "(row 5 has 4, the header 3)", "quotes")),
    ),
    Case(
        "quote that never closes",
        encode("x1,x2,label", with_cell(BASE, 3, 1, '"1.5')),
        Rejected(UnclosedQuoteError, ("In row 5", "never closes")),
    ),
    Case(
        "Excel export: CRLF, trailing empty columns and rows",
        encode("x1,x2,label,,", [[*r, "", ""] for r in BASE] + [[""] * 5] * 2, newline="\r\n"),
        Accepted(XYL, 12, XY, "label", YES_NO, "Dropped 2 empty columns without a name"),
    ),
    Case(
        "empty unnamed column in the middle",
        encode("x1,,x2,label", [[r[0], "", r[1], r[2]] for r in BASE]),
        Accepted(XYL, 12, XY, "label", YES_NO, "Dropped 1 empty column without a name"),
    ),
    Case(
        "blank rows in the middle",
        encode("x1,x2,label", BASE[:5] + [[""], ["", "", ""]] + BASE[5:]),
        Accepted(XYL, 12, XY, "label", YES_NO, "Skipped 2 empty rows", cells={(6, "x1"): 8, (9, "x1"): 1}),
    ),
    Case(
        "old Mac line endings (\\r only)",
        encode("x1,x2,label", BASE, newline="\r"),
        Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE, cells={(13, "x1"): 7}),
    ),
    Case(
        "no header row",
        encode(None, rows(12, lambda i: f"{i}.5", column_x2, lambda i: str(i % 2))),
        Accepted(
            ("column 1", "column 2", "column 3"),
            12,
            ("column 1", "column 2"),
            "column 3",
            ("0", "1"),
            "read as data",
            cells={(1, "column 1"): 0.5, (12, "column 1"): 11.5},
        ),
    ),
    # Encodings
    Case(
        "UTF-8 with BOM",
        b"\xef\xbb\xbf" + BASE_CSV,
        Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE),
    ),
    Case(
        "UTF-16 (Excel 'Unicode Text', tab-separated)",
        encode("x1\tx2\tlabel", BASE, sep="\t", newline="\r\n", encoding="utf-16"),
        Accepted(XYL, 12, XY, "label", YES_NO, "UTF-16", delimiter="\t"),
    ),
    Case(
        "Windows-1252 text: Müller, café, € in cells and header",
        encode(
            "Kunde,Größe,x2,label",
            rows(
                12, lambda i: ["Müller", "Café Zoë", "5 €"][i % 3], lambda i: f"{150 + (i * 5) % 12}", column_x2, yes_no
            ),
            encoding="cp1252",
        ),
        Accepted(
            ("Kunde", "Größe", "x2", "label"),
            12,
            ("Größe", "x2"),
            "label",
            YES_NO,
            "Windows-1252",
            cells={(2, "Kunde"): "Müller", (3, "Kunde"): "Café Zoë", (4, "Kunde"): "5 €"},
        ),
    ),
    Case(
        "Latin-1 text with a byte Windows-1252 lacks",
        encode(
            "name,x1,x2,label",
            rows(12, lambda i: "J\xfcrgen M\xfcller" if i else "A\x81B", column_x1, column_x2, yes_no),
            encoding="latin-1",
        ),
        Accepted(
            ("name", "x1", "x2", "label"),
            12,
            XY,
            "label",
            YES_NO,
            "Latin-1",
            cells={(3, "name"): "Jürgen Müller"},
        ),
    ),
    # Column names
    Case(
        "duplicate column names",
        encode("x,x2,x,label", rows(12, column_x1, column_x2, column_x1, yes_no)),
        Rejected(DuplicateColumnError, ('"x" (columns 1 and 3)', "rename")),
    ),
    Case(
        "duplicate names once spaces are trimmed",
        encode("x1, x1 ,label", BASE),
        Rejected(DuplicateColumnError, ('"x1" (columns 1 and 2)',)),
    ),
    Case(
        "empty column name over values",
        encode("x1,,label", BASE),
        Accepted(("x1", "column 2", "label"), 12, ("x1", "column 2"), "label", YES_NO, 'called "column 2"'),
    ),
    # Choosing columns
    Case(
        "label also chosen as a feature",
        BASE_CSV,
        Rejected(ColumnChoiceError, ('"label" is the label, so it cannot also be a feature',)),
        features=("x1", "label"),
        label="label",
    ),
    Case(
        "unknown column chosen",
        BASE_CSV,
        Rejected(ColumnChoiceError, ('no column called "height"', '"x1", "x2", "label"')),
        features=("x1", "height"),
        label="label",
    ),
    Case(
        "no feature chosen",
        BASE_CSV,
        Rejected(ColumnChoiceError, ("at least one feature",)),
        features=(),
        label="label",
    ),
    # Awkward values
    Case(
        "constant column",
        encode("x1,x2,label", rows(12, column_x1, lambda i: "5", yes_no)),
        Rejected(
            ConstantFeatureError, ('Column "x2" has the same value (5) in every row', "different feature")
        ),
    ),
    Case(
        "constant column that the suggestion avoids",
        encode("const,x1,x2,label", rows(12, lambda i: "7", column_x1, column_x2, yes_no)),
        Accepted(("const", "x1", "x2", "label"), 12, XY, "label", YES_NO, YES_NOTE),
    ),
    Case(
        "a column of 1e300 and one of 1e-300",
        encode(
            "big,tiny,label", rows(12, lambda i: f"{i + 1}e300", lambda i: f"{(i * 7) % 5 + 1}e-300", yes_no)
        ),
        Accepted(
            ("big", "tiny", "label"),
            12,
            ("big", "tiny"),
            "label",
            YES_NO,
            YES_NOTE,
            cells={(2, "big"): 1e300, (3, "tiny"): 3e-300},
        ),
    ),
    Case(
        "values near the largest float (1.1e308)",
        encode("x1,x2,label", rows(12, lambda i: f"{'-' if i % 3 else ''}1.{i:02d}e308", column_x2, yes_no)),
        Accepted(XYL, 12, XY, "label", YES_NO, YES_NOTE, cells={(2, "x1"): 1.0e308}),
    ),
    # Size
    Case(
        "300 columns",
        wide_table_csv(299),
        # the two of 299 noise columns whose class means lie furthest apart on the training rows
        Accepted(WIDE_COLUMNS, 20, ("c0083", "c0138"), "label", ("0", "1"), 'class 1 = "1"'),
    ),
    Case(
        "1,000 columns (too many)",
        wide_table_csv(1000),
        Rejected(TooLargeError, ("1,001 columns", "at most 300")),
    ),
    Case(
        "200,000 rows (subsampled)",
        big_table_csv(200_000),
        Accepted(XYL, 200_000, XY, "label", ("0", "1"), "Used 20,000 of 200,000 rows", n_used=20_000),
    ),
    # Not a CSV at all
    Case(
        "PNG image renamed .csv",
        png_bytes(),
        Rejected(UnreadableFileError, ("a PNG image", "upload the data itself as a CSV file")),
    ),
    Case(
        "JPEG photo renamed .csv",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)),
        Rejected(UnreadableFileError, ("a JPEG image",)),
    ),
    Case(
        "Excel .xlsx renamed .csv",
        XLSX,
        Rejected(UnreadableFileError, ("an Excel workbook (.xlsx)", "Save As", "CSV UTF-8")),
    ),
    Case(
        "zip archive",
        zip_bytes({"data.csv": BASE_CSV}),
        Rejected(UnreadableFileError, ("a ZIP archive", "Extract (unzip) it first")),
    ),
    Case(
        "old Excel .xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        Rejected(UnreadableFileError, ("an old Excel workbook (.xls)", "Save As")),
    ),
    Case(
        "PDF document",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        Rejected(UnreadableFileError, ("a PDF document", "save or download it as CSV")),
    ),
    Case(
        "gzip-compressed CSV",
        gzip.compress(BASE_CSV, mtime=0),
        Rejected(UnreadableFileError, ("gzip-compressed", "Extract")),
    ),
    Case(
        "web page saved instead of the raw file",
        b"\n<!DOCTYPE html>\n<html lang='en'><head><title>data.csv at main</title></head>\n"
        b"<body></body></html>\n",
        Rejected(UnreadableFileError, ("web page (HTML)", '"Raw"')),
    ),
    Case(
        "random binary bytes",
        np.random.default_rng(3).bytes(600),
        Rejected(UnreadableFileError, ("binary data", "not a text table")),
    ),
]


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.id for c in CATALOGUE])
def test_catalogue_case(case: Case) -> None:
    expected = case.expected
    if isinstance(expected, Rejected):
        with pytest.raises(DataError) as caught:
            run_pipeline(case)
        assert type(caught.value) is expected.error, f"{type(caught.value).__name__}: {caught.value}"
        for text in expected.says:
            assert text in str(caught.value), f"{text!r} not in: {caught.value}"
        return

    frame, features, label, dataset = run_pipeline(case)
    assert tuple(frame.columns) == expected.columns
    assert frame.shape == (expected.n_rows, len(expected.columns))
    assert (tuple(features), label) == (expected.features, expected.label)
    assert dataset.feature_names == expected.features and dataset.label_name == expected.label
    assert dataset.class_names == expected.class_names
    assert any(expected.note in note for note in dataset.notes), dataset.notes
    for (row, column), value in expected.cells.items():
        assert frame.loc[row, column] == value, (row, column, frame.loc[row, column])
    if expected.delimiter is not None:
        assert frame.attrs["delimiter"] == expected.delimiter
    assert dataset.n_train + dataset.n_test == (expected.n_used or expected.n_rows)
    # whatever came in, what goes out is safe to train on
    assert np.all(np.isfinite(dataset.X_train)) and np.all(np.isfinite(dataset.X_test))
    assert set(np.unique(dataset.y_train)) == {0.0, 1.0}
    assert np.all(np.isfinite(dataset.mean)) and np.all(dataset.std > 0)


def test_catalogue_is_big_and_ids_are_unique() -> None:
    assert len(CATALOGUE) >= 30
    assert len({c.id for c in CATALOGUE}) == len(CATALOGUE)
    assert sum(isinstance(c.expected, Accepted) for c in CATALOGUE) >= 10
    assert sum(isinstance(c.expected, Rejected) for c in CATALOGUE) >= 10


def test_catalogue_rejects_with_every_kind_of_error() -> None:
    used = {c.expected.error for c in CATALOGUE if isinstance(c.expected, Rejected)}
    every = {
        cls
        for cls in vars(data_module).values()
        if isinstance(cls, type) and issubclass(cls, DataError) and cls is not DataError
    }
    assert every <= used, f"no catalogue case for {sorted(c.__name__ for c in every - used)}"
