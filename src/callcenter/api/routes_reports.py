"""Interval reports (`/api/reports/...`): per queue and per agent, from stored rows.

Completed interaction rows count in the interval of their arrival (a queue report
groups by the queue the interaction arrived in, an agent report by the last agent);
agent-state spans are clipped to each interval. Every KPI is the function of
`callcenter.core.metrics` of the same name, with the thresholds stored on the rows.
Intervals run from `since` in steps of `interval` minutes (15, 30 or 60) up to
`until`; empty ones are listed too. `?format=csv` gives `text/csv` with one header
row. Supervisors and admins; a supervisor's agent report holds only its agents.

`/api/reports/agent-states` sums each agent's stored state spans over the whole range
(clipped to it) by state and by pause reason; `/api/reports/teams` names the teams a
report may be narrowed to (a supervisor: its own).
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from callcenter.api.auth import Role
from callcenter.api.deps import ServerDep, Staff, in_scope, out_of_scope, scope_of
from callcenter.api.errors import InvalidField, errors
from callcenter.api.state import Server
from callcenter.core import metrics
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.history import (
    MAX_PAGE,
    agent_spans,
    interaction_record,
    search_interactions,
)
from callcenter.store.models import TeamRow, TeamSupervisorRow, UserRow

router = APIRouter(prefix="/api/reports", tags=["reports"], responses=errors(401, 403))

INTERVALS = (15, 30, 60)
MAX_INTERVALS = 31 * 24 * 4
"""The most intervals one report may hold (a month of 15-minute intervals)."""

M = TypeVar("M", bound=BaseModel)


class Format(StrEnum):
    """How the report is returned."""

    JSON = "json"
    CSV = "csv"


class QueueInterval(BaseModel):
    """One queue in one interval (interactions by arrival time)."""

    queue_id: str
    start: float
    end: float
    offered: int
    handled: int
    abandoned: int
    service_level_threshold: float | None
    service_level: float | None
    service_level_asterisk: float | None
    asa: float | None
    aht: float | None
    abandon_rate: float | None


class AgentInterval(BaseModel):
    """One agent in one interval: interactions it handled (by arrival), occupancy."""

    agent_id: str
    start: float
    end: float
    handled: int
    aht: float | None
    occupancy: float | None


Since = Annotated[datetime, Query(description="Start of the first interval (ISO 8601 or "
                                  "Unix seconds; UTC when no zone is given)")]
Until = Annotated[datetime, Query(description="End of the report (exclusive)")]
Interval = Annotated[int, Query(description="Interval length in minutes: 15, 30 or 60")]
FormatQ = Annotated[Format, Query(description="json (default) or csv")]


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _starts(since: datetime, until: datetime, interval: int) -> tuple[list[float], float]:
    """The interval starts from `since` to `until`, and the interval length (seconds)."""
    if interval not in INTERVALS:
        raise InvalidField("interval", f"interval must be 15, 30 or 60 minutes, got {interval}")
    lo, hi = _epoch(since), _epoch(until)
    if hi <= lo:
        raise InvalidField("until", "until must be after since")
    length = interval * 60.0
    count = -int(-(hi - lo) // length)
    if count > MAX_INTERVALS:
        raise InvalidField("until", f"a report holds at most {MAX_INTERVALS} intervals, "
                                    f"this range needs {count}")
    return [lo + k * length for k in range(count)], length


def _records(server: Server, since: float, until: float) -> list[InteractionRecord]:
    """The completed rows that arrived in [since, until)."""
    out: list[InteractionRecord] = []
    with server.sessions() as session:
        offset, total = 0, 1
        while offset < total:
            page = search_interactions(session, since=since, until=until, is_open=False,
                                       offset=offset, limit=MAX_PAGE)
            out.extend(interaction_record(r) for r in page.items)
            offset, total = offset + MAX_PAGE, page.total
    return out


def _spans(server: Server, since: float, until: float) -> list[AgentSpan]:
    with server.sessions() as session:
        return agent_spans(session, since=since, until=until)


def _threshold(rows: Sequence[InteractionRecord], default: float | None) -> float | None:
    """The rows' service-level threshold (None when they disagree)."""
    found = {r.service_level_threshold for r in rows}
    if not found:
        return default
    return found.pop() if len(found) == 1 else None


