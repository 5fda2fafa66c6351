"""The customer directory in the store: add, replace, delete, search, find by number or
account, and add many at once (the CSV import: `store_customers`, checked whole, then
stored in chunks of their own transactions).

Repository functions over a `Session`; they flush but never commit. Values come in as
`core.customers.Customer` (numbers already in E.164) and go out as `CustomerRow`s, whose
`customer_of` gives the value back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.customers import Customer
from callcenter.store.chunks import write_in_chunks
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import CustomerEmailRow, CustomerNumberRow, CustomerRow, utcnow


def customer_of(row: CustomerRow) -> Customer:
    """The row as the directory's `Customer` value."""
    return Customer(row.name, tuple(n.number for n in row.numbers), row.account, row.segment,
                    row.language, row.priority, row.notes, dict(row.fields))


def get_customer(session: Session, customer_id: int) -> CustomerRow:
    """The customer's row; `NotFound` if there is none."""
    row = session.get(CustomerRow, customer_id)
    if row is None:
        raise NotFound(f"no customer {customer_id}")
    return row


def _taken(session: Session, c: Customer, customer_id: int | None) -> str | None:
    """Why `c` cannot be stored (a number or the account belongs to another customer)."""
    if c.numbers:
        owners = session.execute(select(CustomerNumberRow.number, CustomerNumberRow.customer_id)
                                 .where(CustomerNumberRow.number.in_(c.numbers))).all()
        for number, owner in sorted(owners):
            if owner != customer_id:
                return f"number {number} already belongs to customer {owner}"
    if c.account is not None:
        holder = session.scalar(select(CustomerRow.id).where(CustomerRow.account == c.account))
        if holder is not None and holder != customer_id:
            return f"account {c.account!r} already belongs to customer {holder}"
    return None


def _fill(row: CustomerRow, c: Customer) -> None:
    row.name, row.account, row.segment, row.language = c.name, c.account, c.segment, c.language
    row.priority, row.notes, row.fields = c.priority, c.notes, dict(c.fields)


def add_customer(session: Session, c: Customer) -> CustomerRow:
    """Store a new customer; `Conflict` if one of its numbers or its account is taken."""
    why = _taken(session, c, None)
    if why is not None:
        raise Conflict(why)
    row = CustomerRow()
    _fill(row, c)
    row.numbers = [CustomerNumberRow(number=n, position=i) for i, n in enumerate(c.numbers)]
    session.add(row)
    session.flush()
    return row


def replace_customer(session: Session, customer_id: int, c: Customer) -> CustomerRow:
    """Replace a stored customer's values and numbers; `NotFound`, or `Conflict` if a
    number or the account belongs to another customer."""
    row = get_customer(session, customer_id)
    why = _taken(session, c, customer_id)
    if why is not None:
        raise Conflict(why)
    _fill(row, c)
    row.updated_at = utcnow()  # also when only its numbers change
    row.numbers.clear()
    session.flush()  # the old numbers are gone before any is added again
    row.numbers = [CustomerNumberRow(number=n, position=i) for i, n in enumerate(c.numbers)]
    session.flush()
    return row


def delete_customer(session: Session, customer_id: int) -> Customer:
    """Delete a customer with its numbers; the deleted value (`NotFound` if none)."""
    row = get_customer(session, customer_id)
    gone = customer_of(row)
    session.delete(row)
    session.flush()
    return gone


def find_customer(session: Session, *, number: str | None = None,
                  account: str | None = None) -> CustomerRow | None:
    """The customer with this E.164 `number`, or else with this `account`, or None."""
    if number is not None:
        owner = session.scalar(select(CustomerNumberRow.customer_id)
                               .where(CustomerNumberRow.number == number))
        if owner is not None:
            return session.get(CustomerRow, owner)
    if account is not None:
        return session.scalar(select(CustomerRow).where(CustomerRow.account == account))
    return None


_C, _N = CustomerRow.__table__.c, CustomerNumberRow.__table__.c
_LOOKUP = select(_C.id, _C.name, _C.account, _C.segment, _C.language, _C.priority, _C.fields)
_BY_NUMBER = _LOOKUP.join_from(CustomerNumberRow.__table__, CustomerRow.__table__,
                               _N.customer_id == _C.id).where(_N.number == bindparam("key"))
_BY_ACCOUNT = _LOOKUP.where(_C.account == bindparam("key"))


def lookup_customer(connection: Connection, *, number: str | None = None,
                    account: str | None = None) -> tuple[int, Customer] | None:
    """What a lookup needs of the customer with this E.164 `number`, or else with this
    `account`: (id, the customer without its numbers and notes), or None.

    The IVR's and screen pop's path, so kept lean: one indexed query each, in SQLAlchemy
    Core on a plain connection (no ORM session or rows, which cost six times the query
    itself at a million customers; `bench/customers.py` measures it)."""
    found = None
    if number is not None:
        found = connection.execute(_BY_NUMBER, {"key": number}).first()
    if found is None and account is not None:
        found = connection.execute(_BY_ACCOUNT, {"key": account}).first()
    if found is None:
        return None
    customer_id, name, acct, segment, language, priority, fields = found
    return customer_id, Customer(name, (), acct, segment, language, priority, "",
                                 dict(fields))


