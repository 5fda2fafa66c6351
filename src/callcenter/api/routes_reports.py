"""Interval reports (`/api/reports/...`): per queue and per agent, from stored rows.

Completed interaction rows count in the interval of their arrival (a queue report
groups by the queue the interaction arrived in, an agent report by the last agent);
agent-state spans are clipped to each interval. Every KPI is the function of
`callcenter.core.metrics` of the same name, with the thresholds stored on the rows.
Intervals run from `since` in steps of `interval` minutes (15, 30 or 60) up to
`until`; empty ones are listed too. `?format=csv` gives `text/csv` with one header
row. Supervisors and admins; a supervisor's agent report holds only its agents.
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
from pydantic import BaseModel

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
