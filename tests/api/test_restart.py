"""Restart safety, end to end: `callcenter serve` killed mid-traffic (SIGKILL) and
started again on the same SQLite file loses nothing and leaves nothing open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.store import create_engine_for
from callcenter.store.models import AgentPresenceRow, AgentSpanRow, InteractionRow
from callcenter.store.reconcile import LOST, LOST_ON_RESTART
from tests.api.conftest import MONDAY_9AM
from tests.serving import free_port, wait_until_serving

CLI = Path(sys.executable).with_name("callcenter")
SPEED = 120  # two simulated minutes a second: a call every second or so, calls last ~1 s


@contextmanager
def _serve(url: str, tmp_path: Path, *, start: float,
           bots: bool) -> Iterator[subprocess.Popen[bytes]]:
    """`callcenter serve` on a free loopback port, ready to answer; killed by its PID after."""
    port = free_port()
    env = {**os.environ, "CALLCENTER_START": str(start), "CALLCENTER_SEED": "7"}
    args = [str(CLI), "serve", "--db", url, "--port", str(port), "--speed", str(SPEED),
            "--bots" if bots else "--no-bots"]
    log = (tmp_path / f"serve-{port}.log").open("wb")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(proc, f"http://127.0.0.1:{port}", tmp_path / f"serve-{port}.log")
        yield proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def _wait_for(engine: Engine, ready: Callable[[Session], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with Session(engine) as session:
            if ready(session):
                return
        assert time.monotonic() < deadline, "timed out waiting for the database"
        time.sleep(0.2)


def _count(session: Session, is_open: bool) -> int:
    return len(session.scalars(select(InteractionRow.interaction_id)
                               .where(InteractionRow.open == is_open)).all())


def test_sigkill_mid_traffic_then_restart_loses_nothing(tmp_path: Path) -> None:
    """Every row stored before the kill is there after the restart, none is open,
    completed rows are unchanged, open ones are `lost_on_restart`, and every agent
    left in a state is logged out with a closing span."""
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    engine = create_engine_for(url)
    try:
        with _serve(url, tmp_path, start=MONDAY_9AM, bots=True) as proc:
            _wait_for(engine, lambda s: _count(s, False) >= 3 and _count(s, True) >= 1)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

        with Session(engine) as session:
            before = {r.interaction_id: (r.open, r.outcome, r.ended_at, r.completed_at,
                                         r.arrived_at)
                      for r in session.scalars(select(InteractionRow))}
            presence = {p.agent_id: (p.state, p.reason, p.since)
                        for p in session.scalars(select(AgentPresenceRow))}
            spans_before = len(session.scalars(select(AgentSpanRow.id)).all())
        was_open = {i for i, v in before.items() if v[0]}
        completed = {i: v for i, v in before.items() if not v[0]}
        active = {a: v for a, v in presence.items() if v[0] != "logged_out"}
        assert was_open and completed and active

        # Later than anything stored (ids cannot repeat), however long the first server ran
        # on its sped-up real clock.
        latest = max(t for v in before.values() for t in v[2:] if t is not None)
        restart = max(MONDAY_9AM + 2 * 3600, latest + 3600,
                      max(since for _, _, since in presence.values()) + 3600)
        with _serve(url, tmp_path, start=restart, bots=False), Session(engine) as session:
            after = {r.interaction_id: r for r in session.scalars(
                select(InteractionRow).where(InteractionRow.interaction_id.in_(before)))}
            assert set(after) == set(before)
            assert not any(r.open for r in after.values())
            for iid, (_, outcome, ended, done, _) in completed.items():
                r = after[iid]
                assert (r.outcome, r.ended_at, r.completed_at) == (outcome, ended, done)
            for iid in was_open:
                r = after[iid]
                assert (r.outcome, r.exit_reason) == (LOST, LOST_ON_RESTART)
                assert r.ended_at == r.completed_at
                assert r.ended_at is not None and r.ended_at >= restart
            now = {p.agent_id: p for p in session.scalars(select(AgentPresenceRow))}
            assert set(now) == set(presence)
            assert all(p.state == "logged_out" for p in now.values())
            spans = session.scalars(select(AgentSpanRow)
                                    .order_by(AgentSpanRow.id)).all()[spans_before:]
            closing = {s.agent_id: (s.state, s.reason, s.start) for s in spans}
            assert closing == {a: (state, reason, since)
                               for a, (state, reason, since) in active.items()}
            assert all(s.end >= restart for s in spans)
    finally:
        engine.dispose()
