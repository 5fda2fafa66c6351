"""Post-call survey rows in the store and the CSAT report made of them (SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.core.csat import RecordSurvey, SurveyResult
from callcenter.store import session_factory
from callcenter.store.csat import DAY, csat_report, record_surveys, survey_rows
from callcenter.store.models import CsatRatingRow
from callcenter.store.sink import StoreSink

T0 = 1_740_000_000.0  # the report's start


def row(iid: str, queue: str, agent: str | None, at: float, rating: int | None,
        comment: str | None = None, customer: int | None = None) -> SurveyResult:
    """A survey offered at T0 + `at` seconds, ended 20 s later."""
    return SurveyResult(iid, queue, agent, "csat", T0 + at, T0 + at + 20, rating, comment,
                        customer)


# Day 1: billing/a: 5, 4, none; billing/b: 2; sales/a: 5 (comment).  Day 2: sales/b: 3, none.
# Day 3: nothing.  Before the range: one row that must not count.
ROWS = [
    row("c1", "billing", "a", 100, 5, customer=7),
    row("c2", "billing", "a", 200, 4),
    row("c3", "billing", "a", 300, None),
    row("c4", "billing", "b", 400, 2),
    row("c5", "sales", "a", 500, 5, comment="csat"),
    row("c6", "sales", "b", DAY + 10, 3),
    row("c7", "sales", "b", DAY + 20, None),
    row("c0", "sales", "b", -5, 1),
]


def stored(session: Session) -> list[SurveyResult]:
    """ROWS stored, read back for the three days from T0."""
    record_surveys(session, ROWS)
    return survey_rows(session, T0, T0 + 3 * DAY)


def test_rows_round_trip_with_their_links(session: Session) -> None:
    """Every field comes back as stored, oldest first, the row before T0 left out."""
    got = stored(session)
    assert got == ROWS[:7]


def test_a_survey_is_stored_once_per_interaction(session: Session) -> None:
    """Storing the same rows again (a replayed batch) adds nothing."""
    assert record_surveys(session, ROWS) == 8
    assert record_surveys(session, ROWS[:3]) == 0
    assert session.scalar(select(func.count()).select_from(CsatRatingRow)) == 8


def test_report_per_queue_worked_by_hand(session: Session) -> None:
    """billing: 4 offered, 3 answered (5, 4, 2), 2 satisfied: CSAT 2/3, mean 11/3,
    response 3/4. sales: 3 offered, 2 answered (5, 3): CSAT 1/2, mean 4, response 2/3,
    one comment."""
    groups = {g.key: g.figures for g in csat_report(stored(session), "queue", T0,
                                                    T0 + 3 * DAY)}
    b, s = groups["billing"], groups["sales"]
    assert (b.offered, b.answered, b.satisfied, b.counts) == (4, 3, 2, (0, 1, 0, 1, 1))
    assert b.csat == pytest.approx(2 / 3) and b.mean == pytest.approx(11 / 3)
    assert b.response_rate == 0.75
    assert (s.offered, s.answered, s.satisfied, s.comments) == (3, 2, 1, 1)
    assert (s.csat, s.mean) == (0.5, 4.0) and s.response_rate == pytest.approx(2 / 3)


def test_report_per_agent_worked_by_hand(session: Session) -> None:
    """a: 5, 4, none, 5: 3 of 4 answered, all satisfied, mean 14/3. b: 2, 3, none: 2 of 3,
    none satisfied, mean 2.5."""
    groups = {g.key: g.figures for g in csat_report(stored(session), "agent", T0,
                                                    T0 + 3 * DAY)}
    a, b = groups["a"], groups["b"]
    assert (a.offered, a.answered, a.csat, a.response_rate) == (4, 3, 1.0, 0.75)
    assert a.mean == pytest.approx(14 / 3)
    assert (b.offered, b.answered, b.csat, b.mean) == (3, 2, 0.0, 2.5)


def test_report_per_day_lists_every_day(session: Session) -> None:
    """Day 1: 5 offered, 4 answered, 3 satisfied; day 2: 2 offered, 1 answered (3);
    day 3: nothing (None figures)."""
    days = csat_report(stored(session), "day", T0, T0 + 3 * DAY)
    assert [d.start for d in days] == [T0, T0 + DAY, T0 + 2 * DAY]
    one, two, three = (d.figures for d in days)
    assert (one.offered, one.answered, one.satisfied, one.csat) == (5, 4, 3, 0.75)
    assert one.mean == 4.0  # (5 + 4 + 2 + 5) / 4
    assert (two.offered, two.answered, two.csat, two.mean, two.response_rate) == (
        2, 1, 0.0, 3.0, 0.5)
    assert (three.offered, three.csat, three.response_rate) == (0, None, None)


def test_rows_narrowed_to_a_queue_and_agents(session: Session) -> None:
    """queue=sales and agents={b}: c6 and c7 only."""
    record_surveys(session, ROWS)
    got = survey_rows(session, T0, T0 + 3 * DAY, queue="sales", agents=frozenset({"b"}))
    assert [r.interaction_id for r in got] == ["c6", "c7"]


def test_the_persistence_sink_stores_surveys_once(engine: Engine) -> None:
    """The server's persistence sink stores a batch's RecordSurvey rows with the calls'
    (c1, c2), and a replay of the same batch (`again`, as after a journal) adds none."""
    sessions = session_factory(engine)
    sink = StoreSink(sessions, lambda queue: "voice")
    batch: list[Any] = [RecordSurvey(ROWS[0]), RecordSurvey(ROWS[1])]
    asyncio.run(sink(batch))
    asyncio.run(sink.again(batch))
    with sessions() as s:
        assert [r.interaction_id for r in survey_rows(s, T0, T0 + DAY)] == ["c1", "c2"]
