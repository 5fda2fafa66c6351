"""A persistence sink that never drops a batch: what the store fails to take is kept,
journaled and retried, in order.

    durable = DurableSink(store_sink, journal=Journal.open(path), again=store_sink.again)
    await durable.replay()        # at start, before reconciliation: the last run's backlog
    driver = EngineDriver(engine, clock, durable, backlog=durable)

Each batch of commands goes to the store (`store`). While nothing is waiting, that is
all. When the store fails (unreachable, locked, full), the batch is **kept**: added
to the in-memory backlog and appended to the journal (`callcenter.runtime.journal`,
synced to disk), and a retry task writes the backlog to the store (`again`: the
store's idempotent write), oldest first, waiting longer after each failure
(`Backoff`), until it is empty. Every later batch goes behind it, in order, never
past it: while a backlog exists no batch goes straight to the store.

A kept batch that is in the journal is durable, so the call returns normally (the
driver acknowledges it). If the journal cannot be written either (or there is
none) the batch is still kept in memory and retried, but the call raises
`NotStored`: the driver answers its callers 503 (the engine did apply the change,
and it will be stored once the store is back, unless the process dies first).

While the backlog is not empty the sink is `degraded`; the driver then refuses new
work (`EngineDriver.submit` raises `Degraded`, new calls are turned away) and
listeners (`on_change`) hear when it starts and ends. `replay()` stores what a
previous process left in the journal (it died degraded): through `again`, so a
batch stored just before the crash, whose `stored` mark was never written, is
stored again without a second copy of anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from callcenter.core.commands import Command
from callcenter.runtime.journal import Journal

log = logging.getLogger(__name__)

StoreWrite = Callable[[list[Command]], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class NotStored(Exception):
    """The store failed and the journal could not take the batch: kept in memory only."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Seconds to wait before retry `n` (0, 1, ...): `first * factor**n`, at most `most`."""

    first: float = 0.1
    factor: float = 2.0
    most: float = 5.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after `attempt` failed retries."""
        return float(min(self.most, self.first * self.factor ** min(attempt, 64)))


@dataclass(frozen=True, slots=True)
class Health:
    """The sink's state, as `/health`, `/metrics` and the wallboard show it."""

    degraded: bool
    batches: int
    """Batches kept, waiting for the store."""
    commands: int
    """Commands in those batches."""


@dataclass
class DurableStats:
    """Counters for `/metrics` and tests."""

    failures: int = 0
    """Writes the store refused (first tries and retries)."""
    kept: int = 0
    """Batches kept for a retry."""
    stored_late: int = 0
    """Kept batches the store took later."""
    replayed: int = 0
    """Batches stored from the journal at start."""
    journal_errors: int = 0
    """Kept batches the journal could not take (kept in memory only)."""


class _Kept:
    __slots__ = ("commands", "seq", "stored")

    def __init__(self, commands: list[Command]) -> None:
        self.commands = commands
        self.seq: int | None = None
        """Its number in the journal, once written there."""
        self.stored = False
        """The store took it (the retry may, while the journal is being written)."""


class DurableSink:
    """Stores batches through `store`; keeps, journals and retries what it fails to take."""

    def __init__(self, store: StoreWrite, *, journal: Journal | None = None,
                 again: StoreWrite | None = None, backoff: Backoff | None = None,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._store = store
        self._again = again or store
        self._journal = journal
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._backlog: deque[_Kept] = deque()
        self._retrying: asyncio.Task[None] | None = None
        self.stats = DurableStats()
        self.on_change: list[Callable[[Health], None]] = []
        """Called with the new `health()` when the sink becomes degraded and when it
        recovers (on the event loop)."""

    # ------------------------------------------------------------------ state

    @property
    def degraded(self) -> bool:
        """True while batches wait for the store."""
        return bool(self._backlog)

    def health(self) -> Health:
        """Degraded or not, and the size of the backlog."""
        return Health(bool(self._backlog), len(self._backlog),
                      sum(len(k.commands) for k in self._backlog))

    async def settled(self) -> None:
        """Wait until the backlog is empty (the retry task is done)."""
        while self._retrying is not None:
            await asyncio.shield(self._retrying)

    # ------------------------------------------------------------------ writing

    async def __call__(self, commands: list[Command]) -> None:
        if not self._backlog:
            try:
                await self._store(commands)
                return
            except Exception as exc:
                self.stats.failures += 1
                log.warning("storing %d commands failed, keeping them for a retry: %s",
                            len(commands), exc)
        await self._keep(list(commands))

    async def _keep(self, commands: list[Command]) -> None:
        was = self.degraded
        kept = _Kept(commands)
        self._backlog.append(kept)  # in order, before any await: nothing passes it
        self.stats.kept += 1
        if self._retrying is None:
            self._retrying = asyncio.create_task(self._retry(), name="store-retry")
        if not was:
            self._announce()
        if self._journal is None:
            raise NotStored("the change could not be stored (kept in memory and retried)")
        try:
            kept.seq = await asyncio.to_thread(self._journal.append, commands)
            if kept.stored:  # the retry stored it meanwhile: no replay of it
                await self._mark(kept.seq)
        except Exception as exc:
            self.stats.journal_errors += 1
            log.error("journaling %d commands failed (kept in memory): %s", len(commands), exc)
            raise NotStored("the change could not be stored; it is kept in memory and "
                            f"retried, but not journaled: {exc}") from exc

    async def _retry(self) -> None:
        attempt = 0
        try:
            while self._backlog:
                kept = self._backlog[0]
                try:
                    await self._again(kept.commands)
                except Exception as exc:
                    self.stats.failures += 1
                    delay = self._backoff.delay(attempt)
                    attempt += 1
                    log.warning("storing the oldest of %d kept batches failed (try %d), "
                                "next try in %.2f s: %s", len(self._backlog), attempt, delay,
                                exc)
                    await self._sleep(delay)
                    continue
                attempt = 0
                self._backlog.popleft()
                kept.stored = True
                self.stats.stored_late += 1
                if kept.seq is not None and self._journal is not None:
                    await self._mark(kept.seq)
        finally:
            self._retrying = None
        log.warning("the store took every kept batch: no longer degraded")
        self._announce()

    async def _mark(self, seq: int) -> None:
        assert self._journal is not None
        try:
            await asyncio.to_thread(self._journal.stored, seq)
        except Exception as exc:  # stored anyway; a replay would only write it again
            self.stats.journal_errors += 1
            log.error("marking journal batch %d stored failed: %s", seq, exc)

    def _announce(self) -> None:
        health = self.health()
        for listener in list(self.on_change):
            try:
                listener(health)
            except Exception:
                log.exception("health listener failed")

    # ------------------------------------------------------------------ start

    async def replay(self) -> int:
        """Store every batch the journal holds (the backlog of a process that died
        degraded), oldest first, through `again`; the number stored. Raises what the
        store raises (the server does not start on a store it cannot write)."""
        if self._journal is None:
            return 0
        done = 0
        for seq, commands in self._journal.pending():
            await self._again(commands)
            await asyncio.to_thread(self._journal.stored, seq)
            done += 1
        self.stats.replayed += done
        if done:
            log.warning("stored %d batches left in the journal %s", done, self._journal.path)
        return done

    async def close(self) -> None:
        """Stop retrying and close the journal (what is kept stays in it for the next
        start). Call after the driver stopped."""
        if self._retrying is not None:
            self._retrying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retrying
        if self._journal is not None:
            self._journal.close()
