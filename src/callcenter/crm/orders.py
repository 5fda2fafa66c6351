"""Orders and bookings over the store: the catalog, quotes, orders and their workflow.

Every function takes the session of the caller's transaction and the instant `now`
(engine seconds since the epoch); none commits. Prices and tax rates come from the
catalog, never from the caller. `place` takes each line's quantity from the item's
`available` count with a conditional UPDATE (`available >= quantity`), so two buyers of
the last seat cannot both succeed: on PostgreSQL the second UPDATE waits for the first
row lock and then sees 0; on SQLite writers are serialized by the database lock. Items
are updated in SKU order, so two orders never wait on each other's rows in a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from callcenter.core.orders import (
    Line,
    OrderAction,
    OrderStatus,
    Totals,
    next_status,
    releases_stock,
    totals,
)
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import CatalogItemRow, OrderLineRow, OrderRow

MAX_LINES = 50
ALREADY = {OrderAction.PLACE: OrderStatus.PLACED, OrderAction.FULFIL: OrderStatus.FULFILLED,
           OrderAction.CANCEL: OrderStatus.CANCELLED}
"""The status each action leads to: asking for it again is not an error."""


class OrderError(ValueError):
    """An order's input names something wrong: `field` is the body's path to it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SoldOut(Conflict):
    """A line asks for more than is available (the API answers 409)."""

    def __init__(self, sku: str, wanted: int, available: int) -> None:
        super().__init__(f"{sku}: {wanted} asked, only {available} available")
        self.sku = sku
        self.wanted = wanted
        self.available = available


@dataclass(frozen=True, slots=True)
class NewLine:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class NewOrder:
    """What an agent captures: lines, and the customer and call it is for."""

    lines: tuple[NewLine, ...]
    customer_id: int | None = None
    interaction_id: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Quoted:
    """The priced lines of an order (catalog prices) and their totals."""

    items: tuple[tuple[CatalogItemRow, Line], ...]
    totals: Totals


def quote(session: Session, lines: Sequence[NewLine]) -> Quoted:
    """The lines priced from the catalog; `OrderError` names an unknown, inactive or
    over-large line (`lines[i].sku`, `lines[i].quantity`)."""
    if not lines:
        raise OrderError("lines", "an order needs at least one line")
    if len(lines) > MAX_LINES:
        raise OrderError("lines", f"at most {MAX_LINES} lines, got {len(lines)}")
    found = {row.sku: row for row in session.scalars(
        select(CatalogItemRow).where(CatalogItemRow.sku.in_({ln.sku for ln in lines})))}
    items: list[tuple[CatalogItemRow, Line]] = []
    for i, new in enumerate(lines):
        item = found.get(new.sku)
        if item is None or not item.active:
            raise OrderError(f"lines[{i}].sku", f"no item {new.sku!r} in the catalog"
                             if item is None else f"{new.sku!r} is no longer sold")
        try:
            line = Line(unit_cents=item.price_cents, quantity=new.quantity, tax_bp=item.tax_bp)
        except ValueError as exc:
            raise OrderError(f"lines[{i}].quantity", str(exc)) from None
        items.append((item, line))
    return Quoted(tuple(items), totals(line for _, line in items))


def create_order(session: Session, new: NewOrder, agent_id: str | None, actor: str,
                 now: float) -> OrderRow:
    """A new draft order priced from the catalog (nothing reserved yet)."""
    priced = quote(session, new.lines)
    order = OrderRow(status=OrderStatus.DRAFT.value, customer_id=new.customer_id,
                     interaction_id=new.interaction_id, agent_id=agent_id, created_by=actor,
                     created_at=now, updated_at=now, placed_at=None, note=new.note,
                     net_cents=priced.totals.net_cents, tax_cents=priced.totals.tax_cents,
                     gross_cents=priced.totals.gross_cents)
    order.lines = [OrderLineRow(position=i, sku=item.sku, name=item.name,
                                unit_cents=line.unit_cents, quantity=line.quantity,
                                tax_bp=line.tax_bp, net_cents=line.net_cents)
                   for i, (item, line) in enumerate(priced.items)]
    session.add(order)
    session.flush()
    return order


