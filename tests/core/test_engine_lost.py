"""A line lost (the media server died) rather than hung up: the reason reaches the row."""

from __future__ import annotations

from callcenter.core.commands import Disconnect
from callcenter.core.config import QueueConfig
from callcenter.core.events import CallerHungUp
from tests.core.conftest import Harness, agent, of_type


def test_a_lost_waiting_call_is_closed_with_the_loss_as_its_reason() -> None:
    """A queued call lost with `media_lost` is closed with that exit reason."""
    h = Harness([QueueConfig("q")], [])
    h.arrive("i1", "q", at=0)
    h.send(CallerHungUp("i1", "media_lost"), at=5)
    assert h.record("i1").exit_reason == "media_lost"


def test_a_lost_connected_call_is_completed_with_the_loss_as_its_reason() -> None:
    """A connected call lost with `media_lost` completes with that exit reason."""
    h = Harness([QueueConfig("q", wrap_up=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=1)
    h.send(CallerHungUp("i1", "media_lost"), at=5)
    assert (h.record("i1").outcome, h.record("i1").exit_reason) == ("completed", "media_lost")


def test_the_agent_leg_is_disconnected_with_the_loss_as_its_reason() -> None:
    """The agent's leg of a lost call gets `Disconnect(..., "media_lost")`."""
    h = Harness([QueueConfig("q", wrap_up=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=1)
    out = h.send(CallerHungUp("i1", "media_lost"), at=5)
    assert of_type(out, Disconnect) == [Disconnect("i1", "a", "media_lost")]


def test_a_hang_up_after_talk_leaves_no_exit_reason() -> None:
    """An ordinary hang-up of a connected call still completes with no exit reason."""
    h = Harness([QueueConfig("q", wrap_up=0)], [agent("a", "q")])
    h.login("a", at=0)
    h.take("i1", "q", at=1)
    h.send(CallerHungUp("i1"), at=5)
    assert h.record("i1").exit_reason == ""
