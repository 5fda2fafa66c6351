"""Routing configuration in the database: rows to and from `core.config` values.

`save_*` inserts or replaces one queue, agent or calendar (the tuples' order is
kept, so a config round-trips exactly); `*_config(row)` builds the frozen config,
which validates itself. Functions flush but never commit: the caller owns the
transaction. Bad values raise `ConfigError` naming the field; a missing row raises
`NotFound`; a delete that would break references raises `Conflict`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from callcenter.core.config import (
    AgentConfig,
    Calendar,
    ConfigError,
    EscalationStep,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    SkillRequirement,
    Strategy,
    WeeklyHours,
)
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import (
    AgentCapacityRow,
    AgentQueueRow,
    AgentRow,
    AgentSkillRow,
    CalendarHolidayRow,
    CalendarHoursRow,
    CalendarRow,
    EscalationStepRow,
    QueueRow,
    QueueSkillRow,
    SkillRow,
)

MAX_ID = 100
E = TypeVar("E", bound=enum.Enum)


def check_id(where: str, field: str, value: str) -> None:
    """Refuse an empty id or one longer than the id columns hold."""
    if not value or len(value) > MAX_ID:
        raise ConfigError(f"{where}: {field} must be 1..{MAX_ID} characters, got {value!r}")


def _enum(kind: type[E], value: str, where: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise ConfigError(f"{where}: {field} {value!r} is not one of "
                          f"{[e.value for e in kind]}") from None


def ensure_skills(session: Session, names: Iterable[str]) -> None:
    """Create the skills that do not exist yet (a skill is just a name)."""
    for name in dict.fromkeys(names):
        check_id("skill", "id", name)
        if session.get(SkillRow, name) is None:
            session.add(SkillRow(id=name))
    session.flush()


# --- calendars ---------------------------------------------------------------------


def calendar_config(row: CalendarRow) -> Calendar:
    """The `Calendar` stored in `row`."""
    return Calendar(
        timezone=row.timezone,
        hours=tuple(WeeklyHours(h.weekday, h.opens, h.closes) for h in row.hours),
        holidays=frozenset(h.day for h in row.holidays),
    )


def save_calendar(session: Session, calendar_id: str, calendar: Calendar) -> CalendarRow:
    """Insert or replace the calendar `calendar_id`."""
    check_id("calendar", "id", calendar_id)
    row = session.get(CalendarRow, calendar_id)
    if row is None:
        row = CalendarRow(id=calendar_id, timezone=calendar.timezone)
        session.add(row)
    row.timezone = calendar.timezone
    row.hours.clear()
    row.holidays.clear()
    session.flush()
    row.hours.extend(CalendarHoursRow(position=i, weekday=h.weekday, opens=h.opens,
                                      closes=h.closes) for i, h in enumerate(calendar.hours))
    row.holidays.extend(CalendarHolidayRow(day=d) for d in sorted(calendar.holidays))
    session.flush()
    return row


def get_calendar(session: Session, calendar_id: str) -> Calendar:
    """The calendar `calendar_id`; `NotFound` if there is none."""
    row = session.get(CalendarRow, calendar_id)
    if row is None:
        raise NotFound(f"no calendar {calendar_id!r}")
    return calendar_config(row)


def delete_calendar(session: Session, calendar_id: str) -> None:
    """Delete a calendar; `Conflict` while a queue uses it."""
    row = session.get(CalendarRow, calendar_id)
    if row is None:
        raise NotFound(f"no calendar {calendar_id!r}")
    users = session.scalars(select(QueueRow.id).where(QueueRow.calendar_id == calendar_id))
    if names := sorted(users):
        raise Conflict(f"calendar {calendar_id!r} is used by queues {names}")
    session.delete(row)
    session.flush()


# --- queues ------------------------------------------------------------------------


def _exit(kind: str, queue_id: str | None, where: str, field: str) -> ExitAction:
    return ExitAction(_enum(ExitKind, kind, where, field), queue_id)


def queue_config(row: QueueRow) -> QueueConfig:
    """The `QueueConfig` stored in `row` (validated on creation)."""
    where = f"queue {row.id!r}"
    return QueueConfig(
        id=row.id,
        strategy=_enum(Strategy, row.strategy, where, "strategy"),
        channel=row.channel,
        required_skills=tuple(SkillRequirement(s.skill_id, s.min_level)
                              for s in row.required_skills),
        initial_max_tier=row.initial_max_tier,
        escalation=tuple(EscalationStep(s.after, s.relax_levels, s.max_tier,
                                        tuple(s.overflow_to)) for s in row.escalation),
        max_length=row.max_length,
        max_wait=row.max_wait,
        timeout_action=_exit(row.timeout_action, row.timeout_queue_id, where, "timeout_action"),
        full_action=_exit(row.full_action, row.full_queue_id, where, "full_action"),
        reject_when_no_agents=row.reject_when_no_agents,
        no_agents_action=_exit(row.no_agents_action, row.no_agents_queue_id, where,
                               "no_agents_action"),
        calendar=calendar_config(row.calendar) if row.calendar is not None else None,
        closed_action=_exit(row.closed_action, row.closed_queue_id, where, "closed_action"),
        wrap_up=row.wrap_up,
        offer_timeout=row.offer_timeout,
        retry_after=row.retry_after,
        aging_rate=row.aging_rate,
        service_level_threshold=row.service_level_threshold,
        short_abandon=row.short_abandon,
        default_handle_time=row.default_handle_time,
        require_disposition=row.require_disposition,
    )


def _queue_calendar(session: Session, config: QueueConfig, calendar_id: str | None) -> str | None:
    where = f"queue {config.id!r}"
    if config.calendar is None:
        if calendar_id is not None:
            raise ConfigError(f"{where}: calendar_id {calendar_id!r} given without a calendar")
        return None
    if calendar_id is None:  # the queue's own calendar, named after it
        save_calendar(session, config.id, config.calendar)
        return config.id
    row = session.get(CalendarRow, calendar_id)
    if row is None:
        save_calendar(session, calendar_id, config.calendar)
    elif calendar_config(row) != config.calendar:
        raise ConfigError(f"{where}: calendar differs from the stored calendar "
                          f"{calendar_id!r}; save that calendar first")
    return calendar_id


def save_queue(session: Session, config: QueueConfig, *,
               calendar_id: str | None = None) -> QueueRow:
    """Insert or replace the queue `config.id`.

    A queue's calendar is stored as a calendar row: `calendar_id` names a shared one
    (created if missing, and it must equal `config.calendar` if it exists); without
    it the calendar is stored under the queue's own id. Required skills that do not
    exist yet are created. Queue ids in exit actions and overflow are not checked
    (queues may refer to each other); deleting a referenced queue is refused.
    """
    where = f"queue {config.id!r}"
    check_id(where, "id", config.id)
    for field in ("timeout_action", "full_action", "no_agents_action", "closed_action"):
        target = getattr(config, field).queue_id
        if target is not None:
            check_id(where, f"{field}.queue_id", target)
    ensure_skills(session, (r.skill for r in config.required_skills))
    cal = _queue_calendar(session, config, calendar_id)
    row = session.get(QueueRow, config.id)
    if row is None:
        row = QueueRow(id=config.id)
        session.add(row)
    row.strategy = config.strategy.value
    row.channel = config.channel
    row.initial_max_tier = config.initial_max_tier
    row.max_length = config.max_length
    row.max_wait = config.max_wait
    row.timeout_action = config.timeout_action.kind.value
    row.timeout_queue_id = config.timeout_action.queue_id
    row.full_action = config.full_action.kind.value
    row.full_queue_id = config.full_action.queue_id
    row.reject_when_no_agents = config.reject_when_no_agents
    row.no_agents_action = config.no_agents_action.kind.value
    row.no_agents_queue_id = config.no_agents_action.queue_id
    row.calendar_id = cal
    row.closed_action = config.closed_action.kind.value
    row.closed_queue_id = config.closed_action.queue_id
    for name in ("wrap_up", "offer_timeout", "retry_after", "aging_rate",
                 "service_level_threshold", "short_abandon", "default_handle_time"):
        setattr(row, name, float(getattr(config, name)))
    row.require_disposition = config.require_disposition
    row.required_skills.clear()
    row.escalation.clear()
    session.flush()
    row.required_skills.extend(
        QueueSkillRow(skill_id=r.skill, min_level=r.min_level, position=i)
        for i, r in enumerate(config.required_skills))
    row.escalation.extend(
        EscalationStepRow(position=i, after=float(s.after), relax_levels=s.relax_levels,
                          max_tier=s.max_tier, overflow_to=list(s.overflow_to))
        for i, s in enumerate(config.escalation))
    session.flush()
    session.refresh(row, ["calendar"])
    return row


def get_queue(session: Session, queue_id: str) -> QueueConfig:
    """The queue `queue_id`; `NotFound` if there is none."""
    row = session.get(QueueRow, queue_id)
    if row is None:
        raise NotFound(f"no queue {queue_id!r}")
    return queue_config(row)


def list_queues(session: Session) -> list[QueueConfig]:
    """Every queue, by id."""
    return [queue_config(r) for r in session.scalars(select(QueueRow).order_by(QueueRow.id))]


def queue_references(session: Session, queue_id: str) -> list[str]:
    """What refers to the queue: agent memberships and other queues' exits/overflow."""
    refs = [f"agent {a!r}" for a in session.scalars(
        select(AgentQueueRow.agent_id).where(AgentQueueRow.queue_id == queue_id)
        .order_by(AgentQueueRow.agent_id))]
    exits = select(QueueRow.id).where(QueueRow.id != queue_id, or_(
        QueueRow.timeout_queue_id == queue_id, QueueRow.full_queue_id == queue_id,
        QueueRow.no_agents_queue_id == queue_id, QueueRow.closed_queue_id == queue_id))
    refs += [f"queue {q!r} (exit action)" for q in session.scalars(exits.order_by(QueueRow.id))]
    for step in session.scalars(select(EscalationStepRow)
                                .where(EscalationStepRow.queue_id != queue_id)):
        if queue_id in step.overflow_to:
            refs.append(f"queue {step.queue_id!r} (overflow)")
    return list(dict.fromkeys(refs))


