"""What one running app holds: built by the lifespan, reached through `request.app.state`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from callcenter.api.auth import Sessions, TeamChanges
from callcenter.api.media import MediaStore
from callcenter.api.messages import MessageTexts
from callcenter.api.metrics import ServerMetrics
from callcenter.api.settings import ServerSettings
from callcenter.api.throttle import LoginThrottle
from callcenter.runtime.app import Runtime
from callcenter.runtime.durable import DurableSink
from callcenter.runtime.pubsub import PubSub
from callcenter.store.sink import StoreSink
from callcenter.store.users import list_dispositions


class DispositionCodes:
    """The store's active disposition codes, kept in memory for wrap-up checks.

    Read from the store on first use, then kept until the admin API changes a code
    (`invalidate`), or for at most `max_age` seconds, after which the next check reads
    them again (a change made outside this server, by another process, shows then).
    """

    def __init__(self, max_age: float = 5.0) -> None:
        self.max_age = max_age
        self._codes: frozenset[str] | None = None
        self._read_at = 0.0
        self._changes = 0

    async def active(self, sessions: sessionmaker[Session]) -> frozenset[str]:
        """The active codes (empty: no codes defined, so any code goes)."""
        codes = self._codes
        if codes is not None and time.monotonic() - self._read_at < self.max_age:
            return codes
        changes, read_at = self._changes, time.monotonic()
        codes = await asyncio.to_thread(_read_codes, sessions)
        if changes == self._changes:  # no admin change while reading: keep them
            self._codes, self._read_at = codes, read_at
        return codes

    def invalidate(self) -> None:
        """Forget the codes (an admin changed one); the next check reads the store."""
        self._codes = None
        self._changes += 1


def _read_codes(sessions: sessionmaker[Session]) -> frozenset[str]:
    with sessions() as session:
        return frozenset(d.code for d in list_dispositions(session))


@dataclass(frozen=True, slots=True)
class Server:
    """Every resource of one app, owned (started and stopped) by its lifespan."""

    settings: ServerSettings
    database: DatabaseEngine
    sessions: sessionmaker[Session]
    runtime: Runtime
    sink: StoreSink
    logins: Sessions
    metrics: ServerMetrics
    dispositions: DispositionCodes = field(default_factory=DispositionCodes)
    messages: MessageTexts = field(default_factory=MessageTexts)
    """The `/api/ws` text of recent commands, encoded once for every socket."""
    media: MediaStore | None = None
    """Writes IVR runs and recordings (None in tests that build a Server by hand)."""
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    """Failed logins by account and address (`api.throttle`)."""
    teams: TeamChanges = field(default_factory=TeamChanges)
    """Told of every team change (the supervisors' sockets start again)."""
    durable: DurableSink | None = None
    """The store behind its backlog and journal: degraded while batches wait for it
    (None in tests that build a Server by hand)."""
    case_alerts: PubSub[dict[str, Any]] = field(default_factory=PubSub)
    """SLA warnings and breaches of cases (`api.cases.sweep`), for the staff sockets."""
    listens: dict[str, str] = field(default_factory=dict)
    """The interaction of each listen (silent monitoring) started here, by listen id, so
    that ending one is held to the supervisor's teams as starting it was; an entry goes
    when its listen is ended through the API (one whose call ended first stays, a few
    bytes, until the process does)."""


def server_of(conn: HTTPConnection) -> Server:
    """The app's `Server` (only while its lifespan runs)."""
    found = getattr(conn.app.state, "server", None)
    if not isinstance(found, Server):
        raise RuntimeError("the server is not running (lifespan not started)")
    return found
