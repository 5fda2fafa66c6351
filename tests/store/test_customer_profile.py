"""A customer's profile in the store: address history, e-mails, consent, links, merges;
on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.core.customer_profile import Address
from callcenter.core.customers import Customer
from callcenter.crm.customer_merge import linked_tables, merge_customers
from callcenter.store import Conflict, NotFound
from callcenter.store.customer_profile import (
    address_history,
    addresses,
    customer_interactions,
    link_interaction,
    set_address,
    set_consent,
    set_emails,
    set_external_id,
)
from callcenter.store.customers import (
    add_customer,
    find_customer,
    get_customer,
    search_customers,
)
from callcenter.store.models import CaseRow, CustomerRow, InteractionRow

T1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOME = Address("home", "1 Main St", "10115", "Berlin", country="DE")
MOVED = Address("home", "9 Side St", "20095", "Hamburg", country="DE")


def _interaction(session: Session, iid: str, arrived_at: float,
                 customer_id: int | None = None) -> None:
    session.add(InteractionRow(interaction_id=iid, channel="voice", queue_id="q",
                               first_queue_id="q", priority=0, arrived_at=arrived_at,
                               state="completed", open=False, customer_id=customer_id,
                               notes=f"notes of {iid}"))
    session.flush()


def test_an_address_change_writes_who_when_and_in_which_call(session: Session) -> None:
    """Setting then changing an address leaves two history rows, newest first, each with
    the values before and after, the user, the time and the interaction."""
    cid = add_customer(session, Customer("Ada")).id
    set_address(session, cid, "home", HOME, changed_by="admin", at=T1)
    set_address(session, cid, "home", MOVED, changed_by="agent1", at=T2, interaction_id="ix-7")
    session.commit()
    history = address_history(session, cid)
    assert [(h.before, h.after, h.changed_by, h.changed_at, h.interaction_id)
            for h in history] == [
        (HOME.values(), MOVED.values(), "agent1", T2, "ix-7"),
        (None, HOME.values(), "admin", T1, None)]
    assert [(a.kind, a.city) for a in addresses(session, cid)] == [("home", "Hamburg")]


def test_an_unchanged_address_writes_no_history(session: Session) -> None:
    """Setting the address it already has changes nothing and adds no history row."""
    cid = add_customer(session, Customer("Ada")).id
    set_address(session, cid, "home", HOME, changed_by="admin", at=T1)
    assert set_address(session, cid, "home", HOME, changed_by="admin", at=T2) is None
    assert len(address_history(session, cid)) == 1


def test_removing_an_address_keeps_it_in_the_history(session: Session) -> None:
    """A removed address is gone from the current ones and its values stay in the history."""
    cid = add_customer(session, Customer("Ada")).id
    set_address(session, cid, "home", HOME, changed_by="admin", at=T1)
    set_address(session, cid, "home", None, changed_by="admin", at=T2)
    assert addresses(session, cid) == []
    assert (address_history(session, cid)[0].before, address_history(session, cid)[0].after) \
        == (HOME.values(), None)


def test_an_email_belongs_to_one_customer(session: Session) -> None:
    """A second customer given the first one's e-mail address is refused."""
    ada = add_customer(session, Customer("Ada")).id
    bob = add_customer(session, Customer("Bob")).id
    set_emails(session, ada, ["ada@example.org"])
    with pytest.raises(Conflict, match=f"already belongs to customer {ada}"):
        set_emails(session, bob, ["ada@example.org"])


def test_search_by_email_external_id_and_any_text(session: Session) -> None:
    """A customer is found by e-mail, by external id, and by either as free text."""
    ada = add_customer(session, Customer("Ada", ("+49301234567",))).id
    add_customer(session, Customer("Bob"))
    set_emails(session, ada, ["ada@example.org"])
    set_external_id(session, ada, "CRM-1")
    assert [r.id for r in search_customers(session, email="ada@example.org").items] == [ada]
    assert [r.id for r in search_customers(session, external_id="CRM-1").items] == [ada]
    for text in ("CRM-1", "ADA@example.org", "ad"):
        assert [r.id for r in search_customers(session, text=text).items] == [ada]
    assert [r.id for r in search_customers(session, text="030 1234567",
                                           text_number="+49301234567").items] == [ada]


