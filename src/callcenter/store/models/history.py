"""History tables: interactions, agent state spans and presence, the audit log.

They hold plain ids, not foreign keys: history outlives the queue, agent or user it
names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Double, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base, UTCDateTime, utcnow


class InteractionRow(Base):
    """One interaction: the columns of `core.records.InteractionRecord`, plus
    `caller_number`, the current `state`, `open` and `updated_at`.

    Written open when the interaction arrives (ended_at, completed_at and outcome
    still empty), updated as it moves, and completed with the engine's final row.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_open_arrived_at", "open", "arrived_at"),
    )

    interaction_id: Mapped[str] = mapped_column(ID, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    queue_id: Mapped[str] = mapped_column(ID, index=True)
    first_queue_id: Mapped[str] = mapped_column(ID, index=True)
    priority: Mapped[int]
    arrived_at: Mapped[float] = mapped_column(Double(), index=True)
    answered_at: Mapped[float | None] = mapped_column(Double())
    ended_at: Mapped[float | None] = mapped_column(Double())
    completed_at: Mapped[float | None] = mapped_column(Double())
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    agent_id: Mapped[str | None] = mapped_column(ID, index=True)
    exit_reason: Mapped[str] = mapped_column(String(50), default="")
    exit_action: Mapped[str] = mapped_column(String(120), default="")
    offers: Mapped[int] = mapped_column(default=0)
    transfers: Mapped[int] = mapped_column(default=0)
    callback: Mapped[bool] = mapped_column(default=False)
    disposition: Mapped[str] = mapped_column(ID, default="")
    first_offered_at: Mapped[float | None] = mapped_column(Double())
    talk_seconds: Mapped[float] = mapped_column(Double(), default=0.0)
    wrap_seconds: Mapped[float] = mapped_column(Double(), default=0.0)
    service_level_threshold: Mapped[float] = mapped_column(Double(), default=20.0)
    short_abandon: Mapped[float] = mapped_column(Double(), default=5.0)
    caller_number: Mapped[str | None] = mapped_column(String(64), index=True)
    hold_seconds: Mapped[float] = mapped_column(Double(), default=0.0, server_default="0")
    notes: Mapped[str] = mapped_column(Text(), default="", server_default="")
    """The agent's wrap-up notes."""
    customer_id: Mapped[int | None] = mapped_column(index=True)
    """The customer the call is about: found by the IVR, or chosen by the agent."""
    state: Mapped[str] = mapped_column(String(32))
    open: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)


class AgentSpanRow(Base):
    """An agent spent [start, end) in one state (`core.records.AgentSpan`)."""

    __tablename__ = "agent_spans"
    __table_args__ = (Index("ix_agent_spans_agent_id_start", "agent_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[str] = mapped_column(ID)
    state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(100), default="")
    start: Mapped[float] = mapped_column(Double())
    end: Mapped[float] = mapped_column(Double())


class AgentPresenceRow(Base):
    """An agent's current state (`AgentStateChanged`): what it is doing since when.

    One row per agent that ever changed state; `logged_out` once it logs out or once
    a restart reconciled it (`callcenter.store.reconcile`).
    """

    __tablename__ = "agent_presence"

    agent_id: Mapped[str] = mapped_column(ID, primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(100), default="")
    since: Mapped[float] = mapped_column(Double())


class AuditRow(Base):
    """Who changed what, when; `before`/`after` are JSON snapshots of the entity."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(ID)
    before: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
