"""Agent actions through the API: the engine's answers, stored before acknowledged."""

from __future__ import annotations

from callcenter.core.events import InteractionArrived
from callcenter.store import create_engine_for, session_factory
from callcenter.store.history import search_interactions
from callcenter.store.users import save_disposition
from tests.api.conftest import Harness

AGENT = "/api/agents/early-1"


def _connected_call(h: Harness, headers: dict[str, str], interaction_id: str = "x1") -> None:
    """Log early-1 in, let a call arrive, accept it."""
    assert h.post(f"{AGENT}/login", headers=headers).status_code == 200
    h.inject(InteractionArrived(interaction_id, "hotline"))
    r = h.post(f"{AGENT}/accept", headers=headers, json={"interaction_id": interaction_id})
    assert r.json()["state"] == "busy", r.text


def test_an_offered_call_is_handled_and_its_row_is_stored(harness: Harness) -> None:
    """login paused -> ready -> offer -> accept -> hang up -> wrap-up: the completed row,
    with its disposition, is in the store."""
    me = harness.auth("early-1")
    r = harness.post(f"{AGENT}/login", headers=me, json={"ready": False})
    assert r.json()["state"] == "paused"
    assert harness.post(f"{AGENT}/ready", headers=me).json()["state"] == "available"
    harness.inject(InteractionArrived("x1", "hotline"))
    assert harness.get(AGENT, headers=me).json()["offers"] == ["x1"]
    steps = [("accept", {}, "busy"), ("hangup", {}, "wrap_up"),
             ("wrapup", {"disposition": "info"}, "available")]
    for action, extra, state in steps:
        r = harness.post(f"{AGENT}/{action}", headers=me, json={"interaction_id": "x1", **extra})
        assert r.json()["state"] == state, r.text
    engine = create_engine_for(harness.server.settings.database_url)
    try:
        with session_factory(engine)() as session:
            (row,) = search_interactions(session, agent_id="early-1").items
    finally:
        engine.dispose()
    assert (row.interaction_id, row.outcome, row.disposition, row.open) == (
        "x1", "completed", "info", False)


def test_a_waiting_call_has_an_open_row_in_the_store(harness: Harness) -> None:
    """An accepted arrival is stored at once, open, in state queued."""
    harness.inject(InteractionArrived("w1", "hotline"))
    r = harness.get("/api/interactions", headers=harness.auth("sup"), params={"queue": "hotline"})
    (item,) = r.json()["items"]
    assert (item["interaction_id"], item["state"], item["open"]) == ("w1", "queued", True)


def test_accept_without_an_offer_is_409_naming_the_state(shared: Harness) -> None:
    """Accepting with no offer is refused with the engine's message, naming the state."""
    me = shared.auth("early-2")
    shared.post("/api/agents/early-2/login", headers=me)
    r = shared.post("/api/agents/early-2/accept", headers=me, json={"interaction_id": "x9"})
    assert r.status_code == 409
    assert r.json() == {"detail": "agent 'early-2' is available: cannot accept"}


def test_an_unknown_agent_is_404(shared: Harness) -> None:
    """Acting on an agent the engine does not know is 404."""
    r = shared.post("/api/agents/nobody/ready", headers=shared.auth("root"))
    assert r.status_code == 404
    assert r.json() == {"detail": "no agent 'nobody'"}


def test_pause_without_a_reason_is_422_naming_the_field(shared: Harness) -> None:
    """A pause needs a reason; the 422 names the field."""
    r = shared.post("/api/agents/late-1/pause", headers=shared.auth("sup"), json={})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "reason"


def test_transfer_needs_exactly_one_target(shared: Harness) -> None:
    """A transfer naming both a queue and an agent is 422."""
    body = {"interaction_id": "x1", "queue_id": "hotline", "to_agent_id": "late-2"}
    r = shared.post("/api/agents/late-1/transfer", headers=shared.auth("sup"), json=body)
    assert r.status_code == 422
    assert "exactly one of queue_id, to_agent_id and number" in r.json()["detail"]


