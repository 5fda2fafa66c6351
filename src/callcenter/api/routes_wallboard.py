"""The wallboard's figures (`/api/supervisor/...`), from the stored interactions.

- `GET /api/supervisor/figures`: per queue, today's and the current 15-minute
  interval's offered, answered, abandoned, service level (with its threshold), ASA
  and AHT, and the queue's thresholds;
- `GET /api/supervisor/intraday`: per queue, offered and service level per 15 minutes
  today (up to the current interval) and the whole day before;
- `PUT /api/supervisor/thresholds/{queue_id}`: when a queue's tile turns amber and red
  (service level below, longest wait above, waiting count above); audited.

"Today" is the local day of the time zone `tz` (an IANA name; default UTC) on the
engine's clock; intervals run from its midnight. As in the reports, a figure counts
the interactions that ended (their stored rows), by arrival time and by the queue they
arrived in, and every KPI is the function of `callcenter.core.metrics` of the same
name (docs/reference/metrics.md), with the thresholds stored on the rows. Calls still
waiting or in conversation are in the snapshot's waiting counts and agents, not here.
Supervisors and admins; queue figures are not limited to a supervisor's teams (as
the queue report).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from callcenter.api.deps import ServerDep, Staff
from callcenter.api.errors import InvalidField, errors
from callcenter.api.state import Server
from callcenter.core import metrics
from callcenter.core.records import InteractionRecord
from callcenter.store.audit import audit
from callcenter.store.history import MAX_PAGE, interaction_record, search_interactions
from callcenter.store.thresholds import Thresholds, all_thresholds, save_thresholds

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"], responses=errors(401, 403))

INTERVAL_MINUTES = 15
INTERVAL = INTERVAL_MINUTES * 60.0

Tz = Annotated[str, Query(min_length=1, max_length=64,
                          description="IANA time zone whose local day is 'today' "
                                      "(Europe/Berlin); default UTC")]


class Kpis(BaseModel):
    """One queue's figures over a period (interactions that arrived in it and ended)."""

    offered: int
    answered: int
    abandoned: int
    service_level: float | None = Field(description="0..1; None without answered or "
                                        "abandoned interactions")
    service_level_threshold: float | None = Field(description="T of the service level, "
                                                  "seconds (None when rows disagree)")
    asa: float | None = Field(description="Seconds")
    aht: float | None = Field(description="Seconds")


class ThresholdsBody(BaseModel):
    """When a queue's tile turns amber and red; null leaves a level unset. Red must be
    at least as strict as amber."""

    model_config = ConfigDict(extra="forbid")

    service_level_amber: float | None = Field(default=None, ge=0, le=100,
                                              description="Amber when today's service "
                                              "level is below this percentage")
    service_level_red: float | None = Field(default=None, ge=0, le=100)
    longest_wait_amber: float | None = Field(default=None, ge=0, le=86400,
                                             description="Amber when the longest wait is "
                                             "above this many seconds")
    longest_wait_red: float | None = Field(default=None, ge=0, le=86400)
    waiting_amber: int | None = Field(default=None, ge=0, le=100000,
                                      description="Amber when more than this many wait")
    waiting_red: int | None = Field(default=None, ge=0, le=100000)


class QueueThresholds(ThresholdsBody):
    """A queue's thresholds."""

    queue_id: str


class QueueFigures(BaseModel):
    """A queue today and in the current interval, with its thresholds."""

    queue_id: str
    today: Kpis
    interval: Kpis
    thresholds: ThresholdsBody


class Figures(BaseModel):
    """Every queue's figures at one moment."""

    at: float = Field(description="Engine time of the answer (Unix seconds)")
    tz: str
    day_start: float = Field(description="Local midnight of today in `tz`")
    interval_start: float
    interval_end: float
    queues: list[QueueFigures]


class Point(BaseModel):
    """One queue in one 15-minute interval."""

    start: float
    offered: int
    service_level: float | None


class QueueIntraday(BaseModel):
    """A queue's intervals today (up to the current one) and the day before (all)."""

    queue_id: str
    today: list[Point]
    yesterday: list[Point]


class Intraday(BaseModel):
    """Offered and service level per 15 minutes, today against the day before."""

    at: float
    tz: str
    interval_minutes: int = INTERVAL_MINUTES
    day_start: float
    yesterday_start: float
    queues: list[QueueIntraday]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidField("tz", f"tz: unknown time zone {name!r}") from None


def _midnight(now: float, zone: ZoneInfo, days_back: int = 0) -> float:
    """Local midnight of the day `days_back` days before the one holding `now`."""
    day = datetime.fromtimestamp(now, zone).date() - timedelta(days=days_back)
    return datetime.combine(day, time(0), tzinfo=zone).timestamp()


def _records(server: Server, since: float, until: float) -> list[InteractionRecord]:
    """The ended interactions that arrived in [since, until)."""
    out: list[InteractionRecord] = []
    with server.sessions() as session:
        offset, total = 0, 1
        while offset < total:
            page = search_interactions(session, since=since, until=until, is_open=False,
                                       offset=offset, limit=MAX_PAGE)
            out.extend(interaction_record(r) for r in page.items)
            offset, total = offset + MAX_PAGE, page.total
    return out


def _threshold(rows: Sequence[InteractionRecord], default: float | None) -> float | None:
    found = {r.service_level_threshold for r in rows}
    if not found:
        return default
    return found.pop() if len(found) == 1 else None


