"""Admin CRUD of users, teams, disposition codes and skills, and what every admin route
shares.

Every change runs in one store transaction with its audit row (`in_transaction`);
`Admin` admits the admin role only. Queues, agents and calendars are in
`routes_admin`, which includes this router.

A change to a user ends its logins after the commit (`Sessions.revoke`, which also
closes their sockets): a new role, password, active flag or agent takes effect at
the next login, never half-way through a session. Linking an agent also ends the
logins that acted as that agent (its previous user's, or a namesake user's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.auth import Principal, Role
from callcenter.api.deps import Authorize, ServerDep
from callcenter.api.errors import InvalidField
from callcenter.api.state import Server
from callcenter.core.config import ConfigError
from callcenter.store.audit import audit
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import (
    AgentSkillRow,
    DispositionCodeRow,
    QueueSkillRow,
    SkillRow,
    TeamRow,
    UserRow,
)
from callcenter.store.users import (
    add_agent,
    add_supervisor,
    agent_of_user,
    create_team,
    create_user,
    get_user,
    link_agent,
    save_disposition,
    set_password,
    set_role,
)

T = TypeVar("T")
Admin = Annotated[Principal, Depends(Authorize({Role.ADMIN}))]
Name = Field(min_length=1, max_length=100)
NO_CONTENT: dict[str, Any] = {"status_code": status.HTTP_204_NO_CONTENT,
                              "response_class": Response}

router = APIRouter()  # included by routes_admin under /api/admin


def _run(server: Server, work: Callable[[Session], T]) -> T:
    with server.sessions.begin() as session:
        return work(session)


async def in_transaction(server: Server, work: Callable[[Session], T]) -> T:
    """Run `work(session)` in one committed transaction, in a worker thread."""
    return await asyncio.to_thread(_run, server, work)


def record(session: Session, user: Principal, action: str, entity: str, entity_id: str,
           before: object = None, after: object = None) -> None:
    """The audit row of one admin change (in the change's transaction)."""
    audit(session, actor=user.username, action=action, entity=entity, entity_id=entity_id,
          before=before, after=after)


# --- users -------------------------------------------------------------------------


class UserSettings(BaseModel):
    """What an admin may change on a user (`password` only when given)."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role = Role.AGENT
    active: bool = True
    agent_id: str | None = Field(default=None, min_length=1, max_length=100,
                                 description="The agent this user logs in as")


class UserIn(UserSettings):
    """A new user (a password is required)."""

    username: str = Name
    password: str = Field(min_length=1, max_length=200)


class UserView(BaseModel):
    """A user as admins see it (never its password hash)."""

    username: str
    role: Role
    active: bool
    agent_id: str | None
    created_at: datetime


def _user_view(session: Session, row: UserRow) -> UserView:
    return UserView(username=row.username, role=Role(row.role), active=row.active,
                    agent_id=agent_of_user(session, row), created_at=row.created_at)


def _user_snapshot(session: Session, row: UserRow) -> dict[str, Any]:
    return _user_view(session, row).model_dump(exclude={"created_at"})


def _revoke(server: Server, username: str, before: dict[str, Any] | None,
            after: dict[str, Any] | None, *, password: bool) -> None:
    """End the logins that a change of user `username` from `before` to `after` (its
    snapshots; None: absent) makes stale."""
    if before == after and not password:
        return
    old = before["agent_id"] if before else None
    new = after["agent_id"] if after else None
    agents = {a for a in (old, new) if a is not None and old != new}
    server.logins.revoke(usernames={username}, agent_ids=agents)


def _apply_user(session: Session, row: UserRow, body: UserSettings) -> None:
    set_role(session, row, body.role.value)
    row.active = body.active
    if body.password is not None:
        set_password(session, row, body.password)
    current = agent_of_user(session, row)
    if current is not None and current != body.agent_id:
        link_agent(session, current, None)
    if body.agent_id is not None and current != body.agent_id:
        link_agent(session, body.agent_id, row)


@router.get("/users", response_model=list[UserView])
async def list_users(server: ServerDep, _user: Admin) -> list[UserView]:
    """Every user, by username."""
    def work(session: Session) -> list[UserView]:
        rows = session.scalars(select(UserRow).order_by(UserRow.username))
        return [_user_view(session, r) for r in rows]
    return await in_transaction(server, work)


@router.get("/users/{username}", response_model=UserView)
async def read_user(username: str, server: ServerDep, _user: Admin) -> UserView:
    """One user."""
    return await in_transaction(server, lambda s: _user_view(s, get_user(s, username)))


@router.post("/users", response_model=UserView, status_code=status.HTTP_201_CREATED)
async def add_user(body: UserIn, server: ServerDep, user: Admin) -> UserView:
    """Create a user with a password, a role, and optionally its agent; 409 if taken."""
    def work(session: Session) -> UserView:
        row = create_user(session, body.username, body.password, body.role.value,
                          active=body.active)
        _apply_user(session, row, UserSettings(role=body.role, active=body.active,
                                               agent_id=body.agent_id))
        record(session, user, "create", "user", row.username,
               after=_user_snapshot(session, row))
        return _user_view(session, row)
    view = await in_transaction(server, work)
    _revoke(server, view.username, None, view.model_dump(), password=True)
    return view


@router.put("/users/{username}", response_model=UserView)
async def change_user(username: str, body: UserSettings, server: ServerDep,
                      user: Admin) -> UserView:
    """Replace a user's role, active flag and agent link (and password, if given); a
    change ends the user's logins."""
    def work(session: Session) -> tuple[UserView, dict[str, Any]]:
        row = get_user(session, username)
        before = _user_snapshot(session, row)
        _apply_user(session, row, body)
        record(session, user, "update", "user", username, before,
               _user_snapshot(session, row))
        return _user_view(session, row), before
    view, before = await in_transaction(server, work)
    _revoke(server, username, before, view.model_dump(exclude={"created_at"}),
            password=body.password is not None)
    return view


@router.delete("/users/{username}", **NO_CONTENT)
async def remove_user(username: str, server: ServerDep, user: Admin) -> None:
    """Delete a user (its agent stays, unlinked) and end its logins; an admin cannot
    delete itself."""
    if username == user.username:
        raise Conflict(f"user {username!r} is logged in as this admin: it cannot delete itself")

    def work(session: Session) -> None:
        row = get_user(session, username)
        before = _user_snapshot(session, row)
        if before["agent_id"] is not None:
            link_agent(session, before["agent_id"], None)
        session.delete(row)
        session.flush()
        record(session, user, "delete", "user", username, before=before)
    await in_transaction(server, work)
    server.logins.revoke(usernames={username})


# --- teams -------------------------------------------------------------------------


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
    return await in_transaction(server, work)


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
    return await in_transaction(server, work)


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


# --- disposition codes -------------------------------------------------------------


class DispositionSettings(BaseModel):
    """A disposition code's label and whether agents may pick it."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    label: str = Field(default="", max_length=200)
    active: bool = True


class DispositionIn(DispositionSettings):
    """A new disposition code."""

    code: str = Name


class DispositionView(DispositionIn):
    """A disposition code."""


def _disposition(session: Session, code: str) -> DispositionCodeRow:
    row = session.get(DispositionCodeRow, code)
    if row is None:
        raise NotFound(f"no disposition {code!r}")
    return row


def _save_disposition(session: Session, user: Principal, action: str, code: str,
                      body: DispositionSettings, before: object) -> DispositionView:
    row = save_disposition(session, code, body.label, active=body.active)
    view = DispositionView.model_validate(row)
    record(session, user, action, "disposition", code, before, view.model_dump())
    return view


@router.get("/dispositions", response_model=list[DispositionView])
async def list_dispositions(server: ServerDep, _user: Admin) -> list[DispositionView]:
    """Every disposition code, active or not, by code."""
    return await in_transaction(server, lambda s: [
        DispositionView.model_validate(r) for r in
        s.scalars(select(DispositionCodeRow).order_by(DispositionCodeRow.code))])


@router.get("/dispositions/{code}", response_model=DispositionView)
async def read_disposition(code: str, server: ServerDep, _user: Admin) -> DispositionView:
    """One disposition code."""
    return await in_transaction(
        server, lambda s: DispositionView.model_validate(_disposition(s, code)))


@router.post("/dispositions", response_model=DispositionView,
             status_code=status.HTTP_201_CREATED)
async def add_disposition(body: DispositionIn, server: ServerDep,
                          user: Admin) -> DispositionView:
    """Create a disposition code; 409 if it exists."""
    def work(session: Session) -> DispositionView:
        if session.get(DispositionCodeRow, body.code) is not None:
            raise Conflict(f"disposition {body.code!r} already exists")
        return _save_disposition(session, user, "create", body.code, body, None)
    return await in_transaction(server, work)


@router.put("/dispositions/{code}", response_model=DispositionView)
async def change_disposition(code: str, body: DispositionSettings, server: ServerDep,
                             user: Admin) -> DispositionView:
    """Replace a disposition code's label and active flag."""
    def work(session: Session) -> DispositionView:
        before = DispositionView.model_validate(_disposition(session, code)).model_dump()
        return _save_disposition(session, user, "update", code, body, before)
    return await in_transaction(server, work)


@router.delete("/dispositions/{code}", **NO_CONTENT)
async def remove_disposition(code: str, server: ServerDep, user: Admin) -> None:
    """Delete a disposition code (stored interactions keep the code they were given)."""
    def work(session: Session) -> None:
        row = _disposition(session, code)
        before = DispositionView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "disposition", code, before=before)
    await in_transaction(server, work)


