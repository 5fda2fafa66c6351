"""Preview and callbacks over HTTP: the reserved lead in /work and /preview, dial and skip,
a callback scheduled in wrap-up with its 422s; agentless: start refused without its flow,
a survey's answers stored as the call's IVR run. The server runs on a fake clock with
the fake telephony adapter (the test answers the calls and presses the keys)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from callcenter.core.dialer.leads import Lead
from callcenter.core.ivr import DigitPressed
from callcenter.core.ivr_flow import Collect, Flow, Hangup, Prompt
from callcenter.store.leads import add_leads
from callcenter.store.models import AuditRow
from callcenter.telephony.base import DialStatus
from tests.api.dialing import Dialing, campaign_server

BERLIN = ZoneInfo("Europe/Berlin")
CAMPAIGN = {"name": "spring", "caller_id": "+4930999000", "dial_mode": "preview",
            "skip_delay": 600}
LEADS = [Lead("l0", "+4930555000", "Europe/Berlin", fields={"name": "Anna", "plan": "gold"}),
         Lead("l1", "+4930555001", "Europe/Berlin", fields={"name": "Bob"})]


SURVEY = Flow("survey", "rate", {
    "rate": Collect((Prompt(text="From 1 to 5?"),), "rating", "thanks", "thanks",
                    max_digits=1),
    "thanks": Hangup((Prompt(text="Thank you."),)),
})


@pytest.fixture
def previewing(tmp_path: Path) -> Iterator[Dialing]:
    """The server with preview campaign `spring` running, early-1 working it, logged in."""
    with campaign_server(tmp_path, CAMPAIGN, LEADS, ivr_flows={"survey": SURVEY}) as d:
        assert d.post("/api/agents/early-1/login", "early-1").status_code == 200
        assert d.post("/api/campaigns/spring/start").status_code == 200
        d.advance(2)
        yield d


def work(d: Dialing) -> dict[str, object]:
    r = d.get("/api/agents/early-1/work", "early-1")
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def card(d: Dialing) -> dict[str, object]:
    preview = work(d)["preview"]
    assert isinstance(preview, dict)
    return preview


def test_the_reserved_lead_is_on_the_desktop_with_its_fields(previewing: Dialing) -> None:
    """/work shows the agent paused for preview and the lead's name, number and fields."""
    w = work(previewing)
    assert (w["state"], w["reason"]) == ("paused", "preview")
    lead = card(previewing)["lead"]
    assert isinstance(lead, dict)
    assert (lead["lead_id"], lead["name"], lead["number"], lead["fields"], lead["step"]) == (
        "l0", "Anna", "+4930555000", {"name": "Anna", "plan": "gold"}, "previewing")
    assert lead["history"] == [] and lead["deadline"] == lead["since"] + 60


def test_skip_shows_the_next_lead_and_is_audited_with_its_reason(previewing: Dialing) -> None:
    """Skip answers the next lead at once and leaves an audit row with the reason."""
    d = previewing
    r = d.post("/api/agents/early-1/preview/skip", "early-1", json={"reason": "wrong time"})
    assert r.status_code == 200, r.text
    assert (r.json()["lead"]["lead_id"], r.json()["last"]["outcome"]) == ("l1", "skipped")
    with d.h.server.sessions() as session:
        row = session.scalars(select(AuditRow).where(AuditRow.action == "preview_skip")).one()
        assert (row.entity_id, row.after["reason"]) == ("l0", "wrong time")


def test_a_dial_calls_the_lead_and_its_busy_shows_in_the_history(previewing: Dialing) -> None:
    """Dial places the call (step dialing, a second dial is 409); busy comes back as the
    last outcome, and the lead's attempt history has it when it is shown again."""
    d = previewing
    r = d.post("/api/agents/early-1/preview/dial", "early-1")
    assert (r.status_code, r.json()["lead"]["step"]) == (200, "dialing")
    assert d.post("/api/agents/early-1/preview/dial", "early-1").status_code == 409
    (call_id,) = d.fake.dials
    d.fake.dial_update(call_id, DialStatus.BUSY, d.clock.time())
    d.advance(2)
    preview = card(d)
    assert preview["last"] == {"campaign": "spring", "lead_id": "l0",
                               "number": "+4930555000", "outcome": "busy",
                               "at": preview["last"]["at"]}  # type: ignore[index]
    lead = preview["lead"]
    assert isinstance(lead, dict) and lead["lead_id"] == "l1"


