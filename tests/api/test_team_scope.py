"""Supervisors are held to their teams everywhere (agent routes, lists, searches, reports),
and every change someone makes to another agent is audited."""

from __future__ import annotations

from typing import Any

from callcenter.core.events import InteractionArrived
from callcenter.store import create_engine_for, session_factory
from callcenter.store.audit import audit_entries
from tests.api.conftest import Harness


def _audit(h: Harness, agent_id: str) -> list[tuple[str | None, str, Any]]:
    """(actor, action, after) of the audit rows on agent `agent_id`, oldest first."""
    engine = create_engine_for(h.server.settings.database_url)
    try:
        with session_factory(engine)() as session:
            rows = audit_entries(session, entity="agent", entity_id=agent_id)
            return [(r.actor, r.action, r.after) for r in reversed(rows)]
    finally:
        engine.dispose()


def test_a_supervisor_outside_the_team_may_not_drive_the_agent(harness: Harness) -> None:
    """sup-2 (in no team) is refused pause, ready, logout and work on early-1, naming
    the agent; the agent's state is untouched and nothing is audited."""
    harness.post("/api/agents/early-1/login", headers=harness.auth("early-1"))
    for action, body in [("pause", {"reason": "x"}), ("ready", None), ("logout", None)]:
        r = harness.post(f"/api/agents/early-1/{action}", json=body,
                         headers=harness.auth("sup-2"))
        assert r.status_code == 403, r.text
        assert r.json()["detail"] == "user 'sup-2' does not supervise agent 'early-1'"
    assert harness.get("/api/agents/early-1/work",
                       headers=harness.auth("sup-2")).status_code == 403
    state = harness.get("/api/agents/early-1", headers=harness.auth("early-1")).json()
    assert state["state"] == "available"
    assert _audit(harness, "early-1") == []


def test_a_supervisors_action_on_its_agent_is_audited(harness: Harness) -> None:
    """sup pausing and readying early-1 through the agent routes writes one audit row
    each, naming sup; the agent's own actions write none."""
    harness.post("/api/agents/early-1/login", headers=harness.auth("early-1"))
    r = harness.post("/api/agents/early-1/pause", json={"reason": "coaching"},
                     headers=harness.auth("sup"))
    assert r.json()["state"] == "paused", r.text
    harness.post("/api/agents/early-1/ready", headers=harness.auth("root"))
    harness.post("/api/agents/early-1/pause", json={"reason": "lunch"},
                 headers=harness.auth("early-1"))
    assert _audit(harness, "early-1") == [("sup", "pause", {"reason": "coaching"}),
                                          ("root", "ready", {})]


def test_the_agent_list_holds_the_supervisors_agents_only(sqlite_harness: Harness) -> None:
    """GET /api/agents gives sup-2 (no team) no agent, sup its team's, root every one."""
    h = sqlite_harness
    listed = {who: [a["agent_id"] for a in h.get("/api/agents", headers=h.auth(who)).json()]
              for who in ("sup-2", "sup", "root")}
    assert listed["sup-2"] == []
    assert "early-1" in listed["sup"] and listed["sup"] == listed["root"]


def test_a_search_leaves_out_other_teams_interactions(sqlite_harness: Harness) -> None:
    """An interaction taken by early-1 is in sup's search, not in sup-2's, which still
    sees one no agent took; naming early-1 is 403 for sup-2."""
    h = sqlite_harness
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    h.inject(InteractionArrived("taken", "hotline"))
    h.post("/api/agents/early-1/logout", headers=h.auth("early-1"))
    h.inject(InteractionArrived("waiting", "hotline"))

    def ids(who: str) -> set[str]:
        page = h.get("/api/interactions", headers=h.auth(who)).json()
        return {i["interaction_id"] for i in page["items"]}

    assert ids("sup") == {"taken", "waiting"}
    assert ids("sup-2") == {"waiting"}
    r = h.get("/api/interactions", params={"agent": "early-1"}, headers=h.auth("sup-2"))
    assert r.status_code == 403


def test_a_supervisor_sees_an_agent_once_an_admin_adds_it_to_its_team(
        sqlite_harness: Harness) -> None:
    """A team change applies at the next request: sup-2 is given early-2 and may pause it."""
    h = sqlite_harness
    r = h.request("POST", "/api/admin/teams", headers=h.auth("root"),
                  json={"name": "blue", "supervisors": ["sup-2"], "agents": ["early-2"]})
    assert r.status_code == 201, r.text
    h.post("/api/agents/early-2/login", headers=h.auth("early-2"))
    r = h.post("/api/agents/early-2/pause", json={"reason": "1:1"}, headers=h.auth("sup-2"))
    assert r.status_code == 200, r.text
    assert [a["agent_id"] for a in h.get("/api/agents", headers=h.auth("sup-2")).json()] == [
        "early-2"]
