"""The simulation benchmark's counting and checks (bench/simulation.py): the same
definition of offered, answered and measured for every model, batch-means intervals,
and a run that fails when a model leaves Erlang C out of its interval."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_simulation", BENCH / "simulation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_simulation"] = module
    spec.loader.exec_module(module)
    return module


sim = _load()
SIZE = sim.Size(horizon=4.0, warmup=1.0, batches=2, repeats=1)
# Arrivals at 0.5 (before the warm-up), 1.2, 1.8, 2.9 (unanswered), 3.1 and 3.7; batches
# [1, 2.5) and [2.5, 4).
CALLS = sim.Calls(np.array([0.5, 1.2, 1.8, 2.9, 3.1, 3.7]),
                  np.array([9.0, 1.0, 3.0, math.nan, 25.0, 5.0]), 1.0)


def test_offered_answered_and_measured_are_counted_alike() -> None:
    """Offered: every arrival; answered: those with a wait; measured: answered after
    the warm-up."""
    o = sim.outcome(CALLS, SIZE)
    assert (o.offered, o.answered, o.measured) == (6, 5, 4)


def test_asa_interval_is_from_the_batch_means() -> None:
    """ASA (1+3+25+5)/4 = 8.5; batch means 2 and 15, so the 99 % half-width is
    t(0.995, 1 df) 63.657 x sd 9.192 / sqrt 2 = 413.7."""
    asa = sim.outcome(CALLS, SIZE).asa
    assert asa.value == pytest.approx(8.5)
    assert asa.high - asa.value == pytest.approx(63.6567 * 9.19239 / math.sqrt(2), rel=1e-4)
    assert asa.value - asa.low == pytest.approx(asa.high - asa.value)


def test_service_level_counts_waits_up_to_20_s() -> None:
    """Three of the four measured calls waited 20 s or less: SL 0.75."""
    assert sim.outcome(CALLS, SIZE).sl.value == pytest.approx(0.75)


def test_erlang_c_outside_the_interval_fails_the_run() -> None:
    """A model whose ASA interval leaves out the Erlang C ASA fails, naming the figure."""
    calls = sim.Calls(np.array([1.2, 1.8, 3.1, 3.7]), np.array([1.0, 1.1, 1.0, 1.1]), 1.0)
    result = sim.outcome(calls, SIZE)
    with pytest.raises(SystemExit, match=r"model: ASA 1\.05.*leaves out Erlang C's 6\.38"):
        sim.check("model", calls, calls, result, 6.38, 1.0)


def test_a_call_never_answered_fails_the_run() -> None:
    """Every offered call must be answered (there are no abandons in M/M/c)."""
    with pytest.raises(SystemExit, match="1 of 6 offered calls never answered"):
        sim.check("model", CALLS, CALLS, sim.outcome(CALLS, SIZE), 8.5, 0.75)


def test_heapq_floor_matches_erlang_c() -> None:
    """The floor's M/M/190 over 20,000 s: ASA and SL within their intervals of Erlang C
    (ASA 6.38 s, SL(20 s) 0.883 from the Erlang C formula)."""
    size = sim.Size(20_000.0, 2_000.0, 6, 1)
    calls = sim.floor_mmc(size.horizon, 5)
    result = sim.outcome(calls, size)
    sim.check("floor", calls, calls, result, 6.38, 0.883)
