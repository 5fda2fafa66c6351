"""The IVR's customer lookups, answered from a customer directory beside the driver.

A driver sink: for each `LookupCustomer` among the commands it starts a task that asks
the `Directory` and reports `LookupAnswered` back to the driver (`report`, which only
queues). The sink itself returns at once, so a slow database delays the one caller's
lookup, never the driver. A directory that fails answers `found=False` (logged and
counted); an answer after the IVR's timeout is ignored by the IVR.

It also remembers the customer a call's flow found, for the agent's screen pop:
`customer(call_id)` gives the `CARD` fields of the `customer.*` variables the call
queued with (`EnterQueue`), until its interaction is recorded (`RecordInteraction`) or
its queue refused it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from callcenter.core.commands import RecordInteraction
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

    def customer(self, call_id: str) -> dict[str, str] | None:
        """The customer the call's flow found (`CARD` fields), while it is in the center."""
        found = self._customers.get(call_id)
        return None if found is None else dict(found)

    async def __call__(self, commands: Sequence[Any]) -> None:
        """The sink: start a lookup for every `LookupCustomer`; remember and forget the
        customers of queued calls."""
        for c in commands:
            if isinstance(c, LookupCustomer):
                task = asyncio.create_task(self._answer(c), name=f"lookup-{c.call_id}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            elif isinstance(c, EnterQueue):
                values = dict(c.variables)
                if "customer.customer_id" in values:
                    self._customers[c.call_id] = {k: values.get(f"customer.{k}", "")
                                                  for k in CARD}
            elif isinstance(c, RecordInteraction):
                self._customers.pop(c.record.interaction_id, None)
            elif isinstance(c, ReleaseCall) and c.reason == "queue_refused":
                self._customers.pop(c.call_id, None)

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