def _kpis(rows: Sequence[InteractionRecord], configured: float | None) -> Kpis:
    return Kpis(offered=metrics.offered(rows), answered=metrics.handled(rows),
                abandoned=metrics.abandoned(rows), service_level=metrics.service_level(rows),
                service_level_threshold=_threshold(rows, configured),
                asa=metrics.asa(rows), aht=metrics.aht(rows))


def _queue_ids(server: Server, grouped: dict[str, list[InteractionRecord]]) -> list[str]:
    """The engine's queues in its order, then queues only the rows name."""
    ids = server.runtime.engine.queue_ids()
    return ids + sorted(set(grouped) - set(ids))


def _figures(server: Server, tz: str, zone: ZoneInfo, now: float) -> Figures:
    day = _midnight(now, zone)
    start = day + ((now - day) // INTERVAL) * INTERVAL
    records = _records(server, day, now + INTERVAL)
    with server.sessions() as session:
        stored = all_thresholds(session)
    configured = {q.queue_id: q.config.service_level_threshold
                  for q in server.runtime.engine.queues()}
    grouped = metrics.by_queue(records)
    out = []
    for qid in _queue_ids(server, grouped):
        rows = grouped.get(qid, [])
        now_rows = metrics.arrived_between(rows, start, start + INTERVAL)
        out.append(QueueFigures(
            queue_id=qid, today=_kpis(rows, configured.get(qid)),
            interval=_kpis(now_rows, configured.get(qid)),
            thresholds=ThresholdsBody(**asdict(stored.get(qid, Thresholds())))))
    return Figures(at=now, tz=tz, day_start=day, interval_start=start,
                   interval_end=start + INTERVAL, queues=out)


def _points(rows: Sequence[InteractionRecord], origin: float, count: int) -> list[Point]:
    groups = metrics.by_interval(rows, origin, INTERVAL_MINUTES)
    out = []
    for k in range(count):
        t = origin + k * INTERVAL
        g = groups.get(t, [])
        out.append(Point(start=t, offered=metrics.offered(g),
                         service_level=metrics.service_level(g)))
    return out


def _intraday(server: Server, tz: str, zone: ZoneInfo, now: float,
              queue: str | None) -> Intraday:
    day, before = _midnight(now, zone), _midnight(now, zone, 1)
    today_count = int((now - day) // INTERVAL) + 1
    before_count = round((day - before) / INTERVAL)  # 92 or 100 on a change of clocks
    records = _records(server, before, now + INTERVAL)
    grouped = metrics.by_queue(records)
    ids = _queue_ids(server, grouped) if queue is None else [queue]
    out = []
    for qid in ids:
        rows = grouped.get(qid, [])
        out.append(QueueIntraday(
            queue_id=qid,
            today=_points(metrics.arrived_between(rows, day, now + INTERVAL), day,
                          today_count),
            yesterday=_points(metrics.arrived_between(rows, before, day), before,
                              before_count)))
    return Intraday(at=now, tz=tz, day_start=day, yesterday_start=before, queues=out)


@router.get("/figures", response_model=Figures, responses=errors(422))
async def figures(server: ServerDep, _user: Staff, tz: Tz = "UTC") -> Figures:
    """Per queue, today's and the current 15-minute interval's offered, answered,
    abandoned, service level, ASA and AHT (ended interactions, by arrival), with the
    queue's thresholds."""
    zone = _zone(tz)
    return await asyncio.to_thread(_figures, server, tz, zone, server.runtime.clock.time())


@router.get("/intraday", response_model=Intraday, responses=errors(422))
async def intraday(server: ServerDep, _user: Staff, tz: Tz = "UTC",
                   queue: Annotated[str | None, Query(max_length=100)] = None) -> Intraday:
    """Offered and service level per 15 minutes, per queue (or one `queue`): today up to
    the current interval, and the whole day before."""
    zone = _zone(tz)
    return await asyncio.to_thread(_intraday, server, tz, zone, server.runtime.clock.time(),
                                   queue)


def _check(body: ThresholdsBody) -> None:
    """422 naming the red level that is milder than the amber one."""
    sl_a, sl_r = body.service_level_amber, body.service_level_red
    if sl_a is not None and sl_r is not None and sl_r > sl_a:
        raise InvalidField("service_level_red", "service_level_red must not be above "
                           f"service_level_amber ({sl_a:g} %): red is the worse level")
    for name in ("longest_wait", "waiting"):
        amber, red = getattr(body, f"{name}_amber"), getattr(body, f"{name}_red")
        if amber is not None and red is not None and red < amber:
            raise InvalidField(f"{name}_red", f"{name}_red must not be below "
                               f"{name}_amber ({amber:g}): red is the worse level")


def _save(server: Server, user: str, queue_id: str, value: Thresholds) -> None:
    with server.sessions.begin() as session:
        before = save_thresholds(session, queue_id, value)
        audit(session, actor=user, action="thresholds.set", entity="queue",
              entity_id=queue_id, before=before, after=value)


@router.put("/thresholds/{queue_id}", response_model=QueueThresholds,
            responses=errors(404, 422))
async def set_thresholds(queue_id: str, body: ThresholdsBody, server: ServerDep,
                         user: Staff) -> QueueThresholds:
    """Set when the queue's wallboard tile turns amber and red (replacing every level;
    null unsets one); audited."""
    if server.runtime.engine.queue(queue_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no queue {queue_id!r}")
    _check(body)
    value = Thresholds(**body.model_dump())
    await asyncio.to_thread(_save, server, user.username, queue_id, value)
    return QueueThresholds(queue_id=queue_id, **body.model_dump())
