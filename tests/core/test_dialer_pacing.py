"""Pacers on constructed states: progressive, VICIdial's ADAPT methods, and ours."""

from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.dialer.drops import DropLedger
from callcenter.core.dialer.estimates import DialHistory
from callcenter.core.dialer.pacing import (
    AdaptAverage,
    AdaptHardLimit,
    AdaptSettings,
    AdaptTapered,
    PacingState,
    Predictive,
    Progressive,
)

ESTIMATES = DialHistory().estimates(0.0)


def state(ready: int = 0, talk: tuple[float, ...] = (), wrap: tuple[float, ...] = (),
          ringing: tuple[float, ...] = (), waiting: tuple[float, ...] = (),
          drops: DropLedger | None = None, logged_in: int | None = None) -> PacingState:
    return PacingState(
        ready=ready, talk_started=talk, wrap_started=wrap, ringing=ringing, waiting=waiting,
        logged_in=ready + len(talk) + len(wrap) if logged_in is None else logged_in,
        estimates=ESTIMATES, drops=drops or DropLedger(),
    )


def ledger(lives: int, drops: int, at: float = 1000.0) -> DropLedger:
    """`lives` live answers, the first `drops` of them dropped, one a second up to `at`."""
    led = DropLedger()
    for i in range(lives):
        led.record(at - lives + i + 1, i < drops)
    return led


@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 10))
def test_progressive_never_launches_more_than_ready_minus_in_flight(
        ready: int, ringing: int, waiting: int) -> None:
    """Progressive launches exactly max(0, ready - ringing - waiting)."""
    s = state(ready, ringing=(0.0,) * ringing, waiting=(0.0,) * waiting)
    assert Progressive().decide(s, 10.0) == max(0, ready - ringing - waiting)


def test_adapt_average_dials_level_times_agents_minus_calls() -> None:
    """At level 2 with 60 agents in call and nothing ringing it places 60 calls."""
    pacer = AdaptAverage(AdaptSettings(start_level=2.0))
    assert pacer.decide(state(talk=(0.0,) * 60), 0.0) == 60


def test_adapt_average_halves_its_level_over_the_dropped_percentage() -> None:
    """Today's drops at 10 % of live answers (over 3 %) halve the level at the next update."""
    pacer = AdaptAverage(AdaptSettings(start_level=2.0))
    busy = state(talk=(0.0,) * 60, drops=ledger(100, 10, at=100.0))
    pacer.decide(busy, 0.0)  # 60 calls dialed today; drop figures are still those of t=0
    assert pacer.level == 2.0
    pacer.decide(busy, 60.0)
    assert pacer.level == 1.0


def test_adapt_average_keeps_its_level_under_the_dropped_percentage() -> None:
    """Drops at 1 % leave the level where the agent differential puts it."""
    pacer = AdaptAverage(AdaptSettings(start_level=2.0))
    busy = state(talk=(0.0,) * 60, drops=ledger(100, 1, at=100.0))
    pacer.decide(busy, 0.0)
    pacer.decide(busy, 60.0)
    assert pacer.level == 2.0


def test_adapt_average_raises_its_level_while_agents_wait() -> None:
    """Ready agents with no waiting calls raise the level by ready / logged-in."""
    pacer = AdaptAverage()
    pacer.decide(state(ready=10, talk=(0.0,) * 10), 0.0)
    assert pacer.level == 1.5


def over_target(pacer: AdaptAverage) -> float:
    """The pacer's level after an update 60 s into the day with today's drops at 10 %."""
    busy = state(talk=(0.0,) * 60, drops=ledger(50, 5, at=55.0))
    pacer.decide(busy, 0.0)
    pacer.decide(busy, 60.0)
    return pacer.level


def test_adapt_hard_limit_drops_to_level_one_over_the_dropped_percentage() -> None:
    """ADAPT_HARD_LIMIT over its target sets the level to 1.0 (3.0 before), not half."""
    assert over_target(AdaptHardLimit(AdaptSettings(start_level=3.0))) == 1.0


