"""Erlang B and C: reference values, limits, stability and properties."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.wfm import (
    ErlangCMeasures,
    asa,
    erlang_b,
    erlang_b_table,
    erlang_c,
    erlang_c_measures,
    occupancy,
    required_agents,
    required_agents_with_measures,
    service_level,
    staff,
)

# Published example: 100 calls per 30 min, AHT 180 s, target 80 % in 20 s.
CALLS, INTERVAL, AHT, TARGET_SL, TARGET_SECONDS = 100.0, 1800.0, 180.0, 0.8, 20.0
ERLANGS = 10.0

loads = st.floats(min_value=0.01, max_value=500.0, allow_nan=False)
targets = st.floats(min_value=0.05, max_value=0.99)
seconds = st.floats(min_value=0.0, max_value=120.0)
handle_times = st.floats(min_value=10.0, max_value=1200.0)


def test_reference_needs_14_agents() -> None:
    """The published example needs 14 agents."""
    assert required_agents(ERLANGS, AHT, TARGET_SL, TARGET_SECONDS) == 14


def test_reference_measures_at_14_agents() -> None:
    """With 14 agents: P(wait) 0.1741, SL 0.8884, ASA 7.84 s, occupancy 0.714."""
    assert round(erlang_c(14, ERLANGS), 4) == 0.1741
    assert round(service_level(14, ERLANGS, AHT, TARGET_SECONDS), 4) == 0.8884
    assert round(asa(14, ERLANGS, AHT), 2) == 7.84
    assert round(occupancy(14, ERLANGS), 3) == 0.714


def test_reference_service_level_at_13_agents() -> None:
    """With 13 agents the service level is 0.7956, below the target."""
    assert round(service_level(13, ERLANGS, AHT, TARGET_SECONDS), 4) == 0.7956


def test_staff_reproduces_reference() -> None:
    """staff() turns calls per interval into the published answer and measures."""
    result = staff(CALLS, INTERVAL, AHT, TARGET_SL, TARGET_SECONDS)
    assert (result.agents, result.erlangs, result.p_abandon) == (14, 10.0, None)
    assert round(result.service_level, 4) == 0.8884
    assert round(result.p_wait, 4) == 0.1741
    assert round(result.asa, 2) == 7.84
    assert round(result.occupancy, 3) == 0.714


def test_erlang_b_matches_textbook_values() -> None:
    """Erlang B agrees with the closed form for one agent and the table value B(10, 10)."""
    assert erlang_b(1, 3.0) == pytest.approx(3.0 / 4.0, rel=1e-15)
    assert erlang_b(10, 10.0) == pytest.approx(0.2145823, abs=1e-7)


def test_erlang_b_table_equals_pointwise_values() -> None:
    """Each entry of erlang_b_table is exactly erlang_b for that many agents."""
    table = erlang_b_table(40, 17.5)
    assert table == [erlang_b(n, 17.5) for n in range(41)]


def test_service_level_increases_with_agents() -> None:
    """Adding an agent always raises the service level of a stable queue."""
    levels = [service_level(n, 250.0, AHT, TARGET_SECONDS) for n in range(251, 300)]
    assert all(lower < higher for lower, higher in itertools.pairwise(levels))


def test_stable_at_100000_agents() -> None:
    """100,000 agents on 99,000 Erlangs give finite probabilities in [0, 1]."""
    p_wait = erlang_c(100_000, 99_000.0)
    level = service_level(100_000, 99_000.0, AHT, TARGET_SECONDS)
    assert 0.0 <= p_wait <= 1.0
    assert 0.0 <= level <= 1.0
    assert math.isfinite(asa(100_000, 99_000.0, AHT))
    assert 0.0 < erlang_b(100_000, 99_000.0) < p_wait


def test_required_agents_at_100000_erlangs() -> None:
    """Staffing 100,000 Erlangs finishes with a count just above the load."""
    agents = required_agents(100_000.0, AHT, TARGET_SL, TARGET_SECONDS)
    assert 100_000 < agents < 100_100
    assert service_level(agents, 100_000.0, AHT, TARGET_SECONDS) >= TARGET_SL


def test_unstable_queue_is_reported_cleanly() -> None:
    """With agents <= Erlangs every call waits, SL is 0, ASA infinite, occupancy 1."""
    assert erlang_c(10, 10.0) == 1.0
    assert service_level(9, 10.0, AHT, TARGET_SECONDS) == 0.0
    assert asa(10, 10.0, AHT) == math.inf
    assert occupancy(0, 10.0) == 1.0


def test_no_traffic_needs_no_agents() -> None:
    """Without calls nobody waits and no agent is needed."""
    assert required_agents(0.0, AHT, TARGET_SL, TARGET_SECONDS) == 0
    assert (erlang_c(0, 0.0), service_level(0, 0.0, AHT, 20.0), asa(3, 0.0, AHT)) == (0, 1, 0)


def test_required_agents_respects_max_occupancy() -> None:
    """A 60 % occupancy cap on 10 Erlangs needs 17 agents, more than the SL alone."""
    assert required_agents(ERLANGS, AHT, TARGET_SL, TARGET_SECONDS, max_occupancy=0.6) == 17


def test_required_agents_respects_max_asa() -> None:
    """An ASA cap of 2 s on the reference load needs 16 agents (15 give 3.67 s)."""
    assert required_agents(ERLANGS, AHT, TARGET_SL, TARGET_SECONDS, max_asa=2.0) == 16


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(-1, 5.0), "agents"),
        (lambda: erlang_c(3, math.nan), "erlangs"),
        (lambda: service_level(3, 1.0, 0.0, 20.0), "aht"),
        (lambda: required_agents(5.0, AHT, 1.0, 20.0), "target_sl"),
        (lambda: required_agents(5.0, AHT, 0.8, 20.0, max_occupancy=0.0), "max_occupancy"),
    ],
)
def test_misuse_raises_value_error_naming_the_argument(
    call: Callable[[], object], message: str
) -> None:
    """Out-of-range arguments raise ValueError that names the argument."""
    with pytest.raises(ValueError, match=message):
        call()


@given(agents=st.integers(min_value=1, max_value=2000), erlangs=loads)
def test_erlang_c_is_at_least_erlang_b(agents: int, erlangs: float) -> None:
    """Waiting (Erlang C) is at least as likely as blocking (Erlang B)."""
    assert erlang_c(agents, erlangs) >= erlang_b(agents, erlangs)


@given(agents=st.integers(min_value=0, max_value=2000), erlangs=loads)
def test_probabilities_stay_in_unit_interval(agents: int, erlangs: float) -> None:
    """Erlang B, P(wait), service level and occupancy are all within [0, 1]."""
    for value in (
        erlang_b(agents, erlangs),
        erlang_c(agents, erlangs),
        service_level(agents, erlangs, AHT, TARGET_SECONDS),
        occupancy(agents, erlangs),
    ):
        assert 0.0 <= value <= 1.0


@given(erlangs=loads, aht=handle_times, target_sl=targets, target_seconds=seconds)
def test_required_agents_is_the_fewest_meeting_target(
    erlangs: float, aht: float, target_sl: float, target_seconds: float
) -> None:
    """The answer meets the target and one agent fewer does not."""
    agents = required_agents(erlangs, aht, target_sl, target_seconds)
    assert service_level(agents, erlangs, aht, target_seconds) >= target_sl
    assert service_level(agents - 1, erlangs, aht, target_seconds) < target_sl


@given(
    erlangs=loads,
    target_sl=targets,
    max_asa=st.floats(min_value=0.5, max_value=60.0),
    max_occupancy=st.floats(min_value=0.3, max_value=1.0),
)
def test_required_agents_with_limits_is_the_fewest_meeting_all(
    erlangs: float, target_sl: float, max_asa: float, max_occupancy: float
) -> None:
    """With ASA and occupancy limits the answer meets all three and one fewer misses one."""

    def meets(n: int) -> bool:
        return (
            service_level(n, erlangs, AHT, TARGET_SECONDS) >= target_sl
            and asa(n, erlangs, AHT) <= max_asa
            and occupancy(n, erlangs) <= max_occupancy
        )

    agents = required_agents(
        erlangs, AHT, target_sl, TARGET_SECONDS, max_asa=max_asa, max_occupancy=max_occupancy
    )
    assert meets(agents)
    assert not meets(agents - 1)


@given(agents=st.integers(min_value=0, max_value=500), erlangs=loads, aht=handle_times,
       target_seconds=seconds)
def test_erlang_c_measures_equal_the_single_functions(
    agents: int, erlangs: float, aht: float, target_seconds: float
) -> None:
    """erlang_c_measures returns exactly what the four single-measure functions return."""
    assert erlang_c_measures(agents, erlangs, aht, target_seconds) == ErlangCMeasures(
        p_wait=erlang_c(agents, erlangs),
        service_level=service_level(agents, erlangs, aht, target_seconds),
        asa=asa(agents, erlangs, aht),
        occupancy=occupancy(agents, erlangs),
    )


@given(erlangs=loads, target_sl=targets, target_seconds=seconds)
def test_measures_from_the_search_equal_a_fresh_computation(
    erlangs: float, target_sl: float, target_seconds: float
) -> None:
    """The measures the staffing pass returns are exactly erlang_c_measures at its answer."""
    agents, measures = required_agents_with_measures(erlangs, AHT, target_sl, target_seconds)
    assert measures == erlang_c_measures(agents, erlangs, AHT, target_seconds)
