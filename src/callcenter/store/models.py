"""The tables, as SQLAlchemy 2 typed ORM classes (one class per table, `...Row`).

Configuration tables (queues, agents, calendars, skills) keep the order of the
tuples in `core.config` in a `position` column, so a config round-trips exactly.
History tables (interactions, agent spans, audit log) hold plain ids, not foreign
keys: history outlives the queue, agent or user it names.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ID = String(100)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on both databases (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint naming, so migrations name things stably."""

    metadata = MetaData(naming_convention=NAMING)


# --- users and teams ---------------------------------------------------------------

ROLES = ("agent", "supervisor", "admin")


class UserRow(Base):
    """A login: username, argon2 password hash, role."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('agent', 'supervisor', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamRow(Base):
    """A team: supervisors look after its agents."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    supervisors: Mapped[list[TeamSupervisorRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)
    agents: Mapped[list[TeamAgentRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)


class TeamSupervisorRow(Base):
    """A supervisor (a user) of a team."""

    __tablename__ = "team_supervisors"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class TeamAgentRow(Base):
    """An agent in a team."""

    __tablename__ = "team_agents"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)


# --- skills and agents -------------------------------------------------------------


class SkillRow(Base):
    """A skill name that queues require and agents have."""

    __tablename__ = "skills"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    description: Mapped[str] = mapped_column(String(255), default="")


class AgentRow(Base):
    """An agent (`core.config.AgentConfig`), optionally linked to a user login."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    skills: Mapped[list[AgentSkillRow]] = relationship(
        order_by="AgentSkillRow.position", cascade="all, delete-orphan", passive_deletes=True)
    queues: Mapped[list[AgentQueueRow]] = relationship(
        order_by="AgentQueueRow.position", cascade="all, delete-orphan", passive_deletes=True)
    capacity: Mapped[list[AgentCapacityRow]] = relationship(
        order_by="AgentCapacityRow.position", cascade="all, delete-orphan",
        passive_deletes=True)


class AgentSkillRow(Base):
    """An agent's skill at a level 1..10."""

    __tablename__ = "agent_skills"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 10", name="level"),)

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id"), primary_key=True,
                                          index=True)
    level: Mapped[int]
    position: Mapped[int]


class AgentQueueRow(Base):
    """An agent's membership of a queue at a tier (deleting the queue is refused)."""

    __tablename__ = "agent_queues"
    __table_args__ = (CheckConstraint("tier >= 1", name="tier"),)

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id", ondelete="RESTRICT"),
                                          primary_key=True, index=True)
    tier: Mapped[int]
    position: Mapped[int]


class AgentCapacityRow(Base):
    """How many interactions of a channel the agent handles at once."""

    __tablename__ = "agent_capacity"
    __table_args__ = (CheckConstraint("slots >= 0", name="slots"),)

    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"),
                                          primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    slots: Mapped[int]
    position: Mapped[int]


# --- calendars ---------------------------------------------------------------------


class CalendarRow(Base):
    """Business hours (`core.config.Calendar`): time zone, weekly hours, holidays."""

    __tablename__ = "calendars"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[list[CalendarHoursRow]] = relationship(
        order_by="CalendarHoursRow.position", cascade="all, delete-orphan",
        passive_deletes=True)
    holidays: Mapped[list[CalendarHolidayRow]] = relationship(
        order_by="CalendarHolidayRow.day", cascade="all, delete-orphan", passive_deletes=True)


class CalendarHoursRow(Base):
    """One opening range on a weekday (0 = Monday)."""

    __tablename__ = "calendar_hours"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    calendar_id: Mapped[str] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"),
                                             primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    weekday: Mapped[int]
    opens: Mapped[time]
    closes: Mapped[time]


class CalendarHolidayRow(Base):
    """A date on which the calendar is closed all day."""

    __tablename__ = "calendar_holidays"

    calendar_id: Mapped[str] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"),
                                             primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


# --- queues ------------------------------------------------------------------------


