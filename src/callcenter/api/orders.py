"""The catalog (`/api/catalog`) and orders and bookings (`/api/orders`).

- Anyone logged in reads the catalog's items on sale, prices a basket
  (`POST /api/orders/quote`), takes an order (`POST /api/orders`: a draft, or placed at
  once with `place: true`, the desktop's way), and reads orders. An agent's orders
  carry its agent id; an agent places and cancels only the orders it took.
- Staff fulfil placed orders and export the list as CSV; admins edit the catalog.
- Prices and tax rates come from the catalog, never from the request. Placing reserves
  every line's stock or seats in the order's transaction (`crm.orders`): a line that
  cannot have them is a 409 naming the item and what is left, and nothing is taken.
- Every change is one transaction with its audit row (entities `catalog_item`,
  `order`). The order form pauses the call's recording while payment details are
  taken through `POST /api/interactions/{id}/recording/pause` and `/resume`, which
  audit themselves (`routes_media`).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from callcenter.api.admin.common import Admin, in_transaction, record
from callcenter.api.auth import Principal, Role
from callcenter.api.deps import AnyUser, ServerDep
from callcenter.api.errors import InvalidField, errors
from callcenter.api.routes_reports import Format, FormatQ
from callcenter.api.state import Server
from callcenter.core.orders import MAX_QUANTITY, OrderAction, OrderTransitionError
from callcenter.crm import orders as crm
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import CatalogItemRow, OrderRow

MAX_ID = 2 ** 31 - 1
OrderId = Annotated[int, Path(ge=1, le=MAX_ID)]
Sku = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]

router = APIRouter(prefix="/api", tags=["orders"],
                   responses=errors(401, 403, 404, 409, 422, 503))


class CatalogItemIn(BaseModel):
    """A catalog item as an admin sets it: a product with stock, or an event with seats."""

    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["product", "event"] = "product"
    price_cents: int = Field(ge=0, le=100_000_000, description="Unit price, gross of "
                             "nothing: tax is added at the item's rate")
    tax_bp: int = Field(ge=0, le=10_000, description="Tax rate in basis points "
                        "(1900 = 19 %)")
    available: int = Field(ge=0, le=10_000_000, description="Units in stock (product) "
                           "or free seats (event)")
    event_at: float | None = Field(default=None, ge=0, le=1e10, description="When the "
                                   "event takes place (Unix seconds); events only")
    venue: str = Field(default="", max_length=200)
    active: bool = True


class CatalogItemView(CatalogItemIn):
    pass


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=100)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class BasketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[LineIn] = Field(min_length=1, max_length=crm.MAX_LINES)


class OrderIn(BasketIn):
    """An order taken on a call: its lines, customer and call; `place` reserves at once."""

    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    interaction_id: str | None = Field(default=None, min_length=1, max_length=100)
    note: str = Field(default="", max_length=2000)
    place: bool = Field(default=False, description="Place the order at once (reserving "
                        "its stock and seats); else it stays a draft")


class OrderActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: OrderAction


class LineView(BaseModel):
    sku: str
    name: str
    unit_cents: int
    quantity: int
    tax_bp: int
    net_cents: int


class TaxView(BaseModel):
    tax_bp: int
    tax_cents: int


class QuoteView(BaseModel):
    """A basket priced from the catalog, with the tax of each rate."""

    lines: list[LineView]
    net_cents: int
    taxes: list[TaxView]
    tax_cents: int
    gross_cents: int


class OrderView(BaseModel):
    id: int
    status: str
    customer_id: int | None
    interaction_id: str | None
    agent_id: str | None
    created_by: str
    created_at: float
    updated_at: float
    placed_at: float | None
    net_cents: int
    tax_cents: int
    gross_cents: int
    note: str
    lines: list[LineView]


class OrderPage(BaseModel):
    total: int
    items: list[OrderView]


def _item(row: CatalogItemRow) -> CatalogItemView:
    return CatalogItemView(sku=row.sku, name=row.name, kind=row.kind,  # type: ignore[arg-type]
                           price_cents=row.price_cents, tax_bp=row.tax_bp,
                           available=row.available, event_at=row.event_at, venue=row.venue,
                           active=row.active)


def _line(row: Any) -> LineView:
    return LineView(sku=row.sku, name=row.name, unit_cents=row.unit_cents,
                    quantity=row.quantity, tax_bp=row.tax_bp, net_cents=row.net_cents)


def _order(row: OrderRow) -> OrderView:
    return OrderView(id=row.id, status=row.status, customer_id=row.customer_id,
                     interaction_id=row.interaction_id, agent_id=row.agent_id,
                     created_by=row.created_by, created_at=row.created_at,
                     updated_at=row.updated_at, placed_at=row.placed_at,
                     net_cents=row.net_cents, tax_cents=row.tax_cents,
                     gross_cents=row.gross_cents, note=row.note,
                     lines=[_line(line) for line in row.lines])


def _now(server: Server) -> float:
    return server.runtime.clock.time()


def _lines(body: BasketIn) -> tuple[crm.NewLine, ...]:
    return tuple(crm.NewLine(line.sku, line.quantity) for line in body.lines)


def _checked(work: Any) -> Any:
    """Run `work()`, turning the service's refusals into the API's errors."""
    try:
        return work()
    except crm.OrderError as exc:
        raise InvalidField(exc.field, str(exc)) from None
    except OrderTransitionError as exc:
        raise Conflict(str(exc)) from None


@router.get("/catalog", response_model=list[CatalogItemView])
async def list_catalog(
        server: ServerDep, user: AnyUser,
        q: Annotated[str | None, Query(max_length=100, description="Part of a SKU or "
                                       "name (any case)")] = None,
        inactive: Annotated[bool, Query(description="Admins: also items no longer "
                                        "sold")] = False,
        limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[CatalogItemView]:
    """Catalog items on sale (with what is still available), by name."""
    def work(session: Any) -> list[CatalogItemView]:
        rows = crm.search_catalog(session, q, inactive and user.role is Role.ADMIN, limit)
        return [_item(r) for r in rows]
    return await in_transaction(server, work)


@router.post("/catalog", response_model=CatalogItemView,
             status_code=status.HTTP_201_CREATED)
async def create_catalog_item(body: CatalogItemIn, server: ServerDep,
                              user: Admin) -> CatalogItemView:
    """Add a product or an event (409 if its SKU exists)."""
    if body.kind == "product" and body.event_at is not None:
        raise InvalidField("event_at", "event_at: only an event has a date")

    def work(session: Any) -> CatalogItemView:
        if session.get(CatalogItemRow, body.sku) is not None:
            raise Conflict(f"sku: {body.sku!r} is already in the catalog")
        row = CatalogItemRow(**body.model_dump())
        session.add(row)
        session.flush()
        record(session, user, "create", "catalog_item", body.sku, None, body.model_dump())
        return _item(row)
    return await in_transaction(server, work)


@router.put("/catalog/{sku}", response_model=CatalogItemView)
async def update_catalog_item(sku: Sku, body: CatalogItemIn, server: ServerDep,
                              user: Admin) -> CatalogItemView:
    """Change an item (its SKU stays: the body's must match); orders already taken
    keep the name, price and tax rate they were sold at."""
    if body.sku != sku:
        raise InvalidField("sku", f"sku: the body's {body.sku!r} is not the path's {sku!r}")
    if body.kind == "product" and body.event_at is not None:
        raise InvalidField("event_at", "event_at: only an event has a date")

    def work(session: Any) -> CatalogItemView:
        row = session.get(CatalogItemRow, sku)
        if row is None:
            raise NotFound(f"no catalog item {sku!r}")
        before = _item(row).model_dump()
        for name, value in body.model_dump().items():
            setattr(row, name, value)
        session.flush()
        record(session, user, "update", "catalog_item", sku, before, body.model_dump())
        return _item(row)
    return await in_transaction(server, work)


@router.post("/orders/quote", response_model=QuoteView)
async def quote_order(body: BasketIn, server: ServerDep, _user: AnyUser) -> QuoteView:
    """Price a basket from the catalog (nothing stored, nothing reserved)."""
    def work(session: Any) -> QuoteView:
        priced: crm.Quoted = _checked(lambda: crm.quote(session, _lines(body)))
        return QuoteView(
            lines=[LineView(sku=item.sku, name=item.name, unit_cents=line.unit_cents,
                            quantity=line.quantity, tax_bp=line.tax_bp,
                            net_cents=line.net_cents) for item, line in priced.items],
            net_cents=priced.totals.net_cents,
            taxes=[TaxView(tax_bp=bp, tax_cents=c) for bp, c in priced.totals.tax_by_rate],
            tax_cents=priced.totals.tax_cents, gross_cents=priced.totals.gross_cents)
    return await in_transaction(server, work)


@router.post("/orders", response_model=OrderView, status_code=status.HTTP_201_CREATED)
async def create_order(body: OrderIn, server: ServerDep, user: AnyUser) -> OrderView:
    """Take an order (a draft; placed at once with `place`: 409 naming the item if its
    stock or seats do not suffice, and then nothing is stored)."""
    now = _now(server)
    new = crm.NewOrder(lines=_lines(body), customer_id=body.customer_id,
                       interaction_id=body.interaction_id, note=body.note)

    def work(session: Any) -> OrderView:
        order: OrderRow = _checked(lambda: crm.create_order(
            session, new, user.agent_id, user.username, now))
        if body.place:
            _checked(lambda: crm.act(session, order, OrderAction.PLACE, now))
        view = _order(order)
        record(session, user, "create", "order", str(order.id), None,
               view.model_dump(mode="json"))
        return view
    return await in_transaction(server, work)


def _csv(orders: list[OrderView]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "status", "created_at", "placed_at", "customer_id",
                     "interaction_id", "agent_id", "created_by", "lines", "net_cents",
                     "tax_cents", "gross_cents"])
    for o in orders:
        writer.writerow([o.id, o.status, o.created_at, o.placed_at or "",
                         o.customer_id or "", o.interaction_id or "", o.agent_id or "",
                         o.created_by,
                         "; ".join(f"{line.quantity} x {line.sku}" for line in o.lines),
                         o.net_cents, o.tax_cents, o.gross_cents])
    return Response(buffer.getvalue(), media_type="text/csv")


@router.get("/orders", response_model=OrderPage,
            responses={200: {"content": {"text/csv": {}},
                             "description": "A page of orders (CSV with ?format=csv: "
                             "every match, staff only)"}})
async def list_orders(
        server: ServerDep, user: AnyUser,
        status_: Annotated[Literal["draft", "placed", "fulfilled", "cancelled"] | None,
                           Query(alias="status")] = None,
        customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        interaction_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        agent_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        since: Annotated[float | None, Query(ge=0, le=1e10)] = None,
        until: Annotated[float | None, Query(ge=0, le=1e10)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        format: FormatQ = Format.JSON) -> OrderPage | Response:
    """Orders, newest first, filtered by status, customer, call, agent and time."""
    if format is Format.CSV and user.role is Role.AGENT:
        raise InvalidField("format", "format: the CSV export is for supervisors and admins")
    found = crm.OrderFilter(status=status_, customer_id=customer_id,
                            interaction_id=interaction_id, agent_id=agent_id,
                            since=since, until=until)
    everything = format is Format.CSV

    def work(session: Any) -> OrderPage:
        total, rows = crm.list_orders(session, found, MAX_ID if everything else limit,
                                      0 if everything else offset)
        return OrderPage(total=total, items=[_order(r) for r in rows])
    page = await in_transaction(server, work)
    return _csv(page.items) if everything else page


@router.get("/orders/{order_id}", response_model=OrderView)
async def read_order(order_id: OrderId, server: ServerDep, _user: AnyUser) -> OrderView:
    """One order with its lines."""
    return await in_transaction(server, lambda s: _order(crm.get_order(s, order_id)))


def _may(user: Principal, order: OrderRow, action: OrderAction) -> None:
    if user.role is not Role.AGENT:
        return
    if action is OrderAction.FULFIL:
        raise _forbidden("an agent does not fulfil orders")
    if order.agent_id is None or order.agent_id != user.agent_id:
        raise _forbidden("an agent acts only on the orders it took")


def _forbidden(why: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, why)


@router.post("/orders/{order_id}/actions", response_model=OrderView)
async def order_action(order_id: OrderId, body: OrderActionIn, server: ServerDep,
                       user: AnyUser) -> OrderView:
    """Place a draft (reserving stock and seats; 409 if they do not suffice), fulfil a
    placed order (staff), or cancel one (a placed order gives its stock back). An
    agent acts only on the orders it took. Asking again for the status the order has
    (a second cancel) answers it unchanged."""
    now = _now(server)

    def work(session: Any) -> OrderView:
        order = crm.get_order(session, order_id)
        _may(user, order, body.action)
        before = order.status
        _checked(lambda: crm.act(session, order, body.action, now))
        if order.status == before:  # asked again: nothing changed, nothing to audit
            return _order(order)
        record(session, user, body.action.value, "order", str(order.id),
               {"status": before}, {"status": order.status})
        return _order(order)
    return await in_transaction(server, work)
