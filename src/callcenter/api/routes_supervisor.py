"""Supervisor views and actions (`/api/supervisor/...`): live queues and agents, force
pause and force logout.

Supervisors and admins only. An admin sees and drives every agent; a supervisor only
the agents of the teams it supervises (store teams; `deps.scope_of`, the check every
route and the WebSocket share): another agent is 403, and the snapshots leave other
agents out. Forced actions go through `driver.submit` like the agent's own, and write
an audit row naming the supervisor.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from pydantic import BaseModel, Field

from callcenter.api.auth import Principal
from callcenter.api.deps import ServerDep, Staff, StaffOnAgent, in_scope, scope_of
from callcenter.api.errors import errors
from callcenter.api.routes_agents import submit
from callcenter.api.state import Server
from callcenter.core.agent_state import AgentState
from callcenter.core.errors import UnknownAgent
from callcenter.core.events import AgentLogout, AgentPause, Event
from callcenter.core.interaction_state import WAITING
from callcenter.store.audit import audit
from callcenter.store.history import MAX_PAGE, search_interactions
from callcenter.store.users import teams_by_agent

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"],
                   responses=errors(401, 403, 404, 409, 503))

_WAITING_STATES = frozenset(s.value for s in WAITING)


class QueueSnapshot(BaseModel):
    """A queue now: interactions waiting, the longest wait, its agents by state."""

    queue_id: str
    channel: str
    waiting: int
    oldest_wait: float | None = Field(description="Seconds the longest-waiting interaction "
                                      "has waited since arrival (None: nobody waits)")
    agents: dict[str, int] = Field(description="Agents serving the queue, by state "
                                   "(only the caller's agents for a supervisor)")


class Holding(BaseModel):
    """An interaction an agent holds: ringing (`offered`), `connected` or `wrapping`."""

    interaction_id: str
    status: str
    queue_id: str
    caller: str | None
    arrived_at: float
    answered_at: float | None = Field(description="None while it rings")
    on_hold: bool


class AgentSnapshot(BaseModel):
    """An agent now: its state, the reason (pause reason), since when, its teams, the
    queues it serves and the interactions it holds."""

    agent_id: str
    state: str
    reason: str
    since: float | None = Field(description="Unix seconds on the engine's clock (None: "
                                "logged out since before the server started)")
    teams: list[str] = Field(default_factory=list, description="Its store teams, by name")
    queues: list[str] = Field(default_factory=list, description="The queues it serves")
    work: list[Holding] = Field(default_factory=list,
                                description="Offers, then conversations, then wrap-ups")


class Snapshot(BaseModel):
    """Queues and agents at one moment."""

    at: float
    queues: list[QueueSnapshot]
    agents: list[AgentSnapshot]


class ForcePauseBody(BaseModel):
    """Why the supervisor pauses the agent."""

    reason: str = Field(min_length=1, max_length=100)


def _oldest_arrivals(server: Server) -> dict[str, float]:
    """The earliest arrival among stored open interactions waiting, by current queue."""
    out: dict[str, float] = {}
    with server.sessions() as session:
        offset, total = 0, 1
        while offset < total:
            page = search_interactions(session, is_open=True, offset=offset, limit=MAX_PAGE)
            for row in page.items:
                if row.state in _WAITING_STATES:
                    out[row.queue_id] = min(out.get(row.queue_id, row.arrived_at),
                                            row.arrived_at)
            offset, total = offset + MAX_PAGE, page.total
    return out


def _teams(server: Server) -> dict[str, list[str]]:
    """Every agent's store teams, by name."""
    with server.sessions() as session:
        return teams_by_agent(session)


def _agent_snapshot(server: Server, agent_id: str,
                    teams: dict[str, list[str]] | None = None) -> AgentSnapshot:
    engine = server.runtime.engine
    agent = engine.agent(agent_id)
    assert agent is not None
    work = [Holding(interaction_id=w.interaction_id, status=w.status, queue_id=w.queue_id,
                    caller=w.caller or None, arrived_at=w.arrived_at,
                    answered_at=w.answered_at, on_hold=w.on_hold)
            for w in engine.work(agent_id)]
    return AgentSnapshot(agent_id=agent_id, state=agent.state.value,
                         reason=agent.reason, since=agent.since,
                         teams=(teams or {}).get(agent_id, []),
                         queues=sorted(agent.queues), work=work)


