"""Admin CRUD of agents (`/api/admin/agents`): skills, queue memberships and capacity,
in the store and the running engine; 409 while the agent is logged in."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, core_field, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField, named_field
from callcenter.api.routes_agents import submit
from callcenter.api.state import Server
from callcenter.core.config import AgentConfig, Membership
from callcenter.core.errors import RoutingError, UnknownReference
from callcenter.core.events import AgentConfigured, AgentRemoved
from callcenter.store.configs import delete_agent, get_agent, list_agents, save_agent
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import AgentRow

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class SkillLevel(BaseModel):
    """A skill an agent has, at a level 1..10."""

    skill: str = Name
    level: int = 1


class MembershipModel(BaseModel):
    """A queue the agent serves, at a tier (1 is offered first)."""

    queue_id: str = Name
    tier: int = Membership("defaults").tier


class CapacityModel(BaseModel):
    """How many interactions of a channel the agent handles at once."""

    channel: str
    slots: int


class AgentSettings(BaseModel):
    """An agent's skills, queue memberships and capacity (`core.config.AgentConfig`)."""

    model_config = ConfigDict(extra="forbid")

    skills: list[SkillLevel] = []
    queues: list[MembershipModel] = []
    capacity: list[CapacityModel] = [CapacityModel(channel=c, slots=n)  # AgentConfig's
                                     for c, n in AgentConfig("defaults").capacity]

    def config(self, agent_id: str) -> AgentConfig:
        """The core `AgentConfig` (`ConfigError` naming the field if it is wrong)."""
        queues = tuple(core_field(f"queues[{i}]", Membership, m.queue_id, m.tier)
                       for i, m in enumerate(self.queues))
        return named_field(AgentSettings.model_fields, lambda: AgentConfig(
            agent_id, tuple((s.skill, s.level) for s in self.skills), queues,
            tuple((c.channel, c.slots) for c in self.capacity)))


class AgentIn(AgentSettings):
    """A new agent."""

    id: str = Name


class StoredAgentView(AgentIn):
    """An agent as stored."""


def _agent_view(config: AgentConfig) -> StoredAgentView:
    return StoredAgentView(id=config.id,
                     skills=[SkillLevel(skill=s, level=n) for s, n in config.skills],
                     queues=[MembershipModel(queue_id=m.queue_id, tier=m.tier)
                             for m in config.queues],
                     capacity=[CapacityModel(channel=c, slots=n) for c, n in config.capacity])


def _check_agent_for_engine(server: Server, agent_id: str,
                            config: AgentConfig | None) -> None:
    """Refuse before storing what the running engine would refuse after."""
    try:
        server.runtime.engine.check_agent(agent_id, config)
    except UnknownReference as exc:
        raise InvalidField(exc.field, str(exc)) from None
    except RoutingError as exc:
        raise Conflict(str(exc)) from None


async def _write_agent(server: Server, user: Admin, agent_id: str, body: AgentSettings, *,
                       create: bool) -> StoredAgentView:
    config = body.config(agent_id)
    _check_agent_for_engine(server, agent_id, config)

    def work(session: Session) -> StoredAgentView:
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


@router.get("/agents", response_model=list[StoredAgentView])
async def list_stored_agents(server: ServerDep, _user: Admin) -> list[StoredAgentView]:
    """Every stored agent, by id."""
    return await in_transaction(server, lambda s: [_agent_view(a) for a in list_agents(s)])


@router.get("/agents/{agent_id}", response_model=StoredAgentView)
async def read_agent(agent_id: str, server: ServerDep, _user: Admin) -> StoredAgentView:
    """One stored agent."""
    return await in_transaction(server, lambda s: _agent_view(get_agent(s, agent_id)))


@router.post("/agents", response_model=StoredAgentView, status_code=status.HTTP_201_CREATED)
async def add_agent(body: AgentIn, server: ServerDep, user: Admin) -> StoredAgentView:
    """Create an agent (logged out in the engine); 409 if it exists."""
    return await _write_agent(server, user, body.id, body, create=True)


@router.put("/agents/{agent_id}", response_model=StoredAgentView)
async def change_agent(agent_id: str, body: AgentSettings, server: ServerDep,
                       user: Admin) -> StoredAgentView:
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
    await server.logins.revoke(agent_ids={agent_id})
    if server.runtime.engine.has_agent(agent_id):
        await server.runtime.driver.submit(AgentRemoved(agent_id))
