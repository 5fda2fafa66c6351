"""Admin CRUD of users (`/api/admin/users`): password, role, active flag, agent link.

A change to a user ends its logins after the commit (`Sessions.revoke`, which also
closes their sockets): a new role, password, active flag or agent takes effect at
the next login, never half-way through a session. Linking an agent also ends the
logins that acted as that agent (its previous user's, or a namesake user's).

No change may leave no active admin: deactivating, demoting or deleting the last
one is 409 (`_keeping_an_admin`), so the admins can never lock themselves out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, Name, in_transaction, record
from callcenter.api.auth import Role, stored_username
from callcenter.api.deps import ServerDep
from callcenter.api.errors import InvalidField
from callcenter.api.passwords import password_problem
from callcenter.api.state import Server
from callcenter.store.errors import Conflict
from callcenter.store.models import UserRow
from callcenter.store.users import (
    agent_of_user,
    create_user,
    get_user,
    link_agent,
    set_password,
    set_role,
)

router = APIRouter()  # included by callcenter.api.admin under /api/admin


class UserSettings(BaseModel):
    """What an admin may change on a user (`password` only when given)."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role = Role.AGENT
    active: bool = True
    agent_id: str | None = Field(default=None, min_length=1, max_length=100,
                                 description="The agent this user logs in as")


class UserIn(UserSettings):
    """A new user (a password is required). The username is stored normalised (Unicode
    NFKC, case-folded: `store.users.normalize_username`)."""

    username: str = Name
    password: str = Field(min_length=1, max_length=200)

    @field_validator("username")
    @classmethod
    def _normalised(cls, value: str) -> str:
        return stored_username(value)


def _check_password(password: str | None, username: str) -> None:
    """422 naming `password` when a new password breaks the policy (`api.passwords`)."""
    problem = None if password is None else password_problem(password, username)
    if problem is not None:
        raise InvalidField("password", problem)


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


async def _revoke(server: Server, username: str, before: dict[str, Any] | None,
            after: dict[str, Any] | None, *, password: bool) -> None:
    """End the logins that a change of user `username` from `before` to `after` (its
    snapshots; None: absent) makes stale."""
    if before == after and not password:
        return
    old = before["agent_id"] if before else None
    new = after["agent_id"] if after else None
    agents = {a for a in (old, new) if a is not None and old != new}
    await server.logins.revoke(usernames={username}, agent_ids=agents)


def _active_admins() -> Select[int]:
    return select(UserRow.id).where(UserRow.role == Role.ADMIN.value, UserRow.active)


@contextmanager
def _keeping_an_admin(session: Session, row: UserRow, change: str) -> Iterator[None]:
    """Around a change to the user of `row`: refuse it (409, as `change`: "deleted",
    "deactivated", ...) if it leaves no active admin.

    The active admins' rows are locked first (`FOR UPDATE` on PostgreSQL), so of two
    concurrent changes that each take away one of the last two admins, the second
    waits and then sees the first. On SQLite the check after the change runs in the
    change's write transaction, which waits for any other writer's commit."""
    if row.role != Role.ADMIN or not row.active:
        yield
        return
    username = row.username
    session.scalars(_active_admins().with_for_update()).all()
    yield
    session.flush()
    if session.scalar(select(func.count()).select_from(_active_admins().subquery())) == 0:
        raise Conflict(f"user {username!r} is the last active admin: it cannot be {change}")


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
    """Create a user with a password, a role, and optionally its agent; 409 if taken;
    422 for a password shorter than 10 characters, among the commonest, or holding the
    username."""
    _check_password(body.password, body.username)
    def work(session: Session) -> UserView:
        row = create_user(session, body.username, body.password, body.role.value,
                          active=body.active)
        _apply_user(session, row, UserSettings(role=body.role, active=body.active,
                                               agent_id=body.agent_id))
        record(session, user, "create", "user", row.username,
               after=_user_snapshot(session, row))
        return _user_view(session, row)
    view = await in_transaction(server, work)
    await _revoke(server, view.username, None, view.model_dump(), password=True)
    return view


@router.put("/users/{username}", response_model=UserView)
async def change_user(username: str, body: UserSettings, server: ServerDep,
                      user: Admin) -> UserView:
    """Replace a user's role, active flag and agent link (and password, if given); a
    change ends the user's logins. 409 if it would leave no active admin; a new password
    follows the policy of `add_user`."""
    _check_password(body.password, username)
    def work(session: Session) -> tuple[UserView, dict[str, Any]]:
        row = get_user(session, username)
        before = _user_snapshot(session, row)
        change = ("deactivated" if body.role == Role.ADMIN
                  else f"demoted to {body.role.value!r}")
        with _keeping_an_admin(session, row, change):
            _apply_user(session, row, body)
        record(session, user, "update", "user", username, before,
               _user_snapshot(session, row))
        return _user_view(session, row), before
    view, before = await in_transaction(server, work)
    await _revoke(server, username, before, view.model_dump(exclude={"created_at"}),
            password=body.password is not None)
    return view


@router.delete("/users/{username}", **NO_CONTENT)
async def remove_user(username: str, server: ServerDep, user: Admin) -> None:
    """Delete a user (its agent stays, unlinked) and end its logins; an admin cannot
    delete itself, nor the last active admin."""
    if username == user.username:
        raise Conflict(f"user {username!r} is logged in as this admin: it cannot delete itself")

    def work(session: Session) -> None:
        row = get_user(session, username)
        before = _user_snapshot(session, row)
        if before["agent_id"] is not None:
            link_agent(session, before["agent_id"], None)
        with _keeping_an_admin(session, row, "deleted"):
            session.delete(row)
            session.flush()
        record(session, user, "delete", "user", username, before=before)
    await in_transaction(server, work)
    await server.logins.revoke(usernames={username})
