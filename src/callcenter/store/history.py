"""Interactions, agent-state spans and agent presence: written as they happen, searched
for reports.

An interaction row is opened when the interaction arrives (`open_interaction`),
follows its state (`update_interaction_state`), and is completed with the engine's
final `InteractionRecord` (`record_interaction`, insert-or-update by id). Functions
flush but never commit: the caller commits before acknowledging the change.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from callcenter.core.config import ConfigError
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.configs import check_id
from callcenter.store.errors import Conflict, NotFound, StoreError
from callcenter.store.models import AgentPresenceRow, AgentSpanRow, InteractionRow

T = TypeVar("T")
MAX_PAGE = 1000
_RECORD_FIELDS = tuple(f.name for f in fields(InteractionRecord))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results and the number of results on all pages."""

    items: list[T]
    total: int
    offset: int
    limit: int


def open_interaction(session: Session, interaction_id: str, *, channel: str, queue_id: str,
                     arrived_at: float, priority: int = 0, caller_number: str | None = None,
                     state: str = "arrived") -> InteractionRow:
    """Write a new, open interaction; `Conflict` if the id exists."""
    check_id("interaction", "interaction_id", interaction_id)
    if session.get(InteractionRow, interaction_id) is not None:
        raise Conflict(f"interaction {interaction_id!r} already exists")
    row = InteractionRow(interaction_id=interaction_id, channel=channel, queue_id=queue_id,
                         first_queue_id=queue_id, priority=priority, arrived_at=arrived_at,
                         caller_number=caller_number, state=state, open=True)
    session.add(row)
    session.flush()
    return row


def update_interaction_state(session: Session, interaction_id: str, state: str, *,
                             queue_id: str | None = None,
                             agent_id: str | None = None) -> InteractionRow:
    """Follow an open interaction's state, queue and agent (a completed row is left as it is)."""
    row = get_interaction(session, interaction_id)
    if row.open:
        row.state = state
        if queue_id is not None:
            row.queue_id = queue_id
        if agent_id is not None:
            row.agent_id = agent_id
        session.flush()
    return row


def record_interaction(session: Session, record: InteractionRecord, *,
                       caller_number: str | None = None) -> InteractionRow:
    """Write the final row: insert, or complete the open row with the same id.

    `caller_number` is kept from the open row unless given here or on the record.
    """
    check_id("interaction", "interaction_id", record.interaction_id)
    row = session.get(InteractionRow, record.interaction_id)
    if row is None:
        row = InteractionRow(interaction_id=record.interaction_id)
        session.add(row)
    for name in _RECORD_FIELDS:
        if name != "caller_number":
            setattr(row, name, getattr(record, name))
    if caller_number is None:
        caller_number = record.caller_number
    if caller_number is not None:
        row.caller_number = caller_number
    row.state = record.outcome
    row.open = False
    session.flush()
    return row


def set_notes(session: Session, interaction_id: str, notes: str) -> None:
    """Keep the agent's wrap-up `notes` on the interaction (`NotFound` without it)."""
    get_interaction(session, interaction_id).notes = notes
    session.flush()


def interaction_record(row: InteractionRow) -> InteractionRecord:
    """The engine's row for a completed interaction; `StoreError` while it is open."""
    if row.open or row.ended_at is None or row.completed_at is None or row.outcome is None:
        raise StoreError(f"interaction {row.interaction_id!r} is still open")
    values = {name: getattr(row, name) for name in _RECORD_FIELDS}
    return InteractionRecord(**values)


def get_interaction(session: Session, interaction_id: str) -> InteractionRow:
    """The interaction `interaction_id`; `NotFound` if there is none."""
    row = session.get(InteractionRow, interaction_id)
    if row is None:
        raise NotFound(f"no interaction {interaction_id!r}")
    return row


def open_interactions(session: Session) -> list[InteractionRow]:
    """Interactions not completed yet, oldest first (to reconcile after a restart)."""
    query = (select(InteractionRow).where(InteractionRow.open)
             .order_by(InteractionRow.arrived_at, InteractionRow.interaction_id))
    return list(session.scalars(query))


