"""Customers, the 360 view (`/api/customers`), the link of a call to its customer
(`/api/agents/{agent_id}/work/{interaction_id}/customer`), and the custom field
definitions (`/api/admin/customer-fields`).

Who may do what:

- anyone logged in searches customers (by name, number, e-mail, external id, account,
  or `q` for any of them), so an agent can choose the caller when the IVR found none;
- staff read any customer's 360 view; an agent reads the customer of a call it holds
  (offered, connected or in wrap-up: the customer the IVR found, or the one linked);
- an admin changes any customer; an agent changes the customer of a call it holds
  (identities, language, consent, custom fields, addresses), naming the call
  (`interaction_id`) so the address history says in which interaction it changed;
- an agent (or staff in its scope) links a call it holds to a customer;
- an admin merges two customers and defines the custom fields.

The directory's admin routes (`/api/admin/customers`) stay as they were; every change
here is one transaction with its audit row (entity `customer`, `customer_field`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, in_transaction, record
from callcenter.api.auth import Principal, Role
from callcenter.api.deps import AgentOrStaff, AnyUser, Authorize, ServerDep
from callcenter.api.errors import InvalidField, errors
from callcenter.api.state import Server
from callcenter.core.customer_profile import (
    MAX_EMAILS,
    Address,
    FieldDefinition,
    check_fields,
    normalize_emails,
)
from callcenter.core.customers import Customer, InvalidCustomer, caller_number, normalize_number
from callcenter.crm.customer_merge import merge_customers
from callcenter.store.customer_profile import (
    address_history,
    address_values,
    addresses,
    customer_interactions,
    delete_field_definition,
    field_definitions,
    link_interaction,
    put_field_definition,
    set_address,
    set_consent,
    set_emails,
    set_external_id,
)
from callcenter.store.customers import (
    customer_of,
    get_customer,
    replace_customer,
    search_customers,
)
from callcenter.store.errors import NotFound
from callcenter.store.models import CustomerRow, InteractionRow, utcnow

AdminOrAgent = Annotated[Principal, Depends(Authorize({Role.ADMIN, Role.AGENT}))]
"""Changes a customer: an admin any, an agent the customer of a call it holds."""

router = APIRouter(prefix="/api", tags=["customers"],
                   responses=errors(401, 403, 404, 409, 422, 503))

MAX_ID = 2 ** 62
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]
Kind = Literal["home", "billing", "delivery", "work", "other"]
"""`core.customer_profile.ADDRESS_KINDS`."""
InteractionRef = Field(default=None, min_length=1, max_length=100,
                       description="The call during which the change is made")


class CustomerSummary(BaseModel):
    """A customer as a search lists it."""

    id: int
    name: str
    numbers: list[str]
    emails: list[str]
    account: str | None
    external_id: str | None
    segment: str
    language: str | None


class CustomerResults(BaseModel):
    """One page of found customers."""

    items: list[CustomerSummary]
    total: int
    offset: int
    limit: int


class Consent(BaseModel):
    """A consent: given (true), refused (false) or never asked (null), and since when."""

    given: bool | None
    at: datetime | None


class AddressView(BaseModel):
    kind: str
    street: str
    postal_code: str
    city: str
    region: str
    country: str
    updated_at: datetime


class AddressChange(BaseModel):
    """One change of an address: before and after (null: none), who, when, in which call."""

    kind: str
    before: dict[str, str] | None
    after: dict[str, str] | None
    changed_by: str
    changed_at: datetime
    interaction_id: str | None


class FieldDefinitionView(BaseModel):
    """A custom field an admin defined."""

    name: str
    label: str
    kind: str
    choices: list[str]
    required: bool


class CustomerInteraction(BaseModel):
    """One of the customer's interactions, with the agent's disposition and notes."""

    interaction_id: str
    channel: str
    queue_id: str
    agent_id: str | None
    arrived_at: float
    answered_at: float | None
    outcome: str | None
    disposition: str
    notes: str
    open: bool


class Customer360(CustomerSummary):
    """Everything the platform holds on one customer, for the customer page and the
    desktop: identities, consent, addresses and their history, custom fields (with
    their definitions), and the latest interactions."""

    priority: int
    notes: str
    fields: dict[str, str]
    recording_consent: Consent
    marketing_consent: Consent
    addresses: list[AddressView]
    address_history: list[AddressChange]
    field_definitions: list[FieldDefinitionView]
    interactions: list[CustomerInteraction]
    created_at: datetime
    updated_at: datetime


class CustomerChange(BaseModel):
    """The values to change (those left out stay as they are)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    language: str | None = Field(default=None, max_length=20)
    numbers: list[Annotated[str, Field(max_length=40)]] | None = Field(default=None,
                                                                       max_length=20)
    emails: list[Annotated[str, Field(max_length=254)]] | None = Field(
        default=None, max_length=MAX_EMAILS)
    external_id: str | None = Field(default=None, max_length=100)
    recording_consent: bool | None = None
    marketing_consent: bool | None = None
    fields: dict[Annotated[str, Field(max_length=64)],
                 Annotated[str, Field(max_length=1000)]] | None = Field(default=None,
                                                                       max_length=100)
    interaction_id: str | None = InteractionRef


