"""Scripts through the API, on SQLite and PostgreSQL: uploads checked with their lines,
versions kept, a campaign's purpose choosing its script, and a run during a call whose
answers are saved as given (a reload finds them), with its outcome at the end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from callcenter.clock import FakeClock
from callcenter.core.events import InteractionArrived
from callcenter.store.models import AuditRow, ScriptAnswerRow, ScriptRunRow
from tests.api.conftest import MONDAY_9AM, Harness, start

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"
RUNS = "/api/agents/early-1/script-runs"


@pytest.fixture
def h(db_url: str) -> Iterator[Harness]:
    """An app on a fake clock at Monday 09:00 with the hotline example."""
    yield from start(db_url, clock=FakeClock(MONDAY_9AM))


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def _upload(h: Harness, text: str) -> Any:
    return _ok(h.post("/api/admin/scripts", json={"text": text}, headers=h.auth("root")), 201)


def _call(h: Harness, interaction_id: str = "ix-1", caller: str = "",
          login: bool = True) -> None:
    """early-1 (logged in first, unless it is) talking on a hotline call."""
    if login:
        _ok(h.post("/api/agents/early-1/login", json={"ready": True},
                   headers=h.auth("early-1")))
    h.inject(InteractionArrived(interaction_id, "hotline", caller=caller))
    _ok(h.post("/api/agents/early-1/accept", json={"interaction_id": interaction_id},
               headers=h.auth("early-1")))


def _answer(h: Harness, run: int, step: str, value: Any, status: int = 200) -> Any:
    return _ok(h.request("PUT", f"{RUNS}/{run}/answers/{step}", json={"value": value},
                         headers=h.auth("early-1")), status)


def test_validate_lists_every_mistake_with_its_line(h: Harness) -> None:
    """A text with two mistakes gets both, each with its line and key path; nothing is
    stored."""
    text = (EXAMPLES / "satisfaction.yaml").read_text()
    bad = text.replace("{first_name}, this is", "{frist_name}, this is").replace(
        "max: 10", "max: ten")
    check = _ok(h.post("/api/admin/scripts/validate", json={"text": bad},
                       headers=h.auth("root")))
    assert not check["valid"]
    assert [(p["line"], p["path"]) for p in check["problems"]] == [
        (7, "steps[0].say"), (26, "steps[4].max")]
    assert _ok(h.get("/api/admin/scripts", headers=h.auth("root")))["scripts"] == []


def test_an_invalid_upload_is_422_naming_the_text_and_line(h: Harness) -> None:
    """Storing an invalid text is refused, the message naming the line."""
    r = h.post("/api/admin/scripts", json={"text": "script: x\nsteps: []\n"},
               headers=h.auth("root"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "text"
    assert "<script>:2: steps: expected a list of steps" in r.json()["detail"]


def test_every_version_is_kept_and_the_newest_runs(h: Harness) -> None:
    """Uploading a script twice gives versions 1 and 2; both texts stay readable."""
    text = (EXAMPLES / "satisfaction.yaml").read_text()
    assert _upload(h, text)["version"] == 1
    second = _upload(h, text.replace("Example Shop", "Example Store"))
    assert (second["version"], second["versions"]) == (2, [2, 1])
    first = _ok(h.get("/api/admin/scripts/after_sale/versions/1", headers=h.auth("sup")))
    assert "Example Shop" in first["text"]
    audit = h.get("/api/admin/audit?entity=script", headers=h.auth("root")).json()
    assert len(audit["items"] if isinstance(audit, dict) else audit) == 2


def test_a_campaign_runs_its_purpose_default_until_it_names_a_script(h: Harness) -> None:
    """A survey campaign without a script runs the newest survey script; naming another
    purpose's script is 409."""
    _ok(h.post("/api/campaigns", json={"name": "spring", "caller_id": "+4930123456"},
               headers=h.auth("root")), 201)
    _upload(h, (EXAMPLES / "market-research.yaml").read_text())
    _upload(h, (EXAMPLES / "telesales.yaml").read_text())
    url = "/api/campaigns/spring/script"
    view = _ok(h.request("PUT", url, json={"purpose": "survey"}, headers=h.auth("root")))
    assert (view["purpose"], view["script"], view["runs"]) == ("survey", None, "ebike_study")
    assert "break_off" in view["outcomes"]
    r = h.request("PUT", url, json={"purpose": "survey", "script": "spring_offer"},
                  headers=h.auth("root"))
    assert r.status_code == 409


