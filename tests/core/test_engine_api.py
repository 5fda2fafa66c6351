"""The engine's public surface: refused actions, unknown ids, position and expected wait,
deadlines and late wake-ups."""

from __future__ import annotations

import pytest

from callcenter.core.agent_state import AgentState, IllegalTransition
from callcenter.core.commands import AgentStateChanged, InteractionStateChanged, WithdrawOffer
from callcenter.core.config import (
    AgentConfig,
    EngineSettings,
    ExitAction,
    ExitKind,
    Membership,
    QueueConfig,
    Strategy,
)
from callcenter.core.engine import Engine
from callcenter.core.errors import RoutingError, UnknownAgent, UnknownInteraction, UnknownQueue
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    AgentPause,
    AgentReady,
    CallbackRequested,
    CallerHungUp,
    InteractionArrived,
    OfferAccepted,
    OfferRejected,
    QueueConfigured,
    TimerExpired,
    TransferToQueue,
    WrapUpDone,
)
from callcenter.core.interaction_state import InteractionState
from tests.core.conftest import Harness, agent, of_type


def one_agent(**qkw: object) -> Harness:
    return Harness([QueueConfig("q", **qkw)], [agent("a", "q")])  # type: ignore[arg-type]


# ---------------------------------------------------------------- refused actions


def test_accept_without_an_offer_is_illegal_naming_the_state() -> None:
    """Accepting when nothing rings raises IllegalTransition naming the agent's state."""
    h = one_agent()
    h.login("a", at=0)
    with pytest.raises(IllegalTransition, match="'a' is available: cannot accept"):
        h.answer("a", "i1", at=1)


def test_accept_of_another_interaction_while_busy_names_the_state() -> None:
    """Accepting an interaction not offered, while busy, raises naming the state."""
    h = one_agent()
    h.login("a", at=0)
    h.take("i1", "q", at=1)
    with pytest.raises(RoutingError, match="busy"):
        h.answer("a", "i2", at=2)


def test_reject_without_an_offer_is_illegal() -> None:
    """Rejecting when nothing rings raises IllegalTransition naming the state."""
    h = one_agent()
    h.login("a", at=0)
    with pytest.raises(IllegalTransition, match="available: cannot decline"):
        h.send(OfferRejected("a", "i1"), at=1)


def test_wrap_up_done_when_not_wrapping_is_illegal() -> None:
    """WrapUpDone from an agent that is not wrapping up raises naming the state."""
    h = one_agent()
    h.login("a", at=0)
    with pytest.raises(IllegalTransition, match="available: cannot wrap_done"):
        h.send(WrapUpDone("a", "i1"), at=1)


def test_wrap_up_done_of_another_interaction_names_the_state() -> None:
    """WrapUpDone for an interaction the agent is not wrapping raises naming the state."""
    h = one_agent(wrap_up=30)
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    h.hang_up("a", "i1", at=1)
    with pytest.raises(RoutingError, match="wrap_up"):
        h.send(WrapUpDone("a", "other"), at=2)
    assert h.state("a") is AgentState.WRAP_UP


def test_login_twice_is_illegal() -> None:
    """A second login of a logged-in agent raises naming its state."""
    h = one_agent()
    h.login("a", at=0)
    with pytest.raises(IllegalTransition, match="available: cannot login_ready"):
        h.login("a", at=1)


def test_login_while_paused_is_illegal() -> None:
    """Logging in an agent that is paused raises naming the state."""
    h = one_agent()
    h.login("a", at=0, ready=False)
    with pytest.raises(IllegalTransition, match="paused"):
        h.login("a", at=1)


def test_ready_when_logged_out_is_illegal() -> None:
    """AgentReady for a logged-out agent raises naming the state."""
    h = one_agent()
    with pytest.raises(IllegalTransition, match="logged_out: cannot ready"):
        h.send(AgentReady("a"), at=0)