def _visible(server: Server, scope: frozenset[str] | None) -> list[str]:
    return [a for a in server.runtime.engine.agent_ids() if in_scope(scope, a)]


def _queues(server: Server, scope: frozenset[str] | None, now: float) -> list[QueueSnapshot]:
    engine = server.runtime.engine
    oldest = _oldest_arrivals(server)
    visible = [a for a in engine.agents() if in_scope(scope, a.agent_id)]
    out = []
    for q in engine.queues():
        by_state = {s.value: 0 for s in AgentState}
        for agent in visible:
            if q.queue_id in agent.queues:
                by_state[agent.state.value] += 1
        waiting = q.waiting
        first = oldest.get(q.queue_id)
        out.append(QueueSnapshot(queue_id=q.queue_id, channel=q.config.channel, waiting=waiting,
                                 oldest_wait=max(0.0, now - first) if waiting and first
                                 is not None else None, agents=by_state))
    return out


def _audit(server: Server, user: Principal, action: str, agent_id: str,
           after: dict[str, str]) -> None:
    with server.sessions.begin() as session:
        audit(session, actor=user.username, action=action, entity="agent",
              entity_id=agent_id, after=after)


async def _force(server: Server, user: Principal, agent_id: str, event: Event,
                 action: str, after: dict[str, str]) -> AgentSnapshot:
    if not server.runtime.engine.has_agent(agent_id):  # in the caller's scope: deps
        raise UnknownAgent(f"no agent {agent_id!r}")
    await submit(server, event)
    await asyncio.to_thread(_audit, server, user, action, agent_id, after)
    return _agent_snapshot(server, agent_id)


@router.get("/snapshot", response_model=Snapshot)
async def snapshot(server: ServerDep, user: Staff) -> Snapshot:
    """Every queue (waiting, oldest wait, agents by state) and the caller's agents (with
    their teams, queues and the interactions they hold)."""
    scope = await scope_of(server, user)
    now = server.runtime.clock.time()
    queues = await asyncio.to_thread(_queues, server, scope, now)
    teams = await asyncio.to_thread(_teams, server)
    agents = [_agent_snapshot(server, a, teams) for a in _visible(server, scope)]
    return Snapshot(at=now, queues=queues, agents=agents)


@router.get("/queues", response_model=list[QueueSnapshot])
async def queues(server: ServerDep, user: Staff) -> list[QueueSnapshot]:
    """Every queue now: waiting, oldest wait, the caller's agents serving it by state."""
    scope = await scope_of(server, user)
    return await asyncio.to_thread(_queues, server, scope, server.runtime.clock.time())


@router.get("/agents", response_model=list[AgentSnapshot])
async def agents(server: ServerDep, user: Staff) -> list[AgentSnapshot]:
    """The caller's agents now (an admin's: all): state, reason, since, teams, queues,
    the interactions they hold."""
    scope = await scope_of(server, user)
    teams = await asyncio.to_thread(_teams, server)
    return [_agent_snapshot(server, a, teams) for a in _visible(server, scope)]


@router.post("/agents/{agent_id}/pause", response_model=AgentSnapshot)
async def force_pause(agent_id: str, body: ForcePauseBody, server: ServerDep,
                      user: StaffOnAgent) -> AgentSnapshot:
    """Pause the agent with a reason (once its current work is done); audited."""
    return await _force(server, user, agent_id, AgentPause(agent_id, body.reason),
                        "force_pause", {"reason": body.reason})


@router.post("/agents/{agent_id}/logout", response_model=AgentSnapshot)
async def force_logout(agent_id: str, server: ServerDep, user: StaffOnAgent) -> AgentSnapshot:
    """Log the agent out (once its current work is done); audited."""
    return await _force(server, user, agent_id, AgentLogout(agent_id), "force_logout", {})
