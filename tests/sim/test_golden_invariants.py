"""The example scenarios' golden summaries (`*.expected.json`) obey rules a regeneration
cannot hide: every call is accounted for, each ratio agrees with the counts it is made
of, outbound days add up to the run and stay under the drop cap, and a single-queue
example's service level and ASA lie where queueing theory puts them.

The golden test checks that the simulator still writes these files; this one checks
the files against rules from outside the simulator (docs/reference/metrics.md, the
scenario files, Erlang A written out here from its textbook definition).
"""

from __future__ import annotations

import functools
import json
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats  # type: ignore[import-untyped]
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
from scipy.sparse.linalg import expm_multiply  # type: ignore[import-untyped]

from callcenter.scenario.load import load_scenario
from callcenter.sim.golden import expected_path, scenarios
from callcenter.sim.runner import run_replications
from callcenter.sim.summary import run_kpis

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
COUNTS = ("offered", "handled", "abandoned", "short_abandoned", "timed_out", "rejected",
          "callbacks")


def _spec(scenario: Path) -> dict[str, Any]:
    with scenario.open("rb") as f:
        return tomllib.load(f)


def _golden(scenario: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(expected_path(scenario).read_text(encoding="utf-8"))
    return found


def _is_outbound(scenario: Path) -> bool:
    return "campaign" in _spec(scenario)


INBOUND = [p for p in scenarios(EXAMPLES) if not _is_outbound(p)]
OUTBOUND = [p for p in scenarios(EXAMPLES) if _is_outbound(p)]
SINGLE_QUEUE = [p for p in INBOUND
                if len(_spec(p)["queues"]) == 1 and "ivr" not in _spec(p)
                and all("queue" in a for a in _spec(p)["arrivals"])]


def _blocks(scenario: Path) -> list[tuple[str, dict[str, Any]]]:
    """Each queue's figures and the total, by name."""
    golden = _golden(scenario)
    return [*golden["queues"].items(), ("total", golden["total"])]


def test_the_examples_are_all_checked() -> None:
    """Every example is either inbound or outbound, and two are single-queue."""
    assert INBOUND and OUTBOUND
    assert len(INBOUND) + len(OUTBOUND) == len(scenarios(EXAMPLES))
    assert [p.stem for p in SINGLE_QUEUE] == ["full-day", "hotline"]


# ---------------------------------------------------------------- conservation


@pytest.mark.parametrize("scenario", INBOUND, ids=lambda p: p.stem)
def test_every_call_is_accounted_for(scenario: Path) -> None:
    """Per queue and in total, every offered call was answered, abandoned, timed out or
    turned away (the simulator loses no line), and none is left over at the end; a
    callback is never an abandon, it is answered when the agent calls back."""
    assert _golden(scenario)["unfinished"] == 0
    for name, k in _blocks(scenario):
        ends = k["handled"] + k["abandoned"] + k["timed_out"] + k["rejected"]
        assert k["offered"] == ends, name
        assert k["callbacks"] <= k["handled"], name
        assert k["short_abandoned"] <= k["abandoned"], name


@pytest.mark.parametrize("scenario", INBOUND, ids=lambda p: p.stem)
def test_the_total_is_the_sum_of_the_queues(scenario: Path) -> None:
    """Each count of the total block is the sum of the queues' counts."""
    golden = _golden(scenario)
    for count in COUNTS:
        assert golden["total"][count] == sum(q[count] for q in golden["queues"].values()), count


def _whole(x: float) -> bool:
    return abs(x - round(x)) < 1e-6


@pytest.mark.parametrize("scenario", INBOUND, ids=lambda p: p.stem)
def test_each_ratio_is_made_of_its_counts(scenario: Path) -> None:
    """Each ratio times its denominator (docs/reference/metrics.md) is a whole number of
    calls no larger than its part: SL over answered and long abandons, SL2 over answered
    and abandoned, abandonment over queued (offered less rejected)."""
    for name, k in _blocks(scenario):
        long_abandons = k["abandoned"] - k["short_abandoned"]
        within = k["service_level"] * (k["handled"] + long_abandons)
        assert _whole(within) and round(within) <= k["handled"], name
        good = k["service_level_asterisk"] * (k["handled"] + k["abandoned"])
        assert _whole(good) and round(good) <= k["handled"] + k["abandoned"], name
        abandons = k["abandon_rate"] * (k["offered"] - k["rejected"])
        assert round(abandons) == k["abandoned"] and _whole(abandons), name
        assert k["asa"] > 0 and k["aht"] > 0 and 0 < k["occupancy"] <= 1, name


def test_ivr_outcomes_add_up_to_the_calls_that_entered() -> None:
    """Each flow's calls end in exactly one outcome; contained is voicemail plus hang-up;
    every call the flow queued is an offered queue call."""
    golden = _golden(EXAMPLES / "customer-service.toml")
    for name, f in golden["ivr"].items():
        outcomes = ("queue", "callback", "voicemail", "transfer", "hangup", "abandoned")
        assert f["entered"] == sum(f[o] for o in outcomes), name
        assert f["contained"] == f["voicemail"] + f["hangup"], name
        assert f["containment_rate"] == pytest.approx(f["contained"] / f["entered"]), name
    queued_by_flows = sum(f["queue"] + f["callback"] for f in golden["ivr"].values())
    assert queued_by_flows <= golden["total"]["offered"]


def _volume(arrivals: list[dict[str, Any]]) -> float:
    """Expected calls of a day from arrival tables: `daily`, or the sum of `per_interval`."""
    return math.fsum(a["daily"] if "daily" in a else math.fsum(a["per_interval"])
                     for a in arrivals)


def _poisson_99_9(volume: float) -> tuple[float, float]:
    return (float(stats.poisson.ppf(0.0005, volume)), float(stats.poisson.ppf(0.9995, volume)))


@pytest.mark.parametrize("scenario", INBOUND, ids=lambda p: p.stem)
def test_the_calls_are_a_poisson_draw_of_the_scenarios_volume(scenario: Path) -> None:
    """The calls that reached a queue directly, and those that entered an IVR flow, lie in
    the 99.9 % range of a Poisson count with the day's volume of the scenario file."""
    spec, golden = _spec(scenario), _golden(scenario)
    direct = [a for a in spec["arrivals"] if "queue" in a]
    via_flows = [a for a in spec["arrivals"] if "flow" in a]
    flows = golden.get("ivr", {})
    queued_by_flows = sum(f["queue"] + f["callback"] for f in flows.values())
    low, high = _poisson_99_9(_volume(direct))
    assert low <= golden["total"]["offered"] - queued_by_flows <= high
    if via_flows:
        low, high = _poisson_99_9(_volume(via_flows))
        assert low <= sum(f["entered"] for f in flows.values()) <= high


# ---------------------------------------------------------------- outbound


def _dialers(scenario: Path) -> list[tuple[str, dict[str, Any]]]:
    return sorted(_golden(scenario)["dialers"].items())


@pytest.mark.parametrize("scenario", OUTBOUND, ids=lambda p: p.stem)
def test_outbound_days_add_up_to_the_run(scenario: Path) -> None:
    """Per dialer, the days' dials, live answers, machines and drops sum to the run's;
    answers and machines are among the dials, drops among the live answers."""
    golden = _golden(scenario)
    for name, d in _dialers(scenario):
        assert len(d["days"]) == golden["days"], name
        for count in ("dialed", "live_answers", "machines", "drops"):
            assert d[count] == sum(day[count] for day in d["days"]), (name, count)
        for block in (d, *d["days"]):
            assert block["live_answers"] + block["machines"] <= block["dialed"], name
            assert block["drops"] <= block["live_answers"], name
            assert block["drop_rate"] == pytest.approx(block["drops"] / block["live_answers"])
            # talk is part of handling time: talk minutes per agent hour <= 60 x occupancy
            assert block["talk_minutes_per_agent_hour"] <= 60 * block["occupancy"] <= 60


@pytest.mark.parametrize("scenario", OUTBOUND, ids=lambda p: p.stem)
def test_outbound_drops_stay_under_the_cap(scenario: Path) -> None:
    """The dropped-call rate is under the cap over the run and over every trailing 24 h
    and 30 d window (DESIGN.md: the pacing holds it there); the worst windows are no
    better than the whole run (a 30 d window) or any calendar day (a 24 h window)."""
    golden = _golden(scenario)
    cap = golden["drop_cap"]
    for name, d in _dialers(scenario):
        assert d["drop_rate"] <= cap, name
        assert d["worst_24h_drop_rate"] <= cap and d["worst_30d_drop_rate"] <= cap, name
        assert d["worst_30d_drop_rate"] >= d["drop_rate"] - 1e-12, name
        assert d["worst_24h_drop_rate"] >= max(day["drop_rate"] for day in d["days"]) - 1e-12


# ---------------------------------------------------------------- Erlang A
#
# M/M/n+M (Palm's model, "Erlang A"): Poisson arrivals at rate lam, n agents with
# exponential service at rate mu, callers who abandon after an exponential patience
# at rate theta, served first come first served. Written here from the definition,
# apart from callcenter.wfm: the number in the system is a birth-death chain (births
# lam, deaths min(k, n) mu + max(k - n, 0) theta); an arrival sees its stationary law
# (PASTA); a caller with i callers ahead advances at rate n mu + i theta and gives up
# at rate theta, which makes its wait a small absorbing Markov chain.
#
# A day of an example is not stationary: the load follows its profile and the staff
# its shifts and breaks. Pointwise stationary approximation: each minute is taken at
# its own load and staffing, and the day's figures are the arrival-weighted sums.

AHEAD = 100
"""Callers ahead that the chains keep (the chance of more is negligible at these loads)."""


@functools.cache
def _wait_chain(n: int, mu: float, theta: float, sl_t: float, short: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a caller who finds i = 0..AHEAD callers ahead (all n agents busy): P(answered),
    P(answered within sl_t), P(abandoned before short), E[wait; answered]."""
    size = AHEAD + 1
    served, gone = size, size + 1
    q = np.zeros((size + 2, size + 2))
    for i in range(size):
        advance = n * mu + i * theta
        q[i, served if i == 0 else i - 1] = advance
        q[i, gone] = theta
        q[i, i] = -(advance + theta)
    answered = np.empty(size)
    p = 1.0
    for i in range(size):  # served only if it outlasts each step forward
        p *= (n * mu + i * theta) / (n * mu + (i + 1) * theta)
        answered[i] = p
    # E[wait; answered] = sum_j (expected time in j) P(answered | j)
    time_in = np.linalg.inv(-q[:size, :size])
    # P(absorbed in a state by time t | start i) = (exp(Q t) 1_state)_i
    sparse = csr_matrix(q)
    within = expm_multiply(sparse * sl_t, np.eye(size + 2)[served])[:size]
    early_abandon = expm_multiply(sparse * short, np.eye(size + 2)[gone])[:size]
    return answered, within, early_abandon, time_in @ answered


@functools.cache
def _erlang_a(lam: float, n: int, mu: float, theta: float, sl_t: float, short: float
              ) -> tuple[float, float, float, float]:
    """Per arrival: P(answered), P(answered within sl_t), P(abandoned after waiting at
    least short), E[wait; answered]."""
    weights = [1.0]
    for k in range(1, n + AHEAD + 1):
        weights.append(weights[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    pi = np.array(weights) / math.fsum(weights)
    free, busy = pi[:n].sum(), pi[n:]
    answered, within, early_abandon, wait = _wait_chain(n, mu, theta, sl_t, short)
    p_answered = free + busy @ answered
    long_abandon = busy @ (1 - answered) - busy @ early_abandon
    return p_answered, free + busy @ within, long_abandon, busy @ wait


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _staff(spec: dict[str, Any], minute: int) -> int:
    """Agents logged in and not on a break at `minute` after midnight, from the shifts
    and staggered breaks of the scenario file."""
    on = 0
    for group in spec["agents"]:
        shift = spec["shifts"][group["shift"]]
        if not _minutes(shift["start"]) <= minute < _minutes(shift["end"]):
            continue
        for i in range(group["count"]):
            away = any(
                0 <= minute - _minutes(b["start"]) - i * b.get("stagger", 0) < b["minutes"]
                for b in shift.get("breaks", ()))
            on += not away
    return on


def _mean(dist: dict[str, Any]) -> float:
    if dist["dist"] == "uniform":
        return float(dist["low"] + dist["high"]) / 2
    assert dist["dist"] in ("lognormal", "exponential"), dist
    return float(dist["mean"])


def erlang_a_day(spec: dict[str, Any]) -> tuple[float, float]:
    """A single-queue example's SL and ASA over its day, by Erlang A minute by minute.

    The service time an agent gives a call is the answer delay (ringing), the handle time
    and the wrap-up (means; Erlang A takes them exponential). Ringing is part of the
    caller's wait: the queue wait must stay under T and the short-abandon time less the
    mean answer delay, which the ASA adds back.
    """
    (queue,) = spec["queues"].values()
    ring = float(np.mean([_mean(g["answer_delay"]) for g in spec["agents"]]))
    mu = 1 / (_mean(queue["handle_time"]) + queue.get("wrap_up", 0) + ring)
    sl_t = queue["service_level_threshold"] - ring
    short = queue.get("short_abandon", 5) - ring
    within = answered = long_abandoned = wait = 0.0
    for minute in range(24 * 60):
        lam = theta_rate = 0.0
        for stream in spec["arrivals"]:
            profile = spec["profiles"][stream["profile"]]
            k = (minute - _minutes(profile["start"])) // profile["interval"]
            if not 0 <= k < len(profile["weights"]):
                continue
            share = profile["weights"][k] / sum(profile["weights"])
            rate = stream["daily"] * share / (profile["interval"] * 60)
            lam += rate
            theta_rate += rate / _mean(stream.get("patience", queue["patience"]))
        if lam == 0:
            continue
        n = _staff(spec, minute)
        assert n > 0, f"no agent at minute {minute} while calls arrive"
        a, w, ab, wt = _erlang_a(lam, n, mu, round(theta_rate / lam, 9), sl_t, short)
        calls = lam * 60
        answered += calls * a
        within += calls * w
        long_abandoned += calls * ab
        wait += calls * wt
    return within / (answered + long_abandoned), wait / answered + ring


REPLICATIONS = 8
"""Other days of each example (seeds apart from its own) that measure how much one
day's SL and ASA vary."""


@pytest.mark.parametrize("scenario", SINGLE_QUEUE, ids=lambda p: p.stem)
def test_single_queue_sl_and_asa_are_where_erlang_a_puts_them(scenario: Path) -> None:
    """The golden SL and ASA lie in the 99 % prediction interval of one day around Erlang
    A's figures for the example's load and staffing; the interval's width comes from
    the spread of the example over other seeds."""
    sl, asa = erlang_a_day(_spec(scenario))
    sc = load_scenario(scenario)
    days = [run_kpis(r, sc)["all"] for r in run_replications(sc, REPLICATIONS, 1000, 1)]
    widen = float(stats.t.ppf(0.995, REPLICATIONS - 1)) * math.sqrt(1 + 1 / REPLICATIONS)
    golden = _golden(scenario)["total"]
    for kpi, theory in (("service_level", sl), ("asa", asa)):
        spread = float(np.std([d[kpi] for d in days], ddof=1))
        assert spread > 0, kpi
        assert abs(golden[kpi] - theory) <= widen * spread, (
            f"{kpi}: golden {golden[kpi]:.4f}, Erlang A {theory:.4f} +- {widen * spread:.4f}")
