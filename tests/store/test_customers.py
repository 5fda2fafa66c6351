"""The customer directory in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from callcenter.core.customers import Customer, make_customer
from callcenter.store import Conflict, NotFound
from callcenter.store.customers import (
    add_customer,
    add_customers,
    customer_of,
    delete_customer,
    find_customer,
    get_customer,
    replace_customer,
    search_customers,
)
from callcenter.store.models import CustomerNumberRow

ADA = make_customer("Ada Lovelace", ["030 1234567", "+49 170 1234567"], region="DE",
                    account="K-1001", segment="vip", language="de", priority=5,
                    notes="prefers mornings", fields={"tier": "gold", "since": "2019"})


def test_a_customer_round_trips(session: Session) -> None:
    """Every value of a stored customer, its numbers in order, comes back as stored."""
    customer_id = add_customer(session, ADA).id
    session.commit()
    session.expunge_all()
    back = get_customer(session, customer_id)
    assert customer_of(back) == ADA
    assert back.created_at.tzinfo is not None


def test_a_number_belongs_to_one_customer(session: Session) -> None:
    """A second customer with a number the first has is refused with a Conflict naming it."""
    first = add_customer(session, ADA)
    with pytest.raises(Conflict, match=rf"number \+491701234567 already belongs to customer "
                                       rf"{first.id}"):
        add_customer(session, Customer("Bob", ("+491701234567",)))


def test_an_account_belongs_to_one_customer(session: Session) -> None:
    """A second customer with the first one's account is refused."""
    add_customer(session, ADA)
    with pytest.raises(Conflict, match="account 'K-1001' already belongs"):
        add_customer(session, Customer("Bob", account="K-1001"))


def test_find_by_number_or_account(session: Session) -> None:
    """A customer is found by any of its numbers and by its account; others find nothing."""
    row = add_customer(session, ADA)
    assert find_customer(session, number="+491701234567") is row
    assert find_customer(session, number="+49301234567") is row
    assert find_customer(session, account="K-1001") is row
    assert find_customer(session, number="+49309999999") is None
    assert find_customer(session, account="K-9") is None


def test_replace_changes_values_and_numbers(session: Session) -> None:
    """Replacing a customer keeps its id, swaps its numbers, and frees the dropped ones."""
    customer_id = add_customer(session, ADA).id
    changed = Customer("Ada King", ("+491701234567", "+4940555666"), account="K-1001")
    replace_customer(session, customer_id, changed)
    session.commit()
    session.expunge_all()
    assert customer_of(get_customer(session, customer_id)) == changed
    assert find_customer(session, number="+49301234567") is None
    add_customer(session, Customer("Carol", ("+49301234567",)))  # the freed number


def test_replace_refuses_another_customers_number(session: Session) -> None:
    """A replacement that takes another customer's number is a Conflict."""
    add_customer(session, ADA)
    bob = add_customer(session, Customer("Bob", ("+4940555666",)))
    with pytest.raises(Conflict, match="already belongs"):
        replace_customer(session, bob.id, Customer("Bob", ("+49301234567",)))


def test_delete_removes_the_numbers(session: Session) -> None:
    """Deleting a customer deletes its numbers; a second delete is NotFound."""
    customer_id = add_customer(session, ADA).id
    delete_customer(session, customer_id)
    session.commit()
    assert session.scalar(select(func.count()).select_from(CustomerNumberRow)) == 0
    with pytest.raises(NotFound, match=f"no customer {customer_id}"):
        delete_customer(session, customer_id)


def test_search_by_name_number_and_account(session: Session) -> None:
    """Search matches part of a name in any case, an exact number, an exact account."""
    add_customer(session, ADA)
    add_customer(session, Customer("Adam Smith", ("+4940555666",), account="K-2"))
    add_customer(session, Customer("Grace Hopper"))
    assert [r.name for r in search_customers(session, name="ADA").items] == [
        "Ada Lovelace", "Adam Smith"]
    assert [r.name for r in search_customers(session, number="+4940555666").items] == [
        "Adam Smith"]
    assert search_customers(session, account="K-1001").items[0].name == "Ada Lovelace"
    page = search_customers(session, offset=1, limit=1)
    assert page.total == 3 and [r.name for r in page.items] == ["Adam Smith"]


def test_search_by_name_treats_wildcards_as_text(session: Session) -> None:
    """A '%' or '_' in the searched name matches only itself."""
    add_customer(session, Customer("100% Solar"))
    add_customer(session, Customer("Solar Inc"))
    assert [r.name for r in search_customers(session, name="0% s").items] == ["100% Solar"]
    assert search_customers(session, name="_").total == 0


def test_add_many_is_all_or_nothing(session: Session) -> None:
    """One customer whose number is stored already refuses the whole list, naming it."""
    add_customer(session, ADA)
    batch = [Customer("New One", ("+4940111222",)), Customer("Dup", ("+49301234567",)),
             Customer("Dup account", account="K-1001")]
    refused = add_customers(session, batch)
    assert [i for i, _ in refused] == [1, 2]
    assert search_customers(session).total == 1
    assert add_customers(session, batch[:1]) == []
    assert search_customers(session).total == 2
