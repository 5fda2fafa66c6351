"""Admin CRUD (`/api/admin/...`, admin role only): queues, agents, skills, calendars here;
users, teams and disposition codes in `routes_admin_directory`, included below.

Each change is one store transaction with its audit row (who, action, entity, id,
before/after). After the commit, a queue or agent change is applied to the running
engine (`QueueConfigured` / `AgentConfigured`). What the engine would refuse is
checked before the transaction, so the store and the engine agree: a logged-in
agent or a queue with waiting interactions gives 409. A delete leaves the store,
then the engine (`QueueRemoved` / `AgentRemoved`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api import routes_admin_directory
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField, errors, named_field
from callcenter.api.routes_admin_directory import NO_CONTENT, Admin, Name, in_transaction, record
from callcenter.api.routes_agents import submit
from callcenter.api.state import Server
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
from callcenter.core.events import AgentConfigured, AgentRemoved, QueueConfigured, QueueRemoved
from callcenter.store.audit import snapshot
from callcenter.store.configs import (
    delete_agent,
    delete_calendar,
    delete_queue,
    get_agent,
    get_calendar,
    get_queue,
    list_agents,
    list_queues,
    queue_config,
    save_agent,
    save_calendar,
    save_queue,
)
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import AgentRow, CalendarRow, QueueRow

T = TypeVar("T")
router = APIRouter(prefix="/api/admin", tags=["admin"],
                   responses=errors(401, 403, 404, 409, 422, 503))
router.include_router(routes_admin_directory.router)


def _field(name: str, build: Callable[..., T], *args: Any) -> T:
    """`build(*args)`, with a `ConfigError` turned into an `InvalidField` for `name`."""
    try:
        return build(*args)
    except ConfigError as exc:
        raise InvalidField(name, f"{name}: {exc}") from None


# --- calendars ---------------------------------------------------------------------


LocalTime = Annotated[time, WithJsonSchema({
    "type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
    "description": "Local wall-clock time, HH:MM or HH:MM:SS (no offset: the calendar's "
                   "time zone applies)."})]
"""A time of day on a calendar's wall clock. JSON Schema's `time` format requires an
offset, which these times must not have."""


class HoursModel(BaseModel):
    """Open hours on one weekday (0 is Monday), in the calendar's time zone."""

    weekday: int = Field(ge=0, le=6)
    opens: LocalTime
    closes: LocalTime


class CalendarSettings(BaseModel):
    """A calendar: time zone, weekly open hours, holidays (closed all day)."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    hours: list[HoursModel] = []
    holidays: list[date] = []

    def config(self) -> Calendar:
        """The core `Calendar` (`ConfigError` naming the field if it is wrong)."""
        hours = tuple(_field(f"hours[{i}]", WeeklyHours, h.weekday, h.opens, h.closes)
                      for i, h in enumerate(self.hours))
        return _field("timezone", Calendar, self.timezone, hours, frozenset(self.holidays))


class CalendarIn(CalendarSettings):
    """A new calendar."""

    id: str = Name


class CalendarView(CalendarIn):
    """A calendar."""


def _calendar_view(calendar_id: str, calendar: Calendar) -> CalendarView:
    return CalendarView.model_validate({**snapshot(calendar), "id": calendar_id})


async def _write_calendar(server: Server, user: Admin, calendar_id: str,
                          body: CalendarSettings, *, create: bool) -> CalendarView:
    calendar = body.config()

    def work(session: Session) -> tuple[CalendarView, list[QueueConfig]]:
        before = None
        if session.get(CalendarRow, calendar_id) is not None:
            if create:
                raise Conflict(f"calendar {calendar_id!r} already exists")
            before = get_calendar(session, calendar_id)
        elif not create:
            raise NotFound(f"no calendar {calendar_id!r}")
        save_calendar(session, calendar_id, calendar)
        record(session, user, "create" if create else "update", "calendar", calendar_id,
               before, calendar)
        users = session.scalars(select(QueueRow).where(QueueRow.calendar_id == calendar_id))
        return _calendar_view(calendar_id, calendar), [queue_config(q) for q in users]

    view, queues = await in_transaction(server, work)
    for queue in queues:  # the engine's queues carry their calendar
        if queue.id in server.runtime.engine.queues:
            await submit(server, QueueConfigured(queue))
    return view


@router.get("/calendars", response_model=list[CalendarView])
async def list_calendars(server: ServerDep, _user: Admin) -> list[CalendarView]:
    """Every calendar, by id."""
    def work(session: Session) -> list[CalendarView]:
        ids = session.scalars(select(CalendarRow.id).order_by(CalendarRow.id))
        return [_calendar_view(i, get_calendar(session, i)) for i in ids]
    return await in_transaction(server, work)


@router.get("/calendars/{calendar_id}", response_model=CalendarView)
async def read_calendar(calendar_id: str, server: ServerDep, _user: Admin) -> CalendarView:
    """One calendar."""
    return await in_transaction(
        server, lambda s: _calendar_view(calendar_id, get_calendar(s, calendar_id)))


@router.post("/calendars", response_model=CalendarView, status_code=status.HTTP_201_CREATED)
async def add_calendar(body: CalendarIn, server: ServerDep, user: Admin) -> CalendarView:
    """Create a calendar; 409 if it exists."""
    return await _write_calendar(server, user, body.id, body, create=True)


@router.put("/calendars/{calendar_id}", response_model=CalendarView)
async def change_calendar(calendar_id: str, body: CalendarSettings, server: ServerDep,
                          user: Admin) -> CalendarView:
    """Replace a calendar; the running queues that use it follow."""
    return await _write_calendar(server, user, calendar_id, body, create=False)


@router.delete("/calendars/{calendar_id}", **NO_CONTENT)
async def remove_calendar(calendar_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a calendar; 409 while a queue uses it."""
    def work(session: Session) -> None:
        before = get_calendar(session, calendar_id)
        delete_calendar(session, calendar_id)
        record(session, user, "delete", "calendar", calendar_id, before=before)
    await in_transaction(server, work)


