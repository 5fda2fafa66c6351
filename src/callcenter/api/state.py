"""What one running app holds: built by the lifespan, reached through `request.app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from callcenter.api.auth import Sessions
from callcenter.api.metrics import ServerMetrics
from callcenter.api.persist import StoreSink
from callcenter.api.settings import ServerSettings
from callcenter.runtime.app import Runtime


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


def server_of(conn: HTTPConnection) -> Server:
    """The app's `Server` (only while its lifespan runs)."""
    found = getattr(conn.app.state, "server", None)
    if not isinstance(found, Server):
        raise RuntimeError("the server is not running (lifespan not started)")
    return found
