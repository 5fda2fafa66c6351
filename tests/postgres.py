"""Scratch PostgreSQL databases and schemas for the tests that run on both databases.

A test session creates a database of its own (named after the process and a random
tag, dropped at the end) and each test a fresh schema in it, on the server at
`CALLCENTER_TEST_POSTGRES_URL` (default: the local `test` database on 127.0.0.1:5432).
When nothing answers there, the session starts a throwaway server of its own from the
machine's PostgreSQL binaries (`tests/pg_throwaway.py`), stopped when the session ends.
Only when neither works do the tests skip, saying where they looked and what to
install; under CI they fail: the PostgreSQL half of the suite never silently vanishes.
"""

from __future__ import annotations

import atexit
import itertools
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from callcenter.store import database_url
from tests.pg_throwaway import Throwaway, ThrowawayError
from tests.tools import in_ci

POSTGRES_URL = os.environ.get("CALLCENTER_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
_schemas = itertools.count(1)


def admin_engine(url: URL) -> Engine:
    """An autocommit engine for CREATE/DROP DATABASE and SCHEMA."""
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@dataclass(frozen=True)
class Server:
    """Where this session's PostgreSQL is, or why there is none (`url` None)."""

    url: URL | None
    note: str


_lock = threading.Lock()
_server: Server | None = None
_throwaway: Throwaway | None = None


def _answers(url: URL) -> str | None:
    """None when a server answers at `url`, else the connection error."""
    admin = admin_engine(url)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except OperationalError as exc:
        return str(exc.orig).strip()
    finally:
        admin.dispose()


def server() -> Server:
    """This session's PostgreSQL: the configured one if it answers, else a throwaway
    server started now (once per session; the answer is kept)."""
    global _server, _throwaway
    with _lock:
        if _server is not None:
            return _server
        base = database_url(POSTGRES_URL)
        where = base.render_as_string(hide_password=True)
        error = _answers(base)
        if error is None:
            _server = Server(base, f"PostgreSQL: the server at {where}")
            return _server
        try:
            _throwaway = Throwaway.start()
        except ThrowawayError as exc:
            _server = Server(None, f"PostgreSQL not reachable at {where} ({error}) and no "
                                   f"throwaway server could be started: {exc}; run "
                                   "scripts/setup-system as root (or `apt-get install "
                                   "postgresql`), or set CALLCENTER_TEST_POSTGRES_URL")
            return _server
        atexit.register(stop_throwaway)
        _server = Server(_throwaway.url,
                         f"PostgreSQL: nothing answered at {where} ({error.splitlines()[0]}); "
                         f"started a throwaway server on 127.0.0.1:{_throwaway.port} "
                         f"({_throwaway.bin})")
        return _server


def stop_throwaway() -> None:
    """Stop the session's throwaway server, if one was started."""
    global _throwaway
    with _lock:
        if _throwaway is not None:
            _throwaway.stop()
            _throwaway = None


def used() -> str | None:
    """What the session used for PostgreSQL (None when no test asked for it)."""
    return None if _server is None else _server.note


def server_url() -> URL:
    """The session's server URL; skips the test when there is none (fails under CI)."""
    found = server()
    if found.url is None:
        if in_ci():
            pytest.fail(f"{found.note} - under CI the PostgreSQL tests must run")
        pytest.skip(found.note)
    return found.url


@contextmanager
def scratch_database(prefix: str) -> Iterator[URL]:
    """A database of our own on the session's server, dropped afterwards; skips (fails
    under CI) if there is none."""
    base = server_url()
    admin = admin_engine(base)
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_schema(database: URL, prefix: str) -> Iterator[URL]:
    """A fresh schema in `database`, as the connections' search path; dropped afterwards."""
    schema = f"{prefix}_{next(_schemas)}"
    admin = admin_engine(database)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield database.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