# --- queues ------------------------------------------------------------------------


class RequirementModel(BaseModel):
    """A skill a queue requires, at a minimum level."""

    skill: str = Name
    min_level: int = 1


class EscalationModel(BaseModel):
    """After `after` seconds of waiting: relax levels, widen tiers, overflow."""

    after: float
    relax_levels: int = 0
    max_tier: int | None = None
    overflow_to: list[str] = []


class ExitModel(BaseModel):
    """What happens to an interaction leaving the queue (`queue` needs `queue_id`)."""

    kind: ExitKind = ExitKind.HANGUP
    queue_id: str | None = Field(default=None, min_length=1, max_length=100)


class QueueSettings(BaseModel):
    """A queue's settings (`core.config.QueueConfig`); `calendar_id` names a stored
    calendar (none: always open)."""

    model_config = ConfigDict(extra="forbid")

    strategy: Strategy = Strategy.LONGEST_IDLE
    channel: str = "voice"
    required_skills: list[RequirementModel] = []
    initial_max_tier: int | None = None
    escalation: list[EscalationModel] = []
    max_length: int | None = None
    max_wait: float | None = None
    timeout_action: ExitModel = ExitModel()
    full_action: ExitModel = ExitModel()
    reject_when_no_agents: bool = False
    no_agents_action: ExitModel = ExitModel()
    calendar_id: str | None = Field(default=None, min_length=1, max_length=100)
    closed_action: ExitModel = ExitModel()
    wrap_up: float = 0.0
    offer_timeout: float = 20.0
    retry_after: float = 10.0
    aging_rate: float = 0.1
    service_level_threshold: float = 20.0
    short_abandon: float = 5.0
    default_handle_time: float = 180.0

    def config(self, queue_id: str, calendar: Calendar | None) -> QueueConfig:
        """The core `QueueConfig` (`ConfigError` naming the field if it is wrong)."""
        def exit_(name: str) -> ExitAction:
            e: ExitModel = getattr(self, name)
            return _field(name, ExitAction, e.kind, e.queue_id)

        return named_field(QueueSettings.model_fields, lambda: QueueConfig(
            id=queue_id, strategy=self.strategy, channel=self.channel,
            required_skills=tuple(_field(f"required_skills[{i}]", SkillRequirement, r.skill,
                                         r.min_level) for i, r in enumerate(self.required_skills)),
            initial_max_tier=self.initial_max_tier,
            escalation=tuple(_field(f"escalation[{i}]", EscalationStep, s.after, s.relax_levels,
                                    s.max_tier, tuple(s.overflow_to))
                             for i, s in enumerate(self.escalation)),
            max_length=self.max_length, max_wait=self.max_wait,
            timeout_action=exit_("timeout_action"), full_action=exit_("full_action"),
            reject_when_no_agents=self.reject_when_no_agents,
            no_agents_action=exit_("no_agents_action"), calendar=calendar,
            closed_action=exit_("closed_action"), wrap_up=self.wrap_up,
            offer_timeout=self.offer_timeout, retry_after=self.retry_after,
            aging_rate=self.aging_rate, service_level_threshold=self.service_level_threshold,
            short_abandon=self.short_abandon, default_handle_time=self.default_handle_time))


class QueueIn(QueueSettings):
    """A new queue."""

    id: str = Name


class QueueView(QueueIn):
    """A queue as stored."""


