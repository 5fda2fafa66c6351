"""Agent actions (`/api/agents/{agent_id}/...`) and agent views.

Each action becomes one engine event given to `driver.submit`, which returns once
the change is stored: the response acknowledges a committed change. The engine
refuses illegal ones (`RoutingError`: 409 naming the state; unknown ids: 404).
An agent acts on itself, a supervisor on its teams' agents, an admin on every agent
(`deps.AgentOrStaff`); an action taken by anyone but the agent itself is written to
the audit log (`audited`), naming who took it.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field, model_validator

from callcenter.api.auth import Principal
from callcenter.api.deps import AgentOrStaff, ServerDep, Staff, in_scope, scope_of
from callcenter.api.errors import InvalidField, errors
from callcenter.api.preview_card import PreviewView, preview_of
from callcenter.api.state import Server
from callcenter.core import metrics
from callcenter.core.errors import UnknownAgent
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    Event,
    HoldCall,
    OfferAccepted,
    OfferRejected,
    ResumeCall,
    TransferToAgent,
    TransferToNumber,
    TransferToQueue,
    WrapUpDone,
)
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.audit import audit
from callcenter.store.customer_profile import linked_cards
from callcenter.store.history import (
    MAX_PAGE,
    agent_spans,
    interaction_record,
    search_interactions,
    set_notes,
)
from callcenter.store.users import agent_names

router = APIRouter(prefix="/api/agents", tags=["agents"],
                   responses=errors(401, 403, 404, 409, 503))

Id = Field(min_length=1, max_length=100)


class AgentView(BaseModel):
    """An agent's live state and the interactions it holds."""

    agent_id: str
    state: str
    reason: str
    offers: list[str]
    connected: list[str]
    wrapping: list[str]


class LoginBody(BaseModel):
    """Log in ready for offers (or paused)."""

    ready: bool = True


class PauseBody(BaseModel):
    """Why the agent pauses (break, lunch, training, ...)."""

    reason: str = Field(min_length=1, max_length=100)


class InteractionBody(BaseModel):
    """The interaction the action is about."""

    interaction_id: str = Id


class WrapUpBody(InteractionBody):
    """The end of after-contact work: a disposition code and free-text notes."""

    disposition: str = Field(default="", max_length=100)
    notes: str = Field(default="", max_length=4000)


