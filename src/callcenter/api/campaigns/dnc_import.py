"""Do-not-call imports from a CSV of numbers: into the global list
(`POST /api/dnc/import`), a campaign's list (`POST /api/campaigns/{name}/dnc/import`), or
a national list (`PUT /api/dnc/national/{list}`: the import replaces the list of that
name); `GET /api/dnc/national` lists the national lists. Admins import; staff read.

The CSV is the request body (`text/csv`, or the `file` part of a multipart body),
streamed to a spool file (`api.uploads`) like the lead lists; `column` names the column
of the numbers (E.164). The whole file is checked first: one rejected row stores nothing,
and the 422 lists every rejected row (`rejected`: line, column, reason). A change reaches
the running dialer once it is stored.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, in_transaction, record
from callcenter.api.campaigns.leads import ImportRefused, ImportRow
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.edge import upload
from callcenter.api.errors import FieldError, InvalidField
from callcenter.api.state import Server
from callcenter.api.uploads import spool_csv
from callcenter.core.dialer.campaign import E164
from callcenter.core.text import unstorable
from callcenter.csv_import import (
    ImportFileError,
    numbered_rows,
    read_header,
    unstorable_cell,
    utf8_lines,
)
from callcenter.store.campaigns import (
    add_dnc_numbers,
    campaign_row,
    dnc_list_name,
    national_lists,
)
from callcenter.store.leads import import_national_dnc

campaign_router = APIRouter(prefix="/api/campaigns")
global_router = APIRouter(prefix="/api/dnc")
ColumnQuery = Annotated[str, Query(min_length=1, max_length=100,
                                   description="the column of the numbers (E.164)")]
_REFUSED: dict[int | str, dict[str, Any]] = {422: {"model": ImportRefused}}


class DncImported(BaseModel):
    """What an import into the global or a campaign's list stored."""

    list: str
    rows: int
    added: int
    present: int
    """Numbers already on the list (or twice in the file)."""


class NationalList(BaseModel):
    """A national do-not-call list and its size."""

    name: str
    numbers: int


@dataclass(frozen=True, slots=True)
class _Read:
    rows: int
    numbers: list[str]
    rejected: list[ImportRow]


def read_numbers(lines: Iterable[str], column: str) -> _Read:
    """The numbers of a CSV (header first) and its rejected rows; `ImportFileError` when
    the file has no header or lacks `column`."""
    reader = csv.reader(lines)
    header = read_header(reader)
    if column not in header:
        raise ImportFileError(f"column {column!r} is not in the header {header}")
    at = header.index(column)
    rows, numbers, rejected = 0, [], []
    for line, row in numbered_rows(reader):
        rows += 1
        bad = unstorable_cell(header, row)
        number = row[at].strip() if at < len(row) else ""
        if bad is not None:
            at_fault = next(i for i, cell in enumerate(row) if unstorable(cell) is not None)
            rejected.append(ImportRow(line=line, reason=bad, column=header[at_fault]
                                if at_fault < len(header) else None))
        elif not number:
            rejected.append(ImportRow(line=line, column=column, reason="no number"))
        elif not E164.match(number):
            rejected.append(ImportRow(line=line, column=column,
                                reason=f"not an E.164 number: {number!r}"))
        else:
            numbers.append(number)
    return _Read(rows, numbers, rejected)


def _read(spooled: IO[bytes], column: str) -> _Read:
    with spooled:
        try:
            return read_numbers(utf8_lines(spooled), column)
        except ImportFileError as exc:
            raise InvalidField("body", f"body: {exc}") from None


def _refused(rejected: list[ImportRow]) -> JSONResponse:
    body = ImportRefused(
        detail=f"{len(rejected)} rows rejected, nothing imported",
        errors=[FieldError(field="body", message=f"line {r.line}: {r.reason}")
                for r in rejected], rejected=rejected)
    return JSONResponse(body.model_dump(), status_code=422)


async def _import(request: Request, server: Server, user: Admin, column: str,
                  campaign: str | None) -> DncImported | JSONResponse:
    if campaign is not None:
        await in_transaction(server, lambda s: campaign_row(s, campaign))
    spooled = await spool_csv(request, "do-not-call list")
    read = await asyncio.to_thread(_read, spooled, column)
    if read.rejected:
        return _refused(read.rejected)
    name = dnc_list_name(campaign)

    def work(session: Session) -> tuple[DncImported, list[str]]:
        if campaign is not None:
            campaign_row(session, campaign)
        added = add_dnc_numbers(session, read.numbers, campaign)
        out = DncImported(list=name, rows=read.rows, added=len(added),
                          present=read.rows - len(added))
        record(session, user, "import", "dnc", name, after=out.model_dump())
        return out, added
    out, added = await in_transaction(server, work)
    dialer = server.runtime.dialer
    if dialer is not None:
        for number in added:
            dialer.block(number, campaign)
    return out


@global_router.post("/import", response_model=DncImported, responses=_REFUSED)
@upload
async def import_global_dnc(request: Request, server: ServerDep, user: Admin,
                            column: ColumnQuery = "number") -> DncImported | JSONResponse:
    """Add the numbers of a CSV to the global list (those on it already stay)."""
    return await _import(request, server, user, column, None)


@campaign_router.post("/{name}/dnc/import", response_model=DncImported, responses=_REFUSED)
@upload
async def import_campaign_dnc(name: str, request: Request, server: ServerDep, user: Admin,
                              column: ColumnQuery = "number") -> DncImported | JSONResponse:
    """Add the numbers of a CSV to the campaign's own list."""
    return await _import(request, server, user, column, name)


@global_router.get("/national", response_model=list[NationalList])
async def list_national_dnc(server: ServerDep, _user: Staff) -> list[NationalList]:
    """The imported national do-not-call lists, by name, with their sizes."""
    lists = await in_transaction(server, national_lists)
    return [NationalList(name=n, numbers=c) for n, c in lists]


@global_router.put("/national/{list_name}", response_model=NationalList, responses=_REFUSED)
@upload
async def import_national(
    request: Request, server: ServerDep, user: Admin,
    list_name: Annotated[str, Path(min_length=1, max_length=100,
                                   pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")],
    column: ColumnQuery = "number",
) -> NationalList | JSONResponse:
    """Replace national list `list_name` (a country's register) with the numbers of a
    CSV; it blocks every campaign."""
    spooled = await spool_csv(request, "national do-not-call list")
    read = await asyncio.to_thread(_read, spooled, column)
    if read.rejected:
        return _refused(read.rejected)
    numbers = sorted(set(read.numbers))

    def work(session: Session) -> NationalList:
        size = import_national_dnc(session, list_name, numbers)
        record(session, user, "import", "dnc", f"national:{list_name}",
               after={"rows": read.rows, "numbers": size})
        return NationalList(name=list_name, numbers=size)
    out = await in_transaction(server, work)
    dialer = server.runtime.dialer
    if dialer is not None:
        dialer.national(list_name, numbers)
    return out