# --- skills ------------------------------------------------------------------------


class SkillSettings(BaseModel):
    """A skill's description."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    description: str = Field(default="", max_length=255)


class SkillIn(SkillSettings):
    """A new skill."""

    id: str = Name


class SkillView(SkillIn):
    """A skill."""


def _skill(session: Session, skill_id: str) -> SkillRow:
    row = session.get(SkillRow, skill_id)
    if row is None:
        raise NotFound(f"no skill {skill_id!r}")
    return row


@router.get("/skills", response_model=list[SkillView])
async def list_skills(server: ServerDep, _user: Admin) -> list[SkillView]:
    """Every skill, by id."""
    return await in_transaction(server, lambda s: [
        SkillView.model_validate(r) for r in s.scalars(select(SkillRow).order_by(SkillRow.id))])


@router.get("/skills/{skill_id}", response_model=SkillView)
async def read_skill(skill_id: str, server: ServerDep, _user: Admin) -> SkillView:
    """One skill."""
    return await in_transaction(server, lambda s: SkillView.model_validate(_skill(s, skill_id)))


@router.post("/skills", response_model=SkillView, status_code=status.HTTP_201_CREATED)
async def add_skill(body: SkillIn, server: ServerDep, user: Admin) -> SkillView:
    """Create a skill; 409 if it exists."""
    def work(session: Session) -> SkillView:
        if session.get(SkillRow, body.id) is not None:
            raise Conflict(f"skill {body.id!r} already exists")
        row = SkillRow(id=body.id, description=body.description)
        session.add(row)
        session.flush()
        view = SkillView.model_validate(row)
        record(session, user, "create", "skill", body.id, after=view.model_dump())
        return view
    return await in_transaction(server, work)


@router.put("/skills/{skill_id}", response_model=SkillView)
async def change_skill(skill_id: str, body: SkillSettings, server: ServerDep,
                       user: Admin) -> SkillView:
    """Replace a skill's description."""
    def work(session: Session) -> SkillView:
        row = _skill(session, skill_id)
        before = SkillView.model_validate(row).model_dump()
        row.description = body.description
        session.flush()
        view = SkillView.model_validate(row)
        record(session, user, "update", "skill", skill_id, before, view.model_dump())
        return view
    return await in_transaction(server, work)


@router.delete("/skills/{skill_id}", **NO_CONTENT)
async def remove_skill(skill_id: str, server: ServerDep, user: Admin) -> None:
    """Delete a skill; 409 while an agent has it or a queue requires it."""
    def work(session: Session) -> None:
        row = _skill(session, skill_id)
        users = sorted({f"agent {a!r}" for a in session.scalars(
            select(AgentSkillRow.agent_id).where(AgentSkillRow.skill_id == skill_id))}
            | {f"queue {q!r}" for q in session.scalars(
                select(QueueSkillRow.queue_id).where(QueueSkillRow.skill_id == skill_id))})
        if users:
            raise Conflict(f"skill {skill_id!r} is in use by {', '.join(users)}")
        before = SkillView.model_validate(row).model_dump()
        session.delete(row)
        session.flush()
        record(session, user, "delete", "skill", skill_id, before=before)
    await in_transaction(server, work)
