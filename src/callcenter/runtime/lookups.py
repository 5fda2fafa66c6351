"""The IVR's customer lookups, answered from a customer directory beside the driver.

A driver sink: for each `LookupCustomer` among the commands it starts a task that asks
the `Directory` and reports `LookupAnswered` back to the driver (`report`, which only
queues). The sink itself returns at once, so a slow database delays the one caller's
lookup, never the driver. A directory that fails answers `found=False` (logged and
counted); an answer after the IVR's timeout is ignored by the IVR.

It also remembers the customer a call's flow found, for the agent's screen pop:
`customer(call_id)` gives the `CARD` fields of the `customer.*` variables the call
queued with (`EnterQueue`), until its interaction is recorded (`RecordInteraction`) or
its queue refused it. An agent's choice (`choose`) replaces it.

And it links each call to its customer in the store (`Directory.link`): when the call's
interaction is first seen (`InteractionStateChanged`, stored before the sinks run) and
again when it is recorded, each time only if the interaction has no customer yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from callcenter.core.commands import InteractionStateChanged, RecordInteraction
from callcenter.core.ivr import EnterQueue, LookupAnswered, LookupCustomer, ReleaseCall
from callcenter.crm.directory import Directory
from callcenter.runtime.driver import DriverStopped

log = logging.getLogger(__name__)

CARD = ("customer_id", "name", "account", "segment")
"""The fields of a found customer an agent sees with the offer."""


class CustomerLookups:
    """Answers `LookupCustomer` from `directory` through `report` (see the module)."""

    def __init__(self, directory: Directory, report: Callable[[LookupAnswered], None]) -> None:
        self.directory = directory
        self._report = report
        self._tasks: set[asyncio.Task[None]] = set()
        self.answered = 0
        """Lookups answered (found or not)."""
        self.errors = 0
        """Lookups whose directory failed (answered not found)."""
        self._customers: dict[str, dict[str, str]] = {}
        self._linked: set[str] = set()
        self.links = 0
        """Links of calls to customers asked of the directory."""

    def customer(self, call_id: str) -> dict[str, str] | None:
        """The customer the call's flow found (`CARD` fields), while it is in the center."""
        found = self._customers.get(call_id)
        return None if found is None else dict(found)

    def choose(self, call_id: str, card: dict[str, str] | None) -> None:
        """The agent chose the call's customer (`CARD` fields; None: no customer)."""
        if card is None:
            self._customers.pop(call_id, None)
        else:
            self._customers[call_id] = {k: card.get(k, "") for k in CARD}
        self._linked.add(call_id)  # the store has the agent's choice

    def _start(self, work: Any, name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _link(self, call_id: str) -> None:
        found = self._customers.get(call_id)
        if found is None or not found.get("customer_id", "").isdigit():
            return
        self.links += 1
        self._start(self._do_link(call_id, int(found["customer_id"])), f"link-{call_id}")

    async def _do_link(self, call_id: str, customer_id: int) -> None:
        try:
            await self.directory.link(call_id, customer_id)
        except Exception:
            self.errors += 1
            log.exception("linking call %s to customer %s failed", call_id, customer_id)

    async def __call__(self, commands: Sequence[Any]) -> None:
        """The sink: start a lookup for every `LookupCustomer`; remember and forget the
        customers of queued calls."""
        for c in commands:
            if isinstance(c, LookupCustomer):
                self._start(self._answer(c), f"lookup-{c.call_id}")
            elif isinstance(c, EnterQueue):
                values = dict(c.variables)
                if "customer.customer_id" in values:
                    self._customers[c.call_id] = {k: values.get(f"customer.{k}", "")
                                                  for k in CARD}
            elif isinstance(c, InteractionStateChanged):
                if c.interaction_id not in self._linked and c.interaction_id in self._customers:
                    self._linked.add(c.interaction_id)
                    self._link(c.interaction_id)
            elif isinstance(c, RecordInteraction):
                iid = c.record.interaction_id
                if iid in self._customers and iid in self._linked:
                    self._link(iid)  # the row may have been stored only now
                self._customers.pop(iid, None)
                self._linked.discard(iid)
            elif isinstance(c, ReleaseCall) and c.reason == "queue_refused":
                self._customers.pop(c.call_id, None)
                self._linked.discard(c.call_id)

    async def _answer(self, c: LookupCustomer) -> None:
        try:
            fields = await self.directory.find(c.number, c.match)
        except Exception:
            self.errors += 1
            log.exception("customer lookup of %r (%s) failed", c.number, c.match)
            fields = None
        self.answered += 1
        with contextlib.suppress(DriverStopped):
            self._report(LookupAnswered(c.call_id, fields is not None, fields or ()))

    async def settled(self) -> None:
        """Wait for the lookups under way (tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel the lookups under way."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
