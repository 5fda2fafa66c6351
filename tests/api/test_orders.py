"""Orders through the API, on SQLite and PostgreSQL: the catalog an admin keeps, an
order taken and placed on a call, what a sold-out line answers, who may act on an
order, and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from callcenter.store.models import AuditRow
from tests.api.conftest import Harness

MUG = {"sku": "mug", "name": "Mug", "price_cents": 1999, "tax_bp": 1900, "available": 10}
GALA = {"sku": "gala", "name": "Gala night", "kind": "event", "price_cents": 4500,
        "tax_bp": 700, "available": 2, "event_at": 1_800_000_000.0, "venue": "Town hall"}


def _catalog(h: Harness) -> None:
    for item in (MUG, GALA):
        r = h.post("/api/catalog", json=item, headers=h.auth("root"))
        assert r.status_code == 201, r.text


def _order(h: Harness, user: str, *lines: tuple[str, int], place: bool = True,
           **more: Any) -> Any:
    return h.post("/api/orders", headers=h.auth(user), json={
        "lines": [{"sku": sku, "quantity": n} for sku, n in lines], "place": place, **more})


def test_a_product_with_a_date_is_refused_naming_the_field(harness: Harness) -> None:
    """Only an event has a date: a product with `event_at` is a 422 naming it."""
    r = harness.post("/api/catalog", json={**MUG, "event_at": 1.0},
                     headers=harness.auth("root"))
    assert r.status_code == 422
    assert "event_at" in r.text


def test_an_order_taken_on_a_call_is_placed_with_catalog_prices(harness: Harness) -> None:
    """An agent places 2 mugs and 1 gala seat for customer 7 on call ix-9: net 84.98,
    tax 7.60 (19 % of 39.98) + 3.15 (7 % of 45.00), gross 95.73; stock and seats are
    taken; the order is audited as the agent's."""
    h = harness
    _catalog(h)
    r = _order(h, "early-1", ("mug", 2), ("gala", 1), customer_id=7, interaction_id="ix-9")
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["status"], order["agent_id"], order["customer_id"],
            order["interaction_id"]) == ("placed", "early-1", 7, "ix-9")
    assert (order["net_cents"], order["tax_cents"], order["gross_cents"]) == \
        (8498, 1075, 9573)
    left = {i["sku"]: i["available"] for i in h.get("/api/catalog",
                                                      headers=h.auth("early-1")).json()}
    assert left == {"mug": 8, "gala": 1}
    with h.server.sessions() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.entity == "order")).all()
        assert [(a.actor, a.action, a.entity_id) for a in rows] == \
            [("early-1", "create", str(order["id"]))]


def test_a_sold_out_line_is_409_and_stores_nothing(harness: Harness) -> None:
    """3 gala seats of 2: 409 naming the event and what is left; no order is stored and
    the mugs of the same order are untouched."""
    h = harness
    _catalog(h)
    r = _order(h, "early-1", ("mug", 1), ("gala", 3))
    assert r.status_code == 409
    assert r.json()["detail"] == "gala: 3 asked, only 2 available"
    assert h.get("/api/orders", headers=h.auth("sup")).json() == {"total": 0, "items": []}
    left = {i["sku"]: i["available"] for i in h.get("/api/catalog",
                                                      headers=h.auth("sup")).json()}
    assert left == {"mug": 10, "gala": 2}


def test_only_the_agent_who_took_it_cancels_and_staff_fulfil(harness: Harness) -> None:
    """Another agent may not cancel early-1's order, early-1 may not fulfil it, a
    supervisor fulfils it, and a fulfilled order cannot be cancelled (409)."""
    h = harness
    _catalog(h)
    order_id = _order(h, "early-1", ("mug", 1)).json()["id"]
    url = f"/api/orders/{order_id}/actions"
    r = h.post(url, json={"action": "cancel"}, headers=h.auth("early-2"))
    assert (r.status_code, r.json()["detail"]) == \
        (403, "an agent acts only on the orders it took")
    r = h.post(url, json={"action": "fulfil"}, headers=h.auth("early-1"))
    assert (r.status_code, r.json()["detail"]) == (403, "an agent does not fulfil orders")
    r = h.post(url, json={"action": "fulfil"}, headers=h.auth("sup"))
    assert (r.status_code, r.json()["status"]) == (200, "fulfilled")
    r = h.post(url, json={"action": "cancel"}, headers=h.auth("early-1"))
    assert r.status_code == 409


def test_the_csv_export_holds_the_rows_of_the_list(harness: Harness) -> None:
    """The staff CSV has one row per order with the list's totals; an agent gets a 422
    naming `format`."""
    h = harness
    _catalog(h)
    _order(h, "early-1", ("mug", 1))
    _order(h, "early-2", ("gala", 2), place=False)
    listed = h.get("/api/orders", headers=h.auth("sup")).json()["items"]
    r = h.get("/api/orders?format=csv", headers=h.auth("sup"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(int(x["id"]), x["status"], x["lines"], int(x["gross_cents"])) for x in rows] == \
        [(o["id"], o["status"], f'{o["lines"][0]["quantity"]} x {o["lines"][0]["sku"]}',
          o["gross_cents"]) for o in listed]
    assert [x["status"] for x in rows] == ["draft", "placed"]
    r = h.get("/api/orders?format=csv", headers=h.auth("early-1"))
    assert r.status_code == 422 and "format" in r.text
