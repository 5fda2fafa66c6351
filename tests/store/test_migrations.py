"""Migrations: an empty database goes to head, and the result matches the ORM."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from callcenter.store import create_engine_for, migrate
from callcenter.store.migration import current_revision, head_revision
from callcenter.store.models import Base
from callcenter.store.models.knowledge import FTS_NAMES


def test_migrate_empty_database_to_head(empty_url: URL) -> None:
    """migrate() on an empty database creates every table and records the head revision."""
    migrate(empty_url)
    engine = create_engine_for(empty_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migrate_twice_is_harmless(engine: Engine, empty_url: URL) -> None:
    """Running migrate() on an up-to-date database changes nothing."""
    migrate(empty_url)
    assert current_revision(engine) == head_revision()


def _not_full_text(name: str | None, _kind: str, _parents: object) -> bool:
    """The full-text objects of 0015 are made per dialect, outside the ORM."""
    return name not in FTS_NAMES


def test_migrated_schema_matches_models(engine: Engine) -> None:
    """Alembic's autogenerate finds no difference between the migrations and the ORM."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": _not_full_text})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_the_migrations_have_one_head() -> None:
    """Revisions form one line: two migrations written against the same parent (both
    numbered 0008, say) would give Alembic two heads and `migrate` would refuse."""
    from alembic.script import ScriptDirectory

    from callcenter.store.migration import alembic_config

    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_the_migration_to_normalised_usernames_keeps_users_logging_in(empty_url: URL) -> None:
    """Users stored before 0009 as `Alice` and `ＢＯＢ ` become `alice` and `bob`; of `Carol`
    and `carol` the second keeps its name and the first too (no clash is made)."""
    from sqlalchemy import text

    migrate(empty_url, "0008")
    engine = create_engine_for(empty_url)
    try:
        with engine.begin() as connection:
            for name in ("Alice", "ＢＯＢ ", "Carol", "carol"):
                connection.execute(text("INSERT INTO users (username, password_hash, role, "
                                        "active, created_at) VALUES (:n, 'x', 'agent', true, "
                                        "CURRENT_TIMESTAMP)"), {"n": name})
        migrate(empty_url)
        with engine.connect() as connection:
            names = set(connection.scalars(text("SELECT username FROM users")))
    finally:
        engine.dispose()
    assert names == {"alice", "bob", "Carol", "carol"}
