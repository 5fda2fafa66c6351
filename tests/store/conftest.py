"""Every store test runs twice: on a SQLite file and on PostgreSQL.

PostgreSQL tests use a database created for this test session (dropped at the
end) and a fresh schema per test; they skip when no server answers at
`CALLCENTER_TEST_POSTGRES_URL` (default: the local `test` database).
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from callcenter.store import create_engine_for, database_url, migrate

POSTGRES_URL = os.environ.get("CALLCENTER_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
_schemas = itertools.count(1)


def _admin_engine(url: URL) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 3})


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    """A database of our own on the PostgreSQL server, dropped after the session."""
    base = database_url(POSTGRES_URL)
    admin = _admin_engine(base)
    where = base.render_as_string(hide_password=True)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {where}: {exc.orig}")
    name = f"callcenter_store_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield database_url(f"sqlite:///{tmp_path / 'store.db'}")
        return
    base: URL = request.getfixturevalue("postgres_database")
    schema = f"test_{next(_schemas)}"
    admin = _admin_engine(base)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(empty_url: URL) -> Iterator[Engine]:
    """An engine on a database migrated to the newest schema."""
    migrate(empty_url)
    eng = create_engine_for(empty_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on a migrated database."""
    with Session(engine) as s:
        yield s
