"""Clocks: the fake one runs timers in order as it advances; the loop one converts
engine seconds into loop time, at any speed."""

from __future__ import annotations

import asyncio
import time

import pytest

from callcenter.clock import FakeClock, LoopClock


def test_fake_clock_runs_due_timers_in_time_order_at_their_time() -> None:
    """`advance` runs each due timer with the clock set to that timer's time."""
    clock = FakeClock(100.0)
    seen: list[tuple[str, float]] = []
    clock.call_at(105.0, lambda: seen.append(("b", clock.time())))
    clock.call_at(102.0, lambda: seen.append(("a", clock.time())))
    late = clock.call_at(200.0, lambda: seen.append(("late", clock.time())))
    clock.advance(10)
    assert seen == [("a", 102.0), ("b", 105.0)]
    assert clock.time() == 110.0
    late.cancel()
    assert clock.pending() == 0


def test_loop_clock_starts_where_asked_and_runs_at_its_speed() -> None:
    """A sped-up clock starts at `start` and gains `speed` engine seconds per real second."""
    clock = LoopClock(speed=100.0, start=1_000.0)
    t0 = clock.time()
    time.sleep(0.05)
    assert 1_000.0 <= t0 < 1_001.0
    assert 1_004.0 <= clock.time() < 1_020.0


def test_loop_clock_timer_fires_at_the_engine_time_it_was_armed_for() -> None:
    """At speed 600, a timer 60 engine seconds ahead fires after about 0.1 real seconds."""

    async def main() -> None:
        clock = LoopClock(speed=600.0, start=0.0)
        fired = asyncio.Event()
        at: list[float] = []

        def ring() -> None:
            at.append(clock.time())
            fired.set()

        clock.call_at(clock.time() + 60.0, ring)
        started = time.monotonic()
        await asyncio.wait_for(fired.wait(), 2)
        assert 0.09 <= time.monotonic() - started < 1.0
        assert at[0] >= 59.99

    asyncio.run(main())


def test_real_loop_clock_is_wall_time() -> None:
    """With no speed and no start the clock reads `time.time()`."""
    assert abs(LoopClock().time() - time.time()) < 1.0


def test_loop_clock_refuses_a_speed_of_zero() -> None:
    """A speed must be positive."""
    with pytest.raises(ValueError, match="speed"):
        LoopClock(speed=0)
