"""Logins: random bearer tokens kept server-side, and the one role check every route uses.

A token is 32 random bytes (URL-safe text) handed to the client once, as the
response of `POST /api/login` and in the HttpOnly session cookie. The server keeps
only its SHA-256 digest, in memory and in the store's `logins` table with the user,
role, agent and expiry (`store.logins`): logins survive a restart, and nothing stored
lets anyone rebuild a token.

A login ends at logout, at expiry, or when an admin changes what it was granted on
(`Sessions.revoke`: the user deactivated, deleted, given another role, password or
agent, or its agent relinked or deleted). Whoever holds a live login's socket
(`/api/ws`) asks to hear of its end with `Sessions.watch`.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.config import ConfigError
from callcenter.store.logins import add_login, drop_expired, end_logins, live_logins
from callcenter.store.users import normalize_username

T = TypeVar("T")

COOKIE_NAME = "callcenter_session"


class Role(StrEnum):
    """What a user may do: an agent acts on itself; a supervisor on the agents of its teams;
    an admin on every agent (`api.deps.scope_of`)."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user, its role, and the agent it logs in as (agents only)."""

    username: str
    role: Role
    agent_id: str | None
    expires_at: float


def digest(token: str) -> str:
    """The SHA-256 of a token, as kept in memory and in the store."""
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Live logins by token digest, in memory and (given `store`) in the database, so they
    survive a restart; expired ones are dropped when met, and from the store at `load`
    and at each new login.

    Used from the event loop only (not thread-safe); watchers are called there, once,
    when the login they watch ends. The store is written in a worker thread, before the
    change takes effect in memory (a login the store did not take is not opened).
    """

    def __init__(self, ttl: float, now: Callable[[], float] = time.time,
                 store: sessionmaker[Session] | None = None) -> None:
        self._ttl = ttl
        self._now = now
        self._store = store
        self._by_digest: dict[str, Principal] = {}
        self._watchers: dict[str, list[Callable[[], None]]] = {}

    async def load(self) -> int:
        """Read the store's live logins (at start); how many."""
        if self._store is None:
            return 0
        found = await asyncio.to_thread(self._in_store, _live, self._now())
        self._by_digest.update(found)
        return len(found)

    def _in_store(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        assert self._store is not None
        with self._store.begin() as session:
            return work(session, *args, **kwargs)

    async def open(self, username: str, role: Role, agent_id: str | None) -> str:
        """A new token for the user (the only time it exists in clear)."""
        token = secrets.token_urlsafe(32)
        key, now = digest(token), self._now()
        principal = Principal(username, role, agent_id, now + self._ttl)
        if self._store is not None:
            await asyncio.to_thread(self._in_store, _store_login, key, principal, now)
        self._by_digest[key] = principal
        return token

    def lookup(self, token: str) -> Principal | None:
        """The principal of a live token, else None."""
        key = digest(token)
        found = self._by_digest.get(key)
        if found is None:
            return None
        if found.expires_at <= self._now():
            self._end(key)  # its row goes at the next login's clean-up
            return None
        return found

    async def close(self, token: str) -> None:
        """Forget the token (logout); unknown tokens are ignored."""
        key = digest(token)
        if self._store is not None:
            await asyncio.to_thread(self._in_store, end_logins, digests={key})
        self._end(key)

    async def revoke(self, *, usernames: Collection[str] = (),
                     agent_ids: Collection[str] = ()) -> int:
        """End every login of one of `usernames` or acting as one of `agent_ids`; how
        many ended here."""
        if self._store is not None:
            await asyncio.to_thread(self._in_store, end_logins, usernames=usernames,
                                    agent_ids=agent_ids)
        ended = [key for key, p in self._by_digest.items()
                 if p.username in usernames or (p.agent_id is not None
                                                and p.agent_id in agent_ids)]
        for key in ended:
            self._end(key)
        return len(ended)

    def watch(self, token: str, ended: Callable[[], None]) -> Callable[[], None]:
        """Call `ended()` once when the login of `token` ends (at once if it is not live);
        returns a function that stops watching."""
        key = digest(token)
        if self.lookup(token) is None:
            ended()
            return lambda: None
        watchers = self._watchers.setdefault(key, [])
        watchers.append(ended)

        def unwatch() -> None:
            if ended in watchers:
                watchers.remove(ended)
        return unwatch

    def remaining(self, principal: Principal) -> float:
        """Seconds until the login of `principal` expires (<= 0: expired)."""
        return principal.expires_at - self._now()

    def _end(self, key: str) -> None:
        self._by_digest.pop(key, None)
        for ended in self._watchers.pop(key, []):
            ended()

    def __len__(self) -> int:
        return len(self._by_digest)


def _live(session: Session, now: float) -> dict[str, Principal]:
    return {row.digest: Principal(row.username, Role(row.role), row.agent_id, row.expires_at)
            for row in live_logins(session, now)}


def _store_login(session: Session, key: str, principal: Principal, now: float) -> None:
    drop_expired(session, now)
    add_login(session, key, principal.username, principal.role.value, principal.agent_id,
              principal.expires_at)


class TeamChanges:
    """Whoever shows a supervisor its teams' agents (an open `/api/ws`) asks to hear when
    an admin changes a team (`changed`), to start again with the new scope."""

    def __init__(self) -> None:
        self._watchers: list[Callable[[], None]] = []

    def watch(self, changed: Callable[[], None]) -> Callable[[], None]:
        """Call `changed()` at each team change; returns a function that stops watching."""
        self._watchers.append(changed)

        def unwatch() -> None:
            if changed in self._watchers:
                self._watchers.remove(changed)
        return unwatch

    def changed(self) -> None:
        """A team changed: tell every watcher."""
        for changed in list(self._watchers):
            changed()


def stored_username(value: str) -> str:
    """`value` as usernames are stored (NFKC, case-folded: `store.users.normalize_username`),
    for the pydantic validators of a login and of a new user: a ValueError says what is
    wrong (spaces around it, an invisible or direction-override character)."""
    try:
        return normalize_username(value)
    except ConfigError as exc:
        raise ValueError(str(exc).removeprefix("username: ")) from None
