"""CSV lead-list import: column mapping, E.164 numbers, a time zone per lead, a report.

The importer reads a CSV stream row by row and returns every lead and every
rejected row (with its line number and the reason); it stores nothing. The
caller stores the leads a chunk at a time (`store.leads.store_leads`). A row with a
NUL character in a cell is rejected naming its column. Each data row ends up in
exactly one place: a lead (`sources` says which lines made it, since rows with
the same number merge into one lead) or `rejected`.

Per row: the number is parsed with the campaign's default region and must be a
valid number; the lead id is the id column or else the E.164 number; the
priority column must be a whole number; the time zone is, in order, the
timezone column (if mapped and filled), the number's zone, the address's zone
(country, and ZIP for the US), the campaign's zone. A later row with the same
number fills the first row's empty custom fields and raises its priority.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from callcenter.campaigns.zones import zone_of_address, zone_of_number
from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.leads import Lead
from callcenter.core.text import unstorable
from callcenter.csv_import import ImportFileError, numbered_rows, read_header, unstorable_cell

Progress = Callable[[int, int], None]
"""Called with (data rows read, bytes read) every `every` rows and at the end."""


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which CSV column holds what. Only `number` is required.

    `fields` maps CSV columns to custom field names; None takes every column
    not mapped to something else, under its header name.
    """

    number: str
    id: str | None = None
    priority: str | None = None
    timezone: str | None = None
    country: str | None = None
    postcode: str | None = None
    fields: Mapping[str, str] | None = None

    def columns(self) -> list[str]:
        """Every column this mapping reads."""
        named = [self.number, self.id, self.priority, self.timezone, self.country, self.postcode]
        return [c for c in named if c] + list(self.fields or ())


def field_specs(specs: list[str]) -> dict[str, str] | None:
    """`ColumnMapping.fields` from `--field`/`field=` specs: `COLUMN` keeps the column's
    name, `NAME=COLUMN` renames it; none given: None (every unmapped column is a field)."""
    if not specs:
        return None
    out: dict[str, str] = {}
    for spec in specs:
        name, _, column = spec.partition("=")
        out[column or name] = name
    return out


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was not imported: its line in the file, the column at fault (None:
    the row as a whole) and why."""

    line: int
    reason: str
    column: str | None = None


@dataclass(slots=True)
class ImportResult:
    """What a file gave: leads (with their source lines), rejected rows, merges."""

    leads: list[Lead] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    sources: dict[str, list[int]] = field(default_factory=dict)
    rows: int = 0

    @property
    def merged(self) -> int:
        """How many rows were merged into an earlier row's lead (same number)."""
        return sum(len(lines) - 1 for lines in self.sources.values())


class _Counted:
    """Lines of a text stream, counting the bytes read (for progress)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.bytes = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._lines:
            self.bytes += len(line.encode("utf-8", "surrogatepass"))
            yield line


class _Reject(Exception):
    """A row's reason for rejection, raised inside the row's parsing, and the column at
    fault (None: the row as a whole)."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.column = column


def import_leads(
    lines: Iterable[str],
    campaign: Campaign,
    mapping: ColumnMapping,
    *,
    progress: Progress | None = None,
    every: int = 1000,
) -> ImportResult:
    """Read a CSV lead list (header row first) into leads and rejected rows.

    `lines` is a text stream opened with `newline=""` (or any iterable of lines).
    Raises `ImportFileError` when the header is missing or lacks a mapped column.
    """
    counted = _Counted(lines)
    reader = csv.reader(counted)
    header = read_header(reader)
    missing = [c for c in mapping.columns() if c not in header]
    if missing:
        raise ImportFileError(f"mapped column {missing[0]!r} is not in the header {header}")
    custom = dict(mapping.fields) if mapping.fields is not None else {
        h: h for h in header if h and h not in mapping.columns()
    }
    state = _State(campaign, mapping, header, custom)
    for line, row in numbered_rows(reader):
        state.result.rows += 1
        try:
            state.take(row, line)
        except _Reject as why:
            state.result.rejected.append(Rejection(line, str(why), why.column))
        if progress is not None and state.result.rows % every == 0:
            progress(state.result.rows, counted.bytes)
    if progress is not None:
        progress(state.result.rows, counted.bytes)
    return state.finish()


