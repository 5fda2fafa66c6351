"""Erlang A (M/M/n+M) against a direct birth-death solution, its limits and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from callcenter.wfm import (
    ErlangAMeasures,
    asa,
    erlang_a_measures,
    erlang_c,
    required_agents_erlang_a,
    service_level,
    staff,
)

AHT, TARGET_SECONDS = 180.0, 20.0


def _birth_death(
    agents: int,
    erlangs: float,
    aht: float,
    patience: float,
    target_seconds: float,
    short_abandon: float,
    depth: int = 300,
) -> ErlangAMeasures:
    """Erlang A measures from the truncated chain and a tagged caller's absorbing chain."""
    arrival, service, abandon = erlangs / aht, 1.0 / aht, 1.0 / patience
    weights = [1.0]
    for j in range(1, agents + depth):
        weights.append(weights[-1] * arrival / (min(j, agents) * service
                                                + max(0, j - agents) * abandon))
    p = np.array(weights) / sum(weights)
    p_wait = float(p[agents:].sum())
    queued = sum((j - agents) * p[j] for j in range(agents, p.size))
    p_abandon = abandon * queued / arrival
    # A tagged caller with k callers ahead: states 0..depth-1, then answered, abandoned.
    answered, gone = depth, depth + 1
    generator = np.zeros((depth + 2, depth + 2))
    for k in range(depth):
        advance = agents * service + k * abandon
        generator[k, answered if k == 0 else k - 1] += advance
        generator[k, gone] += abandon
        generator[k, k] -= advance + abandon
    arriving = p[agents:agents + depth]
    answered_in_time = 1.0 - p_wait + arriving @ expm(generator * target_seconds)[:depth, answered]
    early = arriving @ expm(generator * short_abandon)[:depth, gone]
    wait_answered = 0.0
    for k in range(depth):
        rates = [agents * service + j * abandon for j in range(k + 1)]
        reached = math.prod(r / (r + abandon) for r in rates)
        wait_answered += p[agents + k] * reached * sum(1.0 / (r + abandon) for r in rates)
    return ErlangAMeasures(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=float(answered_in_time / (1.0 - early)),
        asa=wait_answered / (1.0 - p_abandon),
        occupancy=erlangs * (1.0 - p_abandon) / agents,
    )


@pytest.mark.parametrize(
    ("agents", "erlangs", "aht", "patience", "target_seconds", "short_abandon"),
    [
        (1, 0.5, 100.0, 50.0, 0.0, 0.0),
        (3, 2.5, 180.0, 120.0, 20.0, 0.0),
        (5, 6.0, 180.0, 60.0, 20.0, 0.0),
        (4, 3.0, 60.0, 30.0, 10.0, 3.0),
        (6, 9.0, 200.0, 100.0, 40.0, 10.0),
        (8, 7.5, 240.0, 600.0, 30.0, 5.0),
    ],
)
def test_matches_birth_death_chain(
    agents: int,
    erlangs: float,
    aht: float,
    patience: float,
    target_seconds: float,
    short_abandon: float,
) -> None:
    """Every measure equals the direct birth-death solution to 1e-9."""
    measures = erlang_a_measures(
        agents, erlangs, aht, patience, target_seconds, short_abandon=short_abandon
    )
    expected = _birth_death(agents, erlangs, aht, patience, target_seconds, short_abandon)
    for name in ("p_wait", "p_abandon", "service_level", "asa", "occupancy"):
        assert getattr(measures, name) == pytest.approx(getattr(expected, name), abs=1e-9), name


@pytest.mark.parametrize("agents", [11, 14, 20])
def test_converges_to_erlang_c_as_patience_grows(agents: int) -> None:
    """With patience 1e12 s, Erlang A gives the Erlang C P(wait), SL and ASA."""
    measures = erlang_a_measures(agents, 10.0, AHT, 1e12, TARGET_SECONDS)
    assert measures.p_wait == pytest.approx(erlang_c(agents, 10.0), rel=1e-8)
    assert measures.service_level == pytest.approx(
        service_level(agents, 10.0, AHT, TARGET_SECONDS), rel=1e-8
    )
    assert measures.asa == pytest.approx(asa(agents, 10.0, AHT), rel=1e-8)
    assert measures.p_abandon < 1e-9