def _page(session: Session, query: Select[T], offset: int, limit: int) -> Page[T]:
    if offset < 0:
        raise ConfigError(f"search: offset must be >= 0, got {offset}")
    if not 1 <= limit <= MAX_PAGE:
        raise ConfigError(f"search: limit must be 1..{MAX_PAGE}, got {limit}")
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(session.scalars(query.offset(offset).limit(limit)))
    return Page(items, total or 0, offset, limit)


def search_interactions(session: Session, *, since: float | None = None,
                        until: float | None = None, queue_id: str | None = None,
                        agent_id: str | None = None, outcome: str | None = None,
                        caller_number: str | None = None, is_open: bool | None = None,
                        agents_or_none: Collection[str] | None = None,
                        agent_ids: Collection[str] | None = None,
                        offset: int = 0, limit: int = 50) -> Page[InteractionRow]:
    """Interactions, newest arrival first, filtered by every argument given.

    `since` <= arrived_at < `until`; `queue_id` matches the queue it ended in or the
    queue it arrived at; `agent_id` the last agent; `caller_number` exactly;
    `agents_or_none`: the last agent is one of these, or there is none (a
    supervisor's scope); `agent_ids`: the last agent is one of these (a team).
    """
    query = select(InteractionRow)
    if since is not None:
        query = query.where(InteractionRow.arrived_at >= since)
    if until is not None:
        query = query.where(InteractionRow.arrived_at < until)
    if queue_id is not None:
        query = query.where(or_(InteractionRow.queue_id == queue_id,
                                InteractionRow.first_queue_id == queue_id))
    if agent_id is not None:
        query = query.where(InteractionRow.agent_id == agent_id)
    if agents_or_none is not None:
        query = query.where(or_(InteractionRow.agent_id.in_(sorted(agents_or_none)),
                                InteractionRow.agent_id.is_(None)))
    if agent_ids is not None:
        query = query.where(InteractionRow.agent_id.in_(sorted(agent_ids)))
    if outcome is not None:
        query = query.where(InteractionRow.outcome == outcome)
    if caller_number is not None:
        query = query.where(InteractionRow.caller_number == caller_number)
    if is_open is not None:
        query = query.where(InteractionRow.open == is_open)
    query = query.order_by(InteractionRow.arrived_at.desc(),
                           InteractionRow.interaction_id.desc())
    return _page(session, query, offset, limit)


# --- agent-state spans -------------------------------------------------------------


def record_span(session: Session, span: AgentSpan) -> AgentSpanRow:
    """Write a closed agent-state span."""
    check_id("span", "agent_id", span.agent_id)
    row = AgentSpanRow(agent_id=span.agent_id, state=span.state, reason=span.reason,
                       start=span.start, end=span.end)
    session.add(row)
    session.flush()
    return row


def agent_span(row: AgentSpanRow) -> AgentSpan:
    """The engine's span stored in `row`."""
    return AgentSpan(row.agent_id, row.state, row.start, row.end, row.reason)


def agent_spans(session: Session, agent_id: str | None = None, *, since: float | None = None,
                until: float | None = None) -> list[AgentSpan]:
    """Spans by start time (of one agent, if given) that overlap [since, until)."""
    query = select(AgentSpanRow)
    if agent_id is not None:
        query = query.where(AgentSpanRow.agent_id == agent_id)
    if since is not None:
        query = query.where(AgentSpanRow.end > since)
    if until is not None:
        query = query.where(AgentSpanRow.start < until)
    query = query.order_by(AgentSpanRow.start, AgentSpanRow.id)
    return [agent_span(r) for r in session.scalars(query)]


# --- agent presence ----------------------------------------------------------------


def set_presence(session: Session, agent_id: str, state: str, reason: str,
                 since: float) -> AgentPresenceRow:
    """Record an agent's current state (insert or replace its presence row)."""
    check_id("presence", "agent_id", agent_id)
    row = session.get(AgentPresenceRow, agent_id)
    if row is None:
        row = AgentPresenceRow(agent_id=agent_id)
        session.add(row)
    row.state = state
    row.reason = reason
    row.since = since
    session.flush()
    return row


def agent_presence(session: Session) -> list[AgentPresenceRow]:
    """Every agent's presence row, by agent id."""
    return list(session.scalars(select(AgentPresenceRow).order_by(AgentPresenceRow.agent_id)))