def test_pause_when_logged_out_is_illegal() -> None:
    """AgentPause for a logged-out agent raises naming the state."""
    h = one_agent()
    with pytest.raises(IllegalTransition, match="logged_out: cannot pause"):
        h.send(AgentPause("a"), at=0)


def test_agent_hang_up_when_not_connected_is_illegal() -> None:
    """AgentHungUp from an agent with no conversation raises naming the state."""
    h = one_agent()
    h.login("a", at=0)
    with pytest.raises(IllegalTransition, match="available: cannot hang_up"):
        h.send(AgentHungUp("a", "i1"), at=1)


def test_agent_hang_up_while_ringing_is_illegal() -> None:
    """AgentHungUp while the agent is only being offered raises naming the state."""
    h = one_agent()
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    with pytest.raises(IllegalTransition, match="reserved: cannot hang_up"):
        h.send(AgentHungUp("a", "i1"), at=1)


def test_agent_hang_up_of_another_interaction_names_the_state() -> None:
    """AgentHungUp for an interaction the busy agent does not hold raises naming busy."""
    h = one_agent()
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    with pytest.raises(RoutingError, match="'a' is busy: not connected to 'i2'"):
        h.send(AgentHungUp("a", "i2"), at=1)


def test_refused_action_changes_nothing() -> None:
    """After a refused event the agent and the interaction are as before."""
    h = one_agent()
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    with pytest.raises(RoutingError):
        h.send(WrapUpDone("a", "i1"), at=1)
    assert h.state("a") is AgentState.RESERVED
    h.answer("a", "i1", at=2)
    assert h.state("a") is AgentState.BUSY


def test_accept_after_the_offer_expired_is_refused() -> None:
    """An accept that comes after the offer's expiry is refused; the offer is gone."""
    h = one_agent(offer_timeout=10, retry_after=60)
    h.login("a", at=0)
    h.arrive("i1", "q", at=0)
    with pytest.raises(IllegalTransition, match="available: cannot accept"):
        h.engine.handle(OfferAccepted("a", "i1"), 11)


def test_duplicate_interaction_id_is_refused() -> None:
    """An arrival with the id of an open interaction raises RoutingError."""
    h = one_agent()
    h.arrive("i1", "q", at=0)
    with pytest.raises(RoutingError, match="i1"):
        h.arrive("i1", "q", at=1)


def test_unknown_agent_raises_unknown_agent() -> None:
    """An event naming an agent that does not exist raises UnknownAgent."""
    h = one_agent()
    with pytest.raises(UnknownAgent, match="ghost"):
        h.send(AgentLogin("ghost"), at=0)


def test_unknown_queue_raises_unknown_queue() -> None:
    """An arrival for a queue that does not exist raises UnknownQueue."""
    h = one_agent()
    with pytest.raises(UnknownQueue, match="nowhere"):
        h.send(InteractionArrived("i1", "nowhere"), at=0)
    assert h.engine.open_interactions() == []


def test_transfer_to_unknown_queue_raises_unknown_queue() -> None:
    """A transfer to a queue that does not exist raises UnknownQueue, the call stays."""
    h = one_agent()
    h.login("a", at=0)
    h.take("i1", "q", at=0)
    with pytest.raises(UnknownQueue):
        h.send(TransferToQueue("i1", "nowhere"), at=1)
    assert h.state("a") is AgentState.BUSY


def test_unknown_interaction_raises_unknown_interaction() -> None:
    """A callback request for an interaction that is not open raises UnknownInteraction."""
    h = one_agent()
    with pytest.raises(UnknownInteraction):
        h.send(CallbackRequested("nope"), at=0)


def test_membership_of_an_unknown_queue_is_refused() -> None:
    """An agent configured as a member of an unknown queue raises UnknownQueue."""
    with pytest.raises(UnknownQueue, match="nowhere"):
        Engine([QueueConfig("q")], [AgentConfig("a", queues=(Membership("nowhere"),))])


