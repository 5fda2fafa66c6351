"""Customers through the API, on SQLite and PostgreSQL: an agent chooses its caller and
edits the address with the call in its history; agents see only their call's customer;
search; custom fields checked by their definitions; a merge keeps the interactions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from callcenter.core.events import InteractionArrived
from tests.api.conftest import Harness, start

A = "/api/agents/early-1"


@pytest.fixture
def h(db_url: str) -> Iterator[Harness]:
    """An app with the seeded floor and users."""
    yield from start(db_url)


def _call(h: Harness, method: str, path: str, user: str = "root", expect: int = 200,
          **options: Any) -> Any:
    r = h.request(method, path, headers=h.auth(user), **options)
    assert r.status_code == expect, r.text
    return r.json() if r.content else None


def _customer(h: Harness, name: str, **more: Any) -> int:
    made: int = _call(h, "POST", "/api/admin/customers", expect=201,
                      json={"name": name, **more})["id"]
    return made


def _on_call(h: Harness, interaction_id: str = "ix-1") -> None:
    _call(h, "POST", f"{A}/login", "early-1", json={"ready": True})
    h.inject(InteractionArrived(interaction_id, "hotline"))
    _call(h, "POST", f"{A}/accept", "early-1", json={"interaction_id": interaction_id})


def test_an_agent_chooses_the_caller_and_the_work_shows_it(h: Harness) -> None:
    """Choosing a customer for the call links the stored interaction and puts the
    customer on the work's card; the 360 view lists the call."""
    ada = _customer(h, "Ada Lovelace", account="K-1")
    _on_call(h)
    _call(h, "PUT", f"{A}/work/ix-1/customer", "early-1", json={"customer_id": ada})
    card = _call(h, "GET", f"{A}/work", "early-1")["items"][0]["customer"]
    assert card == {"customer_id": str(ada), "name": "Ada Lovelace", "account": "K-1",
                    "segment": ""}
    view = _call(h, "GET", f"/api/customers/{ada}", "early-1")
    assert [i["interaction_id"] for i in view["interactions"]] == ["ix-1"]


def test_an_address_change_names_the_agent_and_the_call(h: Harness) -> None:
    """An agent's address change on its call is in the history with its user and call."""
    ada = _customer(h, "Ada")
    _on_call(h)
    _call(h, "PUT", f"{A}/work/ix-1/customer", "early-1", json={"customer_id": ada})
    view = _call(h, "PUT", f"/api/customers/{ada}/addresses/home", "early-1",
                 json={"street": "9 Side St", "city": "Hamburg", "country": "de",
                       "interaction_id": "ix-1"})
    assert [(c["before"], c["after"]["city"], c["changed_by"], c["interaction_id"])
            for c in view["address_history"]] == [(None, "Hamburg", "early-1", "ix-1")]
    assert view["addresses"][0]["country"] == "DE"


def test_an_agent_reads_only_its_calls_customer(h: Harness) -> None:
    """Another customer is 403 to the agent; staff read any customer."""
    ada, bob = _customer(h, "Ada"), _customer(h, "Bob")
    _on_call(h)
    _call(h, "PUT", f"{A}/work/ix-1/customer", "early-1", json={"customer_id": ada})
    _call(h, "GET", f"/api/customers/{bob}", "early-1", expect=403)
    assert _call(h, "GET", f"/api/customers/{bob}", "sup")["name"] == "Bob"


def test_an_agent_names_only_a_call_it_holds(h: Harness) -> None:
    """An address change naming another call is a 422 on interaction_id."""
    ada = _customer(h, "Ada")
    _on_call(h)
    _call(h, "PUT", f"{A}/work/ix-1/customer", "early-1", json={"customer_id": ada})
    r = h.request("PUT", f"/api/customers/{ada}/addresses/home", headers=h.auth("early-1"),
                  json={"city": "Bonn", "interaction_id": "ix-9"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "interaction_id"


def test_search_by_number_email_and_any(h: Harness) -> None:
    """A customer is found by a number in any format, by e-mail and by `q`."""
    ada = _customer(h, "Ada", numbers=["+49 30 1234567"])
    _customer(h, "Bob")
    _call(h, "PATCH", f"/api/customers/{ada}", json={"emails": ["Ada@Example.org"]})
    found = [c["id"] for c in _call(h, "GET", "/api/customers?number=%2B49301234567")["items"]]
    assert found == [ada]
    assert [c["id"] for c in _call(h, "GET", "/api/customers?email=ada@example.org")
            ["items"]] == [ada]
    assert _call(h, "GET", "/api/customers?q=ADA@example.ORG")["total"] == 1


def test_a_custom_field_value_is_checked_by_its_definition(h: Harness) -> None:
    """A value outside a choice field's choices is a 422 naming the field."""
    ada = _customer(h, "Ada")
    _call(h, "PUT", "/api/admin/customer-fields/tier",
          json={"label": "Tier", "kind": "choice", "choices": ["gold", "silver"]})
    r = h.request("PATCH", f"/api/customers/{ada}", headers=h.auth("root"),
                  json={"fields": {"tier": "bronze"}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "fields.tier"
    assert _call(h, "PATCH", f"/api/customers/{ada}",
                 json={"fields": {"tier": "gold"}})["fields"] == {"tier": "gold"}


def test_a_consent_is_dated(h: Harness) -> None:
    """Giving the marketing consent records it with a time; the other stays unasked."""
    ada = _customer(h, "Ada")
    view = _call(h, "PATCH", f"/api/customers/{ada}", json={"marketing_consent": True})
    assert view["marketing_consent"]["given"] is True
    assert view["marketing_consent"]["at"] is not None
    assert view["recording_consent"] == {"given": None, "at": None}


def test_a_merge_keeps_the_calls_and_is_audited(h: Harness) -> None:
    """Merging moves the merged customer's call to the kept one, deletes it, and writes
    an audit row."""
    ada, dup = _customer(h, "Ada"), _customer(h, "Ada L.", numbers=["+49 40 1234567"])
    _on_call(h)
    _call(h, "PUT", f"{A}/work/ix-1/customer", "early-1", json={"customer_id": dup})
    merged = _call(h, "POST", f"/api/customers/{ada}/merge/{dup}")
    assert merged["moved"]["interactions"] == 1
    assert merged["customer"]["numbers"] == ["+49401234567"]
    assert [i["interaction_id"] for i in merged["customer"]["interactions"]] == ["ix-1"]
    _call(h, "GET", f"/api/customers/{dup}", expect=404)
    audit = _call(h, "GET", "/api/admin/audit?entity=customer")
    rows = audit["items"] if isinstance(audit, dict) else audit
    assert any(r["action"] == "merge" for r in rows)


def test_the_demo_seeds_a_customers_address_history(tmp_path: Any) -> None:
    """The demo's first customer has an e-mail, consent and an address changed once."""
    from sqlalchemy.orm import Session

    from callcenter.api.demo import seed_demo
    from callcenter.store import create_engine_for
    from callcenter.store.customer_profile import address_history
    from callcenter.store.customers import get_customer

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(url)
    engine = create_engine_for(url)
    with Session(engine) as session:
        first = get_customer(session, 1)
        assert [e.email for e in first.emails] == ["customer1@example.org"]
        assert first.recording_consent is True
        assert [h.after["street"] if h.after else None
                for h in address_history(session, 1)] == ["Hauptstraße 1", "Lindenallee 7"]
    engine.dispose()
