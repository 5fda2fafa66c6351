"""Supervisor views and forced actions: roles, team scope, the engine's answer, the audit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from callcenter.clock import FakeClock
from callcenter.core.config import AgentConfig
from callcenter.core.events import InteractionArrived
from callcenter.store import create_engine_for, session_factory
from callcenter.store.audit import audit_entries
from callcenter.store.configs import save_agent
from callcenter.store.models import AgentRow
from callcenter.store.users import add_agent, add_supervisor, create_team, get_user
from tests.api.conftest import MONDAY_9AM, Harness, start


def _team(h: Harness, supervisor: str, agents: list[str]) -> None:
    """Store a team of `agents` supervised by `supervisor`."""
    engine = create_engine_for(h.server.settings.database_url)
    try:
        with session_factory(engine).begin() as session:
            team = create_team(session, "red")
            for agent_id in agents:
                if session.get(AgentRow, agent_id) is None:
                    save_agent(session, AgentConfig(agent_id))
                add_agent(session, team, agent_id)
            add_supervisor(session, team, get_user(session, supervisor))
    finally:
        engine.dispose()


def test_an_agent_may_not_use_supervisor_routes(sqlite_harness: Harness) -> None:
    """An agent asking for the supervisor snapshot is 403."""
    r = sqlite_harness.get("/api/supervisor/snapshot", headers=sqlite_harness.auth("early-1"))
    assert r.status_code == 403


def test_a_supervisor_may_not_pause_another_teams_agent(sqlite_harness: Harness) -> None:
    """A supervisor forcing a pause on an agent outside its teams is 403."""
    _team(sqlite_harness, "sup-2", ["early-1"])
    r = sqlite_harness.post("/api/supervisor/agents/early-2/pause",
                            headers=sqlite_harness.auth("sup-2"), json={"reason": "coaching"})
    assert r.status_code == 403


def test_a_supervisor_sees_only_its_teams_agents(sqlite_harness: Harness) -> None:
    """The agent list of a supervisor holds the agents of its teams only."""
    _team(sqlite_harness, "sup-2", ["early-1"])
    r = sqlite_harness.get("/api/supervisor/agents", headers=sqlite_harness.auth("sup-2"))
    assert [a["agent_id"] for a in r.json()] == ["early-1"]


def test_force_pause_pauses_the_agent_and_is_audited(harness: Harness) -> None:
    """A forced pause leaves the agent paused with the reason, and writes an audit row."""
    _team(harness, "sup-2", ["early-1"])
    harness.post("/api/agents/early-1/login", headers=harness.auth("early-1"))
    r = harness.post("/api/supervisor/agents/early-1/pause", headers=harness.auth("sup-2"),
                     json={"reason": "coaching"})
    assert (r.json()["state"], r.json()["reason"]) == ("paused", "coaching"), r.text
    engine = create_engine_for(harness.server.settings.database_url)
    try:
        with session_factory(engine)() as session:
            (entry,) = audit_entries(session, entity="agent", entity_id="early-1")
            seen = (entry.actor, entry.action, entry.after)
    finally:
        engine.dispose()
    assert seen == ("sup-2", "force_pause", {"reason": "coaching"})


def test_an_admin_forces_a_logout_of_any_agent(sqlite_harness: Harness) -> None:
    """An admin (in no team) logs an agent out."""
    sqlite_harness.post("/api/agents/early-2/login", headers=sqlite_harness.auth("early-2"))
    r = sqlite_harness.post("/api/supervisor/agents/early-2/logout",
                            headers=sqlite_harness.auth("root"))
    assert r.json()["state"] == "logged_out", r.text


def test_the_queue_snapshot_shows_waiting_and_oldest_wait(sqlite_harness: Harness) -> None:
    """A call waiting with nobody logged in shows as waiting, with its wait."""
    sqlite_harness.inject(InteractionArrived("w1", "hotline"))
    r = sqlite_harness.get("/api/supervisor/queues", headers=sqlite_harness.auth("root"))
    (queue,) = [q for q in r.json() if q["queue_id"] == "hotline"]
    assert queue["waiting"] == 1
    assert queue["oldest_wait"] is not None and queue["oldest_wait"] >= 0


# ------------------------------------------------------------------ on a fake clock


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Harness, FakeClock]]:
    """A started app on a SQLite file whose engine runs on a fake clock from MONDAY_9AM."""
    clock = FakeClock(MONDAY_9AM)
    with contextmanager(start)(f"sqlite:///{tmp_path / 'api.db'}", clock=clock) as h:
        yield h, clock


def _advance(h: Harness, clock: FakeClock, seconds: float) -> None:
    """Move the engine's clock and let the driver handle what falls due."""
    async def go() -> None:
        clock.advance(seconds)
        await h.server.runtime.driver.settled()

    h.portal.call(go)


def _hotline(h: Harness, user: str) -> dict[str, object]:
    r = h.get("/api/supervisor/queues", headers=h.auth(user))
    assert r.status_code == 200, r.text
    (queue,) = [q for q in r.json() if q["queue_id"] == "hotline"]
    return dict(queue)