def test_exit_action_to_an_unknown_queue_is_refused() -> None:
    """A queue whose exit action names an unknown queue raises UnknownQueue."""
    bad = QueueConfig("q", timeout_action=ExitAction(ExitKind.QUEUE, "nowhere"))
    with pytest.raises(UnknownQueue, match="nowhere"):
        Engine([bad], [])


def test_queue_configured_twice_is_refused() -> None:
    """Two queues with one id raise RoutingError."""
    with pytest.raises(RoutingError, match="twice"):
        Engine([QueueConfig("q"), QueueConfig("q")], [])


def test_agent_configured_twice_is_refused() -> None:
    """Two agents with one id raise RoutingError."""
    with pytest.raises(RoutingError, match="twice"):
        Engine([QueueConfig("q")], [AgentConfig("a"), AgentConfig("a")])


def test_random_strategy_without_rng_is_refused_at_construction() -> None:
    """A random-strategy queue in an engine with no rng is refused when built."""
    with pytest.raises(RoutingError, match="rng"):
        Engine([QueueConfig("q", strategy=Strategy.RANDOM)], [])


def test_random_queue_configured_later_without_rng_is_refused() -> None:
    """QueueConfigured with the random strategy, in an engine with no rng, is refused."""
    h = one_agent()
    with pytest.raises(RoutingError, match="rng"):
        h.send(QueueConfigured(QueueConfig("r", strategy=Strategy.RANDOM)), at=0)
    with pytest.raises(UnknownQueue):
        h.arrive("i1", "r", at=1)


def test_refused_queue_configuration_leaves_the_old_one_in_force() -> None:
    """A QueueConfigured refused for an unknown reference changes nothing."""
    h = one_agent()
    bad = QueueConfig("q", max_wait=10, timeout_action=ExitAction(ExitKind.QUEUE, "nowhere"))
    with pytest.raises(UnknownQueue, match="nowhere"):
        h.send(QueueConfigured(bad), at=0)
    h.arrive("i1", "q", at=1)
    h.run_until(100)
    assert h.ix_state("i1") is InteractionState.QUEUED


# ---------------------------------------------------------------- position and expected wait


def test_position_counts_from_one_in_arrival_order() -> None:
    """Waiting interactions of equal priority are at positions 1, 2, 3 by arrival."""
    h = one_agent()
    for n in range(3):
        h.arrive(f"i{n}", "q", at=n)
    assert [h.engine.position(f"i{n}") for n in range(3)] == [1, 2, 3]


def test_position_of_simultaneous_arrivals_follows_the_routing_order() -> None:
    """Arrivals at the same instant get distinct positions, in the order they are served."""
    h = one_agent()
    for n in range(3):
        h.arrive(f"i{n}", "q", at=4)
    assert [h.engine.position(f"i{n}") for n in range(3)] == [1, 2, 3]
    h.login("a", at=5)  # i0 rings the agent: it keeps its place until answered
    assert h.engine.position("i0") is None and h.engine.position("i2") == 3


def test_position_puts_higher_priority_ahead() -> None:
    """A higher-priority arrival goes ahead of those already waiting."""
    h = one_agent(aging_rate=0)
    h.arrive("i0", "q", at=0)
    h.arrive("i1", "q", at=1)
    h.arrive("vip", "q", at=2, priority=5)
    assert [h.engine.position(i) for i in ("vip", "i0", "i1")] == [1, 2, 3]


def test_position_moves_up_when_one_ahead_is_answered() -> None:
    """When the interaction ahead is answered, those behind move up."""
    h = one_agent()
    for n in range(3):
        h.arrive(f"i{n}", "q", at=n)
    h.login("a", at=5)
    h.answer("a", "i0", at=6)
    assert [h.engine.position(i) for i in ("i1", "i2")] == [1, 2]


def test_position_is_none_unless_waiting() -> None:
    """position() is None for ringing, connected or unknown interactions."""
    h = one_agent()
    h.login("a", at=0)
    h.arrive("i1", "q", at=1)
    assert h.engine.position("i1") is None
    h.answer("a", "i1", at=2)
    assert h.engine.position("i1") is None
    assert h.engine.position("nope") is None