class AddressIn(BaseModel):
    """A postal address (a two-letter `country`)."""

    model_config = ConfigDict(extra="forbid")

    street: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=20)
    city: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    country: str = Field(default="", max_length=2)
    interaction_id: str | None = InteractionRef


class MergeResult(BaseModel):
    """What a merge moved: rows per linked table."""

    customer: Customer360
    merged_id: int
    moved: dict[str, int]
    dropped_addresses: list[str]


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(ge=1, le=MAX_ID, description="null: no customer")


class LinkResult(BaseModel):
    interaction_id: str
    customer: CustomerSummary | None


class FieldDefinitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200)
    kind: Literal["text", "number", "date", "choice", "boolean"] = "text"
    choices: list[Annotated[str, Field(max_length=100)]] = Field(default=[], max_length=100)
    required: bool = False
    position: int | None = Field(default=None, ge=0, le=10_000)


def _summary(row: CustomerRow) -> CustomerSummary:
    return CustomerSummary(id=row.id, name=row.name, numbers=[n.number for n in row.numbers],
                           emails=[e.email for e in row.emails], account=row.account,
                           external_id=row.external_id, segment=row.segment,
                           language=row.language)


def _view(session: Session, row: CustomerRow, limit: int = 20) -> Customer360:
    return Customer360(
        **_summary(row).model_dump(), priority=row.priority, notes=row.notes,
        fields=dict(row.fields),
        recording_consent=Consent(given=row.recording_consent, at=row.recording_consent_at),
        marketing_consent=Consent(given=row.marketing_consent, at=row.marketing_consent_at),
        addresses=[AddressView(kind=a.kind, **address_values(a), updated_at=a.updated_at)
                   for a in addresses(session, row.id)],
        address_history=[AddressChange(kind=h.kind, before=h.before, after=h.after,
                                       changed_by=h.changed_by, changed_at=h.changed_at,
                                       interaction_id=h.interaction_id)
                         for h in address_history(session, row.id)],
        field_definitions=[FieldDefinitionView(name=d.name, label=d.label, kind=d.kind,
                                               choices=list(d.choices), required=d.required)
                           for d in field_definitions(session)],
        interactions=[CustomerInteraction(
            interaction_id=i.interaction_id, channel=i.channel, queue_id=i.queue_id,
            agent_id=i.agent_id, arrived_at=i.arrived_at, answered_at=i.answered_at,
            outcome=i.outcome, disposition=i.disposition, notes=i.notes, open=i.open)
            for i in customer_interactions(session, row.id, limit)],
        created_at=row.created_at, updated_at=row.updated_at)


def _held_calls(server: Server, user: Principal) -> list[str]:
    """The interactions the agent user holds now (offered, connected, wrapping)."""
    if user.agent_id is None or server.runtime.engine.agent(user.agent_id) is None:
        return []
    return [w.interaction_id for w in server.runtime.engine.work(user.agent_id)]


