"""Configuration tables: skills, agents, calendars, queues and disposition codes.

Each keeps the order of the tuples in `core.config` in a `position` column, so a
config round-trips exactly.
"""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import JSON, CheckConstraint, Double, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.store.models.base import ID, Base

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
    require_disposition: Mapped[bool] = mapped_column(default=False, server_default=false())
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
