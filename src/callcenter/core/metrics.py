"""KPIs from result rows: one function per KPI, the definitions of DESIGN.md.

Everything here is computed from `InteractionRecord` rows (one per interaction)
and `AgentSpan` rows (one per agent-state span); nothing reads engine state. The
live server, reports and the simulator call the same functions, so a number means
the same thing everywhere. Ratios return None when their denominator is zero.

Which rows count for a queue is the caller's choice (`by_queue` groups by the
queue the interaction arrived in, `first_queue_id`). The service-level threshold T
and the short-abandon threshold default to the values stored on each row (the
queue's settings when the interaction ended); pass them to override.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from callcenter.core.records import AgentSpan, InteractionRecord

Rows = Iterable[InteractionRecord]

HANDLING_STATES = frozenset({"busy", "wrap_up"})
"""Agent states that count as handling time (talk, hold, after-contact work)."""
IDLE_STATES = frozenset({"available", "reserved"})
"""Agent states that count as available idle time (ready, or ringing)."""


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _answered(r: InteractionRecord) -> bool:
    return r.answered_at is not None


def _abandoned(r: InteractionRecord) -> bool:
    return r.outcome == "abandoned" and not r.callback


def _threshold(r: InteractionRecord, threshold: float | None) -> float:
    return r.service_level_threshold if threshold is None else threshold


def _short(r: InteractionRecord, short_abandon: float | None) -> float:
    return r.short_abandon if short_abandon is None else short_abandon


# ---------------------------------------------------------------- counts


def offered(rows: Rows) -> int:
    """Interactions that arrived (every row, whatever became of it)."""
    return sum(1 for _ in rows)


def queued(rows: Rows) -> int:
    """Interactions admitted to a queue (all but those turned away on arrival)."""
    return sum(1 for r in rows if r.outcome != "rejected")


def handled(rows: Rows) -> int:
    """Interactions answered by an agent."""
    return sum(1 for r in rows if _answered(r))


def abandoned(rows: Rows) -> int:
    """Callers who hung up before an agent answered (callbacks are never abandons)."""
    return sum(1 for r in rows if _abandoned(r))


def short_abandoned(rows: Rows, short_abandon: float | None = None) -> int:
    """Abandons that waited less than the short-abandon threshold."""
    return sum(1 for r in rows if _abandoned(r) and r.wait < _short(r, short_abandon))


def answered_within(rows: Rows, threshold: float | None = None) -> int:
    """Interactions answered after waiting at most T seconds."""
    return sum(1 for r in rows if _answered(r) and r.wait <= _threshold(r, threshold))


def timed_out(rows: Rows) -> int:
    """Interactions that left their queue unanswered by its max-wait exit."""
    return sum(1 for r in rows if r.outcome == "timed_out")


def rejected(rows: Rows) -> int:
    """Interactions turned away on arrival (closed, queue full, no agents)."""
    return sum(1 for r in rows if r.outcome == "rejected")


def callbacks(rows: Rows) -> int:
    """Interactions that became callbacks (the caller asked, or a queue exit made one)."""
    return sum(1 for r in rows if r.callback)


# ---------------------------------------------------------------- ratios and means


def service_level(rows: Rows, threshold: float | None = None,
                  short_abandon: float | None = None) -> float | None:
    """SL(T): answered within T / (answered + abandoned after the short-abandon threshold)."""
    within = answered = long_abandons = 0
    for r in rows:
        if _answered(r):
            answered += 1
            if r.wait <= _threshold(r, threshold):
                within += 1
        elif _abandoned(r) and r.wait >= _short(r, short_abandon):
            long_abandons += 1
    return _ratio(within, answered + long_abandons)


def service_level_asterisk(rows: Rows, threshold: float | None = None) -> float | None:
    """Asterisk's SL2: (answered within T + abandoned within T) / (answered + abandoned)."""
    good = total = 0
    for r in rows:
        if _answered(r) or _abandoned(r):
            total += 1
            if r.wait <= _threshold(r, threshold):
                good += 1
    return _ratio(good, total)


