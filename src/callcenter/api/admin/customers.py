"""The customer directory (`/api/admin/customers`): admins change it, supervisors read it.

Numbers are given as people write them and stored in E.164, read with the server's
`default_region` when they have no country code. A number or an account belongs to one
customer: taking another customer's is 409. The CSV import (body `text/csv`, or the
`file` part of a multipart body; the column mapping as query parameters) is streamed
to a spool file and checked whole before anything is stored: one rejected row stores
nothing, and the 422 lists every rejected row with its line and reason (`rejected`),
rows whose number or account another customer already has included. Then the
customers are stored in chunks of `import_chunk` rows, each its own transaction, so
the engine's writes never wait long for the database. Should a chunk fail (the
database: 503; a number or account stored meanwhile by another change: 409), the rows
before it stay stored and the answer names the last stored line
(`last_stored_line`): import the rows after it again.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, in_transaction, record
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.edge import upload
from callcenter.api.errors import FieldError, InvalidBody, InvalidField, logged
from callcenter.api.uploads import spool_csv
from callcenter.core.customers import (
    MAX_NUMBERS,
    Customer,
    InvalidCustomer,
    make_customer,
    normalize_number,
)
from callcenter.crm.customer_import import CustomerColumns, import_customers
from callcenter.csv_import import ImportFileError, utf8_lines
from callcenter.store.chunks import PartlyStored
from callcenter.store.customers import (
    add_customer,
    customer_of,
    delete_customer,
    get_customer,
    replace_customer,
    search_customers,
    store_customers,
)
from callcenter.store.errors import Conflict
from callcenter.store.models import CustomerRow

router = APIRouter()  # included by callcenter.api.admin under /api/admin
Column = Annotated[str | None, Query(max_length=100)]
CustomerId = Annotated[int, Path(ge=1, le=2**62)]


class CustomerIn(BaseModel):
    """A customer as an admin writes it (numbers in any common format)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    numbers: list[Annotated[str, Field(max_length=40)]] = Field(default=[],
                                                                max_length=MAX_NUMBERS)
    account: str | None = Field(default=None, max_length=100)
    segment: str = Field(default="", max_length=50)
    language: str | None = Field(default=None, max_length=20)
    priority: int = Field(default=0, ge=-1000, le=1000)
    """Added to the priority of the customer's calls when a flow finds it."""
    notes: str = Field(default="", max_length=10_000)
    fields: dict[str, Annotated[str, Field(max_length=1000)]] = {}


class CustomerView(BaseModel):
    """A stored customer (numbers in E.164)."""

    id: int
    name: str
    numbers: list[str]
    account: str | None
    segment: str
    language: str | None
    priority: int
    notes: str
    fields: dict[str, str]
    created_at: datetime
    updated_at: datetime


class CustomerPage(BaseModel):
    """One page of customers."""

    items: list[CustomerView]
    total: int
    offset: int
    limit: int


class Row(BaseModel):
    """A row of the file that was not stored: its line and why."""

    line: int
    reason: str


class CustomerImportReport(BaseModel):
    """What an import stored."""

    rows: int
    stored: int


class CustomerImportInterrupted(BaseModel):
    """A chunk of the import failed: the rows before it are stored, the rest are not."""

    detail: str
    stored: int
    """Customers stored: those of the first rows of the file."""
    last_stored_line: int
    """The line of the last stored customer (0: none stored)."""
    error_id: str


class CustomerImportRefused(InvalidBody):
    """Rows were rejected, so nothing was stored."""

    rejected: list[Row]


def _view(row: CustomerRow) -> CustomerView:
    c = customer_of(row)
    return CustomerView(id=row.id, name=c.name, numbers=list(c.numbers), account=c.account,
                        segment=c.segment, language=c.language, priority=c.priority,
                        notes=c.notes, fields=dict(c.fields), created_at=row.created_at,
                        updated_at=row.updated_at)


def _audited(c: Customer) -> dict[str, Any]:
    return {"name": c.name, "numbers": list(c.numbers), "account": c.account,
            "segment": c.segment, "language": c.language, "priority": c.priority,
            "fields": dict(c.fields)}


def _customer(body: CustomerIn, region: str) -> Customer:
    try:
        return make_customer(body.name, body.numbers, region=region, account=body.account,
                             segment=body.segment, language=body.language,
                             priority=body.priority, notes=body.notes, fields=body.fields)
    except InvalidCustomer as exc:
        raise InvalidField(exc.field, str(exc)) from None