def _queue_view(session: Session, queue_id: str) -> QueueView:
    config = get_queue(session, queue_id)
    row = session.get(QueueRow, queue_id)
    data: dict[str, Any] = snapshot(config)
    data.pop("calendar")
    return QueueView.model_validate({**data, "calendar_id": row.calendar_id if row else None})


def _check_queue_for_engine(server: Server, config: QueueConfig) -> None:
    """Refuse before storing what the running engine would refuse after."""
    engine = server.runtime.engine
    fields = {name: [getattr(config, name).queue_id] for name in
              ("timeout_action", "full_action", "no_agents_action", "closed_action")}
    fields |= {f"escalation[{i}].overflow_to": list(s.overflow_to)
               for i, s in enumerate(config.escalation)}
    for name, targets in fields.items():
        for target in targets:
            if target is not None and target != config.id and target not in engine.queues:
                raise InvalidField(name, f"queue {config.id!r}: {name}: no queue {target!r}")
    old = engine.queues.get(config.id)
    if old is not None and old.escalation != config.escalation \
            and engine.waiting_count(config.id):
        raise Conflict(f"queue {config.id!r} has waiting interactions: "
                       "its escalation steps cannot change now")


async def _write_queue(server: Server, user: Admin, queue_id: str, body: QueueSettings, *,
                       create: bool) -> QueueView:
    def work(session: Session) -> tuple[QueueView, QueueConfig]:
        exists = session.get(QueueRow, queue_id) is not None
        if create and exists:
            raise Conflict(f"queue {queue_id!r} already exists")
        if not create and not exists:
            raise NotFound(f"no queue {queue_id!r}")
        before = None if create else _queue_view(session, queue_id).model_dump()
        calendar = None
        if body.calendar_id is not None:
            try:
                calendar = get_calendar(session, body.calendar_id)
            except NotFound:
                raise InvalidField("calendar_id", f"queue {queue_id!r}: calendar_id: "
                                   f"no calendar {body.calendar_id!r}") from None
        config = body.config(queue_id, calendar)
        _check_queue_for_engine(server, config)
        save_queue(session, config, calendar_id=body.calendar_id)
        view = _queue_view(session, queue_id)
        record(session, user, "create" if create else "update", "queue", queue_id, before,
               view.model_dump())
        return view, config

    view, config = await in_transaction(server, work)
    await submit(server, QueueConfigured(config))
    return view


@router.get("/queues", response_model=list[QueueView])
async def list_stored_queues(server: ServerDep, _user: Admin) -> list[QueueView]:
    """Every stored queue, by id."""
    return await in_transaction(server, lambda s: [_queue_view(s, q.id)
                                                   for q in list_queues(s)])


@router.get("/queues/{queue_id}", response_model=QueueView)
async def read_queue(queue_id: str, server: ServerDep, _user: Admin) -> QueueView:
    """One stored queue."""
    return await in_transaction(server, lambda s: _queue_view(s, queue_id))


@router.post("/queues", response_model=QueueView, status_code=status.HTTP_201_CREATED)
async def add_queue(body: QueueIn, server: ServerDep, user: Admin) -> QueueView:
    """Create a queue (routable at once); 409 if it exists."""
    return await _write_queue(server, user, body.id, body, create=True)


@router.put("/queues/{queue_id}", response_model=QueueView)
async def change_queue(queue_id: str, body: QueueSettings, server: ServerDep,
                       user: Admin) -> QueueView:
    """Replace a queue's settings, in the store and the running engine."""
    return await _write_queue(server, user, queue_id, body, create=False)


