"""Hold and resume, and the blind transfer to an external number, in the engine."""

from __future__ import annotations

import pytest

from callcenter.core.agent_state import AgentState
from callcenter.core.commands import Disconnect, Hold, TransferExternal
from callcenter.core.config import QueueConfig
from callcenter.core.errors import RoutingError
from callcenter.core.events import HoldCall, ResumeCall, TransferToNumber, WrapUpDone
from tests.core.conftest import Harness, agent, of_type


def connected(wrap_up: float = 0.0) -> Harness:
    """Agent a talking to i1 since t=10."""
    h = Harness([QueueConfig("q", wrap_up=wrap_up)], [agent("a", "q")])
    h.login("a", at=0)
    h.arrive("i1", "q", at=5)
    h.answer("a", "i1", at=10)
    return h


def test_hold_and_resume_tell_telephony() -> None:
    """HoldCall emits Hold(held=True) for the agent's leg; ResumeCall Hold(held=False)."""
    h = connected()
    assert of_type(h.send(HoldCall("i1"), at=20), Hold) == [Hold("i1", "a", True)]
    assert of_type(h.send(ResumeCall("i1"), at=30), Hold) == [Hold("i1", "a", False)]


def test_hold_time_is_counted_apart_from_talk() -> None:
    """40 s connected with 15 s on hold: talk 25 s, hold 15 s."""
    h = connected()
    h.send(HoldCall("i1"), at=20)
    h.send(ResumeCall("i1"), at=35)
    h.hang_up("a", "i1", at=50)
    rec = h.record("i1")
    assert (rec.talk_seconds, rec.hold_seconds) == (25.0, 15.0)


def test_a_hang_up_on_hold_closes_the_hold() -> None:
    """Hanging up while on hold counts the hold until the hang-up."""
    h = connected()
    h.send(HoldCall("i1"), at=20)
    h.hang_up("a", "i1", at=32)
    rec = h.record("i1")
    assert (rec.talk_seconds, rec.hold_seconds) == (10.0, 12.0)


def test_hold_twice_is_refused() -> None:
    """A call on hold cannot be put on hold again; one not on hold cannot resume."""
    h = connected()
    with pytest.raises(RoutingError, match="on hold already"):
        h.send(ResumeCall("i1"), at=12)
    h.send(HoldCall("i1"), at=15)
    with pytest.raises(RoutingError, match="on hold already"):
        h.send(HoldCall("i1"), at=16)


def test_hold_needs_a_connected_call() -> None:
    """A queued interaction cannot be held."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=5)
    with pytest.raises(RoutingError, match="not connected"):
        h.send(HoldCall("i1"), at=6)


def test_transfer_to_a_number_ends_the_agents_part() -> None:
    """The agent's leg is released (transferred), the customer put through, the agent
    goes to wrap-up and the row says where the call went."""
    h = connected(wrap_up=30)
    out = h.send(TransferToNumber("i1", "+4930999"), at=40)
    assert of_type(out, Disconnect) == [Disconnect("i1", "a", "transferred")]
    assert of_type(out, TransferExternal) == [TransferExternal("i1", "+4930999")]
    assert h.state("a") is AgentState.WRAP_UP
    h.send(WrapUpDone("a", "i1", "resolved"), at=45)
    rec = h.record("i1")
    assert (rec.outcome, rec.exit_action, rec.transfers, rec.talk_seconds, rec.ended_at) == (
        "completed", "transfer:+4930999", 1, 30.0, 40.0)


def test_transfer_to_an_empty_number_is_refused() -> None:
    """A blank number is a RoutingError; the call stays connected."""
    h = connected()
    with pytest.raises(RoutingError, match="needs a number"):
        h.send(TransferToNumber("i1", " "), at=12)
    assert h.state("a") is AgentState.BUSY
