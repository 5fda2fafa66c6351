"""Live views (queues, agents) and interaction search."""

from __future__ import annotations

from callcenter.core.events import CallerHungUp, InteractionArrived
from tests.api.conftest import Harness


def test_queues_show_the_waiting_count(harness: Harness) -> None:
    """Two arrivals with nobody logged in wait in the hotline queue."""
    harness.inject(InteractionArrived("q1", "hotline"))
    harness.inject(InteractionArrived("q2", "hotline"))
    r = harness.get("/api/queues", headers=harness.auth("early-1"))
    assert r.json() == [{"queue_id": "hotline", "channel": "voice", "waiting": 2}]


def test_agents_list_every_agent_with_its_state(shared: Harness) -> None:
    """A supervisor sees all ten hotline agents and their states."""
    agents = shared.get("/api/agents", headers=shared.auth("sup")).json()
    assert len(agents) == 10
    assert {a["state"] for a in agents} <= {"logged_out", "available", "paused"}


def test_search_filters_by_outcome(harness: Harness) -> None:
    """An abandoned call is found by outcome and not under completed."""
    harness.inject(InteractionArrived("a1", "hotline"))
    harness.inject(CallerHungUp("a1"))
    sup = harness.auth("sup")
    found = harness.get("/api/interactions", headers=sup, params={"outcome": "abandoned"}).json()
    assert [i["interaction_id"] for i in found["items"]] == ["a1"]
    none = harness.get("/api/interactions", headers=sup, params={"outcome": "completed"}).json()
    assert none["total"] == 0


def test_search_by_date_range_excludes_later_arrivals(shared: Harness) -> None:
    """`until` before the arrivals finds nothing; ISO dates are accepted."""
    shared.inject(InteractionArrived("d1", "hotline"))
    r = shared.get("/api/interactions", headers=shared.auth("sup"),
                   params={"until": "2020-01-01T00:00:00Z"})
    assert r.status_code == 200 and r.json()["total"] == 0


def test_an_agent_sees_only_its_own_interactions(sqlite_harness: Harness) -> None:
    """An agent's search is limited to itself even without a filter."""
    h = sqlite_harness
    h.post("/api/agents/early-1/login", headers=h.auth("early-1"))
    h.inject(InteractionArrived("o1", "hotline"))
    mine = h.get("/api/interactions", headers=h.auth("early-1")).json()
    theirs = h.get("/api/interactions", headers=h.auth("early-2")).json()
    assert ([i["interaction_id"] for i in mine["items"]], theirs["total"]) == (["o1"], 0)


def test_a_bad_limit_is_422_naming_the_field(shared: Harness) -> None:
    """`limit` above the page maximum names the query field."""
    r = shared.get("/api/interactions", headers=shared.auth("sup"), params={"limit": 5000})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "limit"
