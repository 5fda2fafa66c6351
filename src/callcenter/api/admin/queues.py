"""Admin CRUD of queues (`/api/admin/queues`), in the store and the running engine."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, core_field, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField, named_field
from callcenter.api.routes_agents import submit
from callcenter.api.state import Server
from callcenter.core.config import (
    Calendar,
    EscalationStep,
    ExitAction,
    ExitKind,
    QueueConfig,
    SkillRequirement,
    Strategy,
)
from callcenter.core.errors import RoutingError, UnknownReference
from callcenter.core.events import QueueConfigured, QueueRemoved
from callcenter.store.audit import snapshot
from callcenter.store.configs import delete_queue, get_calendar, get_queue, list_queues, save_queue
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import QueueRow

router = APIRouter()  # included by callcenter.api.admin under /api/admin


# The defaults of every setting are `QueueConfig`'s own (one place: the core).
_DEFAULT = QueueConfig(id="defaults")


class RequirementModel(BaseModel):
    """A skill a queue requires, at a minimum level."""

    skill: str = Name
    min_level: int = SkillRequirement("defaults").min_level


_STEP = EscalationStep(after=1.0)


class EscalationModel(BaseModel):
    """After `after` seconds of waiting: relax levels, widen tiers, overflow."""

    after: float
    relax_levels: int = _STEP.relax_levels
    max_tier: int | None = _STEP.max_tier
    overflow_to: list[str] = []


class ExitModel(BaseModel):
    """What happens to an interaction leaving the queue (`queue` needs `queue_id`)."""

    kind: ExitKind = _DEFAULT.timeout_action.kind
    queue_id: str | None = Field(default=None, min_length=1, max_length=100)


class QueueSettings(BaseModel):
    """A queue's settings (`core.config.QueueConfig`); `calendar_id` names a stored
    calendar (none: always open)."""

    model_config = ConfigDict(extra="forbid")

    strategy: Strategy = _DEFAULT.strategy
    channel: str = _DEFAULT.channel
    required_skills: list[RequirementModel] = []
    initial_max_tier: int | None = _DEFAULT.initial_max_tier
    escalation: list[EscalationModel] = []
    max_length: int | None = _DEFAULT.max_length
    max_wait: float | None = _DEFAULT.max_wait
    timeout_action: ExitModel = ExitModel()
    full_action: ExitModel = ExitModel()
    reject_when_no_agents: bool = _DEFAULT.reject_when_no_agents
    no_agents_action: ExitModel = ExitModel()
    calendar_id: str | None = Field(default=None, min_length=1, max_length=100)
    closed_action: ExitModel = ExitModel()
    wrap_up: float = _DEFAULT.wrap_up
    offer_timeout: float = _DEFAULT.offer_timeout
    retry_after: float = _DEFAULT.retry_after
    aging_rate: float = _DEFAULT.aging_rate
    service_level_threshold: float = _DEFAULT.service_level_threshold
    short_abandon: float = _DEFAULT.short_abandon
    default_handle_time: float = _DEFAULT.default_handle_time
    require_disposition: bool = Field(default=_DEFAULT.require_disposition,
                                      description="Wrap-up must name a disposition code")

    def config(self, queue_id: str, calendar: Calendar | None) -> QueueConfig:
        """The core `QueueConfig` (`ConfigError` naming the field if it is wrong)."""
        def exit_(name: str) -> ExitAction:
            e: ExitModel = getattr(self, name)
            return core_field(name, ExitAction, e.kind, e.queue_id)

        return named_field(QueueSettings.model_fields, lambda: QueueConfig(
            id=queue_id, strategy=self.strategy, channel=self.channel,
            required_skills=tuple(core_field(f"required_skills[{i}]", SkillRequirement, r.skill,
                                             r.min_level)
                                  for i, r in enumerate(self.required_skills)),
            initial_max_tier=self.initial_max_tier,
            escalation=tuple(core_field(f"escalation[{i}]", EscalationStep, s.after, s.relax_levels,
                                        s.max_tier, tuple(s.overflow_to))
                             for i, s in enumerate(self.escalation)),
            max_length=self.max_length, max_wait=self.max_wait,
            timeout_action=exit_("timeout_action"), full_action=exit_("full_action"),
            reject_when_no_agents=self.reject_when_no_agents,
            no_agents_action=exit_("no_agents_action"), calendar=calendar,
            closed_action=exit_("closed_action"), wrap_up=self.wrap_up,
            offer_timeout=self.offer_timeout, retry_after=self.retry_after,
            aging_rate=self.aging_rate, service_level_threshold=self.service_level_threshold,
            short_abandon=self.short_abandon, default_handle_time=self.default_handle_time,
            require_disposition=self.require_disposition))


class QueueIn(QueueSettings):
    """A new queue."""

    id: str = Name


class StoredQueueView(QueueIn):
    """A queue as stored."""


def _queue_view(session: Session, queue_id: str) -> StoredQueueView:
    config = get_queue(session, queue_id)
    row = session.get(QueueRow, queue_id)
    data: dict[str, Any] = snapshot(config)
    data.pop("calendar")
    return StoredQueueView.model_validate({**data, "calendar_id": row.calendar_id if row else None})


def _check_queue_for_engine(server: Server, config: QueueConfig) -> None:
    """Refuse before storing what the running engine would refuse after."""
    try:
        server.runtime.engine.check_queue(config)
    except UnknownReference as exc:
        raise InvalidField(exc.field, str(exc)) from None
    except RoutingError as exc:
        raise Conflict(str(exc)) from None


async def _write_queue(server: Server, user: Admin, queue_id: str, body: QueueSettings, *,
                       create: bool) -> StoredQueueView:
    def work(session: Session) -> tuple[StoredQueueView, QueueConfig]:
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


@router.get("/queues", response_model=list[StoredQueueView])
async def list_stored_queues(server: ServerDep, _user: Admin) -> list[StoredQueueView]:
    """Every stored queue, by id."""
    return await in_transaction(server, lambda s: [_queue_view(s, q.id)
                                                   for q in list_queues(s)])


@router.get("/queues/{queue_id}", response_model=StoredQueueView)
async def read_queue(queue_id: str, server: ServerDep, _user: Admin) -> StoredQueueView:
    """One stored queue."""
    return await in_transaction(server, lambda s: _queue_view(s, queue_id))


@router.post("/queues", response_model=StoredQueueView, status_code=status.HTTP_201_CREATED)
async def add_queue(body: QueueIn, server: ServerDep, user: Admin) -> StoredQueueView:
    """Create a queue (routable at once); 409 if it exists."""
    return await _write_queue(server, user, body.id, body, create=True)


@router.put("/queues/{queue_id}", response_model=StoredQueueView)
async def change_queue(queue_id: str, body: QueueSettings, server: ServerDep,
                       user: Admin) -> StoredQueueView:
    """Replace a queue's settings, in the store and the running engine."""
    return await _write_queue(server, user, queue_id, body, create=False)


@router.delete("/queues/{queue_id}", **NO_CONTENT)
async def remove_queue(queue_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a queue; 409 while interactions wait in it, agents are members of it or
    other queues send interactions to it."""
    engine = server.runtime.engine
    running = engine.queue(queue_id) is not None
    if running:
        try:
            engine.check_queue_removal(queue_id)
        except RoutingError as exc:
            raise Conflict(str(exc)) from None

    def work(session: Session) -> None:
        before = _queue_view(session, queue_id).model_dump()
        delete_queue(session, queue_id)
        record(session, user, "delete", "queue", queue_id, before=before)
    await in_transaction(server, work)
    if running:
        await server.runtime.driver.submit(QueueRemoved(queue_id))
