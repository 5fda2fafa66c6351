"""Reconciliation after a crash: open interactions closed as lost, agents logged out."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.core import metrics
from callcenter.core.commands import AgentStateChanged, InteractionStateChanged
from callcenter.core.records import InteractionRecord
from callcenter.store import session_factory
from callcenter.store.history import (
    agent_presence,
    agent_spans,
    get_interaction,
    interaction_record,
    open_interaction,
    open_interactions,
    record_interaction,
    set_presence,
    update_interaction_state,
)
from callcenter.store.models import AgentPresenceRow, InteractionRow
from callcenter.store.reconcile import LOST, LOST_ON_RESTART, reconcile
from callcenter.store.sink import StoreSink

T0 = 1_700_000_000.0


def _crashed_state(session: Session) -> None:
    """A completed call, a waiting call, a connected call; one agent busy, one out."""
    record_interaction(session, InteractionRecord(
        "done", "voice", "q", "q", 0, T0, T0 + 5, T0 + 60, T0 + 70, "completed",
        agent_id="a1", talk_seconds=55, wrap_seconds=10))
    open_interaction(session, "waiting", channel="voice", queue_id="q", arrived_at=T0 + 100)
    open_interaction(session, "talking", channel="voice", queue_id="q", arrived_at=T0 + 90)
    update_interaction_state(session, "talking", "connected", agent_id="a1")
    get_interaction(session, "talking").answered_at = T0 + 95
    set_presence(session, "a1", "busy", "", T0 + 95)
    set_presence(session, "a2", "paused", "lunch", T0 + 50)
    set_presence(session, "a3", "logged_out", "", T0 + 20)
    session.commit()


def _snapshot(session: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]],
                                          list[object]]:
    rows = [(r.interaction_id, r.outcome, r.ended_at, r.completed_at, r.open, r.exit_reason)
            for r in session.scalars(select(InteractionRow).order_by(
                InteractionRow.interaction_id))]
    presence = [(p.agent_id, p.state, p.reason, p.since) for p in agent_presence(session)]
    return rows, presence, list(agent_spans(session))


def test_reconcile_closes_open_interactions_and_logs_agents_out(session: Session) -> None:
    """Open rows become `lost` at the restart time; busy and paused agents get a closed
    span and are logged out; completed rows and logged-out agents stay as they were."""
    _crashed_state(session)
    at = T0 + 500
    result = reconcile(session, at)
    session.commit()
    assert sorted(result.interactions) == ["talking", "waiting"]
    assert result.agents == ["a1", "a2"] and result.still_alive == []
    assert open_interactions(session) == []
    for iid in ("talking", "waiting"):
        row = get_interaction(session, iid)
        assert (row.outcome, row.state, row.exit_reason) == (LOST, LOST, LOST_ON_RESTART)
        assert (row.ended_at, row.completed_at, row.open) == (at, at, False)
    done = get_interaction(session, "done")
    assert (done.outcome, done.completed_at) == ("completed", T0 + 70)
    spans = agent_spans(session)
    assert [(s.agent_id, s.state, s.start, s.end, s.reason) for s in spans] == [
        ("a2", "paused", T0 + 50, at, "lunch"), ("a1", "busy", T0 + 95, at, "")]
    presence = {p.agent_id: (p.state, p.since) for p in agent_presence(session)}
    assert presence == {"a1": ("logged_out", at), "a2": ("logged_out", at),
                        "a3": ("logged_out", T0 + 20)}


def test_reconcile_twice_changes_nothing(session: Session) -> None:
    """The second run finds nothing to close and leaves every row as it was."""
    _crashed_state(session)
    reconcile(session, T0 + 500)
    session.commit()
    before = _snapshot(session)
    again = reconcile(session, T0 + 900)
    session.commit()
    assert (again.interactions, again.agents, again.still_alive) == ([], [], [])
    assert _snapshot(session) == before


def test_restart_time_never_before_the_rows_own_times(session: Session) -> None:
    """A clock that restarts behind the stored times (a fixed demo start) closes rows at
    their own latest time, so no duration is negative."""
    _crashed_state(session)
    reconcile(session, T0)
    session.commit()
    assert get_interaction(session, "waiting").ended_at == T0 + 100
    assert get_interaction(session, "talking").ended_at == T0 + 95
    spans = agent_spans(session)
    assert [(s.agent_id, s.state) for s in spans] == [("a2", "paused"), ("a1", "busy")]
    assert all(s.end >= s.start for s in spans)


def test_alive_hook_keeps_calls_telephony_still_carries(session: Session) -> None:
    """`alive(row)` true leaves that interaction open for the adapter to take back."""
    _crashed_state(session)
    result = reconcile(session, T0 + 500, alive=lambda row: row.interaction_id == "talking")
    session.commit()
    assert result.still_alive == ["talking"] and result.interactions == ["waiting"]
    assert [r.interaction_id for r in open_interactions(session)] == ["talking"]


def test_lost_rows_count_as_offered_not_abandoned(session: Session) -> None:
    """`core.metrics` takes `lost` rows without failing: offered and queued, handled only
    if answered before the crash, never abandoned, timed out or rejected."""
    _crashed_state(session)
    reconcile(session, T0 + 500)
    session.commit()
    rows = [interaction_record(r) for r in session.scalars(select(InteractionRow))]
    assert metrics.offered(rows) == 3 and metrics.queued(rows) == 3
    assert metrics.handled(rows) == 2
    assert metrics.abandoned(rows) == metrics.timed_out(rows) == metrics.rejected(rows) == 0
    assert metrics.abandon_rate(rows) == 0.0
    # answered: "done" after 5 s, "talking" (lost) after 5 s; no abandon
    assert metrics.service_level(rows) == 1.0 and metrics.asa(rows) == 5.0
    assert metrics.aht(rows) is not None
    assert metrics.interval_kpis(rows, T0, 15)


def test_store_sink_keeps_presence_in_the_batch_transaction(engine: Engine) -> None:
    """`AgentStateChanged` replaces the agent's presence row in the same batch."""
    sink = StoreSink(session_factory(engine), lambda _queue: "voice")
    sink.write([AgentStateChanged("a1", "available", "", T0),
                InteractionStateChanged("i1", "queued", "q", None, T0 + 1)], {"q": "voice"})
    sink.write([AgentStateChanged("a1", "paused", "coffee", T0 + 2)], {})
    with Session(engine) as session:
        row = session.get(AgentPresenceRow, "a1")
        assert row is not None
        assert (row.state, row.reason, row.since) == ("paused", "coffee", T0 + 2)
        assert get_interaction(session, "i1").open