@dataclass(frozen=True, slots=True)
class CustomerPage:
    """One page of customers and how many matched in all."""

    items: list[CustomerRow]
    total: int


def search_customers(session: Session, *, name: str | None = None, number: str | None = None,
                     account: str | None = None, email: str | None = None,
                     external_id: str | None = None, text: str | None = None,
                     text_number: str | None = None, offset: int = 0,
                     limit: int = 50) -> CustomerPage:
    """Customers whose name contains `name` (any case), with the E.164 `number`, with the
    `account`, the e-mail address `email` (lower case), the `external_id`; and with
    `text` anywhere: in the name, or as the account, external id or e-mail address, or
    `text_number` (its E.164 form, when it is one) as a number. By name, then id; paged."""
    query = select(CustomerRow)
    if name:
        query = query.where(func.lower(CustomerRow.name).contains(name.lower(),
                                                                  autoescape=True))
    if number is not None:
        query = query.where(CustomerRow.id.in_(
            select(CustomerNumberRow.customer_id).where(CustomerNumberRow.number == number)))
    if account is not None:
        query = query.where(CustomerRow.account == account)
    if email is not None:
        query = query.where(CustomerRow.id.in_(
            select(CustomerEmailRow.customer_id).where(CustomerEmailRow.email == email)))
    if external_id is not None:
        query = query.where(CustomerRow.external_id == external_id)
    if text:
        anywhere = [func.lower(CustomerRow.name).contains(text.lower(), autoescape=True),
                    CustomerRow.account == text, CustomerRow.external_id == text,
                    CustomerRow.id.in_(select(CustomerEmailRow.customer_id)
                                       .where(CustomerEmailRow.email == text.lower()))]
        if text_number is not None:
            anywhere.append(CustomerRow.id.in_(
                select(CustomerNumberRow.customer_id)
                .where(CustomerNumberRow.number == text_number)))
        query = query.where(or_(*anywhere))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(CustomerRow.name, CustomerRow.id)
                           .offset(offset).limit(limit))
    return CustomerPage(list(rows), total)


def customer_conflicts(session: Session,
                       customers: Sequence[Customer]) -> list[tuple[int, str]]:
    """The (index, reason) of each of `customers` whose number or account is already
    stored; empty when none is."""
    numbers = [n for c in customers for n in c.numbers]
    accounts = [c.account for c in customers if c.account is not None]
    owners: dict[str, int] = {}
    for chunk in _chunks(numbers):
        owners.update(session.execute(
            select(CustomerNumberRow.number, CustomerNumberRow.customer_id)
            .where(CustomerNumberRow.number.in_(chunk))).all())
    holders: dict[str, int] = {}
    for chunk in _chunks(accounts):
        for account, owner in session.execute(select(CustomerRow.account, CustomerRow.id)
                                              .where(CustomerRow.account.in_(chunk))).all():
            if account is not None:
                holders[account] = owner
    refused: list[tuple[int, str]] = []
    for i, c in enumerate(customers):
        taken = [n for n in c.numbers if n in owners]
        if taken:
            refused.append((i, f"number {taken[0]} already belongs to customer "
                               f"{owners[taken[0]]}"))
        elif c.account is not None and c.account in holders:
            refused.append((i, f"account {c.account!r} already belongs to customer "
                               f"{holders[c.account]}"))
    return refused


def add_customers(session: Session, customers: Sequence[Customer]) -> list[tuple[int, str]]:
    """Store all of `customers`, or none: the (index, reason) of each one whose number or
    account is already stored (then nothing is added); empty when all were added."""
    refused = customer_conflicts(session, customers)
    if refused:
        return refused
    for c in customers:
        row = CustomerRow()
        _fill(row, c)
        row.numbers = [CustomerNumberRow(number=n, position=i) for i, n in enumerate(c.numbers)]
        session.add(row)
    session.flush()
    return []


_CHECK = 5000
"""Customers checked per lookup before an import stores any."""


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def store_customers(sessions: sessionmaker[Session], customers: Sequence[Customer], *,
                    chunk: int = 1000, pause: float = 0.0,
                    progress: Callable[[int], None] | None = None) -> list[tuple[int, str]]:
    """Store `customers` a chunk at a time, each chunk its own transaction, after checking
    them all: the (index, reason) of each whose number or account is already stored
    (then nothing is stored); empty when all were stored.

    A chunk that fails (the database, or a number or account stored meanwhile by another
    change: `Conflict`) rolls back alone and raises `PartlyStored`: the customers before
    it, in the order of `customers`, are stored, the rest are not."""
    with sessions.begin() as session:
        refused = [(i, why) for start in range(0, len(customers), _CHECK)
                   for i, why in ((start + j, w) for j, w in customer_conflicts(
                       session, customers[start:start + _CHECK]))]
    if refused:
        return refused

    def write(session: Session, part: Sequence[Customer]) -> None:
        taken = add_customers(session, part)
        if taken:
            raise Conflict(f"stored meanwhile by another change: {taken[0][1]}")

    write_in_chunks(sessions, customers, chunk, write, pause=pause, done=progress,
                    what="customers")
    return []