def _call_customers(server: Server, session: Session, calls: list[str]) -> set[int]:
    """The customers of `calls`: found by the IVR (the screen pop) or linked in the store."""
    found: set[int] = set()
    lookups = server.runtime.lookups
    for iid in calls:
        card = None if lookups is None else lookups.customer(iid)
        if card is not None and card.get("customer_id", "").isdigit():
            found.add(int(card["customer_id"]))
    if calls:
        found.update(c for c in session.scalars(
            select(InteractionRow.customer_id).where(InteractionRow.interaction_id.in_(calls)))
            if c is not None)
    return found


def _may(server: Server, session: Session, user: Principal, customer_id: int, *,
         write: bool) -> None:
    """403 unless `user` may read (staff) or change (admin) the customer, or is an agent
    holding a call of this customer."""
    if user.role == Role.ADMIN or (user.role == Role.SUPERVISOR and not write):
        return
    if user.role == Role.AGENT and customer_id in _call_customers(
            server, session, _held_calls(server, user)):
        return
    what = "change" if write else "read"
    raise HTTPException(status.HTTP_403_FORBIDDEN,
                        f"user {user.username!r} may not {what} this customer: not the "
                        "customer of a call it holds")


def _interaction(server: Server, user: Principal, interaction_id: str | None) -> str | None:
    """The call a change names; an agent may name only a call it holds."""
    if interaction_id is not None and user.role == Role.AGENT and \
            interaction_id not in _held_calls(server, user):
        raise InvalidField("interaction_id", f"interaction_id: {interaction_id!r} is not a "
                                             "call you hold")
    return interaction_id


