"""The store's customer directory as the IVR's lookups ask it, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Engine

from callcenter.core.customers import make_customer
from callcenter.crm.directory import StoreDirectory
from callcenter.store import session_factory
from callcenter.store.customers import add_customer


@pytest.fixture
def directory(engine: Engine) -> StoreDirectory:
    """A directory of one customer, Ada (+49301234567, +491701234567, account K-1001)."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        add_customer(session, make_customer(
            "Ada Lovelace", ["030 1234567", "0170 1234567"], region="DE", account="K-1001",
            segment="vip", language="de", priority=5, fields={"tier": "gold"}))
    return StoreDirectory(sessions, "DE")


def test_a_number_in_any_form_finds_the_customer(directory: StoreDirectory) -> None:
    """Each of a customer's numbers, national or international, finds all its fields."""
    for written in ("+49301234567", "030 1234567", "+49 170 1234567"):
        fields = asyncio.run(directory.find(written, "number"))
        assert fields is not None
        assert dict(fields) | {"customer_id": "-"} == {
            "customer_id": "-", "name": "Ada Lovelace", "account": "K-1001",
            "segment": "vip", "language": "de", "priority": "5", "custom.tier": "gold"}


def test_an_account_is_found_only_when_asked_for(directory: StoreDirectory) -> None:
    """`K-1001` finds Ada as an account, and nobody as a phone number."""
    assert asyncio.run(directory.find("K-1001", "account")) is not None
    assert asyncio.run(directory.find("K-1001", "number")) is None
    assert asyncio.run(directory.find("+49301234567", "account")) is None


def test_unknown_or_anonymous_callers_find_nobody(directory: StoreDirectory) -> None:
    """Another number, an anonymous caller and an empty account find nobody."""
    for value, match in (("+4940555666", "number"), ("anonymous", "number"), (" ", "account")):
        assert asyncio.run(directory.find(value, match)) is None


def test_a_directory_needs_a_known_region(engine: Engine) -> None:
    """A region that is no country code is refused when the directory is made."""
    with pytest.raises(ValueError, match="region: a two-letter country code"):
        StoreDirectory(session_factory(engine), "Germany")