def _queue_report(server: Server, starts: list[float], length: float,
                  queue: str | None) -> list[QueueInterval]:
    records = _records(server, starts[0], starts[-1] + length)
    configured = {q.queue_id: q.config.service_level_threshold
                  for q in server.runtime.engine.queues()}
    grouped = metrics.by_queue(records)
    ids = sorted(set(configured) | set(grouped)) if queue is None else [queue]
    out = []
    for qid in ids:
        qrows = grouped.get(qid, [])
        for t in starts:
            g = metrics.arrived_between(qrows, t, t + length)
            out.append(QueueInterval(
                queue_id=qid, start=t, end=t + length, offered=metrics.offered(g),
                handled=metrics.handled(g), abandoned=metrics.abandoned(g),
                service_level_threshold=_threshold(g, configured.get(qid)),
                service_level=metrics.service_level(g),
                service_level_asterisk=metrics.service_level_asterisk(g),
                asa=metrics.asa(g), aht=metrics.aht(g), abandon_rate=metrics.abandon_rate(g)))
    return out


def _agent_report(server: Server, starts: list[float], length: float,
                  agents: frozenset[str] | None) -> list[AgentInterval]:
    end = starts[-1] + length
    records = [r for r in _records(server, starts[0], end) if r.agent_id is not None]
    spans = _spans(server, starts[0], end)
    ids = sorted({r.agent_id for r in records if r.agent_id is not None}
                 | {s.agent_id for s in spans})
    if agents is not None:
        ids = [a for a in ids if a in agents]
    out = []
    for aid in ids:
        mine = [r for r in records if r.agent_id == aid]
        own_spans = [s for s in spans if s.agent_id == aid]
        for t in starts:
            g = metrics.arrived_between(mine, t, t + length)
            out.append(AgentInterval(agent_id=aid, start=t, end=t + length,
                                     handled=metrics.handled(g), aht=metrics.aht(g),
                                     occupancy=metrics.occupancy(own_spans, t, t + length)))
    return out