def local(d: Dialing, hours: float) -> str:
    """Berlin wall-clock time `hours` from the server's now, as the API takes it."""
    now = datetime.fromtimestamp(d.clock.time(), BERLIN) + timedelta(hours=hours)
    return now.replace(tzinfo=None).isoformat(timespec="minutes")


def test_a_callback_in_wrap_up_is_checked_and_stored_for_the_agent(previewing: Dialing) -> None:
    """In wrap-up: a past time or one outside the windows is a 422 on `at`, another
    agent's call a 409; a good one is answered with its time and agent, or none when it
    is for anyone."""
    d = previewing
    d.post("/api/agents/early-1/preview/dial", "early-1")
    (call_id,) = d.fake.dials
    d.fake.dial_update(call_id, DialStatus.ANSWERED, d.clock.time())
    d.advance(0.5)
    items = work(d)["items"]
    assert isinstance(items, list) and items[0]["interaction_id"] == call_id
    assert d.post("/api/agents/early-1/accept", "early-1",
                  json={"interaction_id": call_id}).status_code == 200
    d.advance(10)
    assert d.post("/api/agents/early-1/hangup", "early-1",
                  json={"interaction_id": call_id}).status_code == 200
    path = "/api/agents/early-1/callback"
    for at in (local(d, -2), local(d, 14)):
        r = d.post(path, "early-1", json={"interaction_id": call_id, "at": at})
        assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "at"), at
    r = d.post(path, "early-1", json={"interaction_id": "nope", "at": local(d, 2)})
    assert r.status_code == 409
    r = d.post(path, "early-1", json={"interaction_id": call_id, "at": local(d, 2)})
    assert r.status_code == 200, r.text
    due = datetime.fromisoformat(local(d, 2)).replace(tzinfo=BERLIN).timestamp()
    assert r.json() == {"lead_id": "l0", "callback_at": due, "callback_agent": "early-1"}
    r = d.post(path, "early-1", json={"interaction_id": call_id, "at": local(d, 3),
                                      "mine": False})
    assert (r.status_code, r.json()["callback_agent"]) == (200, None)


def test_an_agentless_campaign_without_a_flow_the_server_runs_cannot_start(
        previewing: Dialing) -> None:
    """Start answers 409 naming the missing flow, and the campaign stays stopped."""
    d = previewing
    body = {"name": "survey", "caller_id": "+4930999000", "dial_mode": "agentless",
            "information_message": "Goodbye", "flow": "nope"}
    assert d.post("/api/campaigns", json=body).status_code == 201
    r = d.post("/api/campaigns/survey/start")
    assert r.status_code == 409 and "'nope'" in r.text, r.text
    assert d.get("/api/campaigns/survey").json()["state"] == "stopped"


def test_a_survey_answer_is_stored_as_the_calls_ivr_run(previewing: Dialing) -> None:
    """An agentless campaign into the server's survey flow: the answered callee's key is
    in the IVR run stored for the call, and the attempt says answered with no agent."""
    d = previewing
    body = {"name": "survey", "caller_id": "+4930999000", "dial_mode": "agentless",
            "information_message": "Goodbye", "flow": "survey", "max_lines": 1}
    assert d.post("/api/campaigns", json=body).status_code == 201
    with d.h.server.sessions.begin() as session:
        add_leads(session, "survey", [Lead("s0", "+4930555100", "Europe/Berlin")])
    assert d.post("/api/campaigns/survey/start").status_code == 200
    d.advance(2)
    (call_id,) = [i for i, (_, c) in d.fake.dials.items() if c == "survey"]
    d.fake.dial_update(call_id, DialStatus.ANSWERED, d.clock.time())
    d.advance(1)
    d.fake.inject(DigitPressed(call_id, "5"))
    d.advance(2)
    run = d.get(f"/api/ivr-runs/{call_id}").json()
    assert (run["flow_id"], run["outcome"], run["variables"]["rating"]) == (
        "survey", "hangup", "5")
    live = d.get("/api/campaigns/survey").json()["live"]
    assert (live["dialing"], live["in_flight"]) == (True, 0)
