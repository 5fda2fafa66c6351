"""Supervisor views and forced actions: roles, team scope, the engine's answer, the audit."""

from __future__ import annotations

from callcenter.core.config import AgentConfig
from callcenter.core.events import InteractionArrived
from callcenter.store import create_engine_for, session_factory
from callcenter.store.audit import audit_entries
from callcenter.store.configs import save_agent
from callcenter.store.models import AgentRow
from callcenter.store.users import add_agent, add_supervisor, create_team, get_user
from tests.api.conftest import Harness


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
