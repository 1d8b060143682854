"""read_csv: from bytes to a DataFrame, rejecting what is not a text table (images, workbooks, archives …).

Detects the encoding and the delimiter; frame.py turns the records into columns.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .errors import EmptyFileError, TooLargeError, UnclosedQuoteError, UnreadableFileError
from .frame import _build_frame

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


# What a class needs, and what one upload may cost the shared server: parsing is ~1 s of CPU per million cells
# (a 200,001-column file took 2 minutes and 1.6 GB before these limits). Training samples MAX_ROWS (20,000)
# rows anyway. Checked from the header and the line count before the whole file is parsed.
MAX_COLUMNS = 300
MAX_FILE_ROWS = 250_000
MAX_CELLS = 1_500_000
_LIMIT_ADVICE = ("Keep the columns you need (the label and a few features) and, for a very long table, a sample "
                 "of its rows, then upload that file.")

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

    delimiter, text = _delimiter(text)
    _check_size(text, delimiter)
    records = _read_records(text, delimiter)
    frame = _build_frame(records, delimiter, notes)
    frame.attrs["notes"] = notes
    frame.attrs["delimiter"] = delimiter
    frame.attrs["encoding"] = encoding
    return frame


def _delimiter(text: str) -> tuple[str, str]:
    """(delimiter, text without Excel's "sep=;" first line): that line's choice, else the sniffed one."""
    sep_line = _SEP_LINE.match(text)
    if sep_line and sep_line.group(1) not in '\r\n"':
        return sep_line.group(1), text[sep_line.end() :]
    return _choose_delimiter(text), text


def _unreadable(row: int, exc: csv.Error) -> UnreadableFileError:
    return UnreadableFileError(
        f"Could not read row {row} as part of a table ({exc}). This usually means the file "
        'is not a CSV file, or a quote mark (") opens a value that never closes. ' + _SAVE_AS_CSV
    )


def _too_large(what: str) -> TooLargeError:
    return TooLargeError(f"This file is too large for the app: {what}. {_LIMIT_ADVICE}")


def _check_size(text: str, delimiter: str) -> None:
    """Refuse a table beyond MAX_COLUMNS, MAX_FILE_ROWS or MAX_CELLS from its first record and its line count,
    before the whole file is parsed (both cost a scan in C, not a parse)."""
    breaks = text.count("\n") or text.count("\r")
    lines = breaks + (not text.endswith(("\n", "\r")))  # the spreadsheet's rows, the header included
    if lines > MAX_FILE_ROWS:
        raise _too_large(f"it has about {lines:,} rows, and at most {MAX_FILE_ROWS:,} can be read")
    start = len(text) - len(text.lstrip())
    head = text[start : start + 1_000_000]  # a header past 1 MB is far too wide anyway
    try:
        first = next(_records(head, delimiter), [])
    except csv.Error as exc:  # e.g. a first value longer than csv's field limit (128 KiB): no table's header
        raise _unreadable(1, exc) from None
    if len(first) > MAX_COLUMNS:
        at_least = "at least " if len(head) < len(text) - start and "\n" not in head and "\r" not in head else ""
        raise _too_large(f"its first row has {at_least}{len(first):,} columns, and at most {MAX_COLUMNS:,} can be read")
    if len(first) * lines > MAX_CELLS:
        raise _too_large(f"it has about {lines:,} rows × {len(first):,} columns = {len(first) * lines:,} values, "
                         f"and at most {MAX_CELLS:,} can be read")


def _read_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every record as (spreadsheet row number, cells); a file that csv cannot split is an UnreadableFileError.
    A row wider than MAX_COLUMNS, or more than MAX_CELLS in all, stops the reading at once (TooLargeError)."""
    records: list[tuple[int, list[str]]] = []
    reader = _records(text, delimiter)
    cells = 0
    try:
        for row_number, fields in enumerate(reader, start=1):
            cells += len(fields)
            if len(fields) > MAX_COLUMNS or cells > MAX_CELLS:
                raise _too_large(f"row {row_number} has {len(fields):,} values, and at most {MAX_COLUMNS:,} columns "
                                 f"can be read" if len(fields) > MAX_COLUMNS else
                                 f"it has more than {MAX_CELLS:,} values, and no more can be read")
            records.append((row_number, fields))
    except csv.Error as exc:
        raise _unreadable(len(records) + 1, exc) from None

    last_cell = records[-1][1][-1] if records and records[-1][1] else ""
    if ("\n" in last_cell or "\r" in last_cell) and text.count('"') % 2:
        raise UnclosedQuoteError(
            f'In row {records[-1][0]} a quote mark (") opens a value that never closes, so everything after '
            "it was read as one value. Remove the stray quote mark or add the closing one, then upload again."
        )
    return records
