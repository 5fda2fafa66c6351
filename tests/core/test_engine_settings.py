"""Engine settings that change what the engine reports, not how it routes."""

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    InteractionStateChanged,
    RecordAgentSpan,
    RecordInteraction,
)
from callcenter.core.config import AgentConfig, EngineSettings, QueueConfig
from callcenter.core.engine import Engine
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    CallerHungUp,
    Event,
    InteractionArrived,
    OfferAccepted,
    TimerExpired,
)

SCRIPT: list[tuple[float, Event]] = [
    (0.0, AgentLogin("a")),
    (1.0, InteractionArrived("i1", "q")),
    (2.0, InteractionArrived("i2", "q")),
    (3.0, OfferAccepted("a", "i1")),
    (60.0, AgentHungUp("a", "i1")),
    (70.0, TimerExpired()),
    (71.0, OfferAccepted("a", "i2")),
    (90.0, AgentHungUp("a", "i2")),
    (200.0, TimerExpired()),
]


def run(settings: EngineSettings) -> list[Command]:
    engine = Engine([QueueConfig("q", wrap_up=10)], [AgentConfig("a")], settings)
    out: list[Command] = []
    for now, event in SCRIPT:
        out += engine.handle(event, now)
    return out


LEAN = EngineSettings(interaction_changes=False, agent_changes=False)


def test_without_interaction_changes_none_are_emitted() -> None:
    """interaction_changes=False leaves out InteractionStateChanged, keeps agent changes."""
    out = run(EngineSettings(interaction_changes=False))
    assert not [c for c in out if isinstance(c, InteractionStateChanged)]
    assert [c for c in out if isinstance(c, AgentStateChanged)]


def test_without_agent_changes_none_are_emitted() -> None:
    """agent_changes=False leaves out AgentStateChanged, keeps interaction changes."""
    out = run(EngineSettings(agent_changes=False))
    assert not [c for c in out if isinstance(c, AgentStateChanged)]
    assert [c for c in out if isinstance(c, InteractionStateChanged)]


def test_without_state_changes_rows_are_the_same() -> None:
    """Leaving out state changes emits the same interaction rows and agent spans."""
    def rows(out: list[Command]) -> list[Command]:
        return [c for c in out if isinstance(c, RecordInteraction | RecordAgentSpan)]

    full, lean = run(EngineSettings()), run(LEAN)
    assert rows(lean) == rows(full)
    assert len([c for c in lean if isinstance(c, RecordInteraction)]) == 2


def test_rows_hold_plain_strings() -> None:
    """Rows carry plain str outcomes and states, ready for CSV and database drivers."""
    rows = [c for c in run(EngineSettings()) if isinstance(c, RecordInteraction | RecordAgentSpan)]
    values = [c.record.outcome if isinstance(c, RecordInteraction) else c.span.state
              for c in rows]
    assert values and all(type(v) is str for v in values)


def test_the_row_carries_the_callers_number() -> None:
    """The arrival's caller ends up in the interaction row as caller_number."""
    engine = Engine([QueueConfig("q")], [])
    out = engine.handle(InteractionArrived("i1", "q", caller="+4930123456"), 0.0)
    out += engine.handle(CallerHungUp("i1"), 5.0)
    rows = [c.record for c in out if isinstance(c, RecordInteraction)]
    assert [r.caller_number for r in rows] == ["+4930123456"]
