"""Alembic, driven from code: `migrate(url)` upgrades a database to the newest schema.

The migration scripts live in the package (`callcenter/store/migrations`), so no
`alembic.ini` is needed by whoever calls it (the CLI, the server, the tests).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from callcenter.store.engine import create_engine_for

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the package's scripts; `connection` is used by env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(url: str | URL | Engine | None = None, revision: str = "head") -> None:
    """Upgrade the database at `url` (or `$CALLCENTER_DATABASE_URL`) to `revision`."""
    engine = url if isinstance(url, Engine) else create_engine_for(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        if engine is not url:
            engine.dispose()


def head_revision() -> str:
    """The newest revision of the package's migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
