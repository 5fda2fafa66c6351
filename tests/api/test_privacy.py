"""GDPR over HTTP: the export as a JSON download, erasure confirmed by the customer's
name, the retention rules edited and run, each audited."""

from __future__ import annotations

from typing import Any

from callcenter.store.audit import audit_entries
from tests.api.conftest import Harness

ADA: dict[str, Any] = {"name": "Ada Lovelace", "numbers": ["+49 30 1234567"],
                       "account": "K-1001", "notes": "prefers mornings"}
PATH = "/api/admin/customers"


def _ada(h: Harness) -> int:
    r = h.post(PATH, json=ADA, headers=h.auth("root"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_export_downloads_the_customer_as_json(harness: Harness) -> None:
    """The export is an attachment named for the customer holding what was stored, and
    an `export` audit row by the admin."""
    cid = _ada(harness)
    r = harness.get(f"{PATH}/{cid}/export", headers=harness.auth("root"))
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="customer-{cid}.json"'
    body = r.json()
    assert (body["customer"]["name"], body["customer"]["account"], body["customer"]["notes"],
            body["numbers"]) == ("Ada Lovelace", "K-1001", "prefers mornings",
                                 ["+49301234567"])
    with harness.server.sessions() as session:
        rows = audit_entries(session, entity="customer", entity_id=str(cid), actor="root")
    assert [r.action for r in rows] == ["export", "create"]


def test_erase_needs_the_customers_name(harness: Harness) -> None:
    """A wrong name is a 422 naming confirm_name, and nothing is erased."""
    cid = _ada(harness)
    r = harness.post(f"{PATH}/{cid}/erase", json={"confirm_name": "Ada"},
                     headers=harness.auth("root"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "confirm_name"
    got = harness.get(f"{PATH}/{cid}", headers=harness.auth("root")).json()
    assert got["name"] == "Ada Lovelace"


def test_erase_blanks_the_customer(harness: Harness) -> None:
    """With the name typed again the customer is erased: name '(erased)', no numbers,
    account or notes, and the number is free again."""
    cid = _ada(harness)
    r = harness.post(f"{PATH}/{cid}/erase", json={"confirm_name": "Ada Lovelace"},
                     headers=harness.auth("root"))
    assert r.status_code == 200, r.text
    assert (r.json()["numbers"], r.json()["interactions"]) == (1, 0)
    got = harness.get(f"{PATH}/{cid}", headers=harness.auth("root")).json()
    assert (got["name"], got["numbers"], got["account"], got["notes"]) == \
        ("(erased)", [], None, "")
    assert harness.post(PATH, json={"name": "Bob", "numbers": ["+49 30 1234567"]},
                        headers=harness.auth("root")).status_code == 201


def test_rules_are_edited_and_run(harness: Harness) -> None:
    """PUT changes a rule (audited), an unknown kind is a 422 naming kind, and a run
    answers a count for every kind."""
    auth = harness.auth("root")
    r = harness.request("PUT", "/api/admin/retention/recordings",
                        json={"days": 30, "enabled": True}, headers=auth)
    assert r.status_code == 200 and r.json()["days"] == 30
    rules = {x["kind"]: x["days"] for x in harness.get("/api/admin/retention",
                                                        headers=auth).json()}
    assert rules["recordings"] == 30 and rules["audit"] == 730
    bad = harness.request("PUT", "/api/admin/retention/passwords",
                          json={"days": 30}, headers=auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    run = harness.post("/api/admin/retention/run", headers=auth)
    assert run.status_code == 200
    assert sorted(run.json()["removed"]) == sorted(rules)
    with harness.server.sessions() as session:
        changed = audit_entries(session, entity="retention_rule", actor="root")
    # the run is audited at the server's clock (the harness's fake one), the edit when
    # it was made: both are there, whatever their order
    assert sorted(r.action for r in changed) == ["retention", "update"]
