"""Erlang B and Erlang C (M/M/n): blocking, waiting, service level, ASA, staffing.

Conventions used by every function here:

- ``agents`` is the number of agents n (an int >= 0).
- ``erlangs`` is the offered load A = arrival rate x AHT (a float >= 0).
- Times (``aht``, ``target_seconds``, results such as ASA) are in seconds.
- The queue is unstable when ``agents <= erlangs`` (and ``erlangs > 0``):
  every call waits (P(wait) = 1), the service level is 0, ASA is infinite and
  occupancy is 1. With no traffic (``erlangs == 0``) nobody waits.

Numerics: no factorials and no powers. Erlang B is computed with its
recursion, in the inverse form 1/B(n) = 1 + (n/A)/B(n-1) while n <= floor(A)+1
(where 1/B stays below about n*e, so it cannot overflow) and in the forward
form B(n) = A*B(n-1) / (n + A*B(n-1)) beyond (where B shrinks towards 0 and
may underflow to 0, which is the right limit). Both are stable; each call is
O(n) and fine up to n and A of 100,000 and more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from callcenter.wfm._checks import (
    check_load,
    check_non_negative,
    check_positive,
    check_targets,
)

__all__ = [
    "ErlangCMeasures",
    "asa",
    "erlang_b",
    "erlang_b_table",
    "erlang_c",
    "erlang_c_measures",
    "occupancy",
    "required_agents",
    "required_agents_with_measures",
    "service_level",
]


def _inverse_b_upto(agents: int, erlangs: float) -> float:
    """Erlang B for agents <= floor(erlangs) + 1 through 1/B, which stays small there."""
    inverse = 1.0
    per_erlang = 1.0 / erlangs
    for n in range(1, agents + 1):
        inverse = 1.0 + inverse * n * per_erlang
    return 1.0 / inverse


def _forward_b(b: float, agents: int, erlangs: float) -> float:
    """One step of the Erlang B recursion: B(agents) from B(agents - 1)."""
    ab = erlangs * b
    return ab / (agents + ab)


def erlang_b(agents: int, erlangs: float) -> float:
    """Blocking probability of M/M/n/n (Erlang B) for ``agents`` servers and load ``erlangs``."""
    check_load(agents, erlangs)
    if erlangs == 0.0:
        return 1.0 if agents == 0 else 0.0
    start = math.floor(erlangs) + 1
    if agents <= start:
        return _inverse_b_upto(agents, erlangs)
    b = _inverse_b_upto(start, erlangs)
    for n in range(start + 1, agents + 1):
        b = _forward_b(b, n, erlangs)
    return b


def erlang_b_table(max_agents: int, erlangs: float) -> list[float]:
    """Erlang B for 0, 1, ..., ``max_agents`` agents in one pass; entry n equals erlang_b(n, A)."""
    check_load(max_agents, erlangs)
    if erlangs == 0.0:
        return [1.0] + [0.0] * max_agents
    start = math.floor(erlangs) + 1
    table = [1.0]
    inverse = 1.0
    per_erlang = 1.0 / erlangs
    for n in range(1, min(max_agents, start) + 1):
        inverse = 1.0 + inverse * n * per_erlang
        table.append(1.0 / inverse)
    b = table[-1]
    for n in range(start + 1, max_agents + 1):
        b = _forward_b(b, n, erlangs)
        table.append(b)
    return table


def _c_from_b(b: float, agents: int, erlangs: float) -> float:
    """Erlang C from Erlang B for a stable queue (agents > erlangs > 0)."""
    return b / (1.0 - (erlangs / agents) * (1.0 - b))


def _sl_from_c(c: float, agents: int, erlangs: float, aht: float, target_seconds: float) -> float:
    return 1.0 - c * math.exp(-(agents - erlangs) * target_seconds / aht)


def _asa_from_c(c: float, agents: int, erlangs: float, aht: float) -> float:
    return c * aht / (agents - erlangs)


def _unstable(agents: int, erlangs: float) -> bool:
    return erlangs > 0.0 and agents <= erlangs


def erlang_c(agents: int, erlangs: float) -> float:
    """Probability that a call waits, P(W > 0), in M/M/n (Erlang C); 1 when unstable."""
    check_load(agents, erlangs)
    if erlangs == 0.0:
        return 0.0
    if agents <= erlangs:
        return 1.0
    return _c_from_b(erlang_b(agents, erlangs), agents, erlangs)


def service_level(agents: int, erlangs: float, aht: float, target_seconds: float) -> float:
    """Fraction of calls answered within ``target_seconds``: 1 - C * exp(-(n - A) * T / AHT)."""
    check_positive("aht", aht)
    check_non_negative("target_seconds", target_seconds)
    c = erlang_c(agents, erlangs)
    if erlangs == 0.0:
        return 1.0
    if agents <= erlangs:
        return 0.0
    return _sl_from_c(c, agents, erlangs, aht, target_seconds)


def asa(agents: int, erlangs: float, aht: float) -> float:
    """Average speed of answer in seconds, C * AHT / (n - A); infinite when unstable."""
    check_positive("aht", aht)
    c = erlang_c(agents, erlangs)
    if erlangs == 0.0:
        return 0.0
    if agents <= erlangs:
        return math.inf
    return _asa_from_c(c, agents, erlangs, aht)


def occupancy(agents: int, erlangs: float) -> float:
    """Fraction of agent time spent handling calls, A / n; 1 when unstable, 0 without traffic."""
    check_load(agents, erlangs)
    if erlangs == 0.0:
        return 0.0
    if agents <= erlangs:
        return 1.0
    return erlangs / agents


@dataclass(frozen=True, slots=True)
class ErlangCMeasures:
    """Steady-state measures of M/M/n; ``p_wait`` is Erlang C, ``asa`` in seconds."""

    p_wait: float
    service_level: float
    asa: float
    occupancy: float


def erlang_c_measures(
    agents: int, erlangs: float, aht: float, target_seconds: float
) -> ErlangCMeasures:
    """P(wait), service level, ASA and occupancy of M/M/n with one Erlang B computation."""
    check_positive("aht", aht)
    check_non_negative("target_seconds", target_seconds)
    check_load(agents, erlangs)
    if erlangs == 0.0:
        return ErlangCMeasures(0.0, 1.0, 0.0, 0.0)
    if agents <= erlangs:
        return ErlangCMeasures(1.0, 0.0, math.inf, 1.0)
    c = _c_from_b(erlang_b(agents, erlangs), agents, erlangs)
    return ErlangCMeasures(
        p_wait=c,
        service_level=_sl_from_c(c, agents, erlangs, aht, target_seconds),
        asa=_asa_from_c(c, agents, erlangs, aht),
        occupancy=erlangs / agents,
    )


def required_agents(
    erlangs: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    *,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
) -> int:
    """Fewest agents whose Erlang C service level reaches ``target_sl`` within ``target_seconds``.

    Optional constraints: ASA at most ``max_asa`` seconds, occupancy at most
    ``max_occupancy``. One O(n) pass: Erlang B is carried forward from
    floor(A) + 1 (the first stable count) one agent at a time, never
    recomputed from zero. Returns 0 when there is no traffic.
    """
    agents, _ = required_agents_with_measures(
        erlangs, aht, target_sl, target_seconds, max_asa=max_asa, max_occupancy=max_occupancy
    )
    return agents


def required_agents_with_measures(
    erlangs: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    *,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
) -> tuple[int, ErlangCMeasures]:
    """``required_agents`` and the measures at that count, both from the same single pass."""
    check_load(0, erlangs)
    check_positive("aht", aht)
    check_targets(target_sl, target_seconds, max_asa, max_occupancy)
    if erlangs == 0.0:
        return 0, ErlangCMeasures(0.0, 1.0, 0.0, 0.0)
    n = math.floor(erlangs) + 1
    b = _inverse_b_upto(n, erlangs)
    while True:
        c = _c_from_b(b, n, erlangs)
        level = _sl_from_c(c, n, erlangs, aht, target_seconds)
        mean_answer = _asa_from_c(c, n, erlangs, aht)
        if (
            level >= target_sl
            and (max_asa is None or mean_answer <= max_asa)
            and (max_occupancy is None or erlangs / n <= max_occupancy)
        ):
            return n, ErlangCMeasures(c, level, mean_answer, erlangs / n)
        n += 1
        b = _forward_b(b, n, erlangs)
