"""Reading an import file (CSV with a header row), shared by the lead and customer
imports: the header checked, then the data rows with their line numbers.

    reader = csv.reader(stream)               # opened with newline=""
    header = read_header(reader)
    for line, row in numbered_rows(reader):   # blank lines skipped
        ...

A row may span several lines (a quoted newline); its number is the line it starts on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (no header, a column named twice, a mapped
    column missing, unreadable CSV)."""


def read_header(reader: Any) -> list[str]:
    """The header row of `reader` (a `csv.reader`), trimmed and without a byte-order
    mark; `ImportFileError` when there is none or a column appears twice."""
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ImportFileError("the file has no header row")
    header = [h.strip() for h in header]
    header[0] = header[0].lstrip("\ufeff")
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