def test_a_run_keeps_its_answers_and_ends_with_the_outcome(h: Harness, db_url: str) -> None:
    """The satisfaction script on a call: the customer's name merged, answers stored as
    given (a second start resumes the run where it was), a low rating brings the
    follow-up question, and finish records `complete` with an audit row."""
    customer = _ok(h.post("/api/admin/customers", json={
        "name": "Ada Lovelace", "numbers": ["+49 30 1234567"]}, headers=h.auth("root")), 201)
    _upload(h, (EXAMPLES / "satisfaction.yaml").read_text())
    _call(h, caller="+49301234567")
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "after_sale"},
                     headers=h.auth("early-1")))
    assert run["customer_id"] == customer["id"]
    assert run["current"]["text"].startswith("Hello Ada, this is early-1 from Example Shop")
    _answer(h, run["id"], "greet", None)
    _answer(h, run["id"], "agree", "agree")
    after = _answer(h, run["id"], "overall", 2)
    assert after["current"]["id"] == "why_low"
    again = _ok(h.post(RUNS, json={"interaction_id": "ix-1"}, headers=h.auth("early-1")))
    assert again["id"] == run["id"]
    assert [(s["id"], s["answer"]) for s in again["path"]] == [
        ("greet", True), ("agree", "agree"), ("overall", 2)]
    _answer(h, run["id"], "why_low", "Late delivery")
    at_close = _answer(h, run["id"], "recommend", 6)
    assert (at_close["current"]["kind"], at_close["outcome"]) == ("close", "complete")
    done = _ok(h.post(f"{RUNS}/{run['id']}/finish", headers=h.auth("early-1")))
    assert (done["status"], done["outcome"], done["current"]) == ("ended", "complete", None)
    with h.server.sessions() as session:
        row = session.get(ScriptRunRow, run["id"])
        assert row is not None and (row.outcome, row.interaction_id) == ("complete", "ix-1")
        answers = dict(session.execute(select(ScriptAnswerRow.question_id,
                                              ScriptAnswerRow.value)).all())
        assert answers["why_low"] == "Late delivery" and answers["recommend"] == 6
        assert session.scalar(select(AuditRow).where(AuditRow.entity == "script_run"))


def test_a_bad_answer_is_422_naming_value(h: Harness) -> None:
    """A rating off the scale is refused, naming the field and the limit."""
    _upload(h, (EXAMPLES / "satisfaction.yaml").read_text())
    _call(h)
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "after_sale"},
                     headers=h.auth("early-1")))
    _answer(h, run["id"], "greet", None)
    _answer(h, run["id"], "agree", "agree")
    r = h.request("PUT", f"{RUNS}/{run['id']}/answers/overall", json={"value": 9},
                  headers=h.auth("early-1"))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "value", "message": "value: must be at most 5"}]


def test_a_step_ahead_cannot_be_answered_and_finish_waits_for_the_end(h: Harness) -> None:
    """Answering a step not yet reached is 409, and so is finishing mid-script."""
    _upload(h, (EXAMPLES / "satisfaction.yaml").read_text())
    _call(h)
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "after_sale"},
                     headers=h.auth("early-1")))
    _answer(h, run["id"], "overall", 3, status=409)
    r = h.post(f"{RUNS}/{run['id']}/finish", headers=h.auth("early-1"))
    assert r.status_code == 409 and "step 'greet' is next" in r.json()["detail"]


def test_a_stopped_survey_is_a_break_off(h: Harness) -> None:
    """A survey run stopped when the call ends early is recorded `break_off`."""
    _upload(h, (EXAMPLES / "market-research.yaml").read_text())
    _call(h)
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "ebike_study"},
                     headers=h.auth("early-1")))
    stopped = _ok(h.post(f"{RUNS}/{run['id']}/stop", headers=h.auth("early-1")))
    assert (stopped["status"], stopped["outcome"]) == ("ended", "break_off")


def test_a_call_the_agent_does_not_hold_gets_no_run(h: Harness) -> None:
    """Starting a script on a call the agent is not on is 409."""
    _upload(h, (EXAMPLES / "satisfaction.yaml").read_text())
    r = h.post(RUNS, json={"interaction_id": "ix-9", "script": "after_sale"},
               headers=h.auth("early-1"))
    assert r.status_code == 409


def test_a_full_quota_cell_ends_the_interview(h: Harness) -> None:
    """With the north cell's target of 1 reached by a completed interview, the next
    respondent from the north is screened out with `quota_full`."""
    script = yaml.safe_load((EXAMPLES / "market-research.yaml").read_text())
    script["quotas"] = [{"answers": {"region": "north"}, "target": 1}]  # the example's replaced
    text = yaml.safe_dump(script, sort_keys=False)
    _upload(h, text)
    steps = [("intro", None), ("consent", "agree"), ("age", 40), ("region", "north")]
    _call(h, "ix-1")
    first = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "ebike_study"},
                       headers=h.auth("early-1")))
    for step, value in [*steps, ("transport", ["car"]), ("intent", 2), ("comment", None)]:
        last = _answer(h, first["id"], step, value)
    assert last["outcome"] == "complete"
    _ok(h.post(f"{RUNS}/{first['id']}/finish", headers=h.auth("early-1")))
    _ok(h.post("/api/agents/early-1/hangup", json={"interaction_id": "ix-1"},
               headers=h.auth("early-1")))
    _ok(h.post("/api/agents/early-1/wrapup", json={"interaction_id": "ix-1"},
               headers=h.auth("early-1")))
    _call(h, "ix-2", login=False)
    second = _ok(h.post(RUNS, json={"interaction_id": "ix-2", "script": "ebike_study"},
                        headers=h.auth("early-1")))
    for step, value in steps:
        last = _answer(h, second["id"], step, value)
    assert (last["status"], last["outcome"], last["detail"]) == (
        "ended", "quota_full", {"cell": last["detail"]["cell"]})