def test_a_consent_is_dated_when_it_changes(session: Session) -> None:
    """A consent given keeps the time it was given; giving it again keeps that time."""
    cid = add_customer(session, Customer("Ada")).id
    assert set_consent(session, cid, "marketing", True, T1)
    assert not set_consent(session, cid, "marketing", True, T2)
    row = get_customer(session, cid)
    assert (row.marketing_consent, row.marketing_consent_at, row.recording_consent) \
        == (True, T1, None)


def test_an_ivr_link_does_not_replace_a_chosen_customer(session: Session) -> None:
    """Linking only an unlinked interaction leaves the customer an agent chose."""
    ada = add_customer(session, Customer("Ada")).id
    bob = add_customer(session, Customer("Bob")).id
    _interaction(session, "ix-1", 10.0)
    assert link_interaction(session, "ix-1", bob)
    assert not link_interaction(session, "ix-1", ada, only_unlinked=True)
    assert [i.interaction_id for i in customer_interactions(session, bob)] == ["ix-1"]


def test_merge_moves_every_link_and_the_history(session: Session) -> None:
    """Merging moves the interactions, cases, numbers, e-mails and address history of the
    merged customer, takes values the kept one lacks, and deletes the merged one."""
    keep = add_customer(session, Customer("Ada", ("+49301234567",))).id
    gone = add_customer(session, Customer("Ada L.", ("+49401234567",), account="K-2",
                                          language="de", fields={"tier": "gold"})).id
    set_emails(session, gone, ["ada@example.org"])
    set_address(session, keep, "home", HOME, changed_by="admin", at=T1)
    set_address(session, gone, "home", MOVED, changed_by="admin", at=T1)
    set_address(session, gone, "billing", Address("billing", city="Bonn"),
                changed_by="agent1", at=T2, interaction_id="ix-2")
    _interaction(session, "ix-1", 10.0, keep)
    _interaction(session, "ix-2", 20.0, gone)
    session.add(CaseRow(type_id="t", priority="normal", status="new", subject="s",
                        description="", customer_id=gone, created_at=0.0, created_by="a",
                        updated_at=0.0))
    session.commit()
    report = merge_customers(session, keep, gone)
    session.commit()
    session.expunge_all()
    assert report.moved == {"cases": 1, "customer_address_history": 2,
                            "customer_addresses": 1, "customer_emails": 1,
                            "customer_numbers": 1, "interactions": 1}
    assert report.dropped_addresses == ("home",)
    assert session.get(CustomerRow, gone) is None
    row = get_customer(session, keep)
    assert [n.number for n in row.numbers] == ["+49301234567", "+49401234567"]
    assert [e.email for e in row.emails] == ["ada@example.org"]
    assert (row.name, row.account, row.language, row.fields) == ("Ada", "K-2", "de",
                                                                 {"tier": "gold"})
    assert [i.interaction_id for i in customer_interactions(session, keep)] == ["ix-2", "ix-1"]
    assert [(a.kind, a.city) for a in addresses(session, keep)] == [("billing", "Bonn"),
                                                                    ("home", "Berlin")]
    assert len(address_history(session, keep)) == 3
    assert session.scalar(select(CaseRow.customer_id)) == keep
    assert find_customer(session, number="+49401234567") is row


def test_merge_finds_every_customer_id_column() -> None:
    """The tables a merge moves are those of the metadata with a customer_id column."""
    names = {t.name for t in linked_tables()}
    assert {"interactions", "cases", "csat_ratings", "customer_numbers", "customer_emails",
            "customer_addresses", "customer_address_history"} <= names
    assert "customers" not in names


def test_merge_refuses_one_customer_twice_and_a_missing_one(session: Session) -> None:
    """A customer is not merged into itself, nor with one that does not exist."""
    cid = add_customer(session, Customer("Ada")).id
    with pytest.raises(Conflict):
        merge_customers(session, cid, cid)
    with pytest.raises(NotFound):
        merge_customers(session, cid, cid + 1)
