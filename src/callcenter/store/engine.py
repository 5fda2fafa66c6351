"""Engines and sessions: a SQLite file in WAL mode by default, PostgreSQL via psycopg 3.

The URL comes from the argument, else from `CALLCENTER_DATABASE_URL`, else it is
`sqlite:///callcenter.db` (a file in the working directory).
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

URL_VARIABLE = "CALLCENTER_DATABASE_URL"
DEFAULT_URL = "sqlite:///callcenter.db"
LOCK_TIMEOUT = 5.0
"""Seconds a statement waits for a lock before it fails (SQLite's `busy_timeout`,
PostgreSQL's `lock_timeout`)."""
CONNECT_TIMEOUT = 5
"""Seconds to wait for a PostgreSQL connection."""


def database_url(url: str | URL | None = None) -> URL:
    """The URL to use: `url`, else `$CALLCENTER_DATABASE_URL`, else the SQLite default.

    `postgresql://` and `postgres://` are rewritten to `postgresql+psycopg://`.
    """
    raw = url if url is not None else os.environ.get(URL_VARIABLE) or DEFAULT_URL
    if isinstance(raw, str) and raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    parsed = make_url(raw)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(LOCK_TIMEOUT * 1000)}")
    finally:
        cursor.close()


def create_engine_for(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (see `database_url`); SQLite connections get WAL,
    foreign keys and `synchronous=FULL` on connect (a commit is on disk before it returns:
    an acknowledged change survives a power cut; `bench/sqlite_sync.py` measures the cost).
    PostgreSQL connections wait at most `LOCK_TIMEOUT` seconds for a lock (as SQLite's
    busy timeout) and `CONNECT_TIMEOUT` seconds to connect: a write fails rather than
    hangs, and the runtime keeps and retries it (`callcenter.runtime.durable`)."""
    resolved = database_url(url)
    if resolved.get_backend_name() == "postgresql":
        options = resolved.query.get("options", "")
        if not isinstance(options, str):
            options = " ".join(options)
        if "lock_timeout" not in options:
            options = f"{options} -c lock_timeout={int(LOCK_TIMEOUT * 1000)}".strip()
        resolved = resolved.update_query_dict({"options": options})
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
    engine = create_engine(resolved, **kwargs)
    if resolved.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions over `engine` that keep loaded attributes after commit."""
    return sessionmaker(engine, expire_on_commit=False)
