"""Long runs of textbook queues agree with queueing theory (callcenter.wfm) within their
99 % confidence intervals over replications.

M/M/10 at 8 Erlangs (Erlang C) and M/M/10+M at 10 Erlangs with 120 s mean patience
(Erlang A): 10 replications of one day each, the first hour discarded as warm-up.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callcenter.core import metrics as m
from callcenter.core.records import InteractionRecord
from callcenter.scenario.spec import erlang_scenario
from callcenter.sim.runner import RunResult, run_replications
from callcenter.sim.summary import mean_ci
from callcenter.wfm import erlang_a_measures, erlang_c_measures

AGENTS, AHT = 10, 180.0
REPLICATIONS = 10
CONFIDENCE = 0.99


def window(r: RunResult) -> list[InteractionRecord]:
    return m.arrived_between(r.records, r.window_start, r.window_end)


def waited(rows: list[InteractionRecord]) -> float:
    return sum(1 for x in rows if x.wait > 0) / len(rows)


def agrees(runs: list[RunResult], kpi: Callable[[RunResult], float], theory: float) -> None:
    mean, half = mean_ci([kpi(r) for r in runs], CONFIDENCE)
    assert half is not None
    assert abs(mean - theory) <= half, f"simulated {mean:.4f} ± {half:.4f}, theory {theory:.4f}"


@pytest.fixture(scope="module")
def mmc() -> list[RunResult]:
    sc = erlang_scenario(AGENTS, 160, AHT, warmup=3600)  # 8 Erlangs
    return run_replications(sc, REPLICATIONS, seed=11)


@pytest.fixture(scope="module")
def mmcm() -> list[RunResult]:
    sc = erlang_scenario(AGENTS, 200, AHT, mean_patience=120, warmup=3600)  # 10 Erlangs
    return run_replications(sc, REPLICATIONS, seed=12)


def test_mmc_probability_of_waiting(mmc: list[RunResult]) -> None:
    """M/M/c: the share of calls that wait matches Erlang C."""
    agrees(mmc, lambda r: waited(window(r)), erlang_c_measures(AGENTS, 8, AHT, 20).p_wait)


def test_mmc_asa(mmc: list[RunResult]) -> None:
    """M/M/c: the average speed of answer matches Erlang C."""
    agrees(mmc, lambda r: m.asa(window(r)) or 0.0, erlang_c_measures(AGENTS, 8, AHT, 20).asa)


def test_mmc_service_level(mmc: list[RunResult]) -> None:
    """M/M/c: the service level at 20 s matches Erlang C."""
    theory = erlang_c_measures(AGENTS, 8, AHT, 20).service_level
    agrees(mmc, lambda r: m.service_level(window(r)) or 0.0, theory)


def test_mmc_occupancy(mmc: list[RunResult]) -> None:
    """M/M/c: agent occupancy matches offered load / agents."""
    agrees(mmc, lambda r: m.occupancy(r.spans, r.window_start, r.window_end) or 0.0,
           erlang_c_measures(AGENTS, 8, AHT, 20).occupancy)


def test_mmcm_probability_of_abandoning(mmcm: list[RunResult]) -> None:
    """M/M/c+M: the share of callers who abandon matches Erlang A."""
    theory = erlang_a_measures(AGENTS, 10, AHT, 120, 20).p_abandon
    agrees(mmcm, lambda r: m.abandoned(window(r)) / len(window(r)), theory)


def test_mmcm_probability_of_waiting(mmcm: list[RunResult]) -> None:
    """M/M/c+M: the share of callers who wait matches Erlang A."""
    agrees(mmcm, lambda r: waited(window(r)), erlang_a_measures(AGENTS, 10, AHT, 120, 20).p_wait)
