"""The asyncio driver: one pure `Engine`, fed one event at a time, its commands carried out.

Rules of the shell (the engine is not thread-safe and has no clock):
- Every event goes through one queue and one worker task, so the engine sees
  one event at a time, stamped with the clock's time (never earlier than the
  previous stamp, even if the wall clock steps back).
- The worker takes whatever is queued (up to `max_batch` events), hands each to
  the engine, then gives all their commands, in order, to the persistence sink
  in one call (a group commit). Only after that returns are the callers of
  `submit` answered: a change is stored before it is acknowledged.
- Then the other sinks (telephony, pub/sub) get the same command list, in the
  order they were added. A sink that raises is logged and counted; the driver
  goes on (a misbehaving adapter must not stop routing).
- After every batch the driver asks `engine.next_deadline()` and arms one timer
  on the clock for it, which queues `TimerExpired()`.

A sink must not `await submit(...)` (the worker would wait for itself); adapters
report events with `report(event)`, which queues without waiting.

Nothing accepted is dropped: the server's persistence sink is a `DurableSink`
(`callcenter.runtime.durable`), which keeps, journals and retries a batch the store
fails to take, and returns normally once the batch is in its journal. Given as
`backlog`, it also tells the driver when it is degraded (batches waiting); then:
- `submit`/`post` raise `Degraded` at once, before the engine sees the event (the
  API answers 503): no new work is acknowledged that the store could not take;
- a new call reported by telephony (`report_line`: `InteractionArrived`,
  `CallEntered`) is turned away before the engine sees it: the `refuse` sink (the
  telephony adapter) gets `ExitQueue(call, queue, "unavailable", "hangup")`;
- everything else (events of calls in progress, timers, adapters' reports) is
  handled as usual, and its commands go to the backlog behind the others.
While `draining` (a graceful stop) new calls are turned away the same way
(`ExitQueue(..., "shutdown", "hangup")`), but the API still works.
If the persistence sink raises (the store failed and the batch could not be
journaled) the callers get `NotPersisted`.

The driver drives anything with the engine's `handle(event, now)` and
`next_deadline()` (a `Brain`): the `Engine` alone, or a `CallCenter` (engine + IVR)
whose command lists also carry IVR commands; `C` is the command type its sinks get.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from callcenter.clock import Clock, Timer
from callcenter.core.commands import ExitQueue
from callcenter.core.errors import RoutingError
from callcenter.core.events import Event, InteractionArrived, TimerExpired
from callcenter.core.ivr import CallEntered, IvrEvent

log = logging.getLogger(__name__)

C = TypeVar("C")
"""The commands the brain returns and the sinks get (`Command` for the engine alone)."""

Sink = Callable[[list[C]], Awaitable[None]]
"""Carries out (or stores, or publishes) a list of commands, in order."""


class Brain(Protocol[C]):
    """What the driver drives: the `Engine`, or a `CallCenter` (engine + IVR)."""

    def handle(self, event: Any, now: float) -> list[C]:
        """Apply one event at `now`; its commands (raises `RoutingError` if refused)."""
        ...

    def next_deadline(self) -> float | None:
        """When to deliver the next `TimerExpired`, or None."""
        ...


class Backlog(Protocol):
    """What the driver asks its persistence sink: are batches waiting for the store?"""

    @property
    def degraded(self) -> bool:
        """True while batches wait for the store."""
        ...


_TIMER_EVENT = TimerExpired()
_NEW_CALLS = (InteractionArrived, CallEntered)
UNAVAILABLE = "unavailable"
"""The `ExitQueue` reason of a new call turned away while the store is not taking writes."""
SHUTDOWN = "shutdown"
"""The `ExitQueue` reason of a new call turned away while the server stops, and the
`CallerHungUp` reason of the calls a graceful stop closes."""


class NotPersisted(Exception):
    """The engine applied the change but the persistence sink failed: not acknowledged."""


class Degraded(NotPersisted):
    """The store is not taking writes (batches wait for it): new work is refused, and
    the engine did not see it."""


class DriverStopped(RuntimeError):
    """The driver is not running (not started yet, or stopped)."""


@dataclass
class DriverStats:
    """Counters for `/metrics` and tests."""

    events: int = 0
    batches: int = 0
    timers: int = 0
    refused: int = 0
    """Events the engine refused with a `RoutingError` (returned to the caller)."""
    peer_refused: int = 0
    """Events reported by an adapter that the engine refused (logged; a race or a bad peer)."""
    engine_errors: int = 0
    persist_errors: int = 0
    degraded_refused: int = 0
    """Submits refused while the store was not taking writes."""
    calls_refused: int = 0
    """New calls turned away (the store not taking writes, or a graceful stop)."""
    sink_errors: dict[str, int] = field(default_factory=dict)


class _Item:
    __slots__ = ("event", "future", "line")

    def __init__(self, event: Event | IvrEvent, future: asyncio.Future[Any] | None,
                 line: bool = False) -> None:
        self.event = event
        self.future = future
        self.line = line


class EngineDriver(Generic[C]):
    """Owns the engine; serializes events; persists, then acknowledges, then fans out."""

    def __init__(self, engine: Brain[C], clock: Clock, persist: Sink[C] | None = None,
                 *, max_batch: int = 256, backlog: Backlog | None = None) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch}")
        self.engine = engine
        self.clock = clock
        self.stats = DriverStats()
        self._persist = persist
        self._backlog = backlog
        self.refuse: Sink[Any] | None = None
        """Gets the `ExitQueue` of every new call turned away (the telephony adapter)."""
        self.draining = False
        """A graceful stop is under way: new calls are turned away."""
        self._sinks: list[tuple[str, Sink[C]]] = []
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Item] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._running = False
        self._last_now = float("-inf")
        self._timer: Timer | None = None
        self._armed_for: float | None = None
        self._timer_queued = False

    # ------------------------------------------------------------------ wiring

    def add_sink(self, name: str, sink: Sink[C]) -> None:
        """Carry out every command list with `sink` too (after persistence, in order added)."""
        if any(n == name for n, _ in self._sinks):
            raise ValueError(f"a sink named {name!r} is already added")
        self._sinks.append((name, sink))
        self.stats.sink_errors[name] = 0

    @property
    def degraded(self) -> bool:
        """True while the persistence sink holds batches the store has not taken."""
        return self._backlog is not None and self._backlog.degraded

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._running

    async def start(self) -> None:
        """Start the worker and arm the engine's first timer."""
        if self._running:
            return
        self._queue = asyncio.Queue()
        self._running = True
        self._worker = asyncio.create_task(self._work(), name="engine-driver")
        self._rearm()

    async def stop(self) -> None:
        """Process what is already queued, then stop the worker and the timer."""
        if not self._running:
            return
        self._running = False
        assert self._queue is not None and self._worker is not None
        await self._queue.join()
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker
        self._worker = None
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._armed_for = None, None

    # ------------------------------------------------------------------ events in

    def post(self, event: Event | IvrEvent) -> asyncio.Future[list[C]]:
        """Queue `event`; the future gets its commands once they are persisted (or the
        `RoutingError` / `NotPersisted` that stopped them). Raises `Degraded` at once
        while the store is not taking writes."""
        if self.degraded:
            self.stats.degraded_refused += 1
            raise Degraded("the database is not taking writes at the moment: changes are "
                           "refused until the changes already made are stored; try again "
                           "shortly")
        fut: asyncio.Future[list[C]] = asyncio.get_running_loop().create_future()
        self._enqueue(_Item(event, fut))
        return fut

    async def submit(self, event: Event | IvrEvent) -> list[C]:
        """Apply `event` now; return its commands once persisted. Raises the engine's
        `RoutingError` (nothing changed), `Degraded` (nothing changed) or `NotPersisted`."""
        if self._worker is not None and asyncio.current_task() is self._worker:
            raise RuntimeError("a sink must not await submit(); use report() or post()")
        return await self.post(event)

    def report(self, event: Event | IvrEvent) -> None:
        """Queue an event from an adapter without waiting; a refusal is logged and counted."""
        self._enqueue(_Item(event, None))

    def report_line(self, event: Event | IvrEvent) -> None:
        """`report` for the telephony adapter: a new call is turned away if, when its turn
        comes, the store is not taking writes or the server is stopping."""
        self._enqueue(_Item(event, None, line=True))

    async def settled(self) -> None:
        """Wait until every event queued so far is handled and its commands carried out."""
        if self._queue is not None:
            await self._queue.join()

    def _enqueue(self, item: _Item) -> None:
        if not self._running or self._queue is None:
            raise DriverStopped("the engine driver is not running")
        self._queue.put_nowait(item)

    # ------------------------------------------------------------------ the worker

    async def _work(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._process(batch)
            finally:
                for _ in batch:
                    queue.task_done()

    def _now(self) -> float:
        t = self.clock.time()
        if t < self._last_now:
            t = self._last_now  # the engine's time only moves forward
        self._last_now = t
        return t

    async def _process(self, batch: list[_Item]) -> None:
        stats = self.stats
        stats.batches += 1
        out: list[C] = []
        results: list[list[C] | Exception] = []
        refused: list[ExitQueue] = []
        for item in batch:
            ev = item.event
            if item.line and isinstance(ev, _NEW_CALLS) and (self.draining or self.degraded):
                refused.append(self._turn_away(ev))
                results.append(DriverStopped("new calls are not taken now"))
                continue
            if ev is _TIMER_EVENT:
                self._timer_queued = False
                stats.timers += 1
            stats.events += 1
            try:
                cmds = self.engine.handle(ev, self._now())
            except RoutingError as exc:
                if item.future is None:
                    stats.peer_refused += 1
                    log.warning("reported event refused: %r: %s", ev, exc)
                else:
                    stats.refused += 1
                results.append(exc)
                continue
            except Exception as exc:
                stats.engine_errors += 1
                log.exception("engine failed on %r", ev)
                results.append(exc)
                continue
            out.extend(cmds)
            results.append(cmds)
        if out and self._persist is not None:
            try:
                await self._persist(out)
            except Exception as exc:
                stats.persist_errors += 1
                log.exception("persisting %d commands failed", len(out))
                failed = NotPersisted(f"the change could not be stored: {exc}")
                results = [failed if isinstance(r, list) else r for r in results]
        for item, result in zip(batch, results, strict=True):
            fut = item.future
            if fut is None or fut.done():
                continue
            if isinstance(result, Exception):
                fut.set_exception(result)
            else:
                fut.set_result(result)
        if out:
            for name, sink in self._sinks:
                try:
                    await sink(out)
                except Exception:
                    stats.sink_errors[name] += 1
                    log.exception("sink %r failed on %d commands", name, len(out))
        if refused and self.refuse is not None:
            try:
                await self.refuse(refused)
            except Exception:
                log.exception("turning away %d new calls failed", len(refused))
        self._rearm()

    def _turn_away(self, ev: InteractionArrived | CallEntered) -> ExitQueue:
        self.stats.calls_refused += 1
        reason = SHUTDOWN if self.draining else UNAVAILABLE
        log.info("new call %s turned away: %s", ev, reason)
        if isinstance(ev, InteractionArrived):
            return ExitQueue(ev.interaction_id, ev.queue_id, reason, "hangup")
        return ExitQueue(ev.call_id, "", reason, "hangup")

    # ------------------------------------------------------------------ timers

    def _rearm(self) -> None:
        deadline = self.engine.next_deadline()
        if deadline == self._armed_for and self._timer is not None:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._armed_for = None, deadline
        if deadline is not None and self._running:
            self._timer = self.clock.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer, self._armed_for = None, None
        if self._running and not self._timer_queued:
            self._timer_queued = True
            self._enqueue(_Item(_TIMER_EVENT, None))