def test_expected_wait_is_place_times_handle_time_over_staffed_agents() -> None:
    """expected_wait = position x smoothed handle time / staffed agents."""
    h = Harness([QueueConfig("q", default_handle_time=180)], [agent("a", "q"), agent("b", "q")])
    h.login("a", "b", at=0)
    h.take("x", "q", at=0)
    h.take("y", "q", at=0)
    h.arrive("i1", "q", at=1)
    h.arrive("i2", "q", at=2)
    assert h.engine.expected_wait("i1") == pytest.approx(1 * 180 / 2)
    assert h.engine.expected_wait("i2") == pytest.approx(2 * 180 / 2)


def test_expected_wait_follows_completed_handle_times() -> None:
    """Completed interactions move the handle time toward their talk plus wrap-up."""
    h = Harness([QueueConfig("q", default_handle_time=180, wrap_up=20)], [agent("a", "q")],
                settings=EngineSettings(ewt_smoothing=0.5))
    h.login("a", at=0)
    h.take("x", "q", at=0)
    h.hang_up("a", "x", at=40)
    h.run_until(60)  # handled in 40 + 20 = 60: 0.5 * 180 + 0.5 * 60 = 120
    h.take("y", "q", at=60)
    h.arrive("i1", "q", at=61)
    assert h.engine.expected_wait("i1") == pytest.approx(120)


def test_expected_wait_is_none_when_nobody_is_staffed() -> None:
    """With no agent staffed for the queue, expected_wait is None."""
    h = one_agent()
    h.arrive("i1", "q", at=0)
    assert h.engine.expected_wait("i1") is None


def test_waiting_count_includes_callbacks() -> None:
    """waiting_count counts queued interactions and callbacks that keep their place."""
    h = one_agent()
    h.arrive("i1", "q", at=0)
    h.arrive("i2", "q", at=1)
    h.send(CallbackRequested("i1"), at=2)
    assert h.engine.waiting_count("q") == 2


# ---------------------------------------------------------------- deadlines


def test_next_deadline_is_none_when_idle() -> None:
    """With agents available and nothing waiting, there is no deadline."""
    h = one_agent(max_wait=60, wrap_up=10)
    assert h.engine.next_deadline() is None
    h.login("a", at=0)
    assert h.engine.next_deadline() is None


def test_next_deadline_is_the_earliest_timer() -> None:
    """next_deadline() is the earliest pending timer (here the offer expiry)."""
    h = one_agent(max_wait=60, offer_timeout=15)
    h.login("a", at=0)
    h.arrive("i1", "q", at=10)
    assert h.engine.next_deadline() == 25


def test_next_deadline_drops_cancelled_timers() -> None:
    """After an interaction ends, its timers no longer show as deadlines."""
    h = one_agent(max_wait=60)
    h.arrive("i1", "q", at=0)
    assert h.engine.next_deadline() == 60
    h.send(CallerHungUp("i1"), at=1)
    assert h.engine.next_deadline() is None


def test_late_wake_up_fires_past_deadlines_in_order_at_their_times() -> None:
    """A handle() far past several deadlines fires each at its own time, in order."""
    e = Engine([QueueConfig("q", offer_timeout=10, retry_after=0, max_wait=25)],
               [agent("a", "q")], EngineSettings(max_missed_offers=5))
    e.handle(AgentLogin("a"), 0)
    e.handle(InteractionArrived("i1", "q"), 0)
    out = e.handle(TimerExpired(), 100)
    assert [w.reason for w in of_type(out, WithdrawOffer)] == ["timeout"] * 3
    assert [(c.state, c.at) for c in of_type(out, InteractionStateChanged)] == [
        ("queued", 10), ("offered", 10), ("queued", 20), ("offered", 20),
        ("queued", 30), ("timed_out", 30)]
    assert [(c.state, c.at) for c in of_type(out, AgentStateChanged)] == [("available", 30)]
    assert e.next_deadline() is None
