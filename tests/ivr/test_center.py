"""The engine and the IVR as one unit: calls cross from the flow into a queue and back."""

from __future__ import annotations

from callcenter.core.center import CallCenter, CenterCommand
from callcenter.core.commands import Connect, OfferToAgent, RecordInteraction
from callcenter.core.config import AgentConfig, Membership, QueueConfig
from callcenter.core.engine import Engine
from callcenter.core.events import AgentLogin, CallerHungUp, OfferAccepted, TimerExpired
from callcenter.core.interaction_state import InteractionState
from callcenter.core.ivr import (
    CallEntered,
    DigitPressed,
    EnterQueue,
    FlowEnded,
    IvrRunner,
    PlayPrompts,
    PromptFinished,
    ReleaseCall,
)
from callcenter.core.ivr_flow import Flow, Menu, Prompt, QueueTreatment, ToQueue

MENU = (Prompt(text="1 for sales, 2 for nowhere"),)


def center() -> CallCenter:
    """Queue `sales` with agent `a`; a menu: 1 -> sales (announcements every 30 s,
    callback key 9), 2 -> a queue the engine does not have."""
    engine = Engine([QueueConfig("sales")], [AgentConfig("a", queues=(Membership("sales"),))])
    treatment = QueueTreatment(announce_every=30.0, callback_key="9")
    flow = Flow("main", "m", {"m": Menu(MENU, (("1", "s"), ("2", "x")), "s"),
                              "s": ToQueue("sales", treatment), "x": ToQueue("ghost")})
    ivr = IvrRunner({"main": flow},
                    status=lambda c: (engine.position(c), engine.expected_wait(c)))
    return CallCenter(engine, ivr)


def of(kind: type, commands: list[CenterCommand]) -> list[CenterCommand]:
    """The commands of one type."""
    return [c for c in commands if isinstance(c, kind)]


def test_a_menu_choice_queues_the_call_and_the_engine_offers_it_in_the_same_step() -> None:
    """Pressing 1 yields EnterQueue and, at once, the engine's offer to the free agent."""
    cc = center()
    cc.handle(AgentLogin("a"), 0.0)
    cc.handle(CallEntered("c", "main", caller="+4930"), 1.0)
    out = cc.handle(DigitPressed("c", "1"), 2.0)
    assert [type(c) for c in out if isinstance(c, EnterQueue | OfferToAgent)] == [
        EnterQueue, OfferToAgent]
    assert cc.engine.interaction_state("c") is InteractionState.OFFERED


def test_an_answering_agent_stops_the_waiting_treatment() -> None:
    """After Connect the IVR lets the call go: no more announcements are due."""
    cc = center()
    cc.handle(AgentLogin("a"), 0.0)
    cc.handle(CallEntered("c", "main"), 0.0)
    cc.handle(DigitPressed("c", "1"), 1.0)
    out = cc.handle(OfferAccepted("a", "c"), 3.0)
    assert of(Connect, out) and "c" not in cc.ivr
    assert cc.ivr.next_deadline() is None


def test_queued_callers_hear_the_engines_position() -> None:
    """Announcements tell the place in line the engine computes."""
    cc = center()
    for call in ("c1", "c2"):
        cc.handle(CallEntered(call, "main"), 0.0)
        cc.handle(DigitPressed(call, "1"), 1.0)
    out = cc.handle(TimerExpired(), 31.0)
    texts = [p.prompts[0].text or "" for p in of(PlayPrompts, out)
             if isinstance(p, PlayPrompts)]
    assert any("number 1 " in t for t in texts) and any("number 2 " in t for t in texts)


def test_hanging_up_in_the_menu_touches_only_the_ivr() -> None:
    """A caller who hangs up before any queue ends as `abandoned` in the IVR; the engine
    never heard of the call."""
    cc = center()
    cc.handle(CallEntered("c", "main"), 0.0)
    out = cc.handle(CallerHungUp("c"), 4.0)
    ended = of(FlowEnded, out)
    assert len(ended) == 1 and isinstance(ended[0], FlowEnded)
    assert ended[0].outcome == "abandoned"
    assert cc.engine.interaction_state("c") is None and not of(RecordInteraction, out)


def test_hanging_up_while_queued_abandons_in_the_engine_and_stops_the_treatment() -> None:
    """A queued caller's hang-up is an abandoned interaction and the IVR forgets it."""
    cc = center()
    cc.handle(CallEntered("c", "main"), 0.0)
    cc.handle(DigitPressed("c", "1"), 1.0)
    out = cc.handle(CallerHungUp("c"), 20.0)
    rows = [c.record for c in out if isinstance(c, RecordInteraction)]
    assert [r.outcome for r in rows] == ["abandoned"] and "c" not in cc.ivr


def test_a_queue_the_engine_refuses_releases_the_call() -> None:
    """EnterQueue to a queue the engine lacks releases the line with `queue_refused`."""
    cc = center()
    cc.handle(CallEntered("c", "main"), 0.0)
    out = cc.handle(DigitPressed("c", "2"), 1.0)
    assert ReleaseCall("c", "queue_refused") in out and "c" not in cc.ivr


def test_the_callback_key_makes_the_queued_call_a_callback_that_keeps_its_place() -> None:
    """Key 9 while waiting: the engine holds a callback request, the line is released."""
    cc = center()
    cc.handle(CallEntered("c", "main"), 0.0)
    cc.handle(DigitPressed("c", "1"), 1.0)
    cc.handle(DigitPressed("c", "9"), 10.0)
    assert cc.engine.interaction_state("c") is InteractionState.CALLBACK_REQUESTED
    assert cc.handle(PromptFinished("c"), 13.0) == [ReleaseCall("c", "callback")]
    assert cc.handle(CallerHungUp("c"), 13.5) == []  # the line going down changes nothing