class QueueRow(Base):
    """Every routing setting of one queue (`core.config.QueueConfig`).

    Each exit action is a kind plus a target queue id for kind `queue`.
    """

    __tablename__ = "queues"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    strategy: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(20))
    initial_max_tier: Mapped[int | None]
    max_length: Mapped[int | None]
    max_wait: Mapped[float | None] = mapped_column(Double())
    timeout_action: Mapped[str] = mapped_column(String(20))
    timeout_queue_id: Mapped[str | None] = mapped_column(ID)
    full_action: Mapped[str] = mapped_column(String(20))
    full_queue_id: Mapped[str | None] = mapped_column(ID)
    reject_when_no_agents: Mapped[bool]
    no_agents_action: Mapped[str] = mapped_column(String(20))
    no_agents_queue_id: Mapped[str | None] = mapped_column(ID)
    calendar_id: Mapped[str | None] = mapped_column(
        ForeignKey("calendars.id", ondelete="RESTRICT"), index=True)
    closed_action: Mapped[str] = mapped_column(String(20))
    closed_queue_id: Mapped[str | None] = mapped_column(ID)
    wrap_up: Mapped[float] = mapped_column(Double())
    offer_timeout: Mapped[float] = mapped_column(Double())
    retry_after: Mapped[float] = mapped_column(Double())
    aging_rate: Mapped[float] = mapped_column(Double())
    service_level_threshold: Mapped[float] = mapped_column(Double())
    short_abandon: Mapped[float] = mapped_column(Double())
    default_handle_time: Mapped[float] = mapped_column(Double())
    required_skills: Mapped[list[QueueSkillRow]] = relationship(
        order_by="QueueSkillRow.position", cascade="all, delete-orphan", passive_deletes=True)
    escalation: Mapped[list[EscalationStepRow]] = relationship(
        order_by="EscalationStepRow.position", cascade="all, delete-orphan",
        passive_deletes=True)
    calendar: Mapped[CalendarRow | None] = relationship()


class QueueSkillRow(Base):
    """A skill the queue requires, at a minimum level."""

    __tablename__ = "queue_skills"
    __table_args__ = (CheckConstraint("min_level BETWEEN 1 AND 10", name="min_level"),)

    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"),
                                          primary_key=True)
    skill_id: Mapped[str] = mapped_column(ForeignKey("skills.id"), primary_key=True,
                                          index=True)
    min_level: Mapped[int]
    position: Mapped[int]


