"""CSV import of customers: a column mapping, E.164 numbers, a report of every rejected row.

    result = import_customers(io.StringIO(text, newline=""), CustomerColumns(), "DE")
    result.customers    # [(line, Customer), ...]
    result.rejected     # [Rejection(line, reason), ...]

The importer reads the file and stores nothing: the caller stores `customers` only when
`rejected` is empty (`store.customers.store_customers`, in chunks of their own
transactions).

The mapping names the CSV column of each value; a value left unmapped is read from the
column of its own name when the header has one (`name`, `number`, `account`, `segment`,
`language`, `priority`, `notes`). A number column may hold several numbers separated by
`;`, and several columns may hold numbers. `fields` maps columns to custom field names;
None takes every column not used otherwise, under its header name.

A row is rejected (with its line) when a cell holds a NUL character (naming the column),
it has another number of cells than the header,
no name, a number that is no valid phone number of the default region or that an earlier
row already has, an account an earlier row already has, a priority that is no whole
number, or a value `Customer` refuses.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from callcenter.core.customers import Customer, InvalidCustomer, check_region, normalize_number
from callcenter.csv_import import ImportFileError, numbered_rows, read_header, unstorable_cell

_VALUES = ("name", "account", "segment", "language", "priority", "notes")


@dataclass(frozen=True, slots=True)
class CustomerColumns:
    """Which CSV column holds what (see the module's docstring for the defaults)."""

    name: str | None = None
    numbers: Sequence[str] = ()
    account: str | None = None
    segment: str | None = None
    language: str | None = None
    priority: str | None = None
    notes: str | None = None
    fields: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was not imported: its line in the file and why."""

    line: int
    reason: str


@dataclass(slots=True)
class CustomerImport:
    """What a file gave: customers with their lines, and the rejected rows."""

    customers: list[tuple[int, Customer]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    rows: int = 0


class _Reject(Exception):
    """A row's reason for rejection."""


class _Reader:
    def __init__(self, header: list[str], columns: CustomerColumns, region: str) -> None:
        self.header = header
        self.index = {h: i for i, h in enumerate(header)}
        self.width = len(header)
        self.region = region
        named: dict[str, str | None] = {v: getattr(columns, v) for v in _VALUES}
        missing = [c for c in [*named.values(), *columns.numbers, *(columns.fields or ())]
                   if c is not None and c not in self.index]
        if missing:
            raise ImportFileError(f"mapped column {missing[0]!r} is not in the header {header}")
        self.columns = {v: c if c is not None else v if v in self.index else None
                        for v, c in named.items()}
        if self.columns["name"] is None:
            raise ImportFileError(f"no name column: map one (the header is {header})")
        self.numbers = list(columns.numbers) or (["number"] if "number" in self.index else [])
        used = {c for c in [*self.columns.values(), *self.numbers] if c is not None}
        self.custom = dict(columns.fields) if columns.fields is not None else {
            h: h for h in header if h and h not in used}
        self.number_line: dict[str, int] = {}
        self.account_line: dict[str, int] = {}

    def cell(self, row: list[str], value: str) -> str:
        column = self.columns[value]
        return row[self.index[column]].strip() if column is not None else ""

    def customer(self, row: list[str], line: int) -> Customer:
        bad = unstorable_cell(self.header, row)
        if bad is not None:
            raise _Reject(bad)
        if len(row) != self.width:
            raise _Reject(f"has {len(row)} fields, the header has {self.width}")
        name = self.cell(row, "name")
        if not name:
            raise _Reject("name: empty")
        numbers: list[str] = []
        for column in self.numbers:
            for raw in row[self.index[column]].split(";"):
                if not raw.strip():
                    continue
                try:
                    number = normalize_number(raw, self.region)
                except ValueError as exc:
                    raise _Reject(f"{column}: {exc}") from None
                earlier = self.number_line.get(number)
                if earlier is not None:
                    raise _Reject(f"{column}: {number} is already on line {earlier}")
                if number not in numbers:
                    numbers.append(number)
        raw_priority = self.cell(row, "priority")
        try:
            priority = int(raw_priority) if raw_priority else 0
        except ValueError:
            raise _Reject(f"priority: not a whole number: {raw_priority!r}") from None
        account = self.cell(row, "account") or None
        if account is not None and account in self.account_line:
            raise _Reject(f"account: {account!r} is already on line "
                          f"{self.account_line[account]}")
        try:
            c = Customer(name, tuple(numbers), account, self.cell(row, "segment"),
                         self.cell(row, "language") or None, priority, self.cell(row, "notes"),
                         {name_: row[self.index[col]].strip()
                          for col, name_ in self.custom.items()})
        except InvalidCustomer as exc:
            raise _Reject(str(exc)) from None
        for number in numbers:
            self.number_line[number] = line
        if account is not None:
            self.account_line[account] = line
        return c


def import_customers(lines: Iterable[str], columns: CustomerColumns,
                     region: str) -> CustomerImport:
    """Read a CSV customer list (header row first) into customers and rejected rows.

    `lines` is a text stream opened with `newline=""` (or any iterable of lines); numbers
    without a country code are `region`'s. Raises `ImportFileError` when the header is
    missing, names a column twice, or lacks a mapped column."""
    check_region(region)
    reader = csv.reader(lines)
    header = read_header(reader)
    state = _Reader(header, columns, region)
    result = CustomerImport()
    for line, row in numbered_rows(reader):
        result.rows += 1
        try:
            result.customers.append((line, state.customer(row, line)))
        except _Reject as why:
            result.rejected.append(Rejection(line, str(why)))
    return result
