"""The reads the browser UI needs: who is logged in, the disposition codes an agent may
pick, an agent's work with caller numbers and offer expiry, the clock speed."""

from __future__ import annotations

from callcenter.api.routes_ws import snapshot
from callcenter.core.events import InteractionArrived
from callcenter.store.users import save_disposition
from tests.api.conftest import MONDAY_9AM, Harness

WORK = "/api/agents/early-1/work"


def test_me_names_the_user_of_the_token(harness: Harness) -> None:
    """GET /api/me answers the username, role and agent of the login used."""
    r = harness.get("/api/me", headers=harness.auth("early-1"))
    assert r.status_code == 200
    assert {k: r.json()[k] for k in ("username", "role", "agent_id")} == {
        "username": "early-1", "role": "agent", "agent_id": "early-1"}
    assert harness.get("/api/me").status_code == 401


def test_me_reads_the_session_cookie(harness: Harness) -> None:
    """The browser's cookie alone identifies the user (the page cannot read it)."""
    token = harness.token("sup")
    r = harness.get("/api/me", headers={"Cookie": f"callcenter_session={token}"})
    assert (r.status_code, r.json()["role"], r.json()["agent_id"]) == (200, "supervisor", None)


def test_an_agent_lists_the_active_disposition_codes(harness: Harness) -> None:
    """GET /api/dispositions gives any user the active codes, by code, without inactive ones."""
    with harness.server.sessions.begin() as session:
        save_disposition(session, "sale", "Sale")
        save_disposition(session, "info", "Information")
        save_disposition(session, "old", "Retired", active=False)
    r = harness.get("/api/dispositions", headers=harness.auth("early-1"))
    assert r.status_code == 200
    assert r.json() == [{"code": "info", "label": "Information"},
                        {"code": "sale", "label": "Sale"}]


def test_work_shows_an_offer_with_caller_queue_and_expiry(harness: Harness) -> None:
    """An offered call appears in the agent's work with its caller number, queue, arrival
    and the time its offer stops ringing."""
    me = harness.auth("early-1")
    assert harness.post("/api/agents/early-1/login", headers=me).status_code == 200
    harness.inject(InteractionArrived("x1", "hotline", caller="+4930123456"))
    work = harness.get(WORK, headers=me).json()
    (item,) = work["items"]
    assert (work["state"], item["status"], item["queue_id"], item["caller_number"]) == (
        "reserved", "offered", "hotline", "+4930123456")
    assert item["arrived_at"] <= work["at"] < item["offer_expires_at"]
    assert work["speed"] == 1.0 and work["at"] >= MONDAY_9AM


def test_work_follows_the_call_to_wrap_up(harness: Harness) -> None:
    """After accept the item is connected (answered, no expiry); after hang-up, wrapping."""
    me = harness.auth("early-1")
    harness.post("/api/agents/early-1/login", headers=me)
    harness.inject(InteractionArrived("x1", "hotline"))
    harness.post("/api/agents/early-1/accept", headers=me, json={"interaction_id": "x1"})
    (item,) = harness.get(WORK, headers=me).json()["items"]
    assert (item["status"], item["offer_expires_at"], item["caller_number"]) == (
        "connected", None, None)
    assert item["answered_at"] is not None
    harness.post("/api/agents/early-1/hangup", headers=me, json={"interaction_id": "x1"})
    assert [i["status"] for i in harness.get(WORK, headers=me).json()["items"]] == ["wrapping"]


def test_an_agent_may_not_read_another_agents_work(harness: Harness) -> None:
    """Work is the agent's own (403 for another agent; supervisors see their teams'
    agents, admins every agent)."""
    assert harness.get("/api/agents/early-2/work",
                       headers=harness.auth("early-1")).status_code == 403
    assert harness.get("/api/agents/early-2/work", headers=harness.auth("sup")).status_code == 200
    assert harness.get("/api/agents/early-2/work",
                       headers=harness.auth("sup-2")).status_code == 403
    assert harness.get("/api/agents/nobody/work", headers=harness.auth("root")).status_code == 404


def test_the_socket_snapshot_carries_the_clock_speed(harness: Harness) -> None:
    """The supervisor's first message says engine time and speed, so pages can tick."""
    message = snapshot(harness.server)
    assert (message["type"], message["speed"]) == ("Snapshot", 1.0)
    assert message["at"] >= MONDAY_9AM