class TransferBody(InteractionBody):
    """Where the connected interaction goes: a queue, another agent, or an external
    phone number (exactly one)."""

    queue_id: str | None = Field(default=None, min_length=1, max_length=100)
    to_agent_id: str | None = Field(default=None, min_length=1, max_length=100)
    number: str | None = Field(default=None, pattern=r"^\+?[0-9*#]{2,32}$",
                               description="An external number: digits, * and #, "
                                           "optionally after +")

    @model_validator(mode="after")
    def _one_target(self) -> TransferBody:
        given = [v for v in (self.queue_id, self.to_agent_id, self.number) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of queue_id, to_agent_id and number")
        return self


class WorkItem(BaseModel):
    """An interaction the agent holds: offered to it, connected, or in wrap-up."""

    interaction_id: str
    status: str = Field(description="offered, connected or wrapping")
    queue_id: str
    channel: str
    caller_number: str | None
    arrived_at: float
    answered_at: float | None
    offer_expires_at: float | None = Field(description="When an offer stops ringing "
                                           "(engine time; None when not offered)")
    customer: CustomerCard | None = Field(default=None, description="The customer the "
                                          "call's IVR flow found, if any")
    on_hold: bool = Field(default=False, description="A connected call the agent holds")


class CustomerCard(BaseModel):
    """The customer the call's IVR flow found (the screen pop)."""

    customer_id: str
    name: str
    account: str
    segment: str


class AgentWork(BaseModel):
    """An agent's state and the interactions it holds now, with the engine's clock."""

    agent_id: str
    state: str
    reason: str
    since: float | None
    next_state: str | None = Field(default=None, description="The state the agent goes "
                                   "to once the work it holds is done (a pause or logout "
                                   "asked during a call); null when it holds none")
    next_reason: str = Field(default="", description="The pause reason of a paused "
                             "next state")
    at: float = Field(description="Engine time (Unix seconds) of this answer")
    speed: float = Field(description="Engine seconds per real second")
    items: list[WorkItem]
    preview: PreviewView | None = Field(default=None, description="The lead reserved for "
                                        "the agent (preview, its own callback) and how its "
                                        "last one ended; null without a live dialer")


def agent_view(server: Server, agent_id: str) -> AgentView:
    """The engine's view of one agent; 404 if the engine has no such agent."""
    agent = server.runtime.engine.agent(agent_id)
    if agent is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no agent {agent_id!r}")
    return AgentView(agent_id=agent_id, state=agent.state.value, reason=agent.reason,
                     offers=list(agent.offers), connected=list(agent.connected),
                     wrapping=list(agent.wrapping))


async def submit(server: Server, event: Event) -> None:
    """Hand `event` to the driver and wait until it is handled and stored (timed)."""
    started = time.perf_counter()
    try:
        await server.runtime.driver.submit(event)
    finally:
        server.metrics.routing_latency.labels(type(event).__name__).observe(
            time.perf_counter() - started)


def _write_audit(server: Server, user: Principal, agent_id: str, action: str,
                 after: dict[str, object]) -> None:
    with server.sessions.begin() as session:
        audit(session, actor=user.username, action=action, entity="agent",
              entity_id=agent_id, after=after)


async def audited(server: Server, user: Principal, agent_id: str, action: str,
                  after: dict[str, object] | None = None) -> None:
    """The audit row of an action `user` took on agent `agent_id`, unless the user is
    that agent (its own actions are in its spans and interactions already)."""
    if user.agent_id != agent_id:
        await asyncio.to_thread(_write_audit, server, user, agent_id, action, after or {})


async def _act(server: Server, user: Principal, agent_id: str, event: Event, action: str,
               after: dict[str, object] | None = None) -> AgentView:
    if not server.runtime.engine.has_agent(agent_id):
        raise UnknownAgent(f"no agent {agent_id!r}")
    await submit(server, event)
    await audited(server, user, agent_id, action, after)
    return agent_view(server, agent_id)


@router.get("", response_model=list[AgentView])
async def list_agents(server: ServerDep, user: Staff) -> list[AgentView]:
    """The live state of the caller's agents (a supervisor: its teams'; an admin: all)."""
    scope = await scope_of(server, user)
    return [agent_view(server, a) for a in server.runtime.engine.agent_ids()
            if in_scope(scope, a)]


@router.get("/{agent_id}", response_model=AgentView)
async def get_agent(agent_id: str, server: ServerDep, _user: AgentOrStaff) -> AgentView:
    """One agent's live state, with its offers (an agent sees only itself)."""
    return agent_view(server, agent_id)


def _linked_cards(server: Server, interaction_ids: list[str]) -> dict[str, dict[str, str]]:
    with server.sessions() as session:
        return linked_cards(session, interaction_ids)


@router.get("/{agent_id}/work", response_model=AgentWork)
async def get_work(agent_id: str, server: ServerDep, _user: AgentOrStaff) -> AgentWork:
    """The agent's state and its offers, connected and wrapping interactions with caller
    number, queue, times and the customer the IVR found (the desktop's view; an agent
    sees only itself)."""
    engine = server.runtime.engine
    agent = engine.agent(agent_id)
    if agent is None:
        raise UnknownAgent(f"no agent {agent_id!r}")
    items = []
    lookups = server.runtime.lookups
    work = engine.work(agent_id)
    cards = {w.interaction_id: card for w in work if lookups is not None
             and (card := lookups.customer(w.interaction_id)) is not None}
    unknown = [w.interaction_id for w in work if w.interaction_id not in cards]
    if unknown:  # a customer linked in the store (chosen by the agent)
        cards.update(await asyncio.to_thread(_linked_cards, server, unknown))
    for w in work:
        card = cards.get(w.interaction_id)
        items.append(WorkItem(interaction_id=w.interaction_id, status=w.status,
                              queue_id=w.queue_id, channel=w.channel,
                              caller_number=w.caller or None, arrived_at=w.arrived_at,
                              answered_at=w.answered_at, offer_expires_at=w.offer_expires_at,
                              customer=None if card is None else CustomerCard(**card),
                              on_hold=w.on_hold))
    return AgentWork(agent_id=agent_id, state=agent.state.value, reason=agent.reason,
                     since=agent.since,
                     next_state=None if agent.next_state is None else agent.next_state.value,
                     next_reason=agent.next_reason, at=server.runtime.clock.time(),
                     speed=server.settings.speed, items=items,
                     preview=await preview_of(server, agent_id))


@router.post("/{agent_id}/login", response_model=AgentView)
async def agent_login(agent_id: str, server: ServerDep, user: AgentOrStaff,
                      body: LoginBody | None = None) -> AgentView:
    """Log the agent in, ready (default) or paused."""
    ready = True if body is None else body.ready
    return await _act(server, user, agent_id, AgentLogin(agent_id, ready=ready), "login",
                      {"ready": ready})


@router.post("/{agent_id}/logout", response_model=AgentView)
async def agent_logout(agent_id: str, server: ServerDep, user: AgentOrStaff) -> AgentView:
    """Log the agent out (once its current work is done)."""
    return await _act(server, user, agent_id, AgentLogout(agent_id), "logout")


@router.post("/{agent_id}/ready", response_model=AgentView)
async def agent_ready(agent_id: str, server: ServerDep, user: AgentOrStaff) -> AgentView:
    """Make the agent ready for offers (ends a pause)."""
    return await _act(server, user, agent_id, AgentReady(agent_id), "ready")


@router.post("/{agent_id}/pause", response_model=AgentView)
async def agent_pause(agent_id: str, body: PauseBody, server: ServerDep,
                      user: AgentOrStaff) -> AgentView:
    """Pause the agent with a reason (once its current work is done)."""
    return await _act(server, user, agent_id, AgentPause(agent_id, body.reason), "pause",
                      {"reason": body.reason})


@router.post("/{agent_id}/accept", response_model=AgentView)
async def accept_offer(agent_id: str, body: InteractionBody, server: ServerDep,
                       user: AgentOrStaff) -> AgentView:
    """Accept the offer of an interaction: it connects."""
    return await _act(server, user, agent_id, OfferAccepted(agent_id, body.interaction_id),
                      "accept", body.model_dump())


@router.post("/{agent_id}/reject", response_model=AgentView)
async def reject_offer(agent_id: str, body: InteractionBody, server: ServerDep,
                       user: AgentOrStaff) -> AgentView:
    """Decline the offer of an interaction: it goes back to where it waited."""
    return await _act(server, user, agent_id, OfferRejected(agent_id, body.interaction_id),
                      "reject", body.model_dump())


@router.post("/{agent_id}/hangup", response_model=AgentView)
async def hang_up(agent_id: str, body: InteractionBody, server: ServerDep,
                  user: AgentOrStaff) -> AgentView:
    """End the conversation; the agent goes to wrap-up."""
    return await _act(server, user, agent_id, AgentHungUp(agent_id, body.interaction_id),
                      "hangup", body.model_dump())


async def _check_disposition(server: Server, code: str) -> None:
    known = await server.dispositions.active(server.sessions)
    if code and known and code not in known:
        raise InvalidField("disposition", f"disposition: unknown code {code!r} "
                           f"(known: {', '.join(sorted(known))})")


def _check_required(server: Server, agent_id: str, body: WrapUpBody) -> None:
    """422 naming `disposition` when the interaction's queue requires one and none is
    given (the engine refuses an interaction the agent does not hold: 409)."""
    if body.disposition:
        return
    engine = server.runtime.engine
    for w in engine.work(agent_id):
        if w.interaction_id == body.interaction_id:
            queue = engine.queue(w.queue_id)
            if queue is not None and queue.require_disposition:
                raise InvalidField("disposition", f"disposition: queue {w.queue_id!r} "
                                   "requires a disposition code at wrap-up")


def _store_notes(server: Server, body: WrapUpBody) -> None:
    with server.sessions.begin() as session:
        set_notes(session, body.interaction_id, body.notes)


@router.post("/{agent_id}/wrapup", response_model=AgentView,
             responses=errors(422))
async def wrap_up_done(agent_id: str, body: WrapUpBody, server: ServerDep,
                       user: AgentOrStaff) -> AgentView:
    """Finish after-contact work with a disposition code (checked against the store's
    active codes when there are any, kept in memory: `state.DispositionCodes`; required
    when the interaction's queue says `require_disposition`); the notes are stored on
    the interaction (`notes` in `/api/interactions`)."""
    if not server.runtime.engine.has_agent(agent_id):
        raise UnknownAgent(f"no agent {agent_id!r}")
    _check_required(server, agent_id, body)
    await _check_disposition(server, body.disposition)
    view = await _act(server, user, agent_id,
                      WrapUpDone(agent_id, body.interaction_id, body.disposition), "wrapup",
                      {"interaction_id": body.interaction_id,
                       "disposition": body.disposition})
    if body.notes:
        await asyncio.to_thread(_store_notes, server, body)
    return view


@router.post("/{agent_id}/transfer", response_model=AgentView)
async def transfer(agent_id: str, body: TransferBody, server: ServerDep,
                   user: AgentOrStaff) -> AgentView:
    """Transfer the agent's connected interaction to a queue or to another agent."""
    agent = server.runtime.engine.agent(agent_id)
    if agent is None:
        raise UnknownAgent(f"no agent {agent_id!r}")
    if body.interaction_id not in agent.connected:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"agent {agent_id!r} is {agent.state.value}: "
                            f"not connected to {body.interaction_id!r}")
    event: Event
    if body.queue_id is not None:
        event = TransferToQueue(body.interaction_id, body.queue_id)
    elif body.number is not None:
        event = TransferToNumber(body.interaction_id, body.number)
    else:
        assert body.to_agent_id is not None
        event = TransferToAgent(body.interaction_id, body.to_agent_id)
    return await _act(server, user, agent_id, event, "transfer",
                      body.model_dump(exclude_none=True))