class _State:
    """The leads so far, by number and by id, while a file is read."""

    def __init__(
        self, campaign: Campaign, mapping: ColumnMapping, header: list[str],
        custom: dict[str, str],
    ) -> None:
        self.campaign = campaign
        self.mapping = mapping
        self.header = header
        self.index = {h: i for i, h in enumerate(header)}
        self.width = len(header)
        self.custom = custom
        self.result = ImportResult()
        self.by_number: dict[str, Lead] = {}
        self.id_line: dict[str, tuple[int, str]] = {}

    def cell(self, row: list[str], column: str | None) -> str:
        return row[self.index[column]].strip() if column else ""

    def take(self, row: list[str], line: int) -> None:
        bad = unstorable_cell(self.header, row)
        if bad is not None:
            raise _Reject(bad, _nul_column(self.header, row))
        if len(row) != self.width:
            raise _Reject(f"has {len(row)} fields, the header has {self.width}")
        raw = self.cell(row, self.mapping.number)
        if not raw:
            raise _Reject("no phone number", self.mapping.number)
        try:
            number = _parse(raw, self.campaign.default_region)
        except _Reject as exc:
            raise _Reject(str(exc), self.mapping.number) from None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        try:
            priority = _priority(self.cell(row, self.mapping.priority))
        except _Reject as exc:
            raise _Reject(str(exc), self.mapping.priority) from None
        fields = {name: row[self.index[col]].strip() for col, name in self.custom.items()}
        lead_id = self.cell(row, self.mapping.id) or e164
        first = self.by_number.get(e164)
        if first is not None:
            merged = {k: v or fields.get(k, "") for k, v in first.fields.items()}
            self.by_number[e164] = Lead(
                first.id, e164, first.zone, max(first.priority, priority), merged, first.country,
            )
            self.result.sources[first.id].append(line)
            return
        taken = self.id_line.get(lead_id)
        if taken is not None:
            raise _Reject(f"id {lead_id!r} is already used on line {taken[0]} by {taken[1]}",
                          self.mapping.id)
        zone = self.zone(row, number)
        country = phonenumbers.region_code_for_number(number)
        self.by_number[e164] = Lead(lead_id, e164, zone, priority, fields, country or None)
        self.id_line[lead_id] = (line, e164)
        self.result.sources[lead_id] = [line]

    def zone(self, row: list[str], number: phonenumbers.PhoneNumber) -> str:
        explicit = self.cell(row, self.mapping.timezone)
        if explicit:
            try:
                ZoneInfo(explicit)
            except (ZoneInfoNotFoundError, ValueError):
                raise _Reject(f"timezone: unknown time zone {explicit!r}",
                              self.mapping.timezone) from None
            return explicit
        by_number = zone_of_number(number)
        if by_number is not None:
            return by_number
        country = self.cell(row, self.mapping.country)
        if country:
            by_address = zone_of_address(country, self.cell(row, self.mapping.postcode))
            if by_address is not None:
                return by_address
        return self.campaign.timezone

    def finish(self) -> ImportResult:
        self.result.leads = list(self.by_number.values())
        return self.result


def _nul_column(header: list[str], row: list[str]) -> str:
    """The first column whose cell cannot be stored (`unstorable_cell` found one)."""
    i = next(i for i, cell in enumerate(row) if unstorable(cell) is not None)
    return header[i] if i < len(header) else f"#{i + 1}"


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        why = re.sub(r"^\(\d+\) ", "", str(exc)).rstrip(".")
        raise _Reject(f"not a phone number: {raw!r} ({why})") from None
    if not phonenumbers.is_valid_number(number):
        raise _Reject(f"not a valid phone number: {raw!r} (default region {region})")
    return number


def _priority(raw: str) -> int:
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise _Reject(f"priority: not a whole number: {raw!r}") from None