def _core(build: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return build(*args, **kwargs)
    except InvalidCustomer as exc:
        raise InvalidField(exc.field, str(exc)) from None


@router.get("/customers", response_model=CustomerResults)
async def find_customers(
    server: ServerDep, _user: AnyUser,
    q: Annotated[str | None, Query(max_length=200, description="A name, number, e-mail, "
                                                               "account or external id")] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
    number: Annotated[str | None, Query(max_length=40)] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    external_id: Annotated[str | None, Query(max_length=100)] = None,
    account: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CustomerResults:
    """Customers matching every criterion given: a name containing `name` (any case), the
    phone `number` (any format), the e-mail address, external id or account; `q`
    matches any of them. By name; paged."""
    region = server.settings.default_region
    e164 = None
    if number is not None:
        try:
            e164 = normalize_number(number, region)
        except ValueError as exc:
            raise InvalidField("number", f"number: {exc}") from None
    text = q.strip() if q is not None else None

    def work(session: Session) -> CustomerResults:
        page = search_customers(session, name=name, number=e164, account=account,
                                email=email.strip().lower() if email else None,
                                external_id=external_id, text=text or None,
                                text_number=caller_number(text, region) if text else None,
                                offset=offset, limit=limit)
        return CustomerResults(items=[_summary(r) for r in page.items], total=page.total,
                               offset=offset, limit=limit)
    return await in_transaction(server, work)


@router.get("/customers/{customer_id}", response_model=Customer360)
async def read_customer(
    customer_id: CustomerId, server: ServerDep, user: AnyUser,
    interactions: Annotated[int, Query(ge=0, le=200)] = 20,
) -> Customer360:
    """The 360 view of one customer, with its latest `interactions` (staff: any
    customer; an agent: the customer of a call it holds)."""
    def work(session: Session) -> Customer360:
        row = get_customer(session, customer_id)
        _may(server, session, user, customer_id, write=False)
        return _view(session, row, interactions)
    return await in_transaction(server, work)


def _audited(row: CustomerRow) -> dict[str, Any]:
    return {"name": row.name, "language": row.language,
            "numbers": [n.number for n in row.numbers], "emails": [e.email for e in row.emails],
            "external_id": row.external_id, "recording_consent": row.recording_consent,
            "marketing_consent": row.marketing_consent, "fields": dict(row.fields)}


@router.patch("/customers/{customer_id}", response_model=Customer360)
async def change_customer(customer_id: CustomerId, body: CustomerChange, server: ServerDep,
                          user: AdminOrAgent) -> Customer360:
    """Change the values given (an admin: any customer; an agent: the customer of a call
    it holds). `numbers` and `emails` replace the lists; `fields` replaces the custom
    fields, checked against their definitions; a consent given or refused is dated now."""
    given = body.model_fields_set
    region = server.settings.default_region
    emails = _core(normalize_emails, body.emails) if body.emails is not None else None
    external_id = body.external_id.strip() or None if body.external_id is not None else None

    def work(session: Session) -> Customer360:
        row = get_customer(session, customer_id)
        _may(server, session, user, customer_id, write=True)
        call = _interaction(server, user, body.interaction_id)
        before = _audited(row)
        c = customer_of(row)
        numbers = c.numbers
        if body.numbers is not None:
            numbers = tuple(_number(raw, i, region) for i, raw in enumerate(body.numbers))
        changed = _core(Customer, body.name.strip() if body.name else c.name, numbers,
                        c.account, c.segment,
                        (body.language or None) if "language" in given else c.language,
                        c.priority, c.notes,
                        body.fields if body.fields is not None else c.fields)
        if body.fields is not None:
            _core(check_fields, field_definitions(session), changed.fields)
        if changed != c:
            replace_customer(session, customer_id, changed)
        if emails is not None:
            set_emails(session, customer_id, emails)
        if "external_id" in given:
            set_external_id(session, customer_id, external_id)
        now = utcnow()
        for consent in ("recording", "marketing"):
            if f"{consent}_consent" in given:
                set_consent(session, customer_id, consent,
                            getattr(body, f"{consent}_consent"), now)
        session.flush()
        session.refresh(row)
        after = _audited(row)
        if after != before:
            record(session, user, "update", "customer", str(customer_id), before,
                   {**after, "interaction_id": call})
        return _view(session, row)
    return await in_transaction(server, work)


def _number(raw: str, i: int, region: str) -> str:
    try:
        return normalize_number(raw, region)
    except ValueError as exc:
        raise InvalidField(f"numbers[{i}]", f"numbers[{i}]: {exc}") from None


@router.put("/customers/{customer_id}/addresses/{kind}", response_model=Customer360)
async def put_address(customer_id: CustomerId, kind: Kind, body: AddressIn,
                      server: ServerDep, user: AdminOrAgent) -> Customer360:
    """Set the customer's address of `kind`, writing its history (who, when, and during
    which call: `interaction_id`)."""
    address: Address = _core(Address, kind, body.street.strip(), body.postal_code.strip(),
                             body.city.strip(), body.region.strip(),
                             body.country.strip().upper())

    def work(session: Session) -> Customer360:
        row = get_customer(session, customer_id)
        _may(server, session, user, customer_id, write=True)
        call = _interaction(server, user, body.interaction_id)
        change = set_address(session, customer_id, kind, address, changed_by=user.username,
                             at=utcnow(), interaction_id=call)
        if change is not None:
            record(session, user, "address", "customer", str(customer_id),
                   {"kind": kind, "address": change.before},
                   {"kind": kind, "address": change.after, "interaction_id": call})
        return _view(session, row)
    return await in_transaction(server, work)


@router.delete("/customers/{customer_id}/addresses/{kind}", response_model=Customer360)
async def delete_address(
    customer_id: CustomerId, kind: Kind, server: ServerDep, user: AdminOrAgent,
    interaction_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> Customer360:
    """Remove the customer's address of `kind` (the history keeps it); without one,
    nothing changes."""
    def work(session: Session) -> Customer360:
        row = get_customer(session, customer_id)
        _may(server, session, user, customer_id, write=True)
        call = _interaction(server, user, interaction_id)
        change = set_address(session, customer_id, kind, None, changed_by=user.username,
                             at=utcnow(), interaction_id=call)
        if change is not None:
            record(session, user, "address", "customer", str(customer_id),
                   {"kind": kind, "address": change.before},
                   {"kind": kind, "address": None, "interaction_id": call})
        return _view(session, row)
    return await in_transaction(server, work)


@router.post("/customers/{customer_id}/merge/{other_id}", response_model=MergeResult)
async def merge_customer(customer_id: CustomerId, other_id: CustomerId, server: ServerDep,
                         user: Admin) -> MergeResult:
    """Merge customer `other_id` into this one: every interaction, case, order, rating
    and other link, the numbers, e-mail addresses and address history move here, values
    this one lacks are taken over, and `other_id` is deleted (409: the same customer)."""
    def work(session: Session) -> MergeResult:
        gone = _audited(get_customer(session, other_id))
        report = merge_customers(session, customer_id, other_id)
        record(session, user, "merge", "customer", str(customer_id),
               {"merged_id": other_id, "merged": gone},
               {"moved": report.moved, "dropped_addresses": list(report.dropped_addresses)})
        row = get_customer(session, customer_id)
        return MergeResult(customer=_view(session, row), merged_id=other_id,
                           moved=report.moved,
                           dropped_addresses=list(report.dropped_addresses))
    return await in_transaction(server, work)


@router.put("/agents/{agent_id}/work/{interaction_id}/customer", response_model=LinkResult)
async def link_call(agent_id: str, interaction_id: Annotated[str, Path(max_length=100)],
                    body: LinkBody, server: ServerDep, user: AgentOrStaff) -> LinkResult:
    """Link a call the agent holds to a customer (the agent chose the caller; null: to
    none). The desktop's screen pop shows the chosen customer from then on."""
    engine = server.runtime.engine
    if engine.agent(agent_id) is None:
        raise NotFound(f"no agent {agent_id!r}")
    if interaction_id not in [w.interaction_id for w in engine.work(agent_id)]:
        raise NotFound(f"agent {agent_id!r} holds no interaction {interaction_id!r}")

    def work(session: Session) -> LinkResult:
        row = None if body.customer_id is None else get_customer(session, body.customer_id)
        link_interaction(session, interaction_id, body.customer_id)
        record(session, user, "link", "interaction", interaction_id,
               after={"customer_id": body.customer_id, "agent_id": agent_id})
        return LinkResult(interaction_id=interaction_id,
                          customer=None if row is None else _summary(row))
    result = await in_transaction(server, work)
    if server.runtime.lookups is not None:
        c = result.customer
        server.runtime.lookups.choose(interaction_id, None if c is None else {
            "customer_id": str(c.id), "name": c.name, "account": c.account or "",
            "segment": c.segment})
    return result


def _definition_view(d: FieldDefinition) -> FieldDefinitionView:
    return FieldDefinitionView(name=d.name, label=d.label, kind=d.kind,
                               choices=list(d.choices), required=d.required)


@router.get("/admin/customer-fields", response_model=list[FieldDefinitionView])
async def list_customer_fields(server: ServerDep, _user: Admin) -> list[FieldDefinitionView]:
    """The custom field definitions, in their order."""
    return await in_transaction(server, lambda s: [_definition_view(d)
                                                   for d in field_definitions(s)])


@router.put("/admin/customer-fields/{name}", response_model=FieldDefinitionView)
async def put_customer_field(name: Annotated[str, Path(max_length=64)],
                             body: FieldDefinitionIn, server: ServerDep,
                             user: Admin) -> FieldDefinitionView:
    """Define (or redefine) the custom field `name`: the values customers give it from
    now on are checked against its kind."""
    d: FieldDefinition = _core(FieldDefinition, name, body.label.strip(), body.kind,
                               tuple(c.strip() for c in body.choices), body.required)

    def work(session: Session) -> FieldDefinitionView:
        _, added = put_field_definition(session, d, body.position)
        record(session, user, "create" if added else "update", "customer_field", name,
               after=_definition_view(d).model_dump())
        return _definition_view(d)
    return await in_transaction(server, work)


@router.delete("/admin/customer-fields/{name}", **NO_CONTENT)
async def delete_customer_field(name: Annotated[str, Path(max_length=64)], server: ServerDep,
                                user: Admin) -> None:
    """Delete a custom field definition (the values customers hold stay, unchecked)."""
    def work(session: Session) -> None:
        gone = delete_field_definition(session, name)
        record(session, user, "delete", "customer_field", name,
               before=_definition_view(gone).model_dump())
    await in_transaction(server, work)