def _check_connected(server: Server, agent_id: str, interaction_id: str) -> None:
    agent = server.runtime.engine.agent(agent_id)
    if agent is None:
        raise UnknownAgent(f"no agent {agent_id!r}")
    if interaction_id not in agent.connected:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"agent {agent_id!r} is {agent.state.value}: "
                            f"not connected to {interaction_id!r}")


@router.post("/{agent_id}/hold", response_model=AgentView)
async def hold(agent_id: str, body: InteractionBody, server: ServerDep,
               user: AgentOrStaff) -> AgentView:
    """Put the connected call on hold: the customer hears music, the time on hold is
    recorded apart from talk (`hold_seconds`). 409 when already on hold."""
    _check_connected(server, agent_id, body.interaction_id)
    return await _act(server, user, agent_id, HoldCall(body.interaction_id), "hold",
                      body.model_dump())


@router.post("/{agent_id}/resume", response_model=AgentView)
async def resume(agent_id: str, body: InteractionBody, server: ServerDep,
                 user: AgentOrStaff) -> AgentView:
    """Take the call off hold. 409 when it is not on hold."""
    _check_connected(server, agent_id, body.interaction_id)
    return await _act(server, user, agent_id, ResumeCall(body.interaction_id), "resume",
                      body.model_dump())


