"""Logins: random bearer tokens kept server-side, and the one role check every route uses.

A token is 32 random bytes (URL-safe text) handed to the client once, as the
response of `POST /api/login` and in the HttpOnly session cookie. The server keeps
only its SHA-256 digest, in memory: a restart logs everybody out, and nothing
stored lets anyone rebuild a token.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

COOKIE_NAME = "callcenter_session"


class Role(StrEnum):
    """What a user may do: an agent acts on itself; supervisors and admins on every agent."""

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

    def may_act_on(self, agent_id: str) -> bool:
        """True when this user may see or drive agent `agent_id`."""
        return self.role in STAFF or self.agent_id == agent_id


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Live logins by token digest; expired ones are dropped when met."""

    def __init__(self, ttl: float, now: Callable[[], float] = time.time) -> None:
        self._ttl = ttl
        self._now = now
        self._by_digest: dict[str, Principal] = {}

    def open(self, username: str, role: Role, agent_id: str | None) -> str:
        """A new token for the user (the only time it exists in clear)."""
        token = secrets.token_urlsafe(32)
        self._by_digest[_digest(token)] = Principal(username, role, agent_id,
                                                     self._now() + self._ttl)
        return token

    def lookup(self, token: str) -> Principal | None:
        """The principal of a live token, else None."""
        key = _digest(token)
        found = self._by_digest.get(key)
        if found is None:
            return None
        if found.expires_at <= self._now():
            del self._by_digest[key]
            return None
        return found

    def close(self, token: str) -> None:
        """Forget the token (logout); unknown tokens are ignored."""
        self._by_digest.pop(_digest(token), None)

    def __len__(self) -> int:
        return len(self._by_digest)
