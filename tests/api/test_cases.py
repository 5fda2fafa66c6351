"""Cases through the API, on SQLite and PostgreSQL: types and policies set by an admin,
a case created from a call with its due times, the workflow, notes and links, the
SLA sweep with its alerts, and the first-contact resolution report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from callcenter.api import cases as api_cases
from callcenter.clock import FakeClock
from callcenter.store.models import InteractionRow
from tests.api.conftest import MONDAY_9AM, Harness, start

H = 3600.0


@pytest.fixture
def h(db_url: str) -> Iterator[Harness]:
    """An app on a fake clock at Monday 3 March 2025 09:00 Berlin, without the timed
    sweep (the tests sweep when they choose)."""
    yield from start(db_url, clock=FakeClock(MONDAY_9AM),
                     settings={"case_sweep_seconds": 0})


def _admin(h: Harness, method: str, path: str, body: dict[str, Any],
           expect: int = 201) -> Any:
    r = h.request(method, path, json=body, headers=h.auth("root"))
    assert r.status_code == expect, r.text
    return r.json()


def _setup(h: Harness, **policy: Any) -> None:
    """A complaint type with a billing category and a normal-priority policy."""
    _admin(h, "POST", "/api/admin/case-types", {"id": "complaint", "label": "Complaint"})
    _admin(h, "POST", "/api/admin/case-categories",
           {"id": "billing", "type_id": "complaint", "label": "Billing"})
    _admin(h, "POST", "/api/admin/sla-policies", {"type_id": "complaint", **policy})


def _advance(h: Harness, seconds: float) -> None:
    clock = h.server.runtime.clock
    assert isinstance(clock, FakeClock)

    async def run() -> None:
        clock.advance(seconds)
        await h.server.runtime.driver.settled()
    h.portal.call(run)


def _create(h: Harness, user: str = "early-1", **more: Any) -> Any:
    r = h.post("/api/cases", headers=h.auth(user), json={
        "type_id": "complaint", "category_id": "billing", "subject": "Bill too high", **more})
    assert r.status_code == 201, r.text
    return r.json()


def test_a_case_from_a_call_gets_its_due_times_and_link(h: Harness) -> None:
    """Created Monday 09:00 with a 2 h first-response and 12 h resolution policy on the
    hotline calendar (Mon-Fri 08:00-18:00): due Monday 11:00 and Tuesday 11:00 (9 h on
    Monday, 3 h on Tuesday: 26 h later), the call linked, the timeline saying so."""
    hotline = h.get("/api/admin/calendars/hotline", headers=h.auth("root")).json()
    assert {"weekday": 0, "opens": "08:00:00", "closes": "18:00:00"} in hotline["hours"]
    _setup(h, first_response_seconds=2 * H, resolution_seconds=12 * H, calendar_id="hotline")
    case = _create(h, interaction_id="ix-77", customer_id=5)
    assert case["status"] == "new" and case["customer_id"] == 5
    assert case["first_response"] == {"due": MONDAY_9AM + 2 * H, "state": "running"}
    assert case["resolution"] == {"due": MONDAY_9AM + 26 * H, "state": "running"}
    assert case["interactions"] == ["ix-77"]
    assert [e["kind"] for e in case["timeline"]] == ["created", "link"]


def test_the_workflow_through_the_api(h: Harness) -> None:
    """open, resolve, close, reopen: each allowed move lands where the workflow says; a
    move the status does not allow is 409 and changes nothing."""
    _setup(h, first_response_seconds=H)
    case_id = _create(h)["id"]
    url = f"/api/cases/{case_id}/actions"
    seen = []
    for action in ("open", "resolve", "close", "reopen"):
        r = h.post(url, json={"action": action}, headers=h.auth("early-1"))
        assert r.status_code == 200, r.text
        seen.append(r.json()["status"])
    assert seen == ["open", "resolved", "closed", "open"]
    r = h.post(url, json={"action": "close"}, headers=h.auth("early-1"))
    assert r.status_code == 409 and "a case that is open cannot close" in r.json()["detail"]
    detail = h.get(f"/api/cases/{case_id}", headers=h.auth("sup")).json()
    assert detail["status"] == "open" and detail["first_response"]["state"] == "met"
    assert detail["resolved_at"] is None


def test_notes_and_assignment(h: Harness) -> None:
    """An internal note is no first response; a customer-visible one is; a supervisor
    assigns the case to an agent and a team."""
    _setup(h, first_response_seconds=H)
    case_id = _create(h)["id"]
    r = h.post(f"/api/cases/{case_id}/notes", headers=h.auth("early-1"),
               json={"body": "Checked the bill", "visibility": "internal"})
    assert r.status_code == 201 and r.json()["first_response_at"] is None
    _advance(h, 600)
    r = h.post(f"/api/cases/{case_id}/notes", headers=h.auth("early-1"),
               json={"body": "We refund you", "visibility": "customer"})
    assert r.json()["first_response_at"] == MONDAY_9AM + 600
    r = h.request("PUT", f"/api/cases/{case_id}/assignee", headers=h.auth("sup"),
                  json={"agent_id": "early-2", "team": "floor"})
    assert (r.json()["agent_id"], r.json()["team"]) == ("early-2", "floor")
    notes = [(e["visibility"], e["detail"]) for e in r.json()["timeline"] if e["kind"] == "note"]
    assert notes == [("internal", "Checked the bill"), ("customer", "We refund you")]


def test_a_bad_case_names_its_field(h: Harness) -> None:
    """An unknown type, and a category of another type, are 422 naming the field."""
    _setup(h)
    _admin(h, "POST", "/api/admin/case-types", {"id": "inquiry"})
    r = h.post("/api/cases", headers=h.auth("early-1"),
               json={"type_id": "nope", "subject": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "type_id"
    r = h.post("/api/cases", headers=h.auth("early-1"),
               json={"type_id": "inquiry", "category_id": "billing", "subject": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category_id"


def test_the_sweep_warns_then_breaches_once_each(h: Harness) -> None:
    """A 1 h first-response target warning at 50 %: nothing at 29 min, a warning at
    30 min (once), a breach at 60 min (once); the case is then listed as breached."""
    _setup(h, first_response_seconds=H, warn_at=0.5)
    case_id = _create(h)["id"]

    def sweep() -> list[tuple[int, str, str]]:
        alerts = h.portal.call(api_cases.sweep, h.server)
        return [(a.case_id, a.target, a.level) for a in alerts]
    _advance(h, 29 * 60)
    assert sweep() == []
    _advance(h, 60)
    assert sweep() == [(case_id, "first_response", "warning")]
    assert sweep() == []
    _advance(h, 30 * 60)
    assert sweep() == [(case_id, "first_response", "breached")]
    assert sweep() == []
    listed = h.get("/api/cases?breached=true", headers=h.auth("sup")).json()
    assert [c["id"] for c in listed] == [case_id]
    sla = h.get("/api/cases/sla", headers=h.auth("sup")).json()
    assert [(a["case_id"], a["state"]) for a in sla] == [(case_id, "breached")]


def test_a_supervisor_lists_the_sla_of_its_teams_and_unassigned_cases(h: Harness) -> None:
    """Two breached cases, one of early-1 and one of nobody: sup (team floor, early-1)
    lists both, sup-2 (no team) only the unassigned one."""
    _setup(h, first_response_seconds=H)
    mine = _create(h, agent_id="early-1")["id"]
    nobodys = _create(h)["id"]
    _advance(h, H)
    for user, expected in (("sup", [mine, nobodys]), ("sup-2", [nobodys])):
        sla = h.get("/api/cases/sla", headers=h.auth(user)).json()
        assert [a["case_id"] for a in sla] == expected


def _interaction(h: Harness, ix: str, at: float, agent: str) -> None:
    with h.server.sessions.begin() as session:
        session.add(InteractionRow(
            interaction_id=ix, channel="voice", queue_id="hotline", first_queue_id="hotline",
            priority=0, arrived_at=at, outcome="handled", agent_id=agent, state="completed",
            open=False))


def test_fcr_by_agent(h: Harness) -> None:
    """Customer 5 calls on Monday (early-1) and again on Wednesday (early-2) about case
    A; customer 6 calls once (early-1) about case B: early-1 has 2 contacts, 1 repeated
    (FCR 50 %); early-2 1 contact, none repeated (100 %)."""
    _setup(h)
    day = 86400.0
    a = _create(h, customer_id=5, interaction_id="c1")["id"]
    _create(h, customer_id=6, interaction_id="c3", category_id=None)
    h.post(f"/api/cases/{a}/links", json={"interaction_id": "c2"}, headers=h.auth("early-2"))
    _interaction(h, "c1", MONDAY_9AM, "early-1")
    _interaction(h, "c2", MONDAY_9AM + 2 * day, "early-2")
    _interaction(h, "c3", MONDAY_9AM + 3600, "early-1")
    r = h.get("/api/reports/fcr?since=2025-03-03&until=2025-03-10&by=agent",
              headers=h.auth("sup"))
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"key": "early-1", "contacts": 2, "repeated": 1, "fcr": 50.0},
        {"key": "early-2", "contacts": 1, "repeated": 0, "fcr": 100.0}]