class DirectoryQueue(BaseModel):
    """A queue a call can be transferred to."""

    queue_id: str
    channel: str
    waiting: int


class DirectoryAgent(BaseModel):
    """A logged-in agent a call can be transferred to, with its live state."""

    agent_id: str
    name: str = Field(description="The agent's user name (its id when no user is linked)")
    state: str
    reason: str
    available: bool = Field(description="Ready for an offer now")


class Directory(BaseModel):
    """Where the agent can transfer a call: every queue, every other logged-in agent."""

    queues: list[DirectoryQueue]
    agents: list[DirectoryAgent]


def _names(server: Server) -> dict[str, str]:
    with server.sessions() as session:
        return agent_names(session)


@router.get("/{agent_id}/directory", response_model=Directory)
async def directory(agent_id: str, server: ServerDep, _user: AgentOrStaff) -> Directory:
    """The transfer directory: the queues (with how many wait in each) and the other
    logged-in agents by name, with their state, available ones first (an agent reads
    its own)."""
    engine = server.runtime.engine
    if not engine.has_agent(agent_id):
        raise UnknownAgent(f"no agent {agent_id!r}")
    names = await asyncio.to_thread(_names, server)
    agents = [DirectoryAgent(agent_id=a.agent_id, name=names.get(a.agent_id, a.agent_id),
                             state=a.state.value, reason=a.reason,
                             available=a.state.value == "available")
              for a in engine.agents() if a.logged_in and a.agent_id != agent_id]
    agents.sort(key=lambda a: (not a.available, a.name.casefold(), a.agent_id))
    return Directory(queues=[DirectoryQueue(queue_id=q.queue_id, channel=q.config.channel,
                                            waiting=q.waiting) for q in engine.queues()],
                     agents=agents)


