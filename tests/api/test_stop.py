"""`callcenter serve` stopped two ways, end to end on a SQLite file: SIGTERM drains (the
calls in progress are closed with a reason, nothing is left for the next start to
mark lost); SIGKILL while the database is locked leaves the journal, and the next
start stores what it holds before anything else."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.core.commands import RecordInteraction
from callcenter.core.records import InteractionRecord
from callcenter.runtime.driver import SHUTDOWN
from callcenter.runtime.journal import Journal
from callcenter.store import create_engine_for
from callcenter.store.models import InteractionRow
from callcenter.store.reconcile import LOST_ON_RESTART
from tests.api.conftest import MONDAY_9AM
from tests.faults import SqliteLocked
from tests.serving import free_port, wait_until_serving

CLI = Path(sys.executable).with_name("callcenter")
SPEED = 120  # two simulated minutes a second: a call every second or so, calls last ~1 s
DRAIN_SPEED = 30
"""For the SIGTERM test: calls last some six real seconds, so those open when the signal
is sent are still open when the server drains, however slowly a loaded machine gets there."""


@contextmanager
def _serve(url: str, tmp_path: Path, *args: str, start: float = MONDAY_9AM,
           bots: bool = True, speed: float = SPEED
           ) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`callcenter serve` on a free loopback port, ready; killed by its PID after."""
    port = free_port()
    env = {**os.environ, "CALLCENTER_START": str(start), "CALLCENTER_SEED": "7"}
    command = [str(CLI), "serve", "--db", url, "--port", str(port), "--speed", str(speed),
               "--bots" if bots else "--no-bots", *args]
    log_path = tmp_path / f"serve-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(proc, base, log_path)
            yield proc, base
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _until(ready: Callable[[], bool], what: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _count(engine: Engine, is_open: bool) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(InteractionRow)
                                  .where(InteractionRow.open == is_open)) or 0)


def test_sigterm_drains_and_leaves_nothing_open(tmp_path: Path) -> None:
    """On SIGTERM the server takes no new call, closes those in progress with exit reason
    `shutdown` (no grace: --drain-seconds 0) and exits; no row is left open, so the next
    start has nothing to mark `lost_on_restart`."""
    url = f"sqlite:///{tmp_path / 'stop.db'}"
    engine = create_engine_for(url)
    try:
        with _serve(url, tmp_path, "--drain-seconds", "0", speed=DRAIN_SPEED) as (proc, _):
            _until(lambda: _count(engine, False) >= 3 and _count(engine, True) >= 2,
                   "completed and open calls")
            os.kill(proc.pid, signal.SIGTERM)
            # uvicorn shuts down gracefully, then ends by the signal it caught
            assert proc.wait(timeout=60) in (0, -signal.SIGTERM)
        with Session(engine) as session:
            rows = session.scalars(select(InteractionRow)).all()
        assert rows and not [r.interaction_id for r in rows if r.open]
        assert any(r.exit_reason == SHUTDOWN for r in rows)
        assert not any(r.exit_reason == LOST_ON_RESTART for r in rows)
        assert (tmp_path / "stop.db.journal").stat().st_size == 0
    finally:
        engine.dispose()


def test_a_crash_while_degraded_leaves_a_journal_the_next_start_stores(tmp_path: Path) -> None:
    """SQLite locked by another writer: the server turns degraded and journals what it
    cannot store; killed (SIGKILL) so, it leaves the journal on disk; the next start
    stores every batch of it, and every interaction completed in it has its row."""
    path = tmp_path / "crash.db"
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    journal = tmp_path / "crash.db.journal"
    try:
        with _serve(url, tmp_path) as (proc, base):
            _until(lambda: _count(engine, False) >= 3, "completed calls")
            lock = SqliteLocked(str(path))
            lock.start()
            try:
                def backlog() -> int:
                    r = httpx.get(f"{base}/health", timeout=5)
                    return int(r.json()["backlog"]["batches"]) if r.status_code == 503 else 0

                _until(lambda: backlog() >= 5, "a backlog of five batches")
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            finally:
                lock.stop()
        kept = Journal.open(journal)
        try:
            batches = kept.pending()
        finally:
            kept.close()
        assert len(batches) >= 5
        records = [c.record for _, b in batches for c in b if isinstance(c, RecordInteraction)]
        assert records, "no interaction completed while degraded"
        # later than anything journaled, however long the first server ran at its speed
        restart = max(MONDAY_9AM + 2 * 3600, max(r.completed_at for r in records) + 3600)
        with _serve(url, tmp_path, start=restart, bots=False):
            assert journal.stat().st_size == 0
            with Session(engine) as session:
                for record in records:
                    row = session.get(InteractionRow, record.interaction_id)
                    assert row is not None and not row.open
                    assert {f.name: getattr(row, f.name) for f in fields(InteractionRecord)} \
                        == {f.name: getattr(record, f.name) for f in fields(InteractionRecord)}
    finally:
        engine.dispose()
