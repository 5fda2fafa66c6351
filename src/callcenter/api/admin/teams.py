"""Admin CRUD of teams (`/api/admin/teams`): their supervisors and agents."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, in_transaction, record
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField
from callcenter.core.config import ConfigError
from callcenter.store.errors import NotFound
from callcenter.store.models import TeamRow, UserRow
from callcenter.store.users import add_agent, add_supervisor, create_team, get_user

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class TeamSettings(BaseModel):
    """A team's supervisors (usernames) and agents (agent ids)."""

    model_config = ConfigDict(extra="forbid")

    supervisors: list[str] = []
    agents: list[str] = []


class TeamIn(TeamSettings):
    """A new team."""

    name: str = Name


class TeamView(TeamIn):
    """A team."""


def _team(session: Session, name: str) -> TeamRow:
    row = session.scalar(select(TeamRow).where(TeamRow.name == name))
    if row is None:
        raise NotFound(f"no team {name!r}")
    return row


def _team_view(session: Session, row: TeamRow) -> TeamView:
    names = {u.id: u.username for u in session.scalars(
        select(UserRow).where(UserRow.id.in_([s.user_id for s in row.supervisors])))}
    return TeamView(name=row.name, supervisors=sorted(names.values()),
                    agents=sorted(a.agent_id for a in row.agents))


def _fill_team(session: Session, row: TeamRow, body: TeamSettings) -> None:
    row.supervisors.clear()
    row.agents.clear()
    session.flush()
    for i, username in enumerate(body.supervisors):
        field = f"supervisors[{i}]"
        try:
            supervisor = get_user(session, username)
        except NotFound:
            raise InvalidField(field, f"team {row.name!r}: {field}: "
                               f"no user {username!r}") from None
        try:
            add_supervisor(session, row, supervisor)
        except ConfigError as exc:
            raise InvalidField(field, str(exc)) from None
    for i, agent_id in enumerate(body.agents):
        try:
            add_agent(session, row, agent_id)
        except ConfigError as exc:
            raise InvalidField(f"agents[{i}]", str(exc)) from None


@router.get("/teams", response_model=list[TeamView])
async def list_teams(server: ServerDep, _user: Admin) -> list[TeamView]:
    """Every team, by name."""
    return await in_transaction(server, lambda s: [
        _team_view(s, r) for r in s.scalars(select(TeamRow).order_by(TeamRow.name))])


@router.get("/teams/{name}", response_model=TeamView)
async def read_team(name: str, server: ServerDep, _user: Admin) -> TeamView:
    """One team."""
    return await in_transaction(server, lambda s: _team_view(s, _team(s, name)))


@router.post("/teams", response_model=TeamView, status_code=status.HTTP_201_CREATED)
async def add_team(body: TeamIn, server: ServerDep, user: Admin) -> TeamView:
    """Create a team with its supervisors and agents; 409 if the name is taken."""
    def work(session: Session) -> TeamView:
        row = create_team(session, body.name)
        _fill_team(session, row, body)
        view = _team_view(session, row)
        record(session, user, "create", "team", body.name, after=view.model_dump())
        return view
    view = await in_transaction(server, work)
    server.teams.changed()
    return view


@router.put("/teams/{name}", response_model=TeamView)
async def change_team(name: str, body: TeamSettings, server: ServerDep,
                      user: Admin) -> TeamView:
    """Replace a team's supervisors and agents."""
    def work(session: Session) -> TeamView:
        row = _team(session, name)
        before = _team_view(session, row).model_dump()
        _fill_team(session, row, body)
        view = _team_view(session, row)
        record(session, user, "update", "team", name, before, view.model_dump())
        return view
    view = await in_transaction(server, work)
    server.teams.changed()
    return view


@router.delete("/teams/{name}", **NO_CONTENT)
async def remove_team(name: str, server: ServerDep, user: Admin) -> None:
    """Delete a team (its users and agents stay)."""
    def work(session: Session) -> None:
        row = _team(session, name)
        before = _team_view(session, row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "team", name, before=before)
    await in_transaction(server, work)
    server.teams.changed()
