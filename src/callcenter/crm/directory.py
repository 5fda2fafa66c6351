"""The customer directory as the runtime asks it: `find(value, match)` gives a customer's
lookup fields (`core.customers.lookup_fields`) or None.

- `StoreDirectory(sessions, region)`: the store's `customers` table, read in a worker
  thread so the event loop never waits on the database.
- `MemoryDirectory(customers, region)`: the same answers from a dict, for tests and
  runtimes without a store.

`link(interaction_id, customer_id)` links a call to the customer its flow found (only a
call not linked yet: an agent's choice stays).

`match` is `number` (the value is a phone number as the caller's line or keys gave it,
normalized to E.164 against `region`; a value that is no valid number finds nobody) or
`account` (the value is an account number, compared as written).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.customers import Customer, caller_number, check_region, lookup_fields
from callcenter.store.customer_profile import link_interaction
from callcenter.store.customers import lookup_customer

Fields = tuple[tuple[str, str], ...]


class Directory(Protocol):
    """Finds a customer for the IVR's `LookupCustomer`."""

    async def find(self, value: str, match: str) -> Fields | None:
        """The customer's lookup fields, or None when no customer matches."""
        ...

    async def link(self, interaction_id: str, customer_id: int) -> None:
        """Link the stored interaction to the customer, unless it has one already."""
        ...


def _key(value: str, match: str, region: str) -> tuple[str | None, str | None]:
    """(E.164 number, account) to look for; both None when `value` can match nobody."""
    if match == "account":
        account = value.strip()
        return None, account or None
    if match != "number":
        raise ValueError(f"match: is 'number' or 'account', got {match!r}")
    return caller_number(value, region), None


class StoreDirectory:
    """The store's customers (see the module's docstring)."""

    def __init__(self, sessions: sessionmaker[Session], region: str) -> None:
        self.sessions = sessions
        self.engine: Engine = sessions.kw["bind"]
        self.region = check_region(region)

    async def find(self, value: str, match: str) -> Fields | None:
        """The matching stored customer's fields (read in a worker thread), or None."""
        number, account = _key(value, match, self.region)
        if number is None and account is None:
            return None
        return await asyncio.to_thread(self._find, number, account)

    def _find(self, number: str | None, account: str | None) -> Fields | None:
        with self.engine.connect() as connection:
            found = lookup_customer(connection, number=number, account=account)
            return None if found is None else lookup_fields(*found)

    async def link(self, interaction_id: str, customer_id: int) -> None:
        """Set the interaction's `customer_id` if it has none (in a worker thread)."""
        await asyncio.to_thread(self._link, interaction_id, customer_id)

    def _link(self, interaction_id: str, customer_id: int) -> None:
        with self.sessions.begin() as session:
            link_interaction(session, interaction_id, customer_id, only_unlinked=True)


class MemoryDirectory:
    """Customers by id in a dict (see the module's docstring)."""

    def __init__(self, customers: Mapping[int, Customer] | None = None,
                 region: str = "US") -> None:
        self.customers = dict(customers or {})
        self.region = check_region(region)
        self.links: dict[str, int] = {}
        """The customer of each linked interaction."""

    async def find(self, value: str, match: str) -> Fields | None:
        """The matching customer's fields, or None."""
        number, account = _key(value, match, self.region)
        for customer_id, c in sorted(self.customers.items()):
            if (number is not None and number in c.numbers) or \
                    (account is not None and account == c.account):
                return lookup_fields(customer_id, c)
        return None

    async def link(self, interaction_id: str, customer_id: int) -> None:
        """Remember the link, unless the interaction has one already."""
        self.links.setdefault(interaction_id, customer_id)
