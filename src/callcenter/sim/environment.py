"""Discrete-event environment: a virtual clock and a heap of pending actions driving an Engine.

Pending actions sit in a heap of `[time, seq, kind, payload]` entries; `seq` grows
with every `schedule` call, so actions due at the same time run in the order they
were scheduled and a run is reproducible (as in SimPy's `Environment.schedule`).

The engine's own timers (offer timeouts, wrap-up, escalation, max wait) are not
copied into the heap: before every step the environment asks
`engine.next_deadline()` and, when that comes first, feeds the engine a
`TimerExpired` at that time. Engine timers due at the same time as a heap entry
run first.

`soon(event)` feeds an event at the current time without the heap: right after the
commands being dispatched (a bot that answers at once). Such events run in the
order they were asked for, before anything else.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import Protocol

from callcenter.core.commands import Command
from callcenter.core.events import Event, TimerExpired

_EVENT = 0  # payload: an engine event, fed to `engine.handle`
_CALL = 1  # payload: a zero-argument callable
_CANCELLED = 2

_TIMER = TimerExpired()
_MAX_STUCK_TIMERS = 10_000

Entry = list[object]
"""A scheduled action; pass it to `Environment.cancel` to drop it."""


class SimulationError(RuntimeError):
    """The simulation cannot go on (e.g. the engine's deadline stopped advancing)."""


class EngineLike(Protocol):
    """What the environment needs from `callcenter.core.engine.Engine`."""

    def handle(self, event: Event, now: float) -> list[Command]:
        """Apply an event at `now`; return the commands to carry out."""
        ...

    def next_deadline(self) -> float | None:
        """When the engine next needs a `TimerExpired`, if ever."""
        ...

    def expected_wait(self, interaction_id: str) -> float | None:
        """Expected remaining wait of a queued interaction."""
        ...


class Environment:
    """A virtual clock that feeds scheduled events and engine timers to one engine.

    `dispatch` receives every non-empty command list the engine returns, at the
    time it was returned (read `env.now`).
    """

    __slots__ = ("_dispatch", "_engine", "_heap", "_seq", "_soon", "now")

    def __init__(
        self,
        engine: EngineLike,
        dispatch: Callable[[list[Command]], None],
        start: float = 0.0,
    ) -> None:
        self.now = start
        self._engine = engine
        self._dispatch = dispatch
        self._heap: list[Entry] = []
        self._seq = 0
        self._soon: deque[Entry] = deque()

    @property
    def engine(self) -> EngineLike:
        """The engine being driven."""
        return self._engine

    def schedule(self, at: float, event: Event) -> Entry:
        """Feed `event` to the engine at time `at` (not before now)."""
        self._seq += 1
        entry: Entry = [at if at > self.now else self.now, self._seq, _EVENT, event]
        heapq.heappush(self._heap, entry)
        return entry

    def call_at(self, at: float, action: Callable[[], None]) -> Entry:
        """Run `action()` at time `at` (not before now)."""
        self._seq += 1
        entry: Entry = [at if at > self.now else self.now, self._seq, _CALL, action]
        heapq.heappush(self._heap, entry)
        return entry

    @staticmethod
    def cancel(entry: Entry) -> None:
        """Drop a scheduled action (no effect if it already ran)."""
        entry[2] = _CANCELLED
        entry[3] = None

    def soon(self, event: Event) -> Entry:
        """Feed `event` to the engine at the current time, once the current commands are
        dispatched (without a heap entry; `cancel` still works)."""
        entry: Entry = [self.now, 0, _EVENT, event]
        self._soon.append(entry)
        return entry

    def send(self, event: Event) -> None:
        """Feed `event` to the engine now and dispatch the commands (then any `soon` events)."""
        handle, dispatch, soon = self._engine.handle, self._dispatch, self._soon
        cmds = handle(event, self.now)
        if cmds:
            dispatch(cmds)
        while soon:
            entry = soon.popleft()
            if entry[2] == _EVENT:
                cmds = handle(entry[3], self.now)  # type: ignore[arg-type]
                if cmds:
                    dispatch(cmds)

    def peek(self) -> float:
        """Time of the next step (heap entry or engine timer); infinity if none."""
        heap = self._heap
        while heap and heap[0][2] == _CANCELLED:
            heapq.heappop(heap)
        t: float = heap[0][0] if heap else math.inf  # type: ignore[assignment]
        d = self._engine.next_deadline()
        return t if d is None or t < d else max(d, self.now)

    def run(self, until: float) -> None:
        """Process everything due up to and including `until`; the clock ends at `until`."""
        heap = self._heap
        engine = self._engine
        handle = engine.handle
        next_deadline = engine.next_deadline
        dispatch = self._dispatch
        heappop = heapq.heappop
        soon = self._soon
        stuck = 0
        while True:
            if soon:
                entry = soon.popleft()
                if entry[2] == _EVENT:
                    cmds = handle(entry[3], self.now)  # type: ignore[arg-type]
                    if cmds:
                        dispatch(cmds)
                continue
            deadline = next_deadline()
            if heap:
                top = heap[0]
                t: float = top[0]  # type: ignore[assignment]
                if deadline is None or t < deadline:
                    if t > until:
                        break
                    heappop(heap)
                    kind = top[2]
                    if kind == _CANCELLED:
                        continue
                    self.now = t
                    stuck = 0
                    if kind == _EVENT:
                        cmds = handle(top[3], t)  # type: ignore[arg-type]
                        if cmds:
                            dispatch(cmds)
                    else:
                        top[3]()  # type: ignore[operator]
                    continue
            elif deadline is None:
                break
            # the engine's timer is due first
            assert deadline is not None
            if deadline > until:
                break
            if deadline <= self.now:
                stuck += 1
                if stuck > _MAX_STUCK_TIMERS:
                    raise SimulationError(
                        f"engine deadline {deadline} does not advance past now={self.now}"
                    )
                deadline = self.now
            else:
                stuck = 0
                self.now = deadline
            cmds = handle(_TIMER, deadline)
            if cmds:
                dispatch(cmds)
        if until > self.now and until != math.inf:
            self.now = until
