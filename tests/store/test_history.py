"""Interactions and agent spans: open, follow, complete, search; audit entries."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from callcenter.core.config import ConfigError, QueueConfig
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.audit import audit, audit_entries
from callcenter.store.errors import Conflict, StoreError
from callcenter.store.history import (
    agent_spans,
    get_interaction,
    interaction_record,
    open_interaction,
    open_interactions,
    record_interaction,
    record_span,
    search_interactions,
    update_interaction_state,
)
from callcenter.store.models import InteractionRow

DONE = InteractionRecord(
    interaction_id="c1", channel="voice", queue_id="billing", first_queue_id="sales",
    priority=3, arrived_at=1_767_225_600.125, answered_at=1_767_225_612.5,
    ended_at=1_767_225_790.0, completed_at=1_767_225_805.0, outcome="completed",
    agent_id="anna", exit_reason="", exit_action="", offers=2, transfers=1, callback=False,
    disposition="sale", first_offered_at=1_767_225_601.0, talk_seconds=177.5,
    wrap_seconds=15.0, service_level_threshold=30.0, short_abandon=4.0)


def _row(iid: str, at: float, **kw: object) -> InteractionRecord:
    return replace(DONE, interaction_id=iid, arrived_at=at, **kw)  # type: ignore[arg-type]


def test_interaction_columns_are_the_record_fields() -> None:
    """The interactions table has InteractionRecord's columns plus the store's own five
    (state, open, updated_at, and the agent's wrap-up notes and the call's customer,
    which the engine never sees)."""
    columns = [c.name for c in InteractionRow.__table__.columns]
    record = [f.name for f in fields(InteractionRecord)]
    assert columns == [*record, "notes", "customer_id", "state", "open", "updated_at"]


def test_interaction_record_round_trips(session: Session) -> None:
    """A finished InteractionRecord is stored and read back exactly."""
    record_interaction(session, DONE)
    session.commit()
    session.expunge_all()
    assert interaction_record(get_interaction(session, "c1")) == DONE


def test_unanswered_record_round_trips(session: Session) -> None:
    """A record with no answer, no agent and a callback keeps its None values."""
    lost = replace(DONE, answered_at=None, agent_id=None, first_offered_at=None,
                   outcome="timed_out", exit_reason="max_wait", exit_action="callback",
                   callback=True, talk_seconds=0.0)
    record_interaction(session, lost)
    session.expunge_all()
    assert interaction_record(get_interaction(session, "c1")) == lost


def test_open_interaction_is_followed_then_completed(session: Session) -> None:
    """An interaction written on arrival follows its state and is completed in place."""
    open_interaction(session, "c1", channel="voice", queue_id="sales", priority=3,
                     arrived_at=DONE.arrived_at, caller_number="+4930123")
    update_interaction_state(session, "c1", "connected", queue_id="billing", agent_id="anna")
    session.commit()
    row = get_interaction(session, "c1")
    assert (row.open, row.state, row.queue_id, row.agent_id) == (
        True, "connected", "billing", "anna")
    record_interaction(session, DONE)
    session.commit()
    session.expunge_all()
    row = get_interaction(session, "c1")
    assert (row.open, row.state, row.caller_number) == (False, "completed", "+4930123")
    assert interaction_record(row) == replace(DONE, caller_number="+4930123")


def test_open_interaction_has_no_record_yet(session: Session) -> None:
    """Asking for the final record of an open interaction raises StoreError."""
    row = open_interaction(session, "c1", channel="chat", queue_id="q", arrived_at=1.0)
    with pytest.raises(StoreError, match="'c1' is still open"):
        interaction_record(row)


def test_duplicate_open_conflicts(session: Session) -> None:
    """Opening an interaction id twice raises Conflict."""
    open_interaction(session, "c1", channel="chat", queue_id="q", arrived_at=1.0)
    with pytest.raises(Conflict):
        open_interaction(session, "c1", channel="chat", queue_id="q", arrived_at=1.0)


def test_completed_row_ignores_late_state_changes(session: Session) -> None:
    """A state change that arrives after the final row does not reopen it."""
    record_interaction(session, DONE)
    row = update_interaction_state(session, "c1", "wrap_up")
    assert (row.open, row.state) == (False, "completed")


def test_open_interactions_lists_only_open_ones(session: Session) -> None:
    """open_interactions returns open rows, oldest first, for reconciliation."""
    open_interaction(session, "late", channel="voice", queue_id="q", arrived_at=20.0)
    open_interaction(session, "early", channel="voice", queue_id="q", arrived_at=10.0)
    record_interaction(session, _row("done", 5.0))
    assert [r.interaction_id for r in open_interactions(session)] == ["early", "late"]


@pytest.fixture
def calls(session: Session) -> Session:
    """Six finished interactions across queues, agents, outcomes and numbers."""
    rows = [
        _row("c1", 100.0), _row("c2", 200.0, agent_id="ben"),
        _row("c3", 300.0, outcome="abandoned", agent_id=None, answered_at=None),
        _row("c4", 400.0, queue_id="sales", first_queue_id="sales"),
        _row("c5", 500.0, queue_id="tech", first_queue_id="tech", agent_id="ben"),
        _row("c6", 600.0, outcome="rejected", agent_id=None, answered_at=None),
    ]
    for i, r in enumerate(rows):
        record_interaction(session, r, caller_number="+4930111" if i % 2 else "+4930222")
    session.commit()
    return session


def _ids(session: Session, **filters: object) -> list[str]:
    page = search_interactions(session, **filters)  # type: ignore[arg-type]
    return [r.interaction_id for r in page.items]


def test_search_by_date_range(calls: Session) -> None:
    """since is inclusive, until exclusive; newest arrival first."""
    assert _ids(calls, since=200.0, until=500.0) == ["c4", "c3", "c2"]


def test_search_by_queue_matches_first_or_last_queue(calls: Session) -> None:
    """A queue filter finds interactions that arrived at or ended in the queue."""
    assert _ids(calls, queue_id="sales") == ["c6", "c4", "c3", "c2", "c1"]
    assert _ids(calls, queue_id="tech") == ["c5"]


def test_search_by_agent(calls: Session) -> None:
    """An agent filter finds the interactions the agent handled last."""
    assert _ids(calls, agent_id="ben") == ["c5", "c2"]


def test_search_by_outcome(calls: Session) -> None:
    """An outcome filter finds only that outcome."""
    assert _ids(calls, outcome="abandoned") == ["c3"]


def test_search_by_caller_number(calls: Session) -> None:
    """A caller number filter matches the number exactly."""
    assert _ids(calls, caller_number="+4930111") == ["c6", "c4", "c2"]


def test_search_combines_filters(calls: Session) -> None:
    """Several filters all apply."""
    assert _ids(calls, agent_id="ben", caller_number="+4930111", since=150.0) == ["c2"]


def test_search_pages(calls: Session) -> None:
    """offset and limit page through the results; total counts all pages."""
    page = search_interactions(calls, offset=2, limit=3)
    assert ([r.interaction_id for r in page.items], page.total) == (["c4", "c3", "c2"], 6)


def test_search_refuses_bad_limit(calls: Session) -> None:
    """A limit outside 1..1000 is a ConfigError naming limit."""
    with pytest.raises(ConfigError, match=r"limit must be 1\.\.1000"):
        search_interactions(calls, limit=0)


def test_agent_span_round_trips(session: Session) -> None:
    """An AgentSpan with a pause reason is stored and read back exactly."""
    span = AgentSpan("anna", "paused", 1_767_225_600.25, 1_767_226_500.75, "lunch")
    record_span(session, span)
    session.commit()
    session.expunge_all()
    assert agent_spans(session, "anna") == [span]


def test_agent_spans_filter_by_agent_and_overlap(session: Session) -> None:
    """Spans come back for one agent, by start, overlapping the window."""
    for span in (AgentSpan("anna", "ready", 0.0, 10.0), AgentSpan("anna", "busy", 10.0, 30.0),
                 AgentSpan("anna", "ready", 30.0, 40.0), AgentSpan("ben", "ready", 5.0, 50.0)):
        record_span(session, span)
    got = agent_spans(session, "anna", since=5.0, until=30.0)
    assert [(s.state, s.start) for s in got] == [("ready", 0.0), ("busy", 10.0)]


def test_audit_entry_keeps_before_and_after(session: Session) -> None:
    """An audit row keeps who, what and JSON snapshots of the config before and after."""
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    audit(session, actor="admin", action="update", entity="queue", entity_id="q",
          before=QueueConfig("q"), after=QueueConfig("q", wrap_up=30.0), at=at)
    session.commit()
    session.expunge_all()
    [row] = audit_entries(session, entity="queue", entity_id="q")
    assert (row.actor, row.action, row.at) == ("admin", "update", at)
    assert (row.before["wrap_up"], row.after["wrap_up"], row.after["strategy"]) == (
        0.0, 30.0, "longest-idle")


def test_audit_entries_newest_first_and_filtered(session: Session) -> None:
    """audit_entries filters by actor and returns the newest first."""
    for i, actor in enumerate(("admin", "boss", "admin")):
        audit(session, actor=actor, action="create", entity="skill", entity_id=f"s{i}",
              after={"id": f"s{i}"}, at=datetime(2026, 1, 1, i, tzinfo=UTC))
    rows = audit_entries(session, actor="admin")
    assert [(r.entity_id, r.before) for r in rows] == [("s2", None), ("s0", None)]