def test_overloaded_queue_stays_stable() -> None:
    """Fewer agents than Erlangs is stable under Erlang A: P(abandon) absorbs the excess."""
    measures = erlang_a_measures(8, 10.0, AHT, 120.0, TARGET_SECONDS)
    assert measures.p_abandon == pytest.approx(1.0 - 8 * measures.occupancy / 10.0)
    assert 0.2 - 1e-12 <= measures.p_abandon < 1.0
    assert math.isfinite(measures.asa)


@pytest.mark.parametrize(
    ("agents", "erlangs", "patience"),
    [(10_000, 10_000.0, 180.0), (100_000, 99_000.0, 600.0), (1, 10_000.0, 1800.0),
     (20_000, 10_000.0, 1e9)],
)
def test_stable_at_large_sizes(agents: int, erlangs: float, patience: float) -> None:
    """Up to 100,000 agents and Erlangs every measure is finite and probabilities in [0, 1]."""
    measures = erlang_a_measures(agents, erlangs, AHT, patience, TARGET_SECONDS)
    for value in (measures.p_wait, measures.p_abandon, measures.service_level,
                  measures.occupancy):
        assert 0.0 <= value <= 1.0
    assert math.isfinite(measures.asa)


def test_zero_agents_lose_every_call() -> None:
    """With no agents every caller waits and abandons; nothing is answered."""
    assert erlang_a_measures(0, 5.0, AHT, 60.0, TARGET_SECONDS) == ErlangAMeasures(
        1.0, 1.0, 0.0, math.inf, 1.0
    )


def test_short_abandons_leave_the_denominator() -> None:
    """Excluding abandons within 5 s raises the service level, never the answered count."""
    counted = erlang_a_measures(10, 10.0, AHT, 60.0, TARGET_SECONDS)
    excluded = erlang_a_measures(10, 10.0, AHT, 60.0, TARGET_SECONDS, short_abandon=5.0)
    assert excluded.service_level > counted.service_level
    assert excluded.p_abandon == counted.p_abandon


def test_staff_with_patience_reports_abandonment() -> None:
    """staff() with patience uses Erlang A: fewer agents than Erlang C, P(abandon) given."""
    result = staff(100.0, 1800.0, AHT, 0.8, TARGET_SECONDS, patience=120.0)
    assert result.agents == 12
    assert result.p_abandon is not None and 0.0 < result.p_abandon < result.p_wait


patience_values = st.floats(min_value=5.0, max_value=3600.0)
load_values = st.floats(min_value=0.05, max_value=300.0)


@given(agents=st.integers(min_value=1, max_value=400), erlangs=load_values,
       patience=patience_values)
def test_probabilities_are_ordered_and_bounded(
    agents: int, erlangs: float, patience: float
) -> None:
    """0 <= P(abandon) <= P(wait) <= 1 and SL, occupancy are within [0, 1]."""
    m = erlang_a_measures(agents, erlangs, AHT, patience, TARGET_SECONDS)
    assert 0.0 <= m.p_abandon <= m.p_wait <= 1.0
    assert 0.0 <= m.service_level <= 1.0
    assert 0.0 <= m.occupancy <= 1.0


@given(agents=st.integers(min_value=1, max_value=300), erlangs=load_values,
       patience=patience_values)
def test_more_agents_never_hurt(agents: int, erlangs: float, patience: float) -> None:
    """One more agent gives no lower SL, no higher ASA, P(abandon) or occupancy."""
    fewer = erlang_a_measures(agents, erlangs, AHT, patience, TARGET_SECONDS)
    more = erlang_a_measures(agents + 1, erlangs, AHT, patience, TARGET_SECONDS)
    tolerance = 1e-9
    assert more.service_level >= fewer.service_level - tolerance
    assert more.asa <= fewer.asa * (1 + tolerance)
    assert more.p_abandon <= fewer.p_abandon + tolerance
    assert more.occupancy <= fewer.occupancy + tolerance


@settings(max_examples=50)
@given(erlangs=load_values, patience=patience_values,
       target_sl=st.floats(min_value=0.05, max_value=0.99))
def test_required_agents_is_the_fewest_meeting_target(
    erlangs: float, patience: float, target_sl: float
) -> None:
    """The Erlang A answer meets the target and one agent fewer does not."""
    agents = required_agents_erlang_a(erlangs, AHT, patience, target_sl, TARGET_SECONDS)
    measures = erlang_a_measures(agents, erlangs, AHT, patience, TARGET_SECONDS)
    assert measures.service_level >= target_sl
    if agents > 1:
        below = erlang_a_measures(agents - 1, erlangs, AHT, patience, TARGET_SECONDS)
        assert below.service_level < target_sl