def test_adapt_tapered_cuts_by_the_hours_left_over_ten() -> None:
    """ADAPT_TAPERED over its target 5 h before its latest time multiplies 3.0 by 5/10."""
    settings = AdaptSettings(start_level=3.0, latest=60.0 + 5 * 3600.0)
    assert over_target(AdaptTapered(settings)) == 1.5


def test_adapt_tapered_does_not_cut_ten_hours_or_more_before_its_latest_time() -> None:
    """ADAPT_TAPERED 12 h before its latest time runs over its target at level 3.0."""
    settings = AdaptSettings(start_level=3.0, latest=60.0 + 12 * 3600.0)
    assert over_target(AdaptTapered(settings)) == 3.0


def test_adapt_tapered_drops_to_level_one_after_its_latest_time() -> None:
    """ADAPT_TAPERED over its target after its latest time sets the level to 1.0."""
    assert over_target(AdaptTapered(AdaptSettings(start_level=3.0, latest=30.0))) == 1.0


def test_predictive_dials_more_when_agents_are_about_to_be_free() -> None:
    """Ten agents 14 s into a 15 s wrap-up draw more calls than ten who just began talking."""
    budget = ledger(5000, 0, at=1000.0)
    talking = state(talk=(1000.0,) * 10, drops=budget)
    wrapping = state(wrap=(986.0,) * 10, drops=budget)
    assert Predictive().decide(wrapping, 1000.0) > Predictive().decide(talking, 1000.0)


def test_predictive_falls_back_to_progressive_when_the_budget_is_spent() -> None:
    """With the 24 h window at the cap, only calls for agents already ready are launched."""
    spent = ledger(1000, 30)
    wrapping = state(ready=2, wrap=(986.0,) * 10, drops=spent)
    assert Predictive().decide(wrapping, 1000.0) == 2
    roomy = state(ready=2, wrap=(986.0,) * 10, drops=ledger(1000, 0))
    assert Predictive().decide(roomy, 1000.0) > 2


def test_predictive_worst_case_stays_within_the_allowance() -> None:
    """Calls in flight beyond ready agents never exceed what the window can still drop."""
    budget = ledger(300, 4)  # 9 allowed, 4 used
    s = state(ready=1, wrap=(999.0,) * 40, ringing=(995.0,) * 3, drops=budget)
    launched = Predictive().decide(s, 1000.0)
    allowance = budget.allowance(1000.0, 32.0, (900.0,))
    assert launched + s.in_flight - s.ready <= allowance


def test_predictive_keeps_a_late_drop_covered_until_the_close() -> None:
    """Near the close, the worst case must fit every window a drop will be in: 300 live
    answers with room for 9 drops dial the same 3 hours before the close as with no
    close; progressive when the last one was a drop and too few live answers can come
    before the close to cover it."""
    budget = ledger(300, 0)
    far = state(ready=1, wrap=(990.0,) * 40, drops=budget)
    far_launched = Predictive().decide(far, 1000.0)
    assert far_launched + far.in_flight - far.ready <= budget.allowance(1000.0, 32.0)
    assert far_launched > 1
    later = PacingState(**{**{f: getattr(far, f) for f in far.__dataclass_fields__},
                           "closes_at": 1000.0 + 3 * 3600.0})
    assert Predictive().decide(later, 1000.0) == far_launched
    budget.record(1000.0, True)  # a drop now: alone in the window just before it leaves
    close = state(ready=1, wrap=(990.0,) * 40, drops=budget)
    closing = PacingState(**{**{f: getattr(close, f) for f in close.__dataclass_fields__},
                             "closes_at": 1000.0 + 120.0})
    # the reserve: half the last 15 minutes' 301 live answers a second, for 120 - 32 s
    assert budget.forward_allowance(1000.0, 32.0, 1120.0, 0.5 * 301 / 900) < 0
    assert Predictive().decide(closing, 1000.0) == 1


def test_predictive_never_launches_fewer_than_progressive() -> None:
    """Ready agents with nothing in flight each get a call."""
    assert Predictive().decide(state(ready=5, drops=ledger(1000, 30)), 1000.0) == 5
