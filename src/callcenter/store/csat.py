"""Post-call satisfaction in the store: record survey rows, and report CSAT grouped by
queue, agent or day.

Repository functions over a `Session` / `Connection`; they never commit. The server
stores the `RecordSurvey` commands through its persistence sink (`store.sink`), with
the calls' rows: journaled and retried, never lost. A survey row is written once per
interaction: storing it again (a replayed batch) leaves the first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.core.csat import CsatFigures, SurveyResult, csat_figures
from callcenter.store.models import CsatRatingRow

__all__ = ["DAY", "CsatGroup", "csat_report", "record_surveys", "survey_rows"]

DAY = 86_400.0

Grouping = Literal["queue", "agent", "day"]


def record_surveys(session: Session, results: Iterable[SurveyResult]) -> int:
    """Add the survey rows not stored yet (by interaction); how many were added."""
    wanted = {r.interaction_id: r for r in results}
    if not wanted:
        return 0
    have = set(session.scalars(select(CsatRatingRow.interaction_id).where(
        CsatRatingRow.interaction_id.in_(list(wanted)))))
    added = 0
    for iid, r in wanted.items():
        if iid in have:
            continue
        session.add(CsatRatingRow(
            interaction_id=iid, queue_id=r.queue_id, agent_id=r.agent_id,
            customer_id=r.customer_id, flow_id=r.flow_id, offered_at=r.offered_at,
            ended_at=r.ended_at, rating=r.rating, comment_box=r.comment_box))
        added += 1
    session.flush()
    return added


def survey_rows(session: Session, since: float, until: float, *,
                queue: str | None = None,
                agents: frozenset[str] | None = None) -> list[SurveyResult]:
    """The surveys offered in [since, until) (by `offered_at`), oldest first; only
    `queue`'s, and only those of `agents`, when given."""
    q = select(CsatRatingRow).where(CsatRatingRow.offered_at >= since,
                                    CsatRatingRow.offered_at < until)
    if queue is not None:
        q = q.where(CsatRatingRow.queue_id == queue)
    if agents is not None:
        q = q.where(CsatRatingRow.agent_id.in_(sorted(agents)))
    rows = session.scalars(q.order_by(CsatRatingRow.offered_at, CsatRatingRow.id))
    return [SurveyResult(r.interaction_id, r.queue_id, r.agent_id, r.flow_id, r.offered_at,
                         r.ended_at, r.rating, r.comment_box, r.customer_id) for r in rows]


@dataclass(frozen=True, slots=True)
class CsatGroup:
    """The CSAT figures of one queue, agent or day (`key`: the queue or agent id, or the
    day's start as Unix seconds in text; `start` the day's start, else the report's)."""

    key: str
    start: float
    figures: CsatFigures


def _figures(rows: Sequence[SurveyResult]) -> CsatFigures:
    return csat_figures((r.rating for r in rows),
                        comments=sum(1 for r in rows if r.comment_box is not None))


def csat_report(rows: Sequence[SurveyResult], group: Grouping, since: float,
                until: float) -> list[CsatGroup]:
    """The rows' figures per queue or agent (sorted by id; surveys without an agent
    under ""), or per day: the 24-hour days from `since` up to `until`, every one
    listed, empty days with zero counts."""
    if group == "day":
        days = max(1, -int(-(until - since) // DAY))
        by_day: dict[int, list[SurveyResult]] = defaultdict(list)
        for r in rows:
            by_day[int((r.offered_at - since) // DAY)].append(r)
        return [CsatGroup(str(int(since + k * DAY)), since + k * DAY, _figures(by_day[k]))
                for k in range(days)]
    grouped: dict[str, list[SurveyResult]] = defaultdict(list)
    for r in rows:
        grouped[r.queue_id if group == "queue" else (r.agent_id or "")].append(r)
    return [CsatGroup(k, since, _figures(grouped[k])) for k in sorted(grouped)]
