"""Engine set-up: URL resolution and SQLite connection settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from callcenter.store import URL_VARIABLE, create_engine_for, database_url


def test_postgresql_url_uses_psycopg() -> None:
    """A plain postgresql:// URL is rewritten to the psycopg 3 driver."""
    assert database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_postgres_scheme_is_accepted() -> None:
    """The short postgres:// scheme some hosts hand out works too."""
    url = database_url("postgres://u@h:5433/db")
    assert (url.drivername, url.port, url.database) == ("postgresql+psycopg", 5433, "db")


def test_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an argument the URL comes from CALLCENTER_DATABASE_URL."""
    monkeypatch.setenv(URL_VARIABLE, "sqlite:///from-env.db")
    assert database_url().database == "from-env.db"


def test_default_is_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no argument and no variable the store is callcenter.db (SQLite)."""
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    url = database_url()
    assert (url.drivername, url.database) == ("sqlite", "callcenter.db")


def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    """SQLite connections get WAL journaling, foreign keys and synchronous=FULL."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as c:
        got = [c.execute(text(f"PRAGMA {p}")).scalar()
               for p in ("journal_mode", "foreign_keys", "synchronous")]
    engine.dispose()
    assert got == ["wal", 1, 2]