def delete_queue(session: Session, queue_id: str) -> None:
    """Delete a queue. Refused (`Conflict`) while agents are members of it or other
    queues send interactions to it; remove those references first."""
    row = session.get(QueueRow, queue_id)
    if row is None:
        raise NotFound(f"no queue {queue_id!r}")
    if refs := queue_references(session, queue_id):
        raise Conflict(f"queue {queue_id!r} is in use by {', '.join(refs)}")
    session.delete(row)
    session.flush()


# --- agents ------------------------------------------------------------------------


def agent_config(row: AgentRow) -> AgentConfig:
    """The `AgentConfig` stored in `row` (validated on creation)."""
    return AgentConfig(
        id=row.id,
        skills=tuple((s.skill_id, s.level) for s in row.skills),
        queues=tuple(Membership(m.queue_id, m.tier) for m in row.queues),
        capacity=tuple((c.channel, c.slots) for c in row.capacity),
    )


def save_agent(session: Session, config: AgentConfig) -> AgentRow:
    """Insert or replace the agent `config.id` (its user link is kept).

    Missing skills are created; every queue it is a member of must exist.
    """
    where = f"agent {config.id!r}"
    check_id(where, "id", config.id)
    for m in config.queues:
        if session.get(QueueRow, m.queue_id) is None:
            raise ConfigError(f"{where}: queues: no queue {m.queue_id!r}")
    ensure_skills(session, (s for s, _ in config.skills))
    row = session.get(AgentRow, config.id)
    if row is None:
        row = AgentRow(id=config.id)
        session.add(row)
    row.skills.clear()
    row.queues.clear()
    row.capacity.clear()
    session.flush()
    row.skills.extend(AgentSkillRow(skill_id=s, level=n, position=i)
                      for i, (s, n) in enumerate(config.skills))
    row.queues.extend(AgentQueueRow(queue_id=m.queue_id, tier=m.tier, position=i)
                      for i, m in enumerate(config.queues))
    row.capacity.extend(AgentCapacityRow(channel=c, slots=n, position=i)
                        for i, (c, n) in enumerate(config.capacity))
    session.flush()
    return row


def get_agent(session: Session, agent_id: str) -> AgentConfig:
    """The agent `agent_id`; `NotFound` if there is none."""
    row = session.get(AgentRow, agent_id)
    if row is None:
        raise NotFound(f"no agent {agent_id!r}")
    return agent_config(row)


def list_agents(session: Session) -> list[AgentConfig]:
    """Every agent, by id."""
    return [agent_config(r) for r in session.scalars(select(AgentRow).order_by(AgentRow.id))]


def delete_agent(session: Session, agent_id: str) -> None:
    """Delete an agent with its skills, memberships, capacity and team links
    (its history rows stay)."""
    row = session.get(AgentRow, agent_id)
    if row is None:
        raise NotFound(f"no agent {agent_id!r}")
    session.delete(row)
    session.flush()
