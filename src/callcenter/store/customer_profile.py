"""A customer's profile in the store beyond the directory (`store.customers`): e-mail
addresses, external id, consent, postal addresses with the history of their changes,
the custom field definitions, and the interactions linked to a customer.

Repository functions over a `Session`; they flush but never commit. Times of changes
are passed in (`at`), so callers decide the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from callcenter.core.customer_profile import Address, FieldDefinition
from callcenter.store.customers import get_customer
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import (
    CustomerAddressHistoryRow,
    CustomerAddressRow,
    CustomerEmailRow,
    CustomerFieldRow,
    CustomerRow,
    InteractionRow,
)

CONSENTS = ("recording", "marketing")
"""The consents a customer gives or refuses, each with the time it was recorded."""


def set_emails(session: Session, customer_id: int, emails: Sequence[str]) -> None:
    """Replace the customer's e-mail addresses (normalized already); `Conflict` if one
    belongs to another customer."""
    row = get_customer(session, customer_id)
    if emails:
        owners = session.execute(select(CustomerEmailRow.email, CustomerEmailRow.customer_id)
                                 .where(CustomerEmailRow.email.in_(emails))).all()
        for email, owner in sorted(owners):
            if owner != customer_id:
                raise Conflict(f"e-mail {email} already belongs to customer {owner}")
    row.emails.clear()
    session.flush()
    row.emails = [CustomerEmailRow(email=e, position=i) for i, e in enumerate(emails)]
    session.flush()


def set_external_id(session: Session, customer_id: int, external_id: str | None) -> None:
    """Set the customer's external id; `Conflict` if another customer has it."""
    row = get_customer(session, customer_id)
    if external_id is not None:
        holder = session.scalar(select(CustomerRow.id)
                                .where(CustomerRow.external_id == external_id))
        if holder is not None and holder != customer_id:
            raise Conflict(f"external id {external_id!r} already belongs to customer {holder}")
    row.external_id = external_id
    session.flush()


def set_consent(session: Session, customer_id: int, consent: str, given: bool | None,
                at: datetime) -> bool:
    """Record the customer's `consent` (`CONSENTS`) as given, refused, or unknown (None)
    at `at`; True if it changed (the time moves only then)."""
    if consent not in CONSENTS:
        raise ValueError(f"consent: one of {CONSENTS}, got {consent!r}")
    row = get_customer(session, customer_id)
    if getattr(row, f"{consent}_consent") is given:
        return False
    setattr(row, f"{consent}_consent", given)
    setattr(row, f"{consent}_consent_at", None if given is None else at)
    session.flush()
    return True


def addresses(session: Session, customer_id: int) -> list[CustomerAddressRow]:
    """The customer's current addresses, by kind."""
    return list(session.scalars(select(CustomerAddressRow)
                                .where(CustomerAddressRow.customer_id == customer_id)
                                .order_by(CustomerAddressRow.kind)))


def address_values(row: CustomerAddressRow) -> dict[str, str]:
    """An address row's values as `Address.values()` gives them."""
    return {"street": row.street, "postal_code": row.postal_code, "city": row.city,
            "region": row.region, "country": row.country}


def set_address(session: Session, customer_id: int, kind: str, address: Address | None, *,
                changed_by: str, at: datetime,
                interaction_id: str | None = None) -> CustomerAddressHistoryRow | None:
    """Set (or with None remove) the customer's address of `kind`, writing a history row
    of the change: its values before and after, who (`changed_by`), when (`at`), and
    in which interaction. None when nothing changed (no history row then)."""
    get_customer(session, customer_id)
    if address is not None and address.kind != kind:
        raise ValueError(f"address of kind {address.kind!r} given for {kind!r}")
    row = session.scalar(select(CustomerAddressRow).where(
        CustomerAddressRow.customer_id == customer_id, CustomerAddressRow.kind == kind))
    before = None if row is None else address_values(row)
    after = None if address is None else address.values()
    if before == after:
        return None
    if address is None:
        assert row is not None
        session.delete(row)
    else:
        if row is None:
            row = CustomerAddressRow(customer_id=customer_id, kind=kind)
            session.add(row)
        row.street, row.postal_code, row.city = address.street, address.postal_code, \
            address.city
        row.region, row.country, row.updated_at = address.region, address.country, at
    change = CustomerAddressHistoryRow(customer_id=customer_id, kind=kind, before=before,
                                       after=after, changed_by=changed_by, changed_at=at,
                                       interaction_id=interaction_id)
    session.add(change)
    session.flush()
    return change


