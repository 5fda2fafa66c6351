"""Users (argon2 password hashes, roles; usernames stored normalised), teams, and
disposition codes.

Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.core.config import ConfigError
from callcenter.store.configs import check_id
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import (
    ROLES,
    AgentRow,
    DispositionCodeRow,
    TeamAgentRow,
    TeamRow,
    TeamSupervisorRow,
    UserRow,
)

_HASHER = PasswordHasher()  # stateless; argon2id with the library's recommended cost
_DUMMY_HASH = _HASHER.hash("not a password")  # verified against for unknown users


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; never the same twice)."""
    if not password:
        raise ConfigError("user: password must not be empty")
    return _HASHER.hash(password)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"user: role must be one of {ROLES}, got {role!r}")


_INVISIBLE = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
"""Unicode categories refused in a username: controls, format characters (zero-width,
direction overrides), private use, unassigned, surrogates, line and paragraph
separators."""


def normalize_username(raw: str) -> str:
    """The stored form of a username: Unicode NFKC, case-folded (`Alice` and `ＡＬＩＣＥ`
    are `alice`). `ConfigError` naming the problem for a name that begins or ends with
    a space or holds an invisible or direction-changing character."""
    if raw != raw.strip():
        raise ConfigError("username: must not begin or end with a space")
    for char in raw:
        if unicodedata.category(char) in _INVISIBLE:
            name = unicodedata.name(char, "a control character")
            raise ConfigError(f"username: holds the invisible character U+{ord(char):04X} "
                              f"({name})")
    name = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
    if name != name.strip():
        raise ConfigError("username: must not begin or end with a space")
    check_id("user", "username", name)
    return name


def find_user(session: Session, username: str) -> UserRow | None:
    """The user named `username` in any case or Unicode form (its stored, normalised
    name), else one stored under exactly `username` (a name the migration to
    normalised names could not change), else None."""
    try:
        name = normalize_username(username)
    except ConfigError:
        name = username
    found = session.scalar(select(UserRow).where(UserRow.username == name))
    if found is None and name != username:
        found = session.scalar(select(UserRow).where(UserRow.username == username))
    return found


def create_user(session: Session, username: str, password: str, role: str = "agent",
                *, active: bool = True) -> UserRow:
    """A new user under its normalised name (`normalize_username`); `Conflict` if that
    name is taken."""
    username = normalize_username(username)
    _check_role(role)
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    row = UserRow(username=username, password_hash=hash_password(password), role=role,
                  active=active)
    session.add(row)
    session.flush()
    return row


def get_user(session: Session, username: str) -> UserRow:
    """The user `username` (`find_user`); `NotFound` if there is none."""
    row = find_user(session, username)
    if row is None:
        raise NotFound(f"no user {username!r}")
    return row


def set_password(session: Session, user: UserRow, password: str) -> None:
    """Replace the user's password."""
    user.password_hash = hash_password(password)
    session.flush()


def set_role(session: Session, user: UserRow, role: str) -> None:
    """Change the user's role."""
    _check_role(role)
    user.role = role
    session.flush()


def authenticate(session: Session, username: str, password: str) -> UserRow | None:
    """The active user with this username and password, else None.

    Unknown users cost as much time as wrong passwords; a hash made with older
    parameters is replaced on a successful login.
    """
    user = find_user(session, username)
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _HASHER.check_needs_rehash(stored):
        set_password(session, user, password)
    return user


def link_agent(session: Session, agent_id: str, user: UserRow | None) -> None:
    """Link the agent to a user login (None: unlink)."""
    agent = session.get(AgentRow, agent_id)
    if agent is None:
        raise NotFound(f"no agent {agent_id!r}")
    if user is not None:
        other = session.scalar(select(AgentRow.id).where(AgentRow.user_id == user.id,
                                                         AgentRow.id != agent_id))
        if other is not None:
            raise Conflict(f"user {user.username!r} is already agent {other!r}")
    agent.user_id = user.id if user is not None else None
    session.flush()


