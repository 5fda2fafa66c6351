"""The customer directory over HTTP: CRUD with audit rows, search, the CSV import (all
or nothing, every rejected row named), and the 422 and 409 answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from callcenter.api import ServerSettings
from callcenter.store.audit import audit_entries
from tests.api.conftest import Harness

ADA: dict[str, Any] = {"name": "Ada Lovelace", "numbers": ["+49 30 1234567", "(202) 555-0143"],
                       "account": "K-1001", "segment": "vip", "language": "de", "priority": 5,
                       "notes": "prefers mornings", "fields": {"tier": "gold"}}
CSV = ("name,number,account,segment,tier\n"
       "Ada Lovelace,+49 30 1234567;(202) 555-0143,K-1,vip,gold\n"
       "Grace Hopper,(202) 555-0199,K-2,,silver\n")
PATH = "/api/admin/customers"


def create(h: Harness, **changes: Any) -> httpx.Response:
    """POST a customer (Ada, changed) as the admin."""
    return h.post(PATH, json={**ADA, **changes}, headers=h.auth("root"))


def upload(h: Harness, text: str, **params: Any) -> httpx.Response:
    """POST a CSV customer list as the admin."""
    return h.post(f"{PATH}/import", content=text.encode(), params=params,
                  headers={**h.auth("root"), "Content-Type": "text/csv"})


def test_create_stores_numbers_in_e164(harness: Harness) -> None:
    """A created customer comes back with its numbers in E.164 (the default region, US,
    for the one without a country code) and every value as given."""
    r = create(harness)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["numbers"] == ["+49301234567", "+12025550143"]
    got = harness.get(f"{PATH}/{body['id']}", headers=harness.auth("sup")).json()
    assert {k: got[k] for k in ADA if k != "numbers"} == {k: v for k, v in ADA.items()
                                                           if k != "numbers"}


def test_update_replaces_values_and_numbers(harness: Harness) -> None:
    """PUT replaces the customer; the number it dropped is free for another customer."""
    cid = create(harness).json()["id"]
    r = harness.request("PUT", f"{PATH}/{cid}", json={"name": "Ada King",
                                                      "numbers": ["+4940555666"]},
                        headers=harness.auth("root"))
    assert r.status_code == 200 and r.json()["numbers"] == ["+4940555666"]
    assert r.json()["account"] is None
    assert create(harness, name="Bob", account=None).status_code == 201


def test_delete_then_get_is_404(harness: Harness) -> None:
    """A deleted customer is gone: 404 naming it."""
    cid = create(harness).json()["id"]
    r = harness.request("DELETE", f"{PATH}/{cid}", headers=harness.auth("root"))
    assert r.status_code == 204
    r = harness.get(f"{PATH}/{cid}", headers=harness.auth("root"))
    assert (r.status_code, r.json()["detail"]) == (404, f"no customer {cid}")


def test_another_customers_number_is_409(sqlite_harness: Harness) -> None:
    """A number written differently but the same in E.164 belongs to the first customer."""
    h = sqlite_harness
    first = create(h).json()["id"]
    r = create(h, name="Bob", account=None, numbers=["202-555-0143"])
    assert r.status_code == 409
    assert r.json()["detail"] == f"number +12025550143 already belongs to customer {first}"


def test_an_invalid_number_is_422_naming_it(sqlite_harness: Harness) -> None:
    """A number that is none is refused in the API's one 422 shape, naming `numbers[1]`."""
    r = create(sqlite_harness, numbers=["+49 30 1234567", "12"])
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "numbers[1]", "message":
                                   "numbers[1]: not a valid phone number: '12' "
                                   "(default region US)"}]


def test_an_unknown_key_is_422(sqlite_harness: Harness) -> None:
    """A body key the customer has not is refused, naming it."""
    r = create(sqlite_harness, vip=True)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "vip"


def test_search_by_name_number_and_account(harness: Harness) -> None:
    """Listing filters by part of the name, by a number in any format, by account."""
    create(harness)
    create(harness, name="Adam Smith", numbers=["(202) 555-0100"], account="K-2")
    create(harness, name="Grace Hopper", numbers=[], account=None)
    sup = harness.auth("sup")

    def names(**params: Any) -> list[str]:
        r = harness.get(PATH, params=params, headers=sup)
        assert r.status_code == 200, r.text
        return [c["name"] for c in r.json()["items"]]

    assert names(name="ada") == ["Ada Lovelace", "Adam Smith"]
    assert names(number="+1 202-555-0100") == ["Adam Smith"]
    assert names(account="K-1001") == ["Ada Lovelace"]
    assert harness.get(PATH, params={"limit": 1, "offset": 2}, headers=sup).json() == {
        "items": [harness.get(PATH, params={"name": "grace"}, headers=sup).json()["items"][0]],
        "total": 3, "offset": 2, "limit": 1}