def address_history(session: Session, customer_id: int,
                    limit: int = 100) -> list[CustomerAddressHistoryRow]:
    """The customer's address changes, newest first."""
    return list(session.scalars(
        select(CustomerAddressHistoryRow)
        .where(CustomerAddressHistoryRow.customer_id == customer_id)
        .order_by(CustomerAddressHistoryRow.changed_at.desc(),
                  CustomerAddressHistoryRow.id.desc()).limit(limit)))


def field_definitions(session: Session) -> list[FieldDefinition]:
    """The custom field definitions, in their order."""
    return [definition_of(r) for r in session.scalars(
        select(CustomerFieldRow).order_by(CustomerFieldRow.position, CustomerFieldRow.name))]


def definition_of(row: CustomerFieldRow) -> FieldDefinition:
    """The row as a `FieldDefinition`."""
    return FieldDefinition(row.name, row.label, row.kind, tuple(row.choices), row.required)


def put_field_definition(session: Session, d: FieldDefinition,
                         position: int | None = None) -> tuple[CustomerFieldRow, bool]:
    """Add or replace the definition named `d.name`; (row, True if it was added)."""
    row = session.get(CustomerFieldRow, d.name)
    added = row is None
    if row is None:
        last = session.scalar(select(CustomerFieldRow.position)
                              .order_by(CustomerFieldRow.position.desc()).limit(1))
        row = CustomerFieldRow(name=d.name, position=(last + 1) if last is not None else 0)
        session.add(row)
    row.label, row.kind, row.choices, row.required = d.label, d.kind, list(d.choices), \
        d.required
    if position is not None:
        row.position = position
    session.flush()
    return row, added


def delete_field_definition(session: Session, name: str) -> FieldDefinition:
    """Delete a definition (the values customers hold stay, as free text); `NotFound`."""
    row = session.get(CustomerFieldRow, name)
    if row is None:
        raise NotFound(f"no custom field {name!r}")
    gone = definition_of(row)
    session.delete(row)
    session.flush()
    return gone


def link_interaction(session: Session, interaction_id: str, customer_id: int | None, *,
                     only_unlinked: bool = False) -> bool:
    """Link the interaction to the customer (None: unlink); with `only_unlinked` only
    an interaction without a customer yet. True if a stored interaction changed."""
    query = update(InteractionRow).where(InteractionRow.interaction_id == interaction_id)
    if only_unlinked:
        query = query.where(InteractionRow.customer_id.is_(None))
    result = session.execute(query.values(customer_id=customer_id)
                             .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def customer_interactions(session: Session, customer_id: int,
                          limit: int = 20) -> list[InteractionRow]:
    """The customer's interactions, the latest first."""
    return list(session.scalars(select(InteractionRow)
                                .where(InteractionRow.customer_id == customer_id)
                                .order_by(InteractionRow.arrived_at.desc(),
                                          InteractionRow.interaction_id).limit(limit)))


def drop_addresses(session: Session, customer_id: int, kinds: Sequence[str]) -> int:
    """Delete the customer's addresses of `kinds` (no history: a merge's clash)."""
    if not kinds:
        return 0
    result = session.execute(delete(CustomerAddressRow).where(
        CustomerAddressRow.customer_id == customer_id, CustomerAddressRow.kind.in_(kinds)))
    return int(getattr(result, "rowcount", 0) or 0)


def linked_cards(session: Session, interaction_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """The screen-pop card (`customer_id`, `name`, `account`, `segment`) of the customer
    linked to each of the interactions that has one."""
    if not interaction_ids:
        return {}
    rows = session.execute(
        select(InteractionRow.interaction_id, CustomerRow.id, CustomerRow.name,
               CustomerRow.account, CustomerRow.segment)
        .join(CustomerRow, CustomerRow.id == InteractionRow.customer_id)
        .where(InteractionRow.interaction_id.in_(interaction_ids)))
    return {iid: {"customer_id": str(cid), "name": name, "account": account or "",
                  "segment": segment} for iid, cid, name, account, segment in rows}
