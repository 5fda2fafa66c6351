"""Clocks for the shell: what time it is on the engine's clock, and timers on that clock.

The engine counts Unix seconds. The event loop counts its own monotonic seconds.
A `Clock` converts: `call_at(when, callback)` takes an engine time and arms a
loop timer for the matching moment. `LoopClock` is the real one (optionally
running `speed` times faster than the wall clock, for demos); `FakeClock` only
moves when a test calls `advance`.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable
from typing import Protocol

WARM_SPEED = 120.0
"""Engine seconds per real second of a `LoopClock`'s warm-up."""


class Timer(Protocol):
    """A pending callback; `cancel()` drops it (no effect once it ran)."""

    def cancel(self) -> None:
        """Drop the callback."""
        ...


class Clock(Protocol):
    """Engine time (Unix seconds) and timers on it."""

    def time(self) -> float:
        """The current engine time."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Run `callback()` once engine time reaches `when` (at once if it has)."""
        ...


class LoopClock:
    """The event loop's clock in engine seconds.

    With `speed=1` and no `start` this is `time.time()`. With `start`, engine time
    begins there; with `speed`, it runs that many engine seconds per real second
    (60: a simulated minute per second). With `warm_up`, engine time begins that many
    seconds before `start` and runs at `warm_speed` (at least `speed`) until it reaches
    `start`, then at `speed`: a demo lives through the hour before it in seconds, so
    its figures and queues are there when a person looks. Timers go on the running loop.
    """

    def __init__(self, speed: float = 1.0, start: float | None = None, *,
                 warm_up: float = 0.0, warm_speed: float = WARM_SPEED) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        if warm_up < 0:
            raise ValueError(f"warm_up must be >= 0, got {warm_up}")
        self.speed = speed
        self._real = speed == 1.0 and start is None and warm_up == 0
        self._start = time.time() if start is None else start
        self._warm = warm_up
        self._warm_speed = max(warm_speed, speed)
        self._warm_real = warm_up / self._warm_speed
        """Real seconds the warm-up lasts."""
        self._mono0 = time.monotonic()

    def _at(self, elapsed: float) -> float:
        """Engine time `elapsed` real seconds after the clock was made."""
        if elapsed < self._warm_real:
            return self._start - self._warm + elapsed * self._warm_speed
        return self._start + (elapsed - self._warm_real) * self.speed

    def _elapsed(self, when: float) -> float:
        """Real seconds after the clock was made at which engine time reaches `when`."""
        if when < self._start:
            return (when - self._start + self._warm) / self._warm_speed
        return self._warm_real + (when - self._start) / self.speed

    def time(self) -> float:
        """The current engine time."""
        if self._real:
            return time.time()
        return self._at(time.monotonic() - self._mono0)

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Arm a loop timer for engine time `when` (relative to now, so either clock may
        step without losing the timer)."""
        if self._real:
            delay = when - time.time()
        else:
            delay = self._elapsed(when) - (time.monotonic() - self._mono0)
        return asyncio.get_running_loop().call_later(max(0.0, delay), callback)


class _FakeTimer:
    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """A clock for tests: time moves only in `advance`, which runs due timers in order."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self._heap: list[tuple[float, int, _FakeTimer]] = []
        self._seq = 0

    def time(self) -> float:
        """The current (fake) engine time."""
        return self.now

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Run `callback()` when `advance` reaches `when`."""
        self._seq += 1
        timer = _FakeTimer(callback)
        heapq.heappush(self._heap, (max(when, self.now), self._seq, timer))
        return timer

    def advance(self, seconds: float) -> None:
        """Move time forward, running each due timer at its own time, in order."""
        until = self.now + seconds
        while self._heap and self._heap[0][0] <= until:
            when, _, timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            self.now = when
            timer.cancelled = True
            timer.callback()
        self.now = until

    def pending(self) -> int:
        """How many timers are still armed."""
        return sum(1 for _, _, t in self._heap if not t.cancelled)