def test_a_search_number_that_is_none_is_422(sqlite_harness: Harness) -> None:
    """Searching by a number that cannot be one names the `number` parameter."""
    r = sqlite_harness.get(PATH, params={"number": "abc"}, headers=sqlite_harness.auth("sup"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "number"


def test_changes_write_audit_rows(sqlite_harness: Harness) -> None:
    """Create, update and delete leave audit rows with who and the before/after names."""
    h = sqlite_harness
    cid = create(h).json()["id"]
    h.request("PUT", f"{PATH}/{cid}", json={"name": "Ada King"}, headers=h.auth("root"))
    h.request("DELETE", f"{PATH}/{cid}", headers=h.auth("root"))
    with h.server.sessions() as session:
        rows = audit_entries(session, entity="customer", entity_id=str(cid))
        seen = [(r.actor, r.action, (r.before or {}).get("name"), (r.after or {}).get("name"))
                for r in reversed(rows)]
    assert seen == [("root", "create", None, "Ada Lovelace"),
                    ("root", "update", "Ada Lovelace", "Ada King"),
                    ("root", "delete", "Ada King", None)]


def test_import_stores_every_customer(harness: Harness) -> None:
    """A clean CSV stores each row, numbers normalized, other columns as custom fields."""
    r = upload(harness, CSV)
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 2, "stored": 2}
    found = harness.get(PATH, params={"number": "+12025550143"},
                        headers=harness.auth("root")).json()["items"]
    assert [(c["name"], c["numbers"], c["fields"]) for c in found] == [
        ("Ada Lovelace", ["+49301234567", "+12025550143"], {"tier": "gold"})]


def test_import_with_bad_rows_stores_nothing_and_names_each(harness: Harness) -> None:
    """Rejected rows: 422 listing each line and reason, and no customer stored."""
    bad = CSV + ",(202) 555-0111,,,\nEve,12,,,\nMallory,(202) 555-0199,,,\n"
    r = upload(harness, bad)
    assert r.status_code == 422
    assert r.json()["rejected"] == [
        {"line": 4, "reason": "name: empty"},
        {"line": 5, "reason": "number: not a valid phone number: '12' (default region US)"},
        {"line": 6, "reason": "number: +12025550199 is already on line 3"}]
    assert r.json()["errors"][0] == {"field": "body", "message": "line 4: name: empty"}
    assert harness.get(PATH, headers=harness.auth("root")).json()["total"] == 0


def test_import_of_a_stored_number_is_refused_whole(sqlite_harness: Harness) -> None:
    """A row whose number a stored customer has: 422 naming its line; nothing stored."""
    h = sqlite_harness
    first = create(h, numbers=["(202) 555-0199"], account=None).json()["id"]
    r = upload(h, CSV)
    assert r.status_code == 422
    assert r.json()["rejected"] == [
        {"line": 3, "reason": f"number +12025550199 already belongs to customer {first}"}]
    assert h.get(PATH, headers=h.auth("root")).json()["total"] == 1


def test_import_maps_columns(sqlite_harness: Harness) -> None:
    """Query parameters map other column names; `field` picks and renames custom fields."""
    h = sqlite_harness
    text = "Kunde,Tel,Mobil,Konto,Stufe,Egal\nAda,(202) 555-0143,(202) 555-0144,K-1,gold,x\n"
    r = upload(h, text, name="Kunde", number=["Tel", "Mobil"], account="Konto",
               field="tier=Stufe")
    assert r.status_code == 200, r.text
    [c] = h.get(PATH, headers=h.auth("root")).json()["items"]
    assert (c["numbers"], c["account"], c["fields"]) == (
        ["+12025550143", "+12025550144"], "K-1", {"tier": "gold"})


def test_import_takes_a_multipart_file(sqlite_harness: Harness) -> None:
    """The CSV may come as the `file` part of a multipart body."""
    h = sqlite_harness
    r = h.post(f"{PATH}/import", files={"file": ("customers.csv", CSV.encode(), "text/csv")},
               headers=h.auth("root"))
    assert r.json() == {"rows": 2, "stored": 2}


def test_import_of_an_unusable_file_is_422_on_body(sqlite_harness: Harness) -> None:
    """An empty body, or a mapped column the header lacks, is a 422 on `body`."""
    h = sqlite_harness
    assert upload(h, "").json()["errors"][0]["message"] == \
        "body: the CSV customer list is empty"
    r = upload(h, CSV, account="Konto")
    assert r.status_code == 422 and "mapped column 'Konto' is not in the header" in \
        r.json()["detail"]


def test_the_default_region_must_be_a_country() -> None:
    """A default region that is no two-letter country code is refused in the settings."""
    with pytest.raises(ValidationError, match="region: a two-letter country code"):
        ServerSettings(default_region="Germany")
