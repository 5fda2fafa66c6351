"""Properties of the IVR interpreter under random callers, keys, prompts and time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.events import TimerExpired
from callcenter.core.ivr import (
    CallEntered,
    CallLeft,
    DigitPressed,
    EnterQueue,
    FlowEnded,
    IvrEvent,
    IvrRunner,
    LookupAnswered,
    PromptFinished,
    ReleaseCall,
    TransferOut,
)
from callcenter.flows import load_flows

FLOWS = load_flows(Path(__file__).parents[2] / "examples" / "flows" / "customer-service.yaml")
MONDAY_10 = 1795424400.0  # 2026-11-23 10:00 in Berlin: the office is open
CALLS = ["a", "b", "c"]

action = st.one_of(
    st.tuples(st.just("enter"), st.sampled_from(CALLS)),
    st.tuples(st.just("key"), st.sampled_from(CALLS), st.sampled_from(list("0123456789#*"))),
    st.tuples(st.just("done"), st.sampled_from(CALLS)),
    st.tuples(st.just("lookup"), st.sampled_from(CALLS), st.booleans()),
    st.tuples(st.just("leave"), st.sampled_from(CALLS)),
    st.tuples(st.just("wait"), st.floats(0.1, 90.0)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(action, max_size=60))
def test_every_call_ends_once_and_timers_never_lag(actions: list[tuple]) -> None:  # type: ignore[type-arg]
    """Whatever happens: FlowEnded at most once per call (exactly once after it left),
    EnterQueue at most once, and after a timer event no deadline is in the past."""
    runner = IvrRunner(FLOWS, status=lambda _c: (2, 200.0))
    now = MONDAY_10
    ended: Counter[str] = Counter()
    queued: Counter[str] = Counter()
    entered: set[str] = set()
    gone: set[str] = set()  # released, transferred or left
    for act in actions:
        event: IvrEvent
        if act[0] == "enter":
            if act[1] in entered:
                continue
            entered.add(act[1])
            event = CallEntered(act[1], "main", caller="+4930123456")
        elif act[0] == "key":
            event = DigitPressed(act[1], act[2])
        elif act[0] == "done":
            event = PromptFinished(act[1])
        elif act[0] == "lookup":
            event = LookupAnswered(act[1], act[2], (("name", "Ada"),))
        elif act[0] == "leave":
            event = CallLeft(act[1])
        else:
            now += act[1]
            event = TimerExpired()
        out = runner.handle(event, now)
        for c in out:
            if isinstance(c, FlowEnded):
                ended[c.call_id] += 1
            elif isinstance(c, EnterQueue):
                queued[c.call_id] += 1
            if isinstance(c, ReleaseCall | TransferOut):
                gone.add(c.call_id)
        if isinstance(event, CallLeft) and event.call_id in entered:
            gone.add(event.call_id)
        deadline = runner.next_deadline()
        assert deadline is None or deadline > now or not isinstance(event, TimerExpired)
        assert all(n <= 1 for n in ended.values())
        assert all(n <= 1 for n in queued.values())
        for call in gone:
            assert call not in runner
            assert ended[call] == 1