def asa(rows: Rows) -> float | None:
    """Average speed of answer: total queue wait of answered interactions / answered."""
    waits = [r.wait for r in rows if _answered(r)]
    return _ratio(math.fsum(waits), len(waits))


def aht(rows: Rows) -> float | None:
    """Average handle time: (talk + hold + after-contact work) / handled."""
    times = [r.talk_seconds + r.hold_seconds + r.wrap_seconds for r in rows if _answered(r)]
    return _ratio(math.fsum(times), len(times))


def abandon_rate(rows: Rows) -> float | None:
    """Abandoned in queue / queued (callbacks are not abandoned)."""
    n_queued = n_abandoned = 0
    for r in rows:
        if r.outcome != "rejected":
            n_queued += 1
            if _abandoned(r):
                n_abandoned += 1
    return _ratio(n_abandoned, n_queued)


def occupancy(spans: Iterable[AgentSpan], start: float | None = None,
              end: float | None = None) -> float | None:
    """Handling time / (handling time + available idle time); pause (aux) time excluded.

    Spans are clipped to [start, end) when given. Handling is `busy` and `wrap_up`;
    available idle is `available` and `reserved` (ringing).
    """
    lo = -math.inf if start is None else start
    hi = math.inf if end is None else end
    handling = idle = 0.0
    for s in spans:
        length = min(s.end, hi) - max(s.start, lo)
        if length <= 0:
            continue
        if s.state in HANDLING_STATES:
            handling += length
        elif s.state in IDLE_STATES:
            idle += length
    return _ratio(handling, handling + idle)


# ---------------------------------------------------------------- grouping


def by_queue(rows: Rows) -> dict[str, list[InteractionRecord]]:
    """Rows grouped by the queue the interaction arrived in, queues sorted by id."""
    out: dict[str, list[InteractionRecord]] = {}
    for r in rows:
        out.setdefault(r.first_queue_id, []).append(r)
    return dict(sorted(out.items()))


def by_interval(rows: Rows, origin: float, minutes: int) -> dict[float, list[InteractionRecord]]:
    """Rows grouped by the interval of their arrival: intervals of `minutes` from `origin`."""
    length = minutes * 60.0
    out: dict[float, list[InteractionRecord]] = {}
    for r in rows:
        key = origin + math.floor((r.arrived_at - origin) / length) * length
        out.setdefault(key, []).append(r)
    return dict(sorted(out.items()))


def arrived_between(rows: Rows, start: float, end: float) -> list[InteractionRecord]:
    """Rows of interactions that arrived in [start, end)."""
    return [r for r in rows if start <= r.arrived_at < end]


@dataclass(frozen=True, slots=True)
class IntervalKpis:
    """The KPIs of one queue in one interval (interactions by arrival time)."""

    queue_id: str
    start: float
    end: float
    offered: int
    handled: int
    abandoned: int
    service_level: float | None
    asa: float | None
    aht: float | None
    abandon_rate: float | None


def interval_kpis(rows: Rows, origin: float, minutes: int,
                  end: float | None = None) -> list[IntervalKpis]:
    """Per-queue, per-interval KPIs (15, 30 or 60 minutes), ordered by queue then time.

    Every interval from `origin` up to `end` appears for every queue, empty ones too.
    """
    if minutes not in (15, 30, 60):
        raise ValueError(f"interval must be 15, 30 or 60 minutes, got {minutes}")
    length = minutes * 60.0
    out = []
    for qid, qrows in by_queue(rows).items():
        groups = by_interval(qrows, origin, minutes)
        last = max(groups) + length if groups else origin
        stop = max(last, end if end is not None else last)
        for k in range(math.ceil((stop - origin) / length - 1e-9)):
            t = origin + k * length
            g: Sequence[InteractionRecord] = groups.get(t, [])
            out.append(IntervalKpis(qid, t, t + length, offered(g), handled(g), abandoned(g),
                                    service_level(g), asa(g), aht(g), abandon_rate(g)))
    return out