@router.get("/customers", response_model=CustomerPage)
async def list_customers(
    server: ServerDep, _user: Staff,
    name: Annotated[str | None, Query(max_length=200)] = None,
    number: Annotated[str | None, Query(max_length=40)] = None,
    account: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> CustomerPage:
    """Customers by name: whose name contains `name` (any case), who has the phone
    `number` (any format), with the `account`; paged."""
    e164 = None
    if number is not None:
        try:
            e164 = normalize_number(number, server.settings.default_region)
        except ValueError as exc:
            raise InvalidField("number", f"number: {exc}") from None

    def work(session: Session) -> CustomerPage:
        page = search_customers(session, name=name, number=e164, account=account,
                                offset=offset, limit=limit)
        return CustomerPage(items=[_view(r) for r in page.items], total=page.total,
                            offset=offset, limit=limit)
    return await in_transaction(server, work)


@router.get("/customers/{customer_id}", response_model=CustomerView)
async def read_customer(customer_id: CustomerId, server: ServerDep,
                        _user: Staff) -> CustomerView:
    """One customer."""
    return await in_transaction(server, lambda s: _view(get_customer(s, customer_id)))


@router.post("/customers", response_model=CustomerView, status_code=status.HTTP_201_CREATED)
async def create_customer(body: CustomerIn, server: ServerDep, user: Admin) -> CustomerView:
    """Add a customer; 409 if one of its numbers or its account is another's."""
    c = _customer(body, server.settings.default_region)

    def work(session: Session) -> CustomerView:
        row = add_customer(session, c)
        record(session, user, "create", "customer", str(row.id), after=_audited(c))
        return _view(row)
    return await in_transaction(server, work)


@router.put("/customers/{customer_id}", response_model=CustomerView)
async def change_customer(customer_id: CustomerId, body: CustomerIn, server: ServerDep,
                          user: Admin) -> CustomerView:
    """Replace a customer's values and numbers; 409 if a number or the account is
    another customer's."""
    c = _customer(body, server.settings.default_region)

    def work(session: Session) -> CustomerView:
        before = _audited(customer_of(get_customer(session, customer_id)))
        row = replace_customer(session, customer_id, c)
        record(session, user, "update", "customer", str(customer_id), before, _audited(c))
        return _view(row)
    return await in_transaction(server, work)


@router.delete("/customers/{customer_id}", **NO_CONTENT)
async def remove_customer(customer_id: CustomerId, server: ServerDep, user: Admin) -> None:
    """Delete a customer and its numbers."""
    def work(session: Session) -> None:
        gone = delete_customer(session, customer_id)
        record(session, user, "delete", "customer", str(customer_id), before=_audited(gone))
    await in_transaction(server, work)


def _refused(rows: list[Row]) -> JSONResponse:
    refused = CustomerImportRefused(
        detail=f"{len(rows)} rows rejected, nothing imported",
        errors=[FieldError(field="body", message=f"line {r.line}: {r.reason}") for r in rows],
        rejected=rows)
    return JSONResponse(refused.model_dump(), status_code=422)


@router.post("/customers/import", response_model=CustomerImportReport,
             responses={422: {"model": CustomerImportRefused},
                        503: {"model": CustomerImportInterrupted}})
@upload
async def import_customer_list(
    request: Request, server: ServerDep, user: Admin,
    name: Column = None, account: Column = None, segment: Column = None,
    language: Column = None, priority: Column = None, notes: Column = None,
    number: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006  # FastAPI's way
    field: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006
) -> CustomerImportReport | JSONResponse:
    """Import a CSV customer list (body `text/csv`, or multipart with a `file` part). Each
    value is read from the column the mapping names, else from the column of its own
    name; `number` repeats (several number columns), `field` too (`COLUMN` or
    `NAME=COLUMN`; none: every other column is a custom field)."""
    fields = None
    if field:
        fields = {}
        for spec in field:
            key, _, column = spec.partition("=")
            fields[column or key] = key
    columns = CustomerColumns(name=name, numbers=tuple(number), account=account,
                              segment=segment, language=language, priority=priority,
                              notes=notes, fields=fields)
    spooled = await spool_csv(request, "customer list")
    settings = server.settings

    def work() -> CustomerImportReport | JSONResponse:
        with spooled:
            try:
                result = import_customers(utf8_lines(spooled), columns,
                                          settings.default_region)
            except ImportFileError as exc:
                raise InvalidField("body", f"body: {exc}") from None
        if result.rejected:
            return _refused([Row(line=r.line, reason=r.reason) for r in result.rejected])
        try:
            refused = store_customers(server.sessions, [c for _, c in result.customers],
                                      chunk=settings.import_chunk, pause=settings.import_pause)
        except PartlyStored as exc:
            return _interrupted(exc, result.customers)
        if refused:
            return _refused([Row(line=result.customers[i][0], reason=why)
                             for i, why in refused])
        report = CustomerImportReport(rows=result.rows, stored=len(result.customers))
        with server.sessions.begin() as session:
            record(session, user, "import", "customer", "*", after=report.model_dump())
        return report
    return await asyncio.to_thread(work)


def _interrupted(exc: PartlyStored, customers: list[tuple[int, Customer]]) -> JSONResponse:
    """The answer when a chunk failed: which rows are stored (those before it)."""
    error_id = logged(exc, "a customer import stopped")
    done = exc.stored
    last = customers[done - 1][0] if done else 0
    conflict = isinstance(exc.cause, Conflict)
    why = str(exc.cause) if conflict else "the database failed"
    body = CustomerImportInterrupted(
        detail=f"the import stopped after {done} of {len(customers)} customers were stored "
               f"({why}): the rows up to line {last} are stored, the rows after it are not",
        stored=done, last_stored_line=last, error_id=error_id)
    return JSONResponse(body.model_dump(), status_code=409 if conflict else 503)