def test_a_sales_close_records_the_contract_amount(h: Harness) -> None:
    """The telesales script booked without the router closes `contract` with its price
    and currency on the run (no orders service: the sale is recorded on the run)."""
    _upload(h, (EXAMPLES / "telesales.yaml").read_text())
    _call(h)
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "spring_offer"},
                     headers=h.auth("early-1")))
    for step, value in [("greet", None), ("time_ok", "ok"), ("pitch", None), ("interest", 5),
                        ("router", "own"), ("months", 24), ("decide", "yes_book")]:
        last = _answer(h, run["id"], step, value)
    assert last["current"]["text"].endswith("fibre 250 for 24 months is booked.")
    done = _ok(h.post(f"{RUNS}/{run['id']}/finish", headers=h.auth("early-1")))
    assert (done["outcome"], done["detail"]) == ("contract", {
        "product": None, "quantity": 1.0, "amount": 39.9, "currency": "EUR"})


def test_an_address_correction_is_kept_with_the_run(h: Harness) -> None:
    """The address check for a caller who moved closes `address_corrected` with the new
    address, part by part, in the run's detail."""
    _upload(h, (EXAMPLES / "address-update.yaml").read_text())
    _call(h)
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "address_check"},
                     headers=h.auth("early-1")))
    for step, value in [("greet", None), ("same", "moved"), ("new_street", "Hauptstr. 5"),
                        ("new_postal_code", "10115"), ("new_city", "Berlin")]:
        _answer(h, run["id"], step, value)
    done = _ok(h.post(f"{RUNS}/{run['id']}/finish", headers=h.auth("early-1")))
    assert done["outcome"] == "address_corrected"
    assert done["detail"]["address"] == {"street": "Hauptstr. 5", "postal_code": "10115",
                                         "city": "Berlin"}


def test_an_address_correction_writes_the_customers_address_history(h: Harness) -> None:
    """A known customer's address check closing `address_corrected` makes the new
    address the customer's home address, with a history row naming the call and the
    agent's login."""
    customer = _ok(h.post("/api/admin/customers", json={
        "name": "Ada Lovelace", "numbers": ["+49 30 1234567"]}, headers=h.auth("root")), 201)
    _upload(h, (EXAMPLES / "address-update.yaml").read_text())
    _call(h, caller="+49301234567")
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "address_check"},
                     headers=h.auth("early-1")))
    assert run["customer_id"] == customer["id"]
    for step, value in [("greet", None), ("same", "moved"), ("new_street", "Hauptstr. 5"),
                        ("new_postal_code", "10115"), ("new_city", "Berlin")]:
        _answer(h, run["id"], step, value)
    done = _ok(h.post(f"{RUNS}/{run['id']}/finish", headers=h.auth("early-1")))
    assert done["detail"]["address_written"] is True
    view = _ok(h.get(f"/api/customers/{customer['id']}", headers=h.auth("root")))
    home = [a for a in view["addresses"] if a["kind"] == "home"]
    assert [(a["street"], a["postal_code"], a["city"]) for a in home] == \
        [("Hauptstr. 5", "10115", "Berlin")]
    assert [(c["kind"], c["before"], c["after"]["street"], c["changed_by"],
             c["interaction_id"]) for c in view["address_history"]] == \
        [("home", None, "Hauptstr. 5", "early-1", "ix-1")]


def test_a_product_sale_drafts_an_order_for_the_call(h: Harness) -> None:
    """The telesales close with the router drafts an order of one ROUTER-FB250 for the
    call (priced from the catalog), its id on the run; the agent places it later."""
    _ok(h.post("/api/catalog", headers=h.auth("root"), json={
        "sku": "ROUTER-FB250", "name": "Router", "price_cents": 9900, "tax_bp": 1900,
        "available": 10}), 201)
    _upload(h, (EXAMPLES / "telesales.yaml").read_text())
    _call(h)
    run = _ok(h.post(RUNS, json={"interaction_id": "ix-1", "script": "spring_offer"},
                     headers=h.auth("early-1")))
    for step, value in [("greet", None), ("time_ok", "ok"), ("pitch", None), ("interest", 4),
                        ("router", "new"), ("months", 12), ("decide", "yes_book")]:
        _answer(h, run["id"], step, value)
    done = _ok(h.post(f"{RUNS}/{run['id']}/finish", headers=h.auth("early-1")))
    assert done["outcome"] == "sale"
    order = _ok(h.get(f"/api/orders/{done['detail']['order_id']}", headers=h.auth("root")))
    assert (order["status"], order["interaction_id"]) == ("draft", "ix-1")
    assert [(ln["sku"], ln["quantity"]) for ln in order["lines"]] == [("ROUTER-FB250", 1)]