def test_a_transfer_number_must_be_digits(shared: Harness) -> None:
    """An external number with letters is 422 naming the field."""
    body = {"interaction_id": "x1", "number": "call-me"}
    r = shared.post("/api/agents/late-1/transfer", headers=shared.auth("sup"), json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "number"


def test_hold_of_a_call_the_agent_does_not_hold_is_409(shared: Harness) -> None:
    """Hold and resume need the agent's connected call: 409 naming the agent's state."""
    for action in ("hold", "resume"):
        r = shared.post(f"/api/agents/late-1/{action}", headers=shared.auth("sup"),
                        json={"interaction_id": "nobody"})
        assert r.status_code == 409 and "not connected to 'nobody'" in r.json()["detail"]


def test_transfer_of_a_call_the_agent_does_not_hold_is_409(shared: Harness) -> None:
    """An agent can only transfer its own connected call."""
    r = shared.post("/api/agents/late-1/transfer", headers=shared.auth("sup"),
                    json={"interaction_id": "x1", "queue_id": "hotline"})
    assert r.status_code == 409
    assert r.json() == {"detail": "agent 'late-1' is logged_out: not connected to 'x1'"}


def test_transfer_to_another_agent_offers_the_call_to_it(harness: Harness) -> None:
    """A connected call transferred to a logged-in agent is offered to that agent."""
    me, other = harness.auth("early-1"), harness.auth("early-2")
    _connected_call(harness, me)
    harness.post("/api/agents/early-2/login", headers=other)
    r = harness.post(f"{AGENT}/transfer", headers=me,
                     json={"interaction_id": "x1", "to_agent_id": "early-2"})
    assert r.status_code == 200, r.text
    assert harness.get("/api/agents/early-2", headers=other).json()["offers"] == ["x1"]


def test_an_unknown_disposition_is_422_when_codes_are_defined(harness: Harness) -> None:
    """With disposition codes in the store, wrap-up refuses any other code, naming the field."""
    engine = create_engine_for(harness.server.settings.database_url)
    try:
        with session_factory(engine).begin() as session:
            save_disposition(session, "sale", "Sale")
    finally:
        engine.dispose()
    me = harness.auth("early-1")
    _connected_call(harness, me)
    harness.post(f"{AGENT}/hangup", headers=me, json={"interaction_id": "x1"})
    r = harness.post(f"{AGENT}/wrapup", headers=me,
                     json={"interaction_id": "x1", "disposition": "bogus"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "disposition"


def test_wrap_up_follows_the_admins_disposition_changes(harness: Harness) -> None:
    """The codes a wrap-up is checked against follow the admin API's changes at once: a
    code created after an earlier wrap-up is accepted, a deactivated one refused."""
    me, admin = harness.auth("early-1"), harness.auth("root")
    codes = "/api/admin/dispositions"

    def wrap_up(iid: str, code: str) -> int:
        if iid not in harness.get(AGENT, headers=me).json()["wrapping"]:
            harness.inject(InteractionArrived(iid, "hotline"))
            harness.post(f"{AGENT}/accept", headers=me, json={"interaction_id": iid})
            harness.post(f"{AGENT}/hangup", headers=me, json={"interaction_id": iid})
        r = harness.post(f"{AGENT}/wrapup", headers=me,
                         json={"interaction_id": iid, "disposition": code})
        return r.status_code

    assert harness.post(f"{AGENT}/login", headers=me).status_code == 200
    assert harness.post(codes, headers=admin, json={"code": "sale"}).status_code == 201
    assert wrap_up("x1", "sale") == 200
    assert wrap_up("x2", "info") == 422
    assert harness.post(codes, headers=admin, json={"code": "info"}).status_code == 201
    assert wrap_up("x2", "info") == 200
    r = harness.request("PUT", f"{codes}/sale", headers=admin, json={"active": False})
    assert r.status_code == 200, r.text
    assert wrap_up("x3", "sale") == 422