def _wanted(order: OrderRow) -> list[tuple[str, int]]:
    """(sku, quantity) summed over the order's lines, in SKU order."""
    wanted: dict[str, int] = {}
    for line in order.lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    return sorted(wanted.items())


def _take(session: Session, order: OrderRow) -> None:
    for sku, quantity in _wanted(order):
        taken = session.execute(
            update(CatalogItemRow)
            .where(CatalogItemRow.sku == sku, CatalogItemRow.available >= quantity)
            .values(available=CatalogItemRow.available - quantity)
            .execution_options(synchronize_session=False))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            left = session.scalar(select(CatalogItemRow.available)
                                  .where(CatalogItemRow.sku == sku))
            raise SoldOut(sku, quantity, left or 0)


def _give_back(session: Session, order: OrderRow) -> None:
    for sku, quantity in _wanted(order):
        session.execute(update(CatalogItemRow).where(CatalogItemRow.sku == sku)
                        .values(available=CatalogItemRow.available + quantity)
                        .execution_options(synchronize_session=False))


def act(session: Session, order: OrderRow, action: OrderAction, now: float) -> OrderRow:
    """Move `order` by `action` (`OrderTransitionError` if its status refuses it):
    `place` reserves its stock and seats (`SoldOut` if a line cannot have them: the
    caller's transaction then rolls back, taking nothing), `cancel` of a placed order
    gives them back. Asking for the status the order already has (cancel a cancelled
    order) changes nothing."""
    status = OrderStatus(order.status)
    if ALREADY.get(action) is status:  # asked twice (a double click): nothing to do
        return order
    after = next_status(status, action)
    if action is OrderAction.PLACE:
        _take(session, order)
        order.placed_at = now
    elif releases_stock(status, action):
        _give_back(session, order)
    order.status = after.value
    order.updated_at = now
    session.flush()
    return order


def get_order(session: Session, order_id: int) -> OrderRow:
    order = session.get(OrderRow, order_id)
    if order is None:
        raise NotFound(f"no order {order_id}")
    return order


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    customer_id: int | None = None
    interaction_id: str | None = None
    agent_id: str | None = None
    since: float | None = None
    until: float | None = None


def _filtered(query: Select[Any], f: OrderFilter) -> Select[Any]:
    if f.status is not None:
        query = query.where(OrderRow.status == f.status)
    if f.customer_id is not None:
        query = query.where(OrderRow.customer_id == f.customer_id)
    if f.interaction_id is not None:
        query = query.where(OrderRow.interaction_id == f.interaction_id)
    if f.agent_id is not None:
        query = query.where(OrderRow.agent_id == f.agent_id)
    if f.since is not None:
        query = query.where(OrderRow.created_at >= f.since)
    if f.until is not None:
        query = query.where(OrderRow.created_at < f.until)
    return query


def list_orders(session: Session, f: OrderFilter, limit: int, offset: int
                ) -> tuple[int, list[OrderRow]]:
    """(how many match, the page of them, newest first)."""
    matching = _filtered(select(OrderRow), f).subquery()
    total = session.scalar(select(func.count()).select_from(matching)) or 0
    rows = session.scalars(_filtered(select(OrderRow), f)
                           .order_by(OrderRow.created_at.desc(), OrderRow.id.desc())
                           .limit(limit).offset(offset)).all()
    return total, list(rows)


def search_catalog(session: Session, text: str | None, include_inactive: bool,
                   limit: int) -> list[CatalogItemRow]:
    """Catalog items whose SKU or name contains `text` (any case), by name."""
    query = select(CatalogItemRow)
    if not include_inactive:
        query = query.where(CatalogItemRow.active.is_(True))
    if text:
        wanted = text.lower()
        query = query.where(or_(func.lower(CatalogItemRow.sku).contains(wanted, autoescape=True),
                                func.lower(CatalogItemRow.name).contains(wanted,
                                                                         autoescape=True)))
    return list(session.scalars(query.order_by(CatalogItemRow.name, CatalogItemRow.sku)
                                .limit(limit)))
