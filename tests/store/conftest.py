"""Every store test runs twice: on a SQLite file and on PostgreSQL.

PostgreSQL tests use a database created for this test session (dropped at the
end) and a fresh schema per test; they skip when no server answers at
`CALLCENTER_TEST_POSTGRES_URL` (default: the local `test` database).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from callcenter.store import create_engine_for, database_url, migrate
from tests.postgres import scratch_database, scratch_schema


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    """A database of our own on the PostgreSQL server, dropped after the session."""
    with scratch_database("callcenter_store") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield database_url(f"sqlite:///{tmp_path / 'store.db'}")
        return
    base: URL = request.getfixturevalue("postgres_database")
    with scratch_schema(base, "test") as url:
        yield url


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
