"""The outbound simulation: common random numbers, and the drop cap under answer-rate swings."""

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from callcenter.core.dialer.drops import DAY, MONTH
from callcenter.core.dialer.estimates import DialHistory
from callcenter.core.dialer.pacing import Predictive, PredictiveSettings, Progressive
from callcenter.sim.outbound import OutboundScenario, OutcomeModel, Traffic, simulate

SHIFT = 3600.0
SEGMENTS = 4  # answer-rate steps per shift
# The drop-cap properties: a fixed sequence of examples (derandomized, no example
# database), 200 in `make test`, more from the environment (`make test-slow`: 2,000).
PROPERTY = settings(max_examples=int(os.environ.get("CALLCENTER_PROPERTY_EXAMPLES", "200")),
                    derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
# The properties run without coverage measurement (pytest-cov's `no_cover`): each of
# their examples is a two-day simulation of code the other tests here cover, and
# measuring them nearly doubles their CPU time in `make test`.
UNMEASURED = pytest.mark.no_cover


def test_the_same_seed_meets_the_same_callees_attempt_by_attempt() -> None:
    """Attempt k has the same outcome, answer time and talk time in two runs of one seed."""
    first, second = Traffic(OutcomeModel(), 7), Traffic(OutcomeModel(), 7)
    late = [second.attempt(k, 0.0) for k in reversed(range(5000))][::-1]
    assert [first.attempt(k, 0.0) for k in range(5000)] == late


def test_progressive_never_drops_a_call() -> None:
    """Every progressive call has an agent waiting for it."""
    result = simulate(OutboundScenario(agents=10, days=1, shift_seconds=1800.0),
                      Progressive(), seed=3)
    assert result.lives > 50
    assert result.drops == 0


@UNMEASURED
@PROPERTY
@given(rates=st.lists(st.floats(0.05, 0.6), min_size=2 * SEGMENTS, max_size=2 * SEGMENTS),
       seed=st.integers(0, 2**32 - 1))
# found by 200 derandomized examples (before the forward guard): 8 drops in 313 live
# answers on day 0; 1,326 s into day 1 the window had lost day 0's first 22 minutes of
# live answers and held the 8 drops with 261 (3.07 %)
@example(rates=[0.5717098972166441, 0.3333333333333333, 0.06379470735167861, 0.6,
                0.34126516395307255, 0.10925483648518292, 0.3275911, 0.09251625070869161],
         seed=192)
def test_predictive_holds_the_cap_in_every_24_hours_over_answer_rate_swings(
        rates: list[float], seed: int) -> None:
    """The worst trailing 24 h drop rate, at any instant, stays at or under 3 %, exactly."""
    steps = tuple((day * DAY + i * SHIFT / SEGMENTS, rates[day * SEGMENTS + i])
                  for day in range(2) for i in range(SEGMENTS))
    model = OutcomeModel(live_rate=rates[0], live_rates=steps)
    scenario = OutboundScenario(agents=20, days=2, shift_seconds=SHIFT, model=model)
    result = simulate(scenario, Predictive(), seed)
    assert result.worst_rate(DAY) <= scenario.cap
    assert result.drop_rate <= scenario.cap


@UNMEASURED
@PROPERTY
@given(rates=st.lists(st.floats(0.05, 0.6), min_size=2 * SEGMENTS, max_size=2 * SEGMENTS),
       seed=st.integers(0, 2**32 - 1), agents=st.integers(5, 30),
       cap=st.sampled_from([0.01, 0.03, 0.05]))
def test_predictive_holds_any_cap_for_any_team_over_answer_rate_swings(
        rates: list[float], seed: int, agents: int, cap: float) -> None:
    """For any team size and cap: every 24 h window at any instant and every 30 d window
    stay at or under the cap, exactly."""
    steps = tuple((day * DAY + i * SHIFT / SEGMENTS, rates[day * SEGMENTS + i])
                  for day in range(2) for i in range(SEGMENTS))
    model = OutcomeModel(live_rate=rates[0], live_rates=steps)
    scenario = OutboundScenario(agents=agents, days=2, shift_seconds=SHIFT, model=model,
                                cap=cap)
    pacer = Predictive(PredictiveSettings(target_rate=min(0.025, 0.8 * cap)))
    result = simulate(scenario, pacer, seed)
    assert result.worst_rate(DAY) <= cap
    assert result.worst_rate(MONTH) <= cap
    assert result.drop_rate <= cap


def test_days_add_up_to_the_run() -> None:
    """Per-day counts and times sum to the run's; occupancy counts talk and wrap-up."""
    scenario = OutboundScenario(agents=10, days=3, shift_seconds=1800.0)
    result = simulate(scenario, Predictive(), seed=5)
    assert [d.day for d in result.days] == [0, 1, 2]
    assert sum(d.dialed for d in result.days) == result.dialed
    assert sum(d.lives for d in result.days) == result.lives
    assert sum(d.drops for d in result.days) == result.drops
    assert sum(d.machines for d in result.days) == result.machines
    assert sum(d.talk_seconds for d in result.days) == pytest.approx(result.talk_seconds)
    assert result.talk_seconds < result.handle_seconds <= result.agent_seconds
    assert result.occupancy == pytest.approx(result.handle_seconds / result.agent_seconds)


def test_progress_is_called_once_a_day() -> None:
    """The progress callback hears the number of days done, in order."""
    seen: list[int] = []
    simulate(OutboundScenario(agents=2, days=3, shift_seconds=600.0), Progressive(), seed=1,
             progress=seen.append)
    assert seen == [1, 2, 3]


def test_answer_rate_schedule_must_be_in_time_order() -> None:
    """A schedule out of time order is refused, not silently misread."""
    with pytest.raises(ValueError, match="time order"):
        OutcomeModel(live_rates=((600.0, 0.2), (0.0, 0.3)))


def test_a_variable_wrap_up_leaves_the_callees_as_they_were() -> None:
    """With a lognormal wrap-up, attempt k still has the outcome, answer and talk time of the
    same seed without one."""
    fixed, varied = Traffic(OutcomeModel(), 7), Traffic(OutcomeModel(wrap_sigma=0.6), 7)
    assert [varied.attempt(k, 0.0) for k in range(5000)] == [
        fixed.attempt(k, 0.0) for k in range(5000)]


def test_a_fixed_wrap_up_is_the_mean_every_time() -> None:
    """With wrap_sigma 0 every wrap-up lasts wrap_seconds (12 s here)."""
    traffic = Traffic(OutcomeModel(wrap_seconds=12.0), 7)
    assert {traffic.wrap(k) for k in range(100)} == {12.0}


def test_a_lognormal_wrap_up_has_the_mean_asked_for() -> None:
    """20,000 lognormal wrap-ups (mean 15 s, sigma 0.6: a standard error of 0.07 s) average
    15 s within 0.5 s, and vary."""
    traffic = Traffic(OutcomeModel(wrap_seconds=15.0, wrap_sigma=0.6), 7)
    wraps = [traffic.wrap(k) for k in range(20_000)]
    assert abs(sum(wraps) / len(wraps) - 15.0) < 0.5
    assert min(wraps) < 8.0 and max(wraps) > 30.0


def test_the_dialer_learns_a_variable_wrap_up() -> None:
    """After two hours of 20 agents with a lognormal wrap-up (mean 15 s, sigma 0.6: about
    5 % of wrap-ups fall in [15 s, 16 s)) the wrap-up estimate puts under 20 % of its weight
    there; with the fixed 15 s wrap-up, over 95 %."""
    def weight_at_15(model: OutcomeModel) -> float:
        history = DialHistory()
        sc = OutboundScenario(agents=20, days=1, shift_seconds=7200.0, model=model)
        simulate(sc, Progressive(), seed=3, history=history)
        cdf = history.estimates(1e9).wrap_cdf
        return float(cdf[16] - cdf[15])

    assert weight_at_15(OutcomeModel(wrap_sigma=0.6)) < 0.2
    assert weight_at_15(OutcomeModel()) > 0.95