def _csv(model: type[M], rows: Sequence[M]) -> Response:
    """One header row (the field names), then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = list(model.model_fields)
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row.model_dump().values()])
    return Response(buffer.getvalue(), media_type="text/csv")


def _answer(model: type[M], rows: list[M], fmt: Format) -> list[M] | Response:
    return _csv(model, rows) if fmt is Format.CSV else rows


async def _run(fn: Callable[..., list[M]], *args: object) -> list[M]:
    return await asyncio.to_thread(fn, *args)


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The report (CSV with ?format=csv)"}}


@router.get("/queues", response_model=list[QueueInterval], responses=_CSV)
async def queue_report(server: ServerDep, _user: Staff, since: Since, until: Until,
                       interval: Interval = 30,
                       queue: Annotated[str | None, Query(max_length=100)] = None,
                       format: FormatQ = Format.JSON) -> list[QueueInterval] | Response:
    """Per-queue interval statistics: offered, handled, abandoned, SL (with its threshold),
    SL2, ASA, AHT, abandonment rate."""
    starts, length = _starts(since, until, interval)
    rows = await _run(_queue_report, server, starts, length, queue)
    return _answer(QueueInterval, rows, format)


@router.get("/agents", response_model=list[AgentInterval], responses=_CSV)
async def agent_report(server: ServerDep, user: Staff, since: Since, until: Until,
                       interval: Interval = 30,
                       agent: Annotated[str | None, Query(max_length=100)] = None,
                       format: FormatQ = Format.JSON) -> list[AgentInterval] | Response:
    """Per-agent interval statistics: handled, AHT, occupancy (a supervisor: its agents)."""
    starts, length = _starts(since, until, interval)
    scope = await scope_of(server, user)
    if agent is not None:
        if not in_scope(scope, agent):
            raise out_of_scope(user, agent)
        scope = frozenset({agent})
    rows = await _run(_agent_report, server, starts, length, scope)
    return _answer(AgentInterval, rows, format)


class AgentStateTimes(BaseModel):
    """Seconds one agent spent in each state over the report's range (spans clipped to
    it). `talk` is on a call less `hold`; `hold` is the hold time of the calls it
    answered in the range (the rows keep how long a call was held, not when)."""

    agent_id: str
    login: float = Field(description="logged in: every state but logged_out")
    ready: float = Field(description="available, waiting for work")
    ringing: float = Field(description="reserved: an offer ringing")
    talk: float
    hold: float
    wrap_up: float
    paused: float
    pauses: dict[str, float] = Field(description="paused seconds by reason "
                                     "(\"\": no reason given)")


class ReportTeam(BaseModel):
    """A team a report may be narrowed to, and its agents."""

    name: str
    agents: list[str]


def _state_times(server: Server, lo: float, hi: float,
                 agents: frozenset[str] | None) -> list[AgentStateTimes]:
    spans = _spans(server, lo, hi)
    held: dict[str, float] = {}
    for r in _records(server, lo - 86_400, hi):  # calls arrive up to a day before answer
        if r.agent_id is not None and r.answered_at is not None and lo <= r.answered_at < hi:
            held[r.agent_id] = held.get(r.agent_id, 0.0) + r.hold_seconds
    per: dict[str, dict[str, float]] = {}
    pauses: dict[str, dict[str, float]] = {}
    for s in spans:
        if agents is not None and s.agent_id not in agents:
            continue
        length = min(s.end, hi) - max(s.start, lo)
        if length <= 0:
            continue
        mine = per.setdefault(s.agent_id, {})
        mine[s.state] = mine.get(s.state, 0.0) + length
        if s.state == "paused":
            reasons = pauses.setdefault(s.agent_id, {})
            reasons[s.reason] = reasons.get(s.reason, 0.0) + length
    out = []
    for aid in sorted(per):
        t = per[aid]
        busy = t.get("busy", 0.0)
        hold = min(held.get(aid, 0.0), busy)
        out.append(AgentStateTimes(
            agent_id=aid, login=sum(v for k, v in t.items() if k != "logged_out"),
            ready=t.get("available", 0.0), ringing=t.get("reserved", 0.0), talk=busy - hold,
            hold=hold, wrap_up=t.get("wrap_up", 0.0), paused=t.get("paused", 0.0),
            pauses=dict(sorted(pauses.get(aid, {}).items()))))
    return out


def _state_csv(rows: list[AgentStateTimes]) -> Response:
    """The fixed columns, then one `pause:<reason>` column per reason seen."""
    reasons = sorted({r for row in rows for r in row.pauses})
    fixed = [n for n in AgentStateTimes.model_fields if n != "pauses"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*fixed, *(f"pause:{r}" for r in reasons)])
    for row in rows:
        writer.writerow([getattr(row, n) for n in fixed]
                        + [row.pauses.get(r, 0.0) for r in reasons])
    return Response(buffer.getvalue(), media_type="text/csv")


@router.get("/agent-states", response_model=list[AgentStateTimes], responses=_CSV)
async def agent_state_report(server: ServerDep, user: Staff, since: Since, until: Until,
                             agent: Annotated[str | None, Query(max_length=100)] = None,
                             format: FormatQ = Format.JSON) -> list[AgentStateTimes] | Response:
    """Per agent over the whole range: seconds logged in, ready, ringing, talking, on
    hold, in wrap-up and paused, the pauses by reason (a supervisor: its agents)."""
    lo, hi = _epoch(since), _epoch(until)
    if hi <= lo:
        raise InvalidField("until", "until must be after since")
    scope = await scope_of(server, user)
    if agent is not None:
        if not in_scope(scope, agent):
            raise out_of_scope(user, agent)
        scope = frozenset({agent})
    rows = await asyncio.to_thread(_state_times, server, lo, hi, scope)
    return _state_csv(rows) if format is Format.CSV else rows


def _teams(server: Server, username: str | None) -> list[ReportTeam]:
    with server.sessions() as session:
        query = select(TeamRow).order_by(TeamRow.name)
        if username is not None:
            query = (query.join(TeamSupervisorRow, TeamSupervisorRow.team_id == TeamRow.id)
                     .join(UserRow, UserRow.id == TeamSupervisorRow.user_id)
                     .where(UserRow.username == username))
        return [ReportTeam(name=t.name, agents=sorted(a.agent_id for a in t.agents))
                for t in session.scalars(query)]


@router.get("/teams", response_model=list[ReportTeam])
async def report_teams(server: ServerDep, user: Staff) -> list[ReportTeam]:
    """The teams reports may be narrowed to, with their agents: an admin every team, a
    supervisor the teams it supervises."""
    username = None if user.role == Role.ADMIN else user.username
    return await asyncio.to_thread(_teams, server, username)
