"""Erlang A (M/M/n+M): Erlang C plus callers who hang up after an exponential patience.

Model: Poisson arrivals (rate lambda), ``agents`` = n agents with exponential
handle time (mean ``aht`` = 1/mu), and each caller abandons the queue once
their patience runs out; patience is exponential with mean ``patience`` =
1/theta seconds. The queue is stable for every n, so no measure is infinite
except ASA with zero agents.

Service level convention (the project-wide definition in DESIGN.md):

    SL(T) = answered within T / (answered + abandoned after the short-abandon threshold)

With the default ``short_abandon=0`` that is answered within T / all calls:
a caller who hangs up, however early, counts against the service level. With
``short_abandon=s`` callers who hang up within s seconds of waiting are left
out of the denominator (the numerator never holds them, as they were not
answered). ASA is the mean wait of answered calls only.

Formulas (Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance
measures", specialised to exponential patience). With a = n*mu/theta,
x = lambda/theta and B = Erlang B(n, A), A = lambda/mu:

    J        = 1F1(1; a+1; x) = sum_k x^k / ((a+1)(a+2)...(a+k))
    P(wait)  = B*J / (1 - B + B*J)
    P(answered | wait) = a/(a+1) * 1F1(1; a+2; x) / J
    P(abandon) = P(wait) * (1 - P(answered | wait))
    P(answered after T | wait) = a/(a+1) * exp(-(a+1) theta T + x - y) * 1F1(1; a+2; y) / J,
                                 y = x * exp(-theta T)
    P(still waiting and patient at s | wait) = exp(-(a+1) theta s + x - z) * 1F1(1; a+1; z) / J,
                                 z = x * exp(-theta s)

1F1(1; b; z) equals Gamma(b) z^(1-b) e^z P(b-1, z) with P the regularised
lower incomplete gamma function; it is evaluated here as its positive series,
summed in a window around its largest term and kept in log space, which
neither overflows (J reaches e^100000) nor underflows (where P(b-1, z) would)
and costs O(sqrt(x)) terms. ASA comes from the birth-death chain seen by a
tagged caller: a caller who finds k callers queued ahead is answered after a
sum of exponential phases with rates n*mu + j*theta, j = k..0, so
E[wait; answered] sums P(k ahead) * E[exp(-theta V)] * sum_j 1/(n*mu + (j+1)*theta).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from callcenter.wfm._checks import check_load, check_non_negative, check_positive, check_targets
from callcenter.wfm.erlang import erlang_b, erlang_b_table

__all__ = ["ErlangAMeasures", "erlang_a_measures", "required_agents_erlang_a"]

# Terms below exp(-_TAIL) of the largest are left out of a series (about 2e-22).
_TAIL = 50.0


@dataclass(frozen=True, slots=True)
class ErlangAMeasures:
    """Steady-state measures of M/M/n+M; probabilities are per arriving call."""

    p_wait: float
    p_abandon: float
    service_level: float
    asa: float
    occupancy: float


@dataclass(frozen=True, slots=True)
class _Series:
    """Terms z^k / (b)_k, k = first ..., of 1F1(1; b; z), divided by the largest one."""

    first: int
    log_largest: float
    terms: NDArray[np.float64]

    @property
    def log_sum(self) -> float:
        return self.log_largest + math.log(float(np.sum(self.terms)))


def _series(b: float, z: float) -> _Series:
    """The terms of 1F1(1; b; z) (b > 0, z >= 0) that matter, around the largest one."""
    if z == 0.0:
        return _Series(0, 0.0, np.ones(1))
    # Term k over term k-1 is z / (b + k - 1): the terms grow while that is >= 1.
    peak = max(0, math.floor(z - b + 1.0))
    spread = math.ceil(math.sqrt(2.0 * _TAIL * max(z, 1.0))) + 40
    ratio_after_peak = z / (b + peak)
    if ratio_after_peak < 1.0:
        geometric = math.ceil(_TAIL / -math.log(ratio_after_peak)) + 40
        after = min(spread, geometric)
    else:
        after = spread
    before = min(peak, spread)
    grow = z / (b + np.arange(peak, peak + after, dtype=np.float64))
    shrink = (b + np.arange(peak - 1, peak - before - 1, -1, dtype=np.float64)) / z
    terms = np.concatenate((np.cumprod(shrink)[::-1], np.ones(1), np.cumprod(grow)))
    log_largest = peak * math.log(z) - (math.lgamma(b + peak) - math.lgamma(b))
    return _Series(peak - before, log_largest, terms)


def erlang_a_measures(
    agents: int,
    erlangs: float,
    aht: float,
    patience: float,
    target_seconds: float,
    *,
    short_abandon: float = 0.0,
) -> ErlangAMeasures:
    """P(wait), P(abandon), service level, ASA and occupancy of M/M/n+M.

    ``patience`` is the mean patience in seconds; ``short_abandon`` the
    threshold under which abandons leave the service-level denominator.
    """
    check_load(agents, erlangs)
    check_positive("aht", aht)
    check_positive("patience", patience)
    check_non_negative("target_seconds", target_seconds)
    check_non_negative("short_abandon", short_abandon)
    if erlangs == 0.0:
        return ErlangAMeasures(0.0, 0.0, 1.0, 0.0, 0.0)
    return _measures(agents, erlangs, erlang_b(agents, erlangs), aht, patience, target_seconds,
                     short_abandon)


def _measures(
    agents: int,
    erlangs: float,
    b: float,
    aht: float,
    patience: float,
    target_seconds: float,
    short_abandon: float,
) -> ErlangAMeasures:
    """Erlang A measures given B = erlang_b(agents, erlangs), erlangs > 0."""
    if agents == 0:
        return ErlangAMeasures(1.0, 1.0, 0.0, math.inf, 1.0)
    if b == 0.0:
        return ErlangAMeasures(0.0, 0.0, 1.0, 0.0, erlangs / agents)
    a = agents * patience / aht
    x = erlangs * patience / aht
    j_series = _series(a + 1.0, x)
    log_j = j_series.log_sum
    terms = j_series.terms
    # Term k of 1F1(1; a+2; x) is (a+1)/(a+1+k) times term k of J: ratios of the two come
    # from one window, free of the log-gamma rounding that separate sums would carry.
    reciprocal = 1.0 / (a + 1.0 + np.arange(j_series.first, j_series.first + terms.size))
    total = float(np.sum(terms))
    answered_if_wait = a * float(np.sum(terms * reciprocal)) / total
    abandon_if_wait = max(0.0, 1.0 - answered_if_wait)
    p_wait, p_no_wait = _logistic(math.log1p(-b) - math.log(b) - log_j)
    p_abandon = p_wait * abandon_if_wait
    p_answered = p_no_wait + p_wait * answered_if_wait

    answered_in_wait = 0.0
    if target_seconds > 0.0:
        late = _answered_after(target_seconds / patience, a, x, log_j)
        answered_in_wait = max(0.0, answered_if_wait - late)
    answered_in_time = p_no_wait + p_wait * answered_in_wait
    counted = 1.0
    if short_abandon > 0.0:
        theta_s = short_abandon / patience
        z = x * math.exp(-theta_s)
        still_waiting = math.exp(
            -(a + 1.0) * theta_s - x * math.expm1(-theta_s) + _series(a + 1.0, z).log_sum - log_j
        )
        answered_by_s = answered_if_wait - _answered_after(theta_s, a, x, log_j)
        counted = 1.0 - p_wait * max(0.0, 1.0 - still_waiting - answered_by_s)

    # Mean wait of answered calls: sum over k ahead of P(k ahead) E[V_k exp(-theta V_k)],
    # which is P(k ahead) times term k of J's series, 1/(a+1+k), and sum_{j<=k} 1/(a+1+j).
    if p_answered > 0.0:
        skipped = _digamma(a + 1.0 + j_series.first) - _digamma(a + 1.0)
        phases = skipped + np.cumsum(reciprocal)
        wait_answered = p_wait * patience * a * float(np.sum(terms * reciprocal * phases)) / total
        mean_answer = wait_answered / p_answered
    else:
        mean_answer = math.inf
    return ErlangAMeasures(
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=min(1.0, max(0.0, answered_in_time / counted)),
        asa=mean_answer,
        occupancy=min(1.0, erlangs * p_answered / agents),
    )


def _digamma(u: float) -> float:
    """The digamma function for u > 0: recurrence up to 20, then its asymptotic series."""
    shift = 0.0
    while u < 20.0:
        shift -= 1.0 / u
        u += 1.0
    inv2 = 1.0 / (u * u)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
    return shift + math.log(u) - 0.5 / u - series


def _logistic(log_odds: float) -> tuple[float, float]:
    """(1 / (1 + e^t), e^t / (1 + e^t)) for t = log_odds, without overflow."""
    if log_odds >= 0.0:
        e = math.exp(-log_odds)
        return e / (1.0 + e), 1.0 / (1.0 + e)
    e = math.exp(log_odds)
    return 1.0 / (1.0 + e), e / (1.0 + e)


def _answered_after(theta_t: float, a: float, x: float, log_j: float) -> float:
    """P(answered after waiting longer than t | wait), theta_t = t / mean patience."""
    y = x * math.exp(-theta_t)
    return a / (a + 1.0) * math.exp(
        -(a + 1.0) * theta_t - x * math.expm1(-theta_t) + _series(a + 2.0, y).log_sum - log_j
    )


def required_agents_erlang_a(
    erlangs: float,
    aht: float,
    patience: float,
    target_sl: float,
    target_seconds: float,
    *,
    short_abandon: float = 0.0,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
) -> int:
    """Fewest agents (at least 1 with traffic) meeting the Erlang A service level and limits.

    Service level, ASA and occupancy improve as agents are added, so the
    answer is bracketed by doubling and then found by bisection, with Erlang B
    for every count taken from one table.
    """
    check_load(0, erlangs)
    check_positive("aht", aht)
    check_positive("patience", patience)
    check_non_negative("short_abandon", short_abandon)
    check_targets(target_sl, target_seconds, max_asa, max_occupancy)
    if erlangs == 0.0:
        return 0
    table: list[float] = [1.0]

    def meets(agents: int) -> bool:
        if agents >= len(table):
            table[:] = erlang_b_table(agents, erlangs)
        m = _measures(agents, erlangs, table[agents], aht, patience, target_seconds,
                      short_abandon)
        return (
            m.service_level >= target_sl
            and (max_asa is None or m.asa <= max_asa)
            and (max_occupancy is None or m.occupancy <= max_occupancy)
        )

    low, high = 0, max(1, math.ceil(erlangs))
    while not meets(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    return high
