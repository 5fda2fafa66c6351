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
    before = time.monotonic()
    clock = LoopClock(speed=100.0, start=1_000.0)
    made = time.monotonic()
    time.sleep(0.05)
    read_from = time.monotonic()
    now = clock.time()
    read_by = time.monotonic()
    # Bounds from the real seconds measured around the calls, however long they took.
    assert 1_000.0 + (read_from - made) * 100 <= now <= 1_000.0 + (read_by - before) * 100
    assert now >= 1_005.0  # at least the 0.05 s slept, at 100x


def test_loop_clock_timer_fires_at_the_engine_time_it_was_armed_for() -> None:
    """At speed 600, a timer 60 engine seconds ahead fires at that engine time, not before
    0.1 real seconds have passed."""

    async def main() -> None:
        clock = LoopClock(speed=600.0, start=0.0)
        fired = asyncio.Event()
        at: list[float] = []

        def ring() -> None:
            at.append(clock.time())
            fired.set()

        started = time.monotonic()
        clock.call_at(clock.time() + 60.0, ring)
        await asyncio.wait_for(fired.wait(), 60)  # only against a hang
        # asyncio may run a timer up to its clock resolution early; no upper bound: a
        # loaded machine may run it late.
        resolution = time.get_clock_info("monotonic").resolution
        assert time.monotonic() - started >= 0.1 - resolution
        assert at[0] >= 60.0 - 600 * resolution

    asyncio.run(main())


def test_real_loop_clock_is_wall_time() -> None:
    """With no speed and no start the clock reads `time.time()`."""
    clock = LoopClock()
    before = time.time()
    now = clock.time()
    after = time.time()
    assert before <= now <= after


def test_loop_clock_refuses_a_speed_of_zero() -> None:
    """A speed must be positive."""
    with pytest.raises(ValueError, match="speed"):
        LoopClock(speed=0)


def test_warm_up_runs_fast_until_start_then_at_the_clocks_speed() -> None:
    """A clock warming up 60 engine seconds at 1000x starts at start - 60, reaches start
    after 0.06 real seconds, and from there gains 10 engine seconds per real second."""
    before = time.monotonic()
    clock = LoopClock(speed=10.0, start=1_000.0, warm_up=60.0, warm_speed=1000.0)
    first = clock.time()
    made_by = time.monotonic()
    assert 940.0 <= first <= 940.0 + (made_by - before) * 1000
    time.sleep(0.2)  # past the 0.06 s warm-up
    read_from = time.monotonic()
    now = clock.time()
    read_by = time.monotonic()
    # Real seconds since the clock was made lie in [read_from - made_by, read_by - before].
    assert 1_000.0 + (read_from - made_by - 0.06) * 10 <= now
    assert now <= 1_000.0 + (read_by - before - 0.06) * 10


def test_a_timer_armed_across_the_warm_up_fires_at_its_engine_time() -> None:
    """A timer for 30 engine seconds after the warm-up ends fires no sooner than the
    warm-up's real length plus 30 s at the clock's speed (0.05 + 0.1 s)."""

    async def main() -> None:
        started = time.monotonic()
        clock = LoopClock(speed=300.0, start=0.0, warm_up=50.0, warm_speed=1000.0)
        fired = asyncio.Event()
        at: list[float] = []

        def ring() -> None:
            at.append(clock.time())
            fired.set()

        clock.call_at(30.0, ring)
        await asyncio.wait_for(fired.wait(), 60)  # only against a hang
        resolution = time.get_clock_info("monotonic").resolution
        assert time.monotonic() - started >= 0.15 - resolution
        assert at[0] >= 30.0 - 1000 * resolution

    asyncio.run(main())


def test_loop_clock_refuses_a_negative_warm_up() -> None:
    """A warm-up is a length of time: not negative."""
    with pytest.raises(ValueError, match="warm_up"):
        LoopClock(speed=2, start=0, warm_up=-1)
