"""Read endpoints: queues (live, from the engine), interaction search and the active
disposition codes (from the store)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.auth import Role
from callcenter.api.deps import AnyUser, ServerDep, in_scope, out_of_scope, scope_of
from callcenter.api.errors import InvalidField, errors
from callcenter.api.state import Server
from callcenter.store.history import MAX_PAGE, search_interactions
from callcenter.store.models import TeamRow
from callcenter.store.users import list_dispositions

MAX_OFFSET = 2**31 - 1  # larger offsets overflow the database's integer

router = APIRouter(prefix="/api", tags=["read"], responses=errors(401, 403))


class QueueView(BaseModel):
    """A queue's live figures."""

    queue_id: str
    channel: str
    waiting: int


class InteractionView(BaseModel):
    """One interaction row (times are Unix seconds on the engine's clock)."""

    model_config = ConfigDict(from_attributes=True)

    interaction_id: str
    channel: str
    queue_id: str
    first_queue_id: str
    priority: int
    arrived_at: float
    answered_at: float | None
    ended_at: float | None
    completed_at: float | None
    outcome: str | None
    agent_id: str | None
    exit_reason: str
    exit_action: str
    offers: int
    transfers: int
    callback: bool
    disposition: str
    first_offered_at: float | None
    talk_seconds: float
    wrap_seconds: float
    hold_seconds: float
    notes: str
    caller_number: str | None
    state: str
    open: bool


class InteractionPage(BaseModel):
    """One page of a search, newest arrival first, and how many matched in all."""

    items: list[InteractionView]
    total: int
    offset: int
    limit: int


@router.get("/queues", response_model=list[QueueView])
async def list_queues(server: ServerDep, _user: AnyUser) -> list[QueueView]:
    """Every queue with the number of interactions waiting in it now."""
    engine = server.runtime.engine
    return [QueueView(queue_id=q.queue_id, channel=q.config.channel, waiting=q.waiting)
            for q in engine.queues()]


class DispositionChoice(BaseModel):
    """A disposition code an agent may pick at wrap-up."""

    code: str
    label: str


def _dispositions(server: Server) -> list[DispositionChoice]:
    with server.sessions() as session:
        return [DispositionChoice(code=d.code, label=d.label) for d in list_dispositions(session)]


@router.get("/dispositions", response_model=list[DispositionChoice])
async def active_dispositions(server: ServerDep, _user: AnyUser) -> list[DispositionChoice]:
    """The active disposition codes, by code (what wrap-up accepts; none: any)."""
    return await asyncio.to_thread(_dispositions, server)


def _epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(frozen=True, slots=True)
class _Criteria:
    since: float | None
    until: float | None
    queue_id: str | None
    agent_id: str | None
    outcome: str | None
    caller_number: str | None
    offset: int
    limit: int
    agents_or_none: frozenset[str] | None
    team: str | None = None


def _team_agents(session: Session, team: str) -> list[str]:
    """The agents of team `team`; 422 on `team` when there is none."""
    row = session.scalar(select(TeamRow).where(TeamRow.name == team))
    if row is None:
        raise InvalidField("team", f"no team {team!r}")
    return [a.agent_id for a in row.agents]


def _search(server: Server, c: _Criteria) -> InteractionPage:
    with server.sessions() as session:
        members = None if c.team is None else _team_agents(session, c.team)
        page = search_interactions(session, since=c.since, until=c.until, queue_id=c.queue_id,
                                   agent_id=c.agent_id, outcome=c.outcome,
                                   caller_number=c.caller_number,
                                   agents_or_none=c.agents_or_none, agent_ids=members,
                                   offset=c.offset, limit=c.limit)
        return InteractionPage(items=[InteractionView.model_validate(r) for r in page.items],
                               total=page.total, offset=page.offset, limit=page.limit)


@router.get("/interactions", response_model=InteractionPage)
async def find_interactions(
    server: ServerDep, user: AnyUser,
    since: Annotated[datetime | None, Query(description="Arrived at or after (ISO 8601 or "
                                            "Unix seconds; UTC when no zone is given)")] = None,
    until: Annotated[datetime | None, Query(description="Arrived before")] = None,
    queue: Annotated[str | None, Query(max_length=100)] = None,
    agent: Annotated[str | None, Query(max_length=100)] = None,
    outcome: Annotated[str | None, Query(max_length=20)] = None,
    number: Annotated[str | None, Query(max_length=64, description="Caller number")] = None,
    team: Annotated[str | None, Query(max_length=100, description="Taken by an agent of this "
                                      "team (a supervisor's view stays within its teams)")
                    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> InteractionPage:
    """Search stored interactions. An agent sees only its own (`agent` defaults to
    itself); a supervisor those of its teams' agents and those no agent took; `team`
    keeps those an agent of that team took."""
    scope = await scope_of(server, user)
    if agent is not None and not in_scope(scope, agent):
        raise out_of_scope(user, agent)
    if user.role == Role.AGENT:
        if user.agent_id is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"user {user.username!r} is not linked to an agent")
        agent = user.agent_id
    criteria = _Criteria(_epoch(since), _epoch(until), queue, agent, outcome, number, offset,
                         limit, None if user.role == Role.AGENT else scope, team)
    return await asyncio.to_thread(_search, server, criteria)
