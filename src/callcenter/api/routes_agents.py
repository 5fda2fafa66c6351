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
import time

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field, model_validator

from callcenter.api.auth import Principal
from callcenter.api.deps import AgentOrStaff, ServerDep, Staff, in_scope, scope_of
from callcenter.api.errors import InvalidField, errors
from callcenter.api.preview_card import PreviewView, preview_of
from callcenter.api.state import Server
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
from callcenter.store.audit import audit

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
    for w in engine.work(agent_id):
        card = None if lookups is None else lookups.customer(w.interaction_id)
        items.append(WorkItem(interaction_id=w.interaction_id, status=w.status,
                              queue_id=w.queue_id, channel=w.channel,
                              caller_number=w.caller or None, arrived_at=w.arrived_at,
                              answered_at=w.answered_at, offer_expires_at=w.offer_expires_at,
                              customer=None if card is None else CustomerCard(**card),
                              on_hold=w.on_hold))
    return AgentWork(agent_id=agent_id, state=agent.state.value, reason=agent.reason,
                     since=agent.since, at=server.runtime.clock.time(),
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


def _store_notes(server: Server, actor: str, body: WrapUpBody) -> None:
    with server.sessions.begin() as session:
        audit(session, actor=actor, action="wrap_up", entity="interaction",
              entity_id=body.interaction_id,
              after={"disposition": body.disposition, "notes": body.notes})


@router.post("/{agent_id}/wrapup", response_model=AgentView)
async def wrap_up_done(agent_id: str, body: WrapUpBody, server: ServerDep,
                       user: AgentOrStaff) -> AgentView:
    """Finish after-contact work with a disposition code (checked against the store's
    active codes when there are any, kept in memory: `state.DispositionCodes`); notes
    go to the audit log."""
    await _check_disposition(server, body.disposition)
    view = await _act(server, user, agent_id,
                      WrapUpDone(agent_id, body.interaction_id, body.disposition), "wrapup",
                      {"interaction_id": body.interaction_id,
                       "disposition": body.disposition})
    if body.notes:
        await asyncio.to_thread(_store_notes, server, user.username, body)
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
