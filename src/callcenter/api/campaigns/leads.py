"""Leads of a campaign (`/api/campaigns/{name}/leads`): import a CSV list, list leads.

The import takes the CSV as the request body (`Content-Type: text/csv`) or as the
`file` part of a `multipart/form-data` body, and the column mapping as query
parameters. It is all or nothing: one rejected row stores nothing, and the 422 lists
every rejected row (`rejected`: line and reason). Leads whose number or id is already
in the campaign are skipped and listed (`skipped`).
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, csv_text, in_transaction, record
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.edge import upload
from callcenter.api.errors import FieldError, InvalidBody, InvalidField
from callcenter.campaigns.importer import ColumnMapping, import_leads
from callcenter.core.dialer.leads import LeadState
from callcenter.csv_import import ImportFileError
from callcenter.store.campaigns import campaign_of, campaign_row, search_leads
from callcenter.store.leads import add_leads
from callcenter.store.models import LeadRow

router = APIRouter(prefix="/api/campaigns")
MAX_BYTES = 50 * 1024 * 1024
"""The largest lead list the API takes in one request (the CLI has no limit)."""
Column = Annotated[str | None, Query(max_length=100)]


class Row(BaseModel):
    """A row of the file that was not stored: its line and why."""

    line: int
    reason: str


class ImportReport(BaseModel):
    """What an import stored."""

    rows: int
    leads: int
    merged: int
    stored: int
    skipped: list[Row]


class ImportRefused(InvalidBody):
    """Rows were rejected, so nothing was stored."""

    rejected: list[Row]


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


def _fields(specs: list[str]) -> dict[str, str] | None:
    if not specs:
        return None
    out: dict[str, str] = {}
    for spec in specs:
        name, _, column = spec.partition("=")
        out[column or name] = name
    return out


@router.post("/{name}/leads", response_model=ImportReport,
             responses={422: {"model": ImportRefused}})
@upload
async def import_campaign_leads(
    name: str, request: Request, server: ServerDep, user: Admin,
    number: Annotated[str, Query(min_length=1, max_length=100)] = "number",
    id: Column = None, priority: Column = None, timezone: Column = None,
    country: Column = None, postcode: Column = None,
    field: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006  # FastAPI's way
) -> ImportReport | JSONResponse:
    """Import a CSV lead list (body `text/csv`, or multipart with a `file` part); the
    mapping names the columns (`field` repeats: `COLUMN` or `NAME=COLUMN`)."""
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise InvalidField("body", f"body: larger than {MAX_BYTES} bytes")
    text = csv_text(body, request.headers.get("content-type", ""), "lead list")
    mapping = ColumnMapping(number=number, id=id, priority=priority, timezone=timezone,
                            country=country, postcode=postcode, fields=_fields(field))

    def work(session: Session) -> ImportReport | JSONResponse:
        campaign = campaign_of(campaign_row(session, name))
        try:
            result = import_leads(io.StringIO(text, newline=""), campaign, mapping)
        except ImportFileError as exc:
            raise InvalidField("body", f"body: {exc}") from None
        if result.rejected:
            rows = [Row(line=r.line, reason=r.reason) for r in result.rejected]
            refused = ImportRefused(
                detail=f"{len(rows)} rows rejected, nothing imported",
                errors=[FieldError(field="body", message=f"line {r.line}: {r.reason}")
                        for r in rows], rejected=rows)
            return JSONResponse(refused.model_dump(), status_code=422)
        stored = add_leads(session, name, result.leads)
        skipped = [Row(line=result.sources.get(lead.id, [0])[0], reason=why)
                   for lead, why in stored.present]
        report = ImportReport(rows=result.rows, leads=len(result.leads), merged=result.merged,
                              stored=stored.added, skipped=skipped)
        record(session, user, "import_leads", "campaign", name,
               after=report.model_dump(exclude={"skipped"}))
        return report
    return await in_transaction(server, work)


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

