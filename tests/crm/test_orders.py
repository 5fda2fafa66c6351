"""Orders over the store, on SQLite and PostgreSQL: prices from the catalog, the
workflow's stock bookkeeping, and the last-seat race between concurrent buyers."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from callcenter.core.orders import OrderAction, OrderTransitionError
from callcenter.crm.orders import (
    NewLine,
    NewOrder,
    OrderError,
    OrderFilter,
    SoldOut,
    act,
    create_order,
    list_orders,
    quote,
    search_catalog,
)
from callcenter.store.models import CatalogItemRow, OrderRow


def _catalog(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        s.add_all([
            CatalogItemRow(sku="mug", name="Mug", kind="product", price_cents=1999,
                           tax_bp=1900, available=10, venue="", active=True),
            CatalogItemRow(sku="book", name="Book", kind="product", price_cents=500,
                           tax_bp=700, available=3, venue="", active=True),
            CatalogItemRow(sku="gala", name="Gala night", kind="event", price_cents=4500,
                           tax_bp=700, available=5, event_at=1_800_000_000.0,
                           venue="Town hall", active=True),
            CatalogItemRow(sku="old", name="Old mug", kind="product", price_cents=100,
                           tax_bp=1900, available=1, venue="", active=False),
        ])


def _available(engine: Engine, sku: str) -> int:
    with Session(engine) as s:
        value = s.scalar(select(CatalogItemRow.available).where(CatalogItemRow.sku == sku))
        assert value is not None
        return value


def _order(engine: Engine, *lines: tuple[str, int], place: bool = False) -> int:
    with Session(engine) as s, s.begin():
        order = create_order(s, NewOrder(tuple(NewLine(sku, n) for sku, n in lines)),
                             "a-1", "ann", 100.0)
        if place:
            act(s, order, OrderAction.PLACE, 101.0)
        return order.id


def test_prices_and_totals_come_from_the_catalog(engine: Engine) -> None:
    """2 mugs (19.99, 19 %) and 1 book (5.00, 7 %): net 44.98, tax 7.60 + 0.35, gross
    52.93, whatever the client thinks the prices are."""
    _catalog(engine)
    with Session(engine) as s:
        priced = quote(s, [NewLine("mug", 2), NewLine("book", 1)])
    assert priced.totals.net_cents == 4498
    assert priced.totals.tax_by_rate == ((700, 35), (1900, 760))
    assert priced.totals.gross_cents == 5293


@pytest.mark.parametrize(("lines", "field"), [
    ([NewLine("nope", 1)], "lines[0].sku"),
    ([NewLine("mug", 1), NewLine("old", 1)], "lines[1].sku"),
    ([NewLine("mug", 0)], "lines[0].quantity"),
    ([], "lines"),
])
def test_a_bad_line_is_named(engine: Engine, lines: list[NewLine], field: str) -> None:
    """An unknown or withdrawn item, a quantity of 0 or no line at all names the field."""
    _catalog(engine)
    with Session(engine) as s, pytest.raises(OrderError) as err:
        quote(s, lines)
    assert err.value.field == field


def test_a_draft_reserves_nothing_and_placing_takes_the_stock(engine: Engine) -> None:
    """Stock moves only when the order is placed: 10 mugs, a draft of 4 leaves 10,
    placing it leaves 6."""
    _catalog(engine)
    order_id = _order(engine, ("mug", 4))
    assert _available(engine, "mug") == 10
    with Session(engine) as s, s.begin():
        order = s.get(OrderRow, order_id)
        assert order is not None
        act(s, order, OrderAction.PLACE, 200.0)
    assert _available(engine, "mug") == 6


def test_cancelling_a_placed_order_gives_the_seats_back(engine: Engine) -> None:
    """Placing 2 gala seats leaves 3; cancelling the order leaves 5 again, and so does a
    second cancel; a cancelled order cannot be fulfilled."""
    _catalog(engine)
    order_id = _order(engine, ("gala", 2), place=True)
    assert _available(engine, "gala") == 3
    with Session(engine) as s, s.begin():
        order = s.get(OrderRow, order_id)
        assert order is not None
        act(s, order, OrderAction.CANCEL, 300.0)
        assert order.status == "cancelled"
    assert _available(engine, "gala") == 5
    with Session(engine) as s, s.begin():
        order = s.get(OrderRow, order_id)
        assert order is not None
        act(s, order, OrderAction.CANCEL, 350.0)  # a second cancel (a double click)
    assert _available(engine, "gala") == 5
    with Session(engine) as s, s.begin():
        order = s.get(OrderRow, order_id)
        assert order is not None
        with pytest.raises(OrderTransitionError, match="cannot fulfil an order that is "
                                                      "cancelled"):
            act(s, order, OrderAction.FULFIL, 400.0)


def test_an_order_short_of_one_line_takes_nothing(engine: Engine) -> None:
    """1 mug and 4 books (3 in stock): SoldOut names the books, and once the
    transaction rolls back the mugs are untouched and no order is stored."""
    _catalog(engine)
    with pytest.raises(SoldOut) as err:
        _order(engine, ("mug", 1), ("book", 4), place=True)
    assert (err.value.sku, err.value.wanted, err.value.available) == ("book", 4, 3)
    assert _available(engine, "mug") == 10
    with Session(engine) as s:
        assert list_orders(s, OrderFilter(), 10, 0) == (0, [])


def _buyers(engine: Engine, sku: str, quantity: int, how_many: int) -> Counter[str]:
    """`how_many` threads, each on its own connection, place one order of `quantity`
    of `sku` at the same moment; a locked database is retried as a client retries a
    503. The outcome of each: placed or sold out."""
    start = threading.Barrier(how_many)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy() -> None:
        start.wait()
        outcome = "gave up"
        for _ in range(100):
            try:
                with Session(engine) as s, s.begin():
                    order = create_order(s, NewOrder((NewLine(sku, quantity),)), None,
                                         "buyer", 1.0)
                    act(s, order, OrderAction.PLACE, 1.0)
                outcome = "placed"
                break
            except SoldOut:
                outcome = "sold out"
                break
            except OperationalError:
                continue
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=buy) for _ in range(how_many)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(outcomes)


def test_the_last_seats_are_sold_once(engine: Engine) -> None:
    """12 buyers of one seat each race for the gala's 5 seats: exactly 5 orders are
    placed, 7 are told it is sold out, and no seat is left or oversold."""
    _catalog(engine)
    outcomes = _buyers(engine, "gala", 1, 12)
    assert outcomes == Counter({"placed": 5, "sold out": 7})
    assert _available(engine, "gala") == 0
    with Session(engine) as s:
        placed = s.scalars(select(OrderRow).where(OrderRow.status == "placed")).all()
        assert sum(line.quantity for o in placed for line in o.lines) == 5


def test_pairs_of_seats_never_split_the_last_one(engine: Engine) -> None:
    """10 buyers of two seats each race for 5 seats: 2 orders placed (4 seats), the
    last seat stays free, 8 sold out."""
    _catalog(engine)
    outcomes = _buyers(engine, "gala", 2, 10)
    assert outcomes == Counter({"placed": 2, "sold out": 8})
    assert _available(engine, "gala") == 1


def test_orders_are_listed_by_each_filter(engine: Engine) -> None:
    """Three orders: the status, customer, call, agent and time filters each keep the
    ones they name, newest first, with the count of all that match."""
    _catalog(engine)
    with Session(engine) as s, s.begin():
        for i, (customer, call, agent, at) in enumerate(
                [(1, "ix-1", "a-1", 100.0), (2, "ix-2", "a-2", 200.0), (1, "ix-3", "a-2", 300.0)]):
            order = create_order(s, NewOrder((NewLine("mug", 1),), customer, call), agent,
                                 "ann", at)
            if i == 0:
                act(s, order, OrderAction.PLACE, at)
    with Session(engine) as s:
        def ids(f: OrderFilter) -> tuple[int, list[str | None]]:
            total, rows = list_orders(s, f, 10, 0)
            return total, [r.interaction_id for r in rows]
        assert ids(OrderFilter()) == (3, ["ix-3", "ix-2", "ix-1"])
        assert ids(OrderFilter(status="placed")) == (1, ["ix-1"])
        assert ids(OrderFilter(customer_id=1)) == (2, ["ix-3", "ix-1"])
        assert ids(OrderFilter(interaction_id="ix-2")) == (1, ["ix-2"])
        assert ids(OrderFilter(agent_id="a-2")) == (2, ["ix-3", "ix-2"])
        assert ids(OrderFilter(since=150.0, until=300.0)) == (1, ["ix-2"])
        assert list_orders(s, OrderFilter(), 1, 1)[1][0].interaction_id == "ix-2"


def test_the_catalog_is_searched_by_part_of_sku_or_name(engine: Engine) -> None:
    """'MU' (any case) finds the mug, and the old mug only with the withdrawn items;
    'night' finds the gala by its name; a '%' is a character, not a wildcard."""
    _catalog(engine)
    with Session(engine) as s:
        assert [i.sku for i in search_catalog(s, "MU", False, 10)] == ["mug"]
        assert [i.sku for i in search_catalog(s, "MU", True, 10)] == ["mug", "old"]
        assert [i.sku for i in search_catalog(s, "night", False, 10)] == ["gala"]
        assert search_catalog(s, "%", True, 10) == []
