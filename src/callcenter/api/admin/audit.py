"""The audit log, read (`/api/admin/audit`, admins only): who changed what, when.

Filters: `actor` (the username that made the change), `entity` (user, team, skill,
disposition, calendar, queue, agent, customer, interaction, ...) and `entity_id`,
`since` (at or after) and `until` (before), each only when given; entries come newest
first, `limit` of them from `offset`, with the number matching in all (`total`).
`?format=csv` gives the same entries as `text/csv` (one header row; `before` and `after`
as JSON; a cell that a spreadsheet would read as a formula gets a leading apostrophe)
and takes a `limit` of up to 10 000 where a JSON page takes up to 1 000.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, in_transaction
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField
from callcenter.api.routes_reports import Format
from callcenter.store.audit import search_audit

router = APIRouter()  # included by callcenter.api.admin under /api/admin

MAX_PAGE = 1000
"""The most entries of one JSON page."""
MAX_EXPORT = 10_000
"""The most entries of one CSV export."""
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


class AuditEntry(BaseModel):
    """One change: when, by whom (null: the system), what, and the entity's JSON
    snapshots before and after it (null: it did not exist / no longer exists)."""

    id: int
    at: datetime
    actor: str | None
    action: str
    entity: str
    entity_id: str
    before: Any = None
    after: Any = None


class AuditPageView(BaseModel):
    """One page of entries, newest first, and how many match the filters in all."""

    items: list[AuditEntry]
    total: int
    offset: int
    limit: int


def _aware(moment: datetime | None) -> datetime | None:
    """`moment`, in UTC when it has no zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(entries: list[AuditEntry]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(AuditEntry.model_fields))
    for e in entries:
        writer.writerow([str(e.id), e.at.isoformat(), _cell(e.actor), _cell(e.action),
                         _cell(e.entity), _cell(e.entity_id), _cell(e.before), _cell(e.after)])
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The entries (CSV with ?format=csv)"}}


@router.get("/audit", response_model=AuditPageView, responses=_CSV)
async def read_audit(
    server: ServerDep, _user: Admin,
    actor: Annotated[str | None, Query(min_length=1, max_length=100,
                                       description="Made by this username")] = None,
    entity: Annotated[str | None, Query(min_length=1, max_length=50,
                                        description="About this kind of entity (user, team, "
                                                    "queue, ...)")] = None,
    entity_id: Annotated[str | None, Query(min_length=1, max_length=200,
                                           description="About the entity with this id")] = None,
    since: Annotated[datetime | None, Query(description="At or after (ISO 8601; UTC when "
                                            "no zone is given)")] = None,
    until: Annotated[datetime | None, Query(description="Before")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_EXPORT,
                                description=f"Up to {MAX_PAGE} ({MAX_EXPORT} with "
                                            f"format=csv)")] = 50,
    format: Annotated[Format, Query(description="json (default) or csv")] = Format.JSON,
) -> AuditPageView | Response:
    """Audit entries, newest first, filtered by actor, entity, entity id and time."""
    since, until = _aware(since), _aware(until)
    if format is Format.JSON and limit > MAX_PAGE:
        raise InvalidField("limit", f"limit: at most {MAX_PAGE} entries a page "
                                    f"({MAX_EXPORT} with format=csv)")
    if since is not None and until is not None and until <= since:
        raise InvalidField("until", "until: must be later than since")

    def work(session: Session) -> AuditPageView:
        page = search_audit(session, actor=actor, entity=entity, entity_id=entity_id,
                            since=since, until=until, offset=offset, limit=limit)
        return AuditPageView(items=[AuditEntry.model_validate(r, from_attributes=True)
                                    for r in page.items],
                             total=page.total, offset=offset, limit=limit)

    view = await in_transaction(server, work)
    return _csv(view.items) if format is Format.CSV else view