@router.delete("/queues/{queue_id}", **NO_CONTENT)
async def remove_queue(queue_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a queue; 409 while interactions wait in it, agents are members of it or
    other queues send interactions to it."""
    engine = server.runtime.engine
    if queue_id in engine.queues and (waiting := engine.waiting_count(queue_id)):
        raise Conflict(f"queue {queue_id!r} has {waiting} waiting interactions")

    def work(session: Session) -> None:
        before = _queue_view(session, queue_id).model_dump()
        delete_queue(session, queue_id)
        record(session, user, "delete", "queue", queue_id, before=before)
    await in_transaction(server, work)
    if queue_id in engine.queues:
        await server.runtime.driver.submit(QueueRemoved(queue_id))


# --- agents ------------------------------------------------------------------------


class SkillLevel(BaseModel):
    """A skill an agent has, at a level 1..10."""

    skill: str = Name
    level: int = 1


class MembershipModel(BaseModel):
    """A queue the agent serves, at a tier (1 is offered first)."""

    queue_id: str = Name
    tier: int = 1


class CapacityModel(BaseModel):
    """How many interactions of a channel the agent handles at once."""

    channel: str
    slots: int


class AgentSettings(BaseModel):
    """An agent's skills, queue memberships and capacity (`core.config.AgentConfig`)."""

    model_config = ConfigDict(extra="forbid")

    skills: list[SkillLevel] = []
    queues: list[MembershipModel] = []
    capacity: list[CapacityModel] = [CapacityModel(channel=c, slots=1)
                                     for c in ("voice", "chat", "email")]

    def config(self, agent_id: str) -> AgentConfig:
        """The core `AgentConfig` (`ConfigError` naming the field if it is wrong)."""
        queues = tuple(_field(f"queues[{i}]", Membership, m.queue_id, m.tier)
                       for i, m in enumerate(self.queues))
        return named_field(AgentSettings.model_fields, lambda: AgentConfig(
            agent_id, tuple((s.skill, s.level) for s in self.skills), queues,
            tuple((c.channel, c.slots) for c in self.capacity)))


class AgentIn(AgentSettings):
    """A new agent."""

    id: str = Name


class AgentView(AgentIn):
    """An agent as stored."""


def _agent_view(config: AgentConfig) -> AgentView:
    return AgentView(id=config.id,
                     skills=[SkillLevel(skill=s, level=n) for s, n in config.skills],
                     queues=[MembershipModel(queue_id=m.queue_id, tier=m.tier)
                             for m in config.queues],
                     capacity=[CapacityModel(channel=c, slots=n) for c, n in config.capacity])


def _check_agent_for_engine(server: Server, agent_id: str,
                            config: AgentConfig | None) -> None:
    engine = server.runtime.engine
    agent = engine.agents.get(agent_id)
    if agent is not None and agent.logged_in:
        raise Conflict(f"agent {agent_id!r} is logged in: log it out to change it")
    for i, m in enumerate(config.queues if config else ()):
        if m.queue_id not in engine.queues:
            raise InvalidField(f"queues[{i}].queue_id",
                               f"agent {agent_id!r}: queues[{i}]: no queue {m.queue_id!r}")


async def _write_agent(server: Server, user: Admin, agent_id: str, body: AgentSettings, *,
                       create: bool) -> AgentView:
    config = body.config(agent_id)
    _check_agent_for_engine(server, agent_id, config)

    def work(session: Session) -> AgentView:
        exists = session.get(AgentRow, agent_id) is not None
        if create and exists:
            raise Conflict(f"agent {agent_id!r} already exists")
        if not create and not exists:
            raise NotFound(f"no agent {agent_id!r}")
        before = None if create else get_agent(session, agent_id)
        save_agent(session, config)
        record(session, user, "create" if create else "update", "agent", agent_id, before,
               config)
        return _agent_view(config)

    view = await in_transaction(server, work)
    await submit(server, AgentConfigured(config))
    return view


@router.get("/agents", response_model=list[AgentView])
async def list_stored_agents(server: ServerDep, _user: Admin) -> list[AgentView]:
    """Every stored agent, by id."""
    return await in_transaction(server, lambda s: [_agent_view(a) for a in list_agents(s)])


@router.get("/agents/{agent_id}", response_model=AgentView)
async def read_agent(agent_id: str, server: ServerDep, _user: Admin) -> AgentView:
    """One stored agent."""
    return await in_transaction(server, lambda s: _agent_view(get_agent(s, agent_id)))


@router.post("/agents", response_model=AgentView, status_code=status.HTTP_201_CREATED)
async def add_agent(body: AgentIn, server: ServerDep, user: Admin) -> AgentView:
    """Create an agent (logged out in the engine); 409 if it exists."""
    return await _write_agent(server, user, body.id, body, create=True)


@router.put("/agents/{agent_id}", response_model=AgentView)
async def change_agent(agent_id: str, body: AgentSettings, server: ServerDep,
                       user: Admin) -> AgentView:
    """Replace an agent's skills, memberships and capacity; 409 while it is logged in."""
    return await _write_agent(server, user, agent_id, body, create=False)


@router.delete("/agents/{agent_id}", **NO_CONTENT)
async def remove_agent(agent_id: str, server: ServerDep, user: Admin) -> None:
    """Delete an agent (its history stays) and end the logins acting as it; 409 while it
    is logged in."""
    _check_agent_for_engine(server, agent_id, None)

    def work(session: Session) -> None:
        before = get_agent(session, agent_id)
        delete_agent(session, agent_id)
        record(session, user, "delete", "agent", agent_id, before=before)
    await in_transaction(server, work)
    server.logins.revoke(agent_ids={agent_id})
    if agent_id in server.runtime.engine.agents:
        await server.runtime.driver.submit(AgentRemoved(agent_id))
