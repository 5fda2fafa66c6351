"""The outbound simulation: common random numbers, and the drop cap under answer-rate swings."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcenter.core.dialer.drops import DAY
from callcenter.core.dialer.pacing import Predictive, Progressive
from callcenter.sim.outbound import OutboundScenario, OutcomeModel, Traffic, simulate

SHIFT = 3600.0
SEGMENTS = 4  # answer-rate steps per shift


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


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rates=st.lists(st.floats(0.05, 0.6), min_size=2 * SEGMENTS, max_size=2 * SEGMENTS),
       seed=st.integers(0, 2**32 - 1))
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
