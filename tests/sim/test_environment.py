"""The event heap and its contract with the engine: ordering, cancelling, engine timers."""

from __future__ import annotations

import pytest

from callcenter.core.commands import Command
from callcenter.core.events import AgentLogin, Event, TimerExpired
from callcenter.sim.environment import Environment, SimulationError


class ClockEngine:
    """Records what it is fed; its deadlines are a list the test controls."""

    def __init__(self, deadlines: list[float] | None = None, sticky: bool = False) -> None:
        self.seen: list[tuple[str, float]] = []
        self.deadlines = deadlines or []
        self.sticky = sticky

    def handle(self, event: Event, now: float) -> list[Command]:
        name = "timer" if isinstance(event, TimerExpired) else getattr(event, "agent_id", "?")
        self.seen.append((name, now))
        if isinstance(event, TimerExpired) and self.deadlines and not self.sticky:
            self.deadlines.pop(0)
        return []

    def next_deadline(self) -> float | None:
        return self.deadlines[0] if self.deadlines else None

    def expected_wait(self, interaction_id: str) -> float | None:
        return None


def env_with(engine: ClockEngine, start: float = 0.0) -> Environment:
    return Environment(engine, lambda cmds: None, start)


def test_events_run_in_time_order() -> None:
    """Scheduled events reach the engine sorted by time, at their own time."""
    eng = ClockEngine()
    env = env_with(eng)
    env.schedule(5, AgentLogin("b"))
    env.schedule(2, AgentLogin("a"))
    env.run(10)
    assert eng.seen == [("a", 2), ("b", 5)]


def test_ties_run_in_scheduling_order() -> None:
    """Events due at the same time run in the order they were scheduled."""
    eng = ClockEngine()
    env = env_with(eng)
    for name in "cab":
        env.schedule(1, AgentLogin(name))
    env.run(1)
    assert [n for n, _ in eng.seen] == ["c", "a", "b"]


def test_cancelled_event_never_runs() -> None:
    """A cancelled entry is skipped."""
    eng = ClockEngine()
    env = env_with(eng)
    entry = env.schedule(1, AgentLogin("x"))
    env.schedule(2, AgentLogin("y"))
    Environment.cancel(entry)
    env.run(5)
    assert eng.seen == [("y", 2)]


def test_engine_deadline_fires_timer_at_its_time() -> None:
    """The engine gets TimerExpired at its next deadline, between heap events."""
    eng = ClockEngine(deadlines=[3.0])
    env = env_with(eng)
    env.schedule(1, AgentLogin("a"))
    env.schedule(4, AgentLogin("b"))
    env.run(10)
    assert eng.seen == [("a", 1), ("timer", 3.0), ("b", 4)]


def test_engine_timer_runs_before_heap_event_at_same_time() -> None:
    """A due engine timer goes first when it ties with a scheduled event."""
    eng = ClockEngine(deadlines=[2.0])
    env = env_with(eng)
    env.schedule(2, AgentLogin("a"))
    env.run(2)
    assert eng.seen == [("timer", 2.0), ("a", 2)]


def test_run_stops_at_until_and_sets_clock() -> None:
    """Nothing after `until` runs, and the clock ends at `until`."""
    eng = ClockEngine(deadlines=[7.0])
    env = env_with(eng)
    env.schedule(6, AgentLogin("a"))
    env.run(5)
    assert (eng.seen, env.now) == ([], 5)


def test_schedule_in_the_past_runs_now() -> None:
    """An event scheduled before now runs at now, never back in time."""
    eng = ClockEngine()
    env = env_with(eng, start=10.0)
    env.schedule(3, AgentLogin("a"))
    env.run(20)
    assert eng.seen == [("a", 10.0)]


def test_call_at_runs_callable() -> None:
    """`call_at` runs a plain callable at its time, with the clock set."""
    env = env_with(ClockEngine())
    seen: list[float] = []
    env.call_at(4, lambda: seen.append(env.now))
    env.run(10)
    assert seen == [4]


def test_stuck_engine_deadline_is_an_error() -> None:
    """An engine whose deadline never advances stops the run with a clear error."""
    env = env_with(ClockEngine(deadlines=[1.0], sticky=True))
    with pytest.raises(SimulationError, match="does not advance"):
        env.run(10)


def test_peek_reports_next_step() -> None:
    """`peek` gives the earlier of the heap's top and the engine's deadline."""
    env = env_with(ClockEngine(deadlines=[8.0]))
    env.schedule(9, AgentLogin("a"))
    assert env.peek() == 8.0


def test_soon_runs_before_heap_events_at_same_time() -> None:
    """An event fed with `soon` runs at the current time before anything scheduled."""
    eng = ClockEngine()
    env = env_with(eng)
    env.schedule(0, AgentLogin("heap"))
    env.soon(AgentLogin("soon"))
    env.run(1)
    assert eng.seen == [("soon", 0), ("heap", 0)]


def test_cancelled_soon_event_never_runs() -> None:
    """`cancel` drops a `soon` event too."""
    eng = ClockEngine()
    env = env_with(eng)
    Environment.cancel(env.soon(AgentLogin("x")))
    env.send(AgentLogin("y"))
    assert eng.seen == [("y", 0)]