class EscalationStepRow(Base):
    """One escalation step; `overflow_to` is a JSON list of queue ids."""

    __tablename__ = "queue_escalation"

    queue_id: Mapped[str] = mapped_column(ForeignKey("queues.id", ondelete="CASCADE"),
                                          primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    after: Mapped[float] = mapped_column(Double())
    relax_levels: Mapped[int]
    max_tier: Mapped[int | None]
    overflow_to: Mapped[list[str]] = mapped_column(JSON())


class DispositionCodeRow(Base):
    """A wrap-up code an agent picks at the end of an interaction."""

    __tablename__ = "disposition_codes"

    code: Mapped[str] = mapped_column(ID, primary_key=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)


# --- history -----------------------------------------------------------------------


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


# --- outbound ------------------------------------------------------------------------


class CampaignRow(Base):
    """An outbound campaign: its name and its `core.dialer.campaign.Campaign` as JSON
    (`callcenter.store.leads.campaign_to_json`)."""

    __tablename__ = "campaigns"

    name: Mapped[str] = mapped_column(ID, primary_key=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="stopped",
                                       server_default="stopped")
    """`stopped`, `running` or `paused` (`callcenter.store.campaigns.STATES`)."""


class LeadRow(Base):
    """One lead of a campaign (`core.dialer.leads.Lead`), as the queue last left it.

    A number appears once per campaign; `counts` is the JSON list of retry-outcome
    counts in `RETRY_OUTCOMES` order.
    """

    __tablename__ = "leads"
    __table_args__ = (
        Index("ix_leads_campaign_number", "campaign", "number", unique=True),
        Index("ix_leads_campaign_state_due", "campaign", "state", "due"),
    )

    campaign: Mapped[str] = mapped_column(
        ForeignKey("campaigns.name", ondelete="CASCADE"), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int]
    fields: Mapped[dict[str, str]] = mapped_column(JSON())
    country: Mapped[str | None] = mapped_column(String(2))
    agent_reserved: Mapped[bool]
    state: Mapped[str] = mapped_column(String(20))
    result: Mapped[str | None] = mapped_column(String(20))
    due: Mapped[float] = mapped_column(Double())
    attempts: Mapped[int]
    day: Mapped[int]
    attempts_on_day: Mapped[int]
    counts: Mapped[list[int]] = mapped_column(JSON())
    last_outcome: Mapped[str | None] = mapped_column(ID)
    last_attempt_at: Mapped[float | None] = mapped_column(Double())
    dropped_at: Mapped[float | None] = mapped_column(Double())
    callback_at: Mapped[float | None] = mapped_column(Double())
    callback_agent: Mapped[str | None] = mapped_column(ID)


class DncNumberRow(Base):
    """A number on a do-not-call list: `global`, `campaign:NAME` or `national:NAME`."""

    __tablename__ = "dnc_numbers"

    list_name: Mapped[str] = mapped_column(String(120), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttemptRow(Base):
    """One dial attempt of a campaign, written by the dialer: the compliance report's
    source. Times are Unix seconds; `info_delay` is the seconds from a dropped call's
    live answer to the start of the information message."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_campaign_started", "campaign", "started"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(ForeignKey("campaigns.name", ondelete="CASCADE"))
    lead_id: Mapped[str] = mapped_column(ID)
    number: Mapped[str] = mapped_column(String(20))
    started: Mapped[float] = mapped_column(Double())
    answered: Mapped[float | None] = mapped_column(Double())
    outcome: Mapped[str] = mapped_column(String(20))
    agent: Mapped[str | None] = mapped_column(ID)
    dropped: Mapped[bool] = mapped_column(default=False)
    info_delay: Mapped[float | None] = mapped_column(Double())


# --- customers -----------------------------------------------------------------------


class CustomerRow(Base):
    """A customer of the directory (`crm.customers.Customer`): the IVR's `Lookup` finds
    it by one of its numbers or by its `account`."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    account: Mapped[str | None] = mapped_column(ID, unique=True)
    segment: Mapped[str] = mapped_column(String(50), default="")
    language: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(Text(), default="")
    fields: Mapped[dict[str, str]] = mapped_column(JSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    numbers: Mapped[list[CustomerNumberRow]] = relationship(
        order_by="CustomerNumberRow.position", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin")


class CustomerNumberRow(Base):
    """One E.164 number of a customer; a number belongs to one customer only."""

    __tablename__ = "customer_numbers"

    number: Mapped[str] = mapped_column(String(20), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int]


# --- media and IVR -------------------------------------------------------------------


class RecordingRow(Base):
    """A recording decoded to WAV (`telephony.sip.recorder.RecordingReady`): a call
    bridged to an agent (`kind` call; `interaction_id` is the interaction's) or a
    voicemail (`kind` voicemail, `box`; `interaction_id` is the call's, see `ivr_runs`)."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(ID, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    box: Mapped[str | None] = mapped_column(ID)
    path: Mapped[str] = mapped_column(String(500))
    caller: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(Double())
    paused_seconds: Mapped[float] = mapped_column(Double(), default=0.0)


class IvrRunRow(Base):
    """A call's way through an IVR flow (`core.ivr.FlowEnded`): where it ended
    (`queue:<id>`, `callback:<id>`, `voicemail:<box>`, `transfer`, `hangup`,
    `abandoned`), the nodes visited and the variables it set."""

    __tablename__ = "ivr_runs"

    call_id: Mapped[str] = mapped_column(ID, primary_key=True)
    flow_id: Mapped[str] = mapped_column(ID, index=True)
    outcome: Mapped[str] = mapped_column(String(120), index=True)
    path: Mapped[list[str]] = mapped_column(JSON())
    variables: Mapped[dict[str, str]] = mapped_column(JSON())
    language: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
