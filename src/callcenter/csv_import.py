"""Reading an import file (CSV with a header row), shared by the lead and customer
imports: the header checked, then the data rows with their line numbers.

    reader = csv.reader(utf8_lines(binary))   # or a text stream opened with newline=""
    header = read_header(reader)
    for line, row in numbered_rows(reader):   # blank lines skipped
        why = unstorable_cell(header, row)    # a NUL in a cell: the row is rejected
        ...

A row may span several lines (a quoted newline); its number is the line it starts on.
A file is read line by line, never whole: `utf8_lines` decodes each line of a binary
stream (an uploaded file spooled to disk), naming the line that is not UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from callcenter.core.text import unstorable


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (no header, a column named twice, a mapped
    column missing, unreadable CSV)."""


def read_header(reader: Any) -> list[str]:
    """The header row of `reader` (a `csv.reader`), trimmed and without a byte-order
    mark; `ImportFileError` when there is none, a column appears twice or a column name
    cannot be stored (a NUL character)."""
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ImportFileError("the file has no header row")
    header = [h.strip() for h in header]
    header[0] = header[0].lstrip("\ufeff")
    for name in header:
        why = unstorable(name)
        if why is not None:
            raise ImportFileError(f"line 1: the header's column {name!r} {why}")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ImportFileError(f"column {dup!r} appears twice in the header")
    return header


def numbered_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The data rows after the header, each with the line it starts on; blank lines are
    skipped; unreadable CSV is an `ImportFileError` naming the line."""
    last_line: int = reader.line_num
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise ImportFileError(f"line {last_line + 1}: unreadable CSV: {exc}") from None
        if row is None:
            return
        line, last_line = last_line + 1, reader.line_num
        if row:
            yield line, row


def utf8_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """The lines of a binary stream as text; `ImportFileError` naming the first line that
    is not UTF-8 (an encoded surrogate is not UTF-8 either)."""
    for number, raw in enumerate(lines, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"line {number}: not UTF-8 text (byte 0x{raw[exc.start]:02x}"
                                  f" at column {exc.start + 1})") from None


def unstorable_cell(header: list[str], row: list[str]) -> str | None:
    """Why a row cannot be stored (a cell with a NUL character), naming the column; None
    when every cell can be."""
    for i, cell in enumerate(row):
        why = unstorable(cell)
        if why is not None:
            column = header[i] if i < len(header) else f"#{i + 1}"
            return f"column {column!r}: {why}"
    return None
