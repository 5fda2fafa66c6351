"""The routes the campaigns screen added: do-not-call CSV imports (global, a campaign's,
national lists), a campaign's penetration by disposition, the list of campaigns with its
live figures, and a rejected lead row naming its column. Expected figures are worked
out by hand from the rows each test stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from callcenter.core.dialer.leads import Lead, LeadResult, LeadState
from callcenter.core.events import AgentLogin
from callcenter.store.campaigns import add_attempt
from callcenter.store.leads import add_leads
from callcenter.telephony.base import DialStatus
from tests.api.conftest import Harness
from tests.api.dialing import Dialing, campaign_server

CSV = {"Content-Type": "text/csv"}


def _csv(h: Harness, path: str, text: str, method: str = "POST", user: str = "root",
         **params: Any) -> Any:
    return h.request(method, path, content=text.encode(), params=params,
                     headers={**h.auth(user), **CSV})


def _campaign(h: Harness, name: str) -> None:
    r = h.post("/api/campaigns", json={"name": name, "caller_id": "+4930999000"},
               headers=h.auth("root"))
    assert r.status_code == 201, r.text


def _numbers(h: Harness, path: str) -> list[str]:
    return [e["number"] for e in h.get(path, headers=h.auth("sup")).json()["items"]]


def test_a_global_import_adds_the_new_numbers_and_counts_the_present(harness: Harness) -> None:
    """3 rows, one number twice and one already listed: 1 added, 2 present; the list
    holds the 2 numbers, by number."""
    h = harness
    assert h.post("/api/dnc", json={"number": "+4930222000"},
                  headers=h.auth("root")).status_code == 201
    r = _csv(h, "/api/dnc/import", "number\n+4930111000\n+4930222000\n+4930111000\n")
    assert r.status_code == 200, r.text
    assert r.json() == {"list": "global", "rows": 3, "added": 1, "present": 2}
    assert _numbers(h, "/api/dnc") == ["+4930111000", "+4930222000"]


def test_a_rejected_row_stores_nothing_and_names_line_and_column(harness: Harness) -> None:
    """Line 3 (not E.164) and line 4 (empty) are listed with the column; the good line 2
    is not stored either."""
    h = harness
    _campaign(h, "imp")
    r = _csv(h, "/api/campaigns/imp/dnc/import",
             "note,phone\nok,+4930111000\nbad,0301234\nempty,\n", column="phone")
    assert r.status_code == 422
    assert r.json()["rejected"] == [
        {"line": 3, "column": "phone", "reason": "not an E.164 number: '0301234'"},
        {"line": 4, "column": "phone", "reason": "no number"}]
    assert _numbers(h, "/api/campaigns/imp/dnc") == []


def test_a_campaign_import_goes_on_the_campaign_list_only(harness: Harness) -> None:
    """The numbers land on `campaign:imp`, not on the global list."""
    h = harness
    _campaign(h, "imp")
    r = _csv(h, "/api/campaigns/imp/dnc/import", "number\n+4930111000\n")
    assert r.json() == {"list": "campaign:imp", "rows": 1, "added": 1, "present": 0}
    assert _numbers(h, "/api/campaigns/imp/dnc") == ["+4930111000"]
    assert _numbers(h, "/api/dnc") == []


def test_a_file_without_the_column_or_an_unknown_campaign_is_refused(harness: Harness) -> None:
    """A header without `number` is a 422 on the body; an unknown campaign a 404."""
    h = harness
    r = _csv(h, "/api/dnc/import", "phone\n+4930111000\n")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body"
    assert "'number' is not in the header" in r.json()["detail"]
    assert _csv(h, "/api/campaigns/nope/dnc/import", "number\n+4930111000\n").status_code == 404


def test_a_national_import_replaces_the_list_of_that_name(harness: Harness) -> None:
    """Importing US-DNC twice keeps only the second file's 2 numbers; another list stays;
    the lists are listed by name with their sizes."""
    h = harness
    r = _csv(h, "/api/dnc/national/US-DNC", "number\n+12025550100\n+12025550101\n"
             "+12025550102\n", method="PUT")
    assert r.status_code == 200 and r.json() == {"name": "US-DNC", "numbers": 3}
    _csv(h, "/api/dnc/national/UK-TPS", "number\n+442079460000\n", method="PUT")
    r = _csv(h, "/api/dnc/national/US-DNC", "number\n+12025550200\n+12025550200\n"
             "+12025550201\n", method="PUT")
    assert r.json() == {"name": "US-DNC", "numbers": 2}
    assert h.get("/api/dnc/national", headers=h.auth("sup")).json() == [
        {"name": "UK-TPS", "numbers": 1}, {"name": "US-DNC", "numbers": 2}]


def test_a_national_import_with_a_rejected_row_keeps_the_old_list(harness: Harness) -> None:
    """A NUL in the note of line 3 and a bad number on line 4 are listed with their
    columns; the list stored before keeps its 1 number."""
    h = harness
    _csv(h, "/api/dnc/national/US-DNC", "number\n+12025550100\n", method="PUT")
    r = _csv(h, "/api/dnc/national/US-DNC", "number,note\n+12025550101,ok\n"
             "+12025550102,a\x00b\nnope,x\n", method="PUT")
    assert r.status_code == 422
    assert [(x["line"], x["column"]) for x in r.json()["rejected"]] == [
        (3, "note"), (4, "number")]
    assert h.get("/api/dnc/national", headers=h.auth("sup")).json() == [
        {"name": "US-DNC", "numbers": 1}]


def test_a_national_list_name_must_be_a_plain_name(harness: Harness) -> None:
    """A name with a colon is refused (422) and no list is stored."""
    h = harness
    r = _csv(h, "/api/dnc/national/a:b", "number\n+12025550100\n", method="PUT")
    assert r.status_code == 422
    assert h.get("/api/dnc/national", headers=h.auth("sup")).json() == []


@pytest.fixture
def dialing(tmp_path: Path) -> Iterator[Dialing]:
    """Campaign `spring` (progressive) with two Berlin leads and early-1 working it."""
    leads = [Lead("l0", "+4930555000", "Europe/Berlin"),
             Lead("l1", "+4930555001", "Europe/Berlin")]
    with campaign_server(tmp_path, {"name": "spring", "caller_id": "+4930999000"},
                         leads) as d:
        yield d


def test_imported_numbers_reach_the_running_dialer(dialing: Dialing) -> None:
    """While l0 rings, l1's number is imported onto the campaign's list: after l0 is busy
    the dialer places no call to l1."""
    d = dialing
    d.h.inject(AgentLogin("early-1"))
    d.post("/api/campaigns/spring/start")
    d.advance(1.5)
    assert d.dialed() == ["+4930555000"]
    r = d.h.request("POST", "/api/campaigns/spring/dnc/import",
                    content=b"number\n+4930555001\n", headers={**d.h.auth("root"), **CSV})
    assert r.status_code == 200
    (call_id,) = d.fake.dials
    d.fake.dial_update(call_id, DialStatus.BUSY, d.clock.time())
    d.advance(3.0)
    assert d.dialed() == ["+4930555000"]


def test_a_national_list_reaches_the_running_dialer(dialing: Dialing) -> None:
    """A national list holding l1's number, imported while l0 rings, keeps l1 from being
    dialed."""
    d = dialing
    d.h.inject(AgentLogin("early-1"))
    d.post("/api/campaigns/spring/start")
    d.advance(1.5)
    r = d.h.request("PUT", "/api/dnc/national/DE", content=b"number\n+4930555001\n",
                    headers={**d.h.auth("root"), **CSV})
    assert r.status_code == 200
    (call_id,) = d.fake.dials
    d.fake.dial_update(call_id, DialStatus.BUSY, d.clock.time())
    d.advance(3.0)
    assert d.dialed() == ["+4930555000"]


def test_the_list_of_campaigns_carries_live_figures_while_running(dialing: Dialing) -> None:
    """Stopped: `live` is null; running with one call placed: dialed 1, in flight 1."""
    d = dialing
    assert d.get("/api/campaigns").json()[0]["live"] is None
    d.h.inject(AgentLogin("early-1"))
    d.post("/api/campaigns/spring/start")
    d.advance(1.5)
    (spring,) = d.get("/api/campaigns").json()
    assert spring["live"]["dialed"] == 1 and spring["live"]["in_flight"] == 1


def test_penetration_counts_leads_by_hand(harness: Harness) -> None:
    """5 leads: 4 dialed, 3 with a live answer (2 answered, 1 dropped), 1 sale; last
    dispositions sale 1 and not-interested 1, last outcomes busy 1, dropped 1, never
    dialed 1; shares of 5."""
    h = harness
    _campaign(h, "pen")
    done = {"state": LeadState.DONE}
    leads = [
        Lead("l1", "+4930555001", "Europe/Berlin", **done, result=LeadResult.SUCCESS,
             attempts=2, last_outcome="sale"),
        Lead("l2", "+4930555002", "Europe/Berlin", **done, result=LeadResult.COMPLETED,
             attempts=1, last_outcome="not-interested"),
        Lead("l3", "+4930555003", "Europe/Berlin", state=LeadState.SCHEDULED, attempts=1,
             last_outcome="busy"),
        Lead("l4", "+4930555004", "Europe/Berlin", state=LeadState.SCHEDULED, attempts=1,
             last_outcome="dropped"),
        Lead("l5", "+4930555005", "Europe/Berlin"),
    ]
    with h.server.sessions.begin() as session:
        add_leads(session, "pen", leads)
        for lead_id, outcome, dropped in [("l1", "no-answer", False), ("l1", "answered", False),
                                          ("l2", "answered", False), ("l3", "busy", False),
                                          ("l4", "dropped", True)]:
            add_attempt(session, "pen", lead_id=lead_id, number="+4930555000", started=1.0,
                        outcome=outcome, dropped=dropped)
    r = h.get("/api/campaigns/pen/penetration", headers=h.auth("sup"))
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["leads"], p["attempted"], p["contacted"], p["converted"]) == (5, 4, 3, 1)
    assert (p["attempted_share"], p["contacted_share"], p["converted_share"]) == (0.8, 0.6, 0.2)
    assert [(x["code"], x["category"], x["leads"], x["share"]) for x in p["dispositions"]] == [
        ("sale", "success", 1, 0.2), ("not-interested", "contact", 1, 0.2),
        ("call-again", "contact", 0, 0.0), ("wrong-number", "non-contact", 0, 0.0),
        ("do-not-call", "do-not-call", 0, 0.0)]
    assert [(x["outcome"], x["leads"]) for x in p["outcomes"]] == [
        ("busy", 1), ("dropped", 1), ("not-dialed", 1)]


def test_penetration_of_a_campaign_without_leads_is_zero(harness: Harness) -> None:
    """No leads: every count and share is 0; an unknown campaign is a 404."""
    h = harness
    _campaign(h, "empty")
    p = h.get("/api/campaigns/empty/penetration", headers=h.auth("sup")).json()
    assert (p["leads"], p["attempted_share"], p["outcomes"]) == (0, 0.0, [])
    assert h.get("/api/campaigns/nope/penetration", headers=h.auth("sup")).status_code == 404


def test_a_rejected_lead_row_names_its_column(harness: Harness) -> None:
    """Bad number on line 2, bad priority on line 3, a row too short on line 4: columns
    number, priority and none."""
    h = harness
    _campaign(h, "leads")
    r = _csv(h, "/api/campaigns/leads/leads", "number,priority\nxyz,1\n+4930555001,high\n"
             "+4930555002\n", priority="priority")
    assert r.status_code == 422
    assert [(x["line"], x["column"]) for x in r.json()["rejected"]] == [
        (2, "number"), (3, "priority"), (4, None)]