def agent_of_user(session: Session, user: UserRow) -> str | None:
    """The id of the agent this user logs in as, if any."""
    return session.scalar(select(AgentRow.id).where(AgentRow.user_id == user.id))


def agent_names(session: Session) -> dict[str, str]:
    """The user name of every agent linked to a user, by agent id."""
    rows = session.execute(select(AgentRow.id, UserRow.username)
                           .join(UserRow, AgentRow.user_id == UserRow.id))
    return {agent_id: name for agent_id, name in rows}


def namesake_taken(session: Session, user: UserRow) -> bool:
    """True when the agent named like the user is linked to another user (then a user
    without a link of its own may not act as that namesake)."""
    owner = session.scalar(select(AgentRow.user_id).where(AgentRow.id == user.username))
    return owner is not None and owner != user.id


# --- teams -------------------------------------------------------------------------


def create_team(session: Session, name: str) -> TeamRow:
    """A new team; `Conflict` if the name is taken."""
    check_id("team", "name", name)
    if session.scalar(select(TeamRow.id).where(TeamRow.name == name)) is not None:
        raise Conflict(f"team {name!r} already exists")
    row = TeamRow(name=name)
    session.add(row)
    session.flush()
    return row


def add_supervisor(session: Session, team: TeamRow, user: UserRow) -> None:
    """Make a supervisor (or admin) user a supervisor of the team."""
    if user.role == "agent":
        raise ConfigError(f"team {team.name!r}: user {user.username!r} has role 'agent'")
    if all(s.user_id != user.id for s in team.supervisors):
        team.supervisors.append(TeamSupervisorRow(user_id=user.id))
    session.flush()


def add_agent(session: Session, team: TeamRow, agent_id: str) -> None:
    """Put an agent in the team."""
    if session.get(AgentRow, agent_id) is None:
        raise ConfigError(f"team {team.name!r}: agents: no agent {agent_id!r}")
    if all(a.agent_id != agent_id for a in team.agents):
        team.agents.append(TeamAgentRow(agent_id=agent_id))
    session.flush()


def supervised_agents(session: Session, user: UserRow) -> list[str]:
    """Ids of the agents in the teams this user supervises, sorted."""
    query = (select(TeamAgentRow.agent_id).distinct()
             .join(TeamSupervisorRow, TeamSupervisorRow.team_id == TeamAgentRow.team_id)
             .where(TeamSupervisorRow.user_id == user.id).order_by(TeamAgentRow.agent_id))
    return list(session.scalars(query))


def teams_by_agent(session: Session) -> dict[str, list[str]]:
    """The names of each agent's teams, sorted (agents in no team are left out)."""
    query = (select(TeamAgentRow.agent_id, TeamRow.name)
             .join(TeamRow, TeamRow.id == TeamAgentRow.team_id)
             .order_by(TeamAgentRow.agent_id, TeamRow.name))
    out: dict[str, list[str]] = {}
    for agent_id, name in session.execute(query):
        out.setdefault(agent_id, []).append(name)
    return out


# --- disposition codes -------------------------------------------------------------


def save_disposition(session: Session, code: str, label: str = "", *,
                     active: bool = True) -> DispositionCodeRow:
    """Insert or replace a disposition code."""
    check_id("disposition", "code", code)
    row = session.get(DispositionCodeRow, code)
    if row is None:
        row = DispositionCodeRow(code=code)
        session.add(row)
    row.label = label
    row.active = active
    session.flush()
    return row


def list_dispositions(session: Session, *, active_only: bool = True) -> list[DispositionCodeRow]:
    """Disposition codes by code (only active ones unless told otherwise)."""
    query = select(DispositionCodeRow).order_by(DispositionCodeRow.code)
    if active_only:
        query = query.where(DispositionCodeRow.active)
    return list(session.scalars(query))