def test_the_oldest_wait_is_the_time_since_the_first_waiting_arrival(
        clocked: tuple[Harness, FakeClock]) -> None:
    """Calls arriving at 09:00:00 and 09:00:30, read at 09:00:45: two waiting, the oldest
    for 45 s."""
    h, clock = clocked
    h.inject(InteractionArrived("w1", "hotline"))
    _advance(h, clock, 30)
    h.inject(InteractionArrived("w2", "hotline"))
    _advance(h, clock, 15)
    queue = _hotline(h, "root")
    assert (queue["waiting"], queue["oldest_wait"]) == (2, 45.0)


def test_nobody_waiting_has_no_oldest_wait(clocked: tuple[Harness, FakeClock]) -> None:
    """With no call waiting the hotline shows 0 waiting and no oldest wait."""
    h, _ = clocked
    queue = _hotline(h, "root")
    assert (queue["waiting"], queue["oldest_wait"]) == (0, None)


def test_the_queue_snapshot_counts_the_callers_agents_by_state(
        clocked: tuple[Harness, FakeClock]) -> None:
    """early-1 ready and early-2 paused: sup-2 (team of early-1) counts one available
    agent; the admin counts both and the other 8 hotline agents logged out."""
    h, _ = clocked
    _team(h, "sup-2", ["early-1"])
    for agent in ("early-1", "early-2"):
        assert h.post(f"/api/agents/{agent}/login", headers=h.auth(agent)).status_code == 200
    h.post("/api/agents/early-2/pause", headers=h.auth("early-2"), json={"reason": "break"})
    zero = {"logged_out": 0, "available": 0, "reserved": 0, "busy": 0, "wrap_up": 0,
            "paused": 0}
    assert _hotline(h, "sup-2")["agents"] == {**zero, "available": 1}
    assert _hotline(h, "root")["agents"] == {**zero, "available": 1, "paused": 1,
                                             "logged_out": 8}


def test_the_snapshot_is_taken_at_the_engine_clock_with_the_callers_agents(
        clocked: tuple[Harness, FakeClock]) -> None:
    """Ten minutes in, sup-2's snapshot is stamped MONDAY_9AM + 600 and lists early-1 only,
    logged in since 09:05, in teams floor and red, serving the hotline, holding nothing."""
    h, clock = clocked
    _team(h, "sup-2", ["early-1"])
    _advance(h, clock, 300)
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    _advance(h, clock, 300)
    snap = h.get("/api/supervisor/snapshot", headers=h.auth("sup-2")).json()
    assert snap["at"] == MONDAY_9AM + 600
    assert snap["agents"] == [{"agent_id": "early-1", "state": "available", "reason": "",
                               "since": MONDAY_9AM + 300, "teams": ["floor", "red"],
                               "queues": ["hotline"], "work": []}]


def test_a_forced_pause_of_a_busy_agent_waits_for_its_wrap_up(
        clocked: tuple[Harness, FakeClock]) -> None:
    """Forced pause during a call: the agent stays busy, and is paused with the reason
    once its wrap-up is done."""
    h, _ = clocked
    me = h.auth("early-1")
    h.post("/api/agents/early-1/login", headers=me)
    h.inject(InteractionArrived("c1", "hotline"))
    h.post("/api/agents/early-1/accept", headers=me, json={"interaction_id": "c1"})
    r = h.post("/api/supervisor/agents/early-1/pause", headers=h.auth("root"),
               json={"reason": "coaching"})
    assert r.json()["state"] == "busy", r.text
    h.post("/api/agents/early-1/hangup", headers=me, json={"interaction_id": "c1"})
    h.post("/api/agents/early-1/wrapup", headers=me, json={"interaction_id": "c1"})
    (agent,) = [a for a in h.get("/api/supervisor/agents", headers=h.auth("root")).json()
                if a["agent_id"] == "early-1"]
    assert (agent["state"], agent["reason"]) == ("paused", "coaching")


def test_a_forced_logout_is_audited_naming_the_admin(sqlite_harness: Harness) -> None:
    """The admin's forced logout writes an audit row: actor root, action force_logout."""
    h = sqlite_harness
    h.post("/api/agents/early-2/login", headers=h.auth("early-2"))
    h.post("/api/supervisor/agents/early-2/logout", headers=h.auth("root"))
    with h.server.sessions() as session:
        (entry,) = audit_entries(session, entity="agent", entity_id="early-2")
        assert (entry.actor, entry.action, entry.after) == ("root", "force_logout", {})


def test_forcing_an_unknown_agent_is_404(sqlite_harness: Harness) -> None:
    """An admin forcing a pause on an agent the engine does not know is 404."""
    r = sqlite_harness.post("/api/supervisor/agents/nobody/pause",
                            headers=sqlite_harness.auth("root"), json={"reason": "coaching"})
    assert r.status_code == 404, r.text


def test_a_forced_pause_needs_a_reason(sqlite_harness: Harness) -> None:
    """A forced pause with an empty reason is 422 and leaves the agent as it was."""
    h = sqlite_harness
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    r = h.post("/api/supervisor/agents/early-1/pause", headers=h.auth("root"),
               json={"reason": ""})
    assert r.status_code == 422
    (agent,) = [a for a in h.get("/api/supervisor/agents", headers=h.auth("root")).json()
                if a["agent_id"] == "early-1"]
    assert agent["state"] == "available"
