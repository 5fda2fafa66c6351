"""IVR figures from `FlowEnded` rows (one per call that went through a flow).

Defined in docs/reference/metrics.md ("IVR"); the simulator's reports use these,
and so will the server's once it stores the rows.

- entered: calls that started a flow;
- outcome counts, by the kind of `FlowEnded.outcome`: `queue`, `callback`,
  `voicemail`, `transfer`, `hangup`, `abandoned` (the caller hung up in the IVR);
- contained: ended by the flow itself without an agent (`voicemail`, `hangup`);
- containment rate: contained / entered;
- time in IVR: mean of `ended - started` over the calls (every outcome).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

from callcenter.core.ivr_events import FlowEnded

OUTCOMES = ("queue", "callback", "voicemail", "transfer", "hangup", "abandoned")
"""The kinds of flow outcome, in report order."""
CONTAINED = frozenset({"voicemail", "hangup"})
"""Outcomes that end the call in the IVR without an agent."""


def outcome_kind(row: FlowEnded) -> str:
    """`queue:billing` -> `queue`."""
    return row.outcome.partition(":")[0]


def started_between(rows: Iterable[FlowEnded], start: float, end: float) -> list[FlowEnded]:
    """The rows of calls that entered their flow in `[start, end)`."""
    return [r for r in rows if start <= r.started < end]


def by_flow(rows: Iterable[FlowEnded]) -> dict[str, list[FlowEnded]]:
    """Rows by flow id."""
    out: dict[str, list[FlowEnded]] = defaultdict(list)
    for r in rows:
        out[r.flow_id].append(r)
    return dict(out)


def outcome_counts(rows: Iterable[FlowEnded]) -> dict[str, int]:
    """Calls by outcome kind (every kind of `OUTCOMES`, zero when none)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for r in rows:
        kind = outcome_kind(r)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def contained(rows: Iterable[FlowEnded]) -> int:
    """Calls the flow ended itself without an agent (voicemail, hang-up)."""
    return sum(1 for r in rows if outcome_kind(r) in CONTAINED)


def containment_rate(rows: Sequence[FlowEnded]) -> float | None:
    """Contained / entered; None without calls."""
    return contained(rows) / len(rows) if rows else None


def time_in_ivr(rows: Sequence[FlowEnded]) -> float | None:
    """Mean seconds from entering the flow to its outcome; None without calls."""
    return math.fsum(r.ended - r.started for r in rows) / len(rows) if rows else None