MAX_DAY = 36 * 3600.0
"""The longest `since` of the personal figures may reach back (a local day, with room
for a change of clock)."""


class StateTime(BaseModel):
    """Time an agent spent in one state (and pause reason) since `since`."""

    state: str
    reason: str
    seconds: float


class AgentToday(BaseModel):
    """An agent's own figures since `since` (its local midnight) up to `at`."""

    agent_id: str
    since: float
    at: float
    handled: int = Field(description="Completed interactions it answered that arrived "
                         "since `since` (as in the agent report)")
    aht: float | None = Field(description="Average (talk + hold + wrap-up) seconds of "
                              "those; null without any")
    talk_seconds: float
    states: list[StateTime] = Field(description="Time in each state (paused: by reason), "
                                    "its stored spans and the current one clipped to "
                                    "[since, at); logged out not counted")


def _today_rows(server: Server, agent_id: str, since: float,
                at: float) -> tuple[list[InteractionRecord], list[AgentSpan]]:
    records: list[InteractionRecord] = []
    with server.sessions() as session:
        offset, total = 0, 1
        while offset < total:
            page = search_interactions(session, since=since, until=at, agent_id=agent_id,
                                       is_open=False, offset=offset, limit=MAX_PAGE)
            records.extend(interaction_record(r) for r in page.items)
            offset, total = offset + MAX_PAGE, page.total
        spans = agent_spans(session, agent_id, since=since, until=at)
    return records, spans


@router.get("/{agent_id}/today", response_model=AgentToday, responses=errors(422))
async def today(agent_id: str, server: ServerDep, _user: AgentOrStaff,
                since: Annotated[float | None, Query(
                    description="Start of the day (engine time, Unix seconds: the desktop "
                                "sends its local midnight); default the last UTC midnight; "
                                "at most 36 h ago")] = None) -> AgentToday:
    """The agent's own figures for today: handled, average handle time, talk time and
    the time in each state (an agent reads its own)."""
    engine = server.runtime.engine
    agent = engine.agent(agent_id)
    if agent is None:
        raise UnknownAgent(f"no agent {agent_id!r}")
    at = server.runtime.clock.time()
    if since is None:
        since = at - at % 86400.0
    if not math.isfinite(since) or since > at or at - since > MAX_DAY:
        raise InvalidField("since", "since: must be at most 36 hours before the engine's "
                                    "time, and not after it")
    records, spans = await asyncio.to_thread(_today_rows, server, agent_id, since, at)
    answered = [r for r in records if r.answered_at is not None]
    seconds: dict[tuple[str, str], float] = {}

    def add(state: str, reason: str, start: float, end: float) -> None:
        length = min(end, at) - max(start, since)
        if length > 0 and state != "logged_out":
            key = (state, reason if state == "paused" else "")
            seconds[key] = seconds.get(key, 0.0) + length

    for s in spans:
        add(s.state, s.reason, s.start, s.end)
    if agent.since is not None:
        add(agent.state.value, agent.reason, agent.since, at)
    return AgentToday(agent_id=agent_id, since=since, at=at, handled=metrics.handled(records),
                      aht=metrics.aht(records),
                      talk_seconds=math.fsum(r.talk_seconds for r in answered),
                      states=[StateTime(state=k[0], reason=k[1], seconds=v)
                              for k, v in sorted(seconds.items())])
