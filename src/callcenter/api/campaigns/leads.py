"""Leads of a campaign (`/api/campaigns/{name}/leads`): import a CSV list, list leads.

The import takes the CSV as the request body (`Content-Type: text/csv`) or as the
`file` part of a `multipart/form-data` body, and the column mapping as query
parameters. The body is streamed to a spool file (`api.uploads`), never held whole.
The whole file is checked before anything is stored: one rejected row stores nothing,
and the 422 lists every rejected row (`rejected`: line and reason). Then the leads are
stored in chunks of `import_chunk`, each its own transaction, so the engine's writes
never wait long for the database. Leads whose number or id is already in the campaign
are skipped and listed (`skipped`). Should a chunk fail (the database), the chunks
before it stay stored: the 503 says how many leads and up to which line; importing
the same file again stores the rest, since stored leads are skipped. A running
campaign may dial the stored leads meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, in_transaction, record
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.edge import upload
from callcenter.api.errors import FieldError, InvalidBody, InvalidField, logged
from callcenter.api.uploads import spool_csv
from callcenter.campaigns.importer import ColumnMapping, ImportResult, field_specs, import_leads
from callcenter.core.dialer.leads import LeadState
from callcenter.csv_import import ImportFileError, utf8_lines
from callcenter.store.campaigns import campaign_of, campaign_row, search_leads
from callcenter.store.chunks import PartlyStored
from callcenter.store.leads import store_leads
from callcenter.store.models import LeadRow

router = APIRouter(prefix="/api/campaigns")
Column = Annotated[str | None, Query(max_length=100)]


class ImportRow(BaseModel):
    """A row of the file that was not stored: its line, the column at fault (null: the
    row as a whole) and why."""

    line: int
    column: str | None = None
    reason: str


class ImportReport(BaseModel):
    """What an import stored."""

    rows: int
    leads: int
    merged: int
    stored: int
    skipped: list[ImportRow]


class ImportRefused(InvalidBody):
    """Rows were rejected, so nothing was stored."""

    rejected: list[ImportRow]


class ImportInterrupted(BaseModel):
    """A chunk of the import failed: the leads before it are stored, the rest are not."""

    detail: str
    stored: int
    """Leads stored: the first ones of the file, in the order their number first appears."""
    last_stored_line: int
    """The line where the last stored lead first appears (0: none stored)."""
    error_id: str


class LeadView(BaseModel):
    """A lead as stored."""

    lead_id: str
    number: str
    zone: str
    priority: int
    fields: dict[str, str]
    country: str | None
    state: str
    result: str | None
    due: float
    attempts: int
    last_outcome: str | None
    last_attempt_at: float | None
    callback_at: float | None
    callback_agent: str | None


class LeadPage(BaseModel):
    """One page of leads."""

    items: list[LeadView]
    total: int
    offset: int
    limit: int


@router.post("/{name}/leads", response_model=ImportReport,
             responses={422: {"model": ImportRefused}, 503: {"model": ImportInterrupted}})
@upload
async def import_campaign_leads(
    name: str, request: Request, server: ServerDep, user: Admin,
    number: Annotated[str, Query(min_length=1, max_length=100)] = "number",
    id: Column = None, priority: Column = None, timezone: Column = None,
    country: Column = None, postcode: Column = None,
    field: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006  # FastAPI's way
) -> ImportReport | JSONResponse:
    """Import a CSV lead list (body `text/csv`, or multipart with a `file` part); the
    mapping names the columns (`field` repeats: `COLUMN` or `NAME=COLUMN`). The whole
    file is checked first; then the leads are stored in chunks of their own transactions."""
    mapping = ColumnMapping(number=number, id=id, priority=priority, timezone=timezone,
                            country=country, postcode=postcode, fields=field_specs(field))
    spooled = await spool_csv(request, "lead list")
    settings = server.settings

    def work() -> ImportReport | JSONResponse:
        with spooled:
            with server.sessions.begin() as session:
                campaign = campaign_of(campaign_row(session, name))
            try:
                result = import_leads(utf8_lines(spooled), campaign, mapping)
            except ImportFileError as exc:
                raise InvalidField("body", f"body: {exc}") from None
        if result.rejected:
            rows = [ImportRow(line=r.line, column=r.column, reason=r.reason)
                    for r in result.rejected]
            refused = ImportRefused(
                detail=f"{len(rows)} rows rejected, nothing imported",
                errors=[FieldError(field="body", message=f"line {r.line}: {r.reason}")
                        for r in rows], rejected=rows)
            return JSONResponse(refused.model_dump(), status_code=422)
        try:
            stored = store_leads(server.sessions, name, result.leads,
                                 chunk=settings.import_chunk, pause=settings.import_pause)
        except PartlyStored as exc:
            return _interrupted(exc, result)
        skipped = [ImportRow(line=result.sources.get(lead.id, [0])[0], reason=why)
                   for lead, why in stored.present]
        report = ImportReport(rows=result.rows, leads=len(result.leads), merged=result.merged,
                              stored=stored.added, skipped=skipped)
        with server.sessions.begin() as session:
            record(session, user, "import_leads", "campaign", name,
                   after=report.model_dump(exclude={"skipped"}))
        return report
    return await asyncio.to_thread(work)


def _interrupted(exc: PartlyStored, result: ImportResult) -> JSONResponse:
    """The answer when a chunk failed: which leads are stored (those before it)."""
    error_id = logged(exc, "a lead import stopped")
    done = exc.stored
    last = result.sources[result.leads[done - 1].id][0] if done else 0
    body = ImportInterrupted(
        detail=f"the import stopped after {done} of {len(result.leads)} leads were stored "
               f"(the database failed): the leads first seen on lines up to {last} are "
               f"stored, the rest are not; importing the same file again stores the rest "
               f"(the stored leads are skipped)",
        stored=done, last_stored_line=last, error_id=error_id)
    return JSONResponse(body.model_dump(), status_code=503)


def _lead(row: LeadRow) -> LeadView:
    return LeadView(lead_id=row.lead_id, number=row.number, zone=row.zone,
                    priority=row.priority, fields=row.fields, country=row.country,
                    state=row.state, result=row.result, due=row.due, attempts=row.attempts,
                    last_outcome=row.last_outcome, last_attempt_at=row.last_attempt_at,
                    callback_at=row.callback_at, callback_agent=row.callback_agent)


@router.get("/{name}/leads", response_model=LeadPage)
async def list_campaign_leads(
    name: str, server: ServerDep, _user: Staff,
    state: LeadState | None = None,
    number: Annotated[str | None, Query(max_length=20)] = None,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> LeadPage:
    """A campaign's leads by id, filtered by `state` and `number` (E.164), paged."""
    def work(session: Session) -> LeadPage:
        page = search_leads(session, name, state=None if state is None else state.value,
                            number=number, offset=offset, limit=limit)
        return LeadPage(items=[_lead(r) for r in page.items], total=page.total,
                        offset=offset, limit=limit)
    return await in_transaction(server, work)

