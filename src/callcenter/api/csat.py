"""The post-call satisfaction report (`GET /api/reports/csat`): CSAT, mean rating and
response rate per queue, agent or day, from the stored survey rows.

A survey counts in the range by when it was offered (the agent hung up). The figures
are `callcenter.core.csat`'s (metrics.md, "Satisfaction (CSAT)"). Days are 24-hour
steps from `since` (pass a local midnight for local days), every day of the range
listed. Supervisors and admins; a supervisor sees only its agents' surveys.
`?format=csv` gives `text/csv` with one header row.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from callcenter.api.deps import ServerDep, Staff, in_scope, out_of_scope, scope_of
from callcenter.api.errors import InvalidField, errors
from callcenter.api.routes_reports import Format, FormatQ, Since, Until
from callcenter.api.state import Server
from callcenter.store.csat import DAY, csat_report, survey_rows

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=errors(401, 403))

MAX_DAYS = 366
"""The longest range one report may span."""


class Group(StrEnum):
    """What the report's rows are."""

    QUEUE = "queue"
    AGENT = "agent"
    DAY = "day"


class CsatRow(BaseModel):
    """The surveys of one queue, agent or day."""

    group: Group
    key: str = Field(description="the queue or agent id (\"\": no agent), or the day's "
                                 "start in Unix seconds")
    start: float = Field(description="the day's start (Unix seconds); else the report's")
    offered: int = Field(description="surveys started (the agent hung up, the caller stayed)")
    answered: int = Field(description="surveys with a rating 1-5")
    satisfied: int = Field(description="ratings 4 or 5")
    csat: float | None = Field(description="satisfied / answered")
    mean: float | None = Field(description="mean rating of the answered")
    response_rate: float | None = Field(description="answered / offered")
    rating_1: int
    rating_2: int
    rating_3: int
    rating_4: int
    rating_5: int
    comments: int = Field(description="voice comments recorded")


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _report(server: Server, lo: float, hi: float, group: Group, queue: str | None,
            agents: frozenset[str] | None) -> list[CsatRow]:
    with server.sessions() as session:
        rows = survey_rows(session, lo, hi, queue=queue, agents=agents)
    out = []
    for g in csat_report(rows, group.value, lo, hi):
        f = g.figures
        out.append(CsatRow(group=group, key=g.key, start=g.start, offered=f.offered,
                           answered=f.answered, satisfied=f.satisfied, csat=f.csat,
                           mean=f.mean, response_rate=f.response_rate,
                           rating_1=f.counts[0], rating_2=f.counts[1], rating_3=f.counts[2],
                           rating_4=f.counts[3], rating_5=f.counts[4], comments=f.comments))
    return out


def _csv(rows: list[CsatRow]) -> Response:
    names = list(CsatRow.model_fields)
    lines = [",".join(names)]
    for r in rows:
        values = r.model_dump(mode="json")
        lines.append(",".join("" if values[n] is None else str(values[n]) for n in names))
    return Response("\n".join(lines) + "\n", media_type="text/csv")


@router.get("/csat", response_model=list[CsatRow],
            responses={200: {"content": {"text/csv": {}},
                             "description": "The report (CSV with ?format=csv)"}})
async def csat_report_route(
        server: ServerDep, user: Staff, since: Since, until: Until,
        group: Annotated[Group, Query(description="queue (default), agent or day")]
        = Group.QUEUE,
        queue: Annotated[str | None, Query(max_length=100)] = None,
        agent: Annotated[str | None, Query(max_length=100)] = None,
        format: FormatQ = Format.JSON) -> list[CsatRow] | Response:
    """Post-call satisfaction per queue, agent or day: surveys offered and answered,
    CSAT (share of 4-5 among answered), mean rating, response rate, counts per rating
    (a supervisor: its agents' surveys)."""
    lo, hi = _epoch(since), _epoch(until)
    if hi <= lo:
        raise InvalidField("until", "until must be after since")
    if hi - lo > MAX_DAYS * DAY:
        raise InvalidField("until", f"a CSAT report spans at most {MAX_DAYS} days")
    scope = await scope_of(server, user)
    if agent is not None:
        if not in_scope(scope, agent):
            raise out_of_scope(user, agent)
        scope = frozenset({agent})
    rows = await asyncio.to_thread(_report, server, lo, hi, group, queue, scope)
    return _csv(rows) if format is Format.CSV else rows
