"""Long writes in short transactions: each chunk commits on its own and lets the
database go before the next, and a failed chunk leaves the ones before it stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.leads import Lead
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.chunks import PartlyStored, write_in_chunks
from callcenter.store.leads import add_campaign, store_leads
from callcenter.store.models import LeadRow


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """A migrated SQLite file with a campaign `sale`, and its path."""
    path = str(tmp_path / "chunks.db")
    migrate(f"sqlite:///{path}")
    engine = create_engine_for(f"sqlite:///{path}")
    with session_factory(engine).begin() as session:
        add_campaign(session, Campaign("sale", caller_id="+4930123456", default_region="DE"))
    yield engine, path
    engine.dispose()


def leads(n: int) -> list[Lead]:
    """`n` leads with numbers of their own."""
    return [Lead(f"L{i}", f"+4930{1000000 + i}", "Europe/Berlin") for i in range(n)]


def write_now(path: str) -> None:
    """A write by another connection that does not wait for a lock: it fails at once
    ("database is locked") if any other transaction holds the write lock."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("CREATE TABLE IF NOT EXISTS probe (x)")
        other.execute("INSERT INTO probe VALUES (1)")
        other.execute("COMMIT")
    finally:
        other.close()


def test_the_lock_is_released_between_chunks(database: tuple[Engine, str]) -> None:
    """After each chunk commits, another connection's write succeeds without waiting,
    and every lead is stored in the end."""
    engine, path = database
    seen: list[int] = []

    def between(n: int) -> None:
        write_now(path)
        seen.append(n)

    stored = store_leads(session_factory(engine), "sale", leads(30), chunk=7, progress=between)
    assert seen == [7, 14, 21, 28, 30]
    assert stored.added == 30
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(LeadRow)) == 30
        assert connection.scalar(text("SELECT count(*) FROM probe")) == 5


def test_a_long_single_transaction_would_fail_the_probe(database: tuple[Engine, str]) -> None:
    """The probe can fail: while a transaction holds the write lock, it is refused."""
    engine, path = database
    with session_factory(engine).begin() as session:
        session.execute(text("UPDATE campaigns SET config = config"))  # takes the lock
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            write_now(path)


def test_a_failed_chunk_leaves_the_chunks_before_it_stored(
        database: tuple[Engine, str]) -> None:
    """The third chunk fails: the first two stay stored, and `PartlyStored` counts them."""
    engine, _ = database
    sessions: sessionmaker[Session] = session_factory(engine)
    calls = 0

    def write(session: Session, part: Sequence[int]) -> None:
        nonlocal calls
        calls += 1
        session.execute(text("CREATE TABLE IF NOT EXISTS items (x)"))
        session.execute(text("INSERT INTO items VALUES (:x)"), [{"x": x} for x in part])
        if calls == 3:
            raise OSError("disk full")

    with pytest.raises(PartlyStored) as failed:
        write_in_chunks(sessions, list(range(10)), 3, write)
    assert failed.value.stored == 6
    assert isinstance(failed.value.cause, OSError)
    with engine.connect() as connection:
        assert connection.scalars(text("SELECT x FROM items ORDER BY x")).all() == list(range(6))


def test_a_chunk_size_below_one_is_refused(database: tuple[Engine, str]) -> None:
    """A chunk of no rows is a clear error, not an endless loop."""
    engine, _ = database
    with pytest.raises(ValueError, match="at least 1"):
        write_in_chunks(session_factory(engine), [1], 0, lambda s, p: None)
