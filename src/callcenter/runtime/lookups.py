"""The IVR's customer lookups, answered from a customer directory beside the driver.

A driver sink: for each `LookupCustomer` among the commands it starts a task that asks
the `Directory` and reports `LookupAnswered` back to the driver (`report`, which only
queues). The sink itself returns at once, so a slow database delays the one caller's
lookup, never the driver. A directory that fails answers `found=False` (logged and
counted); an answer after the IVR's timeout is ignored by the IVR.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from callcenter.core.ivr import LookupAnswered, LookupCustomer
from callcenter.crm.directory import Directory
from callcenter.runtime.driver import DriverStopped

log = logging.getLogger(__name__)


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

    async def __call__(self, commands: Sequence[Any]) -> None:
        """The sink: start a lookup for every `LookupCustomer`."""
        for c in commands:
            if isinstance(c, LookupCustomer):
                task = asyncio.create_task(self._answer(c), name=f"lookup-{c.call_id}")
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

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
