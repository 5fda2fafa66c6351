"""Staffing for one interval: how many agents a call volume needs, and what they achieve.

``staff`` answers with one ``StaffingResult``; ``staffing_table`` gives the
rows around that answer, for a what-if view. Without ``patience`` the model is
Erlang C (callers wait forever, ``p_abandon`` is None); with ``patience`` (mean
seconds before a caller hangs up) it is Erlang A.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from callcenter.wfm._checks import check_non_negative, check_positive
from callcenter.wfm.erlang import erlang_c_measures, required_agents_with_measures
from callcenter.wfm.erlang_a import erlang_a_measures, required_agents_erlang_a

__all__ = ["StaffingResult", "measure", "offered_load", "staff", "staffing_table"]


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """What ``agents`` agents achieve on an offered load of ``erlangs``.

    ``service_level`` is the fraction answered within the target time, ``asa``
    the mean wait of answered calls in seconds (infinite for an unstable
    Erlang C queue), ``occupancy`` the busy fraction of agent time, ``p_wait``
    the probability that a call waits, and ``p_abandon`` the probability that
    it hangs up (None under Erlang C, which has no abandonment).
    """

    agents: int
    erlangs: float
    service_level: float
    asa: float
    occupancy: float
    p_wait: float
    p_abandon: float | None


class _Measures(Protocol):
    @property
    def service_level(self) -> float: ...
    @property
    def asa(self) -> float: ...
    @property
    def occupancy(self) -> float: ...
    @property
    def p_wait(self) -> float: ...


def _result(agents: int, erlangs: float, m: _Measures, p_abandon: float | None) -> StaffingResult:
    return StaffingResult(agents=agents, erlangs=erlangs, service_level=m.service_level,
                          asa=m.asa, occupancy=m.occupancy, p_wait=m.p_wait,
                          p_abandon=p_abandon)


def offered_load(calls: float, interval_seconds: float, aht: float) -> float:
    """Offered load in Erlangs: calls per interval times AHT over the interval length."""
    check_non_negative("calls", calls)
    check_positive("interval_seconds", interval_seconds)
    check_positive("aht", aht)
    return calls * aht / interval_seconds


def measure(
    agents: int,
    calls: float,
    interval_seconds: float,
    aht: float,
    target_seconds: float,
    patience: float | None = None,
    *,
    short_abandon: float = 0.0,
) -> StaffingResult:
    """What ``agents`` agents achieve on ``calls`` calls per interval (Erlang C or A)."""
    erlangs = offered_load(calls, interval_seconds, aht)
    if patience is None:
        return _result(agents, erlangs, erlang_c_measures(agents, erlangs, aht, target_seconds),
                       None)
    a = erlang_a_measures(
        agents, erlangs, aht, patience, target_seconds, short_abandon=short_abandon
    )
    return _result(agents, erlangs, a, a.p_abandon)


def staff(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    patience: float | None = None,
    *,
    short_abandon: float = 0.0,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
) -> StaffingResult:
    """Fewest agents that answer ``target_sl`` of calls within ``target_seconds``.

    ``calls`` arrive per interval of ``interval_seconds``; ``aht`` is in
    seconds; ``target_sl`` is a fraction such as 0.8. ``max_asa`` (seconds)
    and ``max_occupancy`` (fraction) add limits the answer must also meet.
    ``short_abandon`` only matters with ``patience`` (see ``erlang_a_measures``).
    """
    erlangs = offered_load(calls, interval_seconds, aht)
    if patience is None:
        agents, c = required_agents_with_measures(
            erlangs, aht, target_sl, target_seconds, max_asa=max_asa, max_occupancy=max_occupancy
        )
        return _result(agents, erlangs, c, None)
    agents = required_agents_erlang_a(
        erlangs,
        aht,
        patience,
        target_sl,
        target_seconds,
        short_abandon=short_abandon,
        max_asa=max_asa,
        max_occupancy=max_occupancy,
    )
    return measure(
        agents, calls, interval_seconds, aht, target_seconds, patience, short_abandon=short_abandon
    )


def staffing_table(
    calls: float,
    interval_seconds: float,
    aht: float,
    target_sl: float,
    target_seconds: float,
    patience: float | None = None,
    *,
    short_abandon: float = 0.0,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
    below: int = 2,
    above: int = 3,
) -> list[StaffingResult]:
    """Rows for ``below`` fewer up to ``above`` more agents than ``staff`` answers, ascending."""
    if below < 0 or above < 0:
        raise ValueError(f"below and above must be >= 0, got {below} and {above}")
    answer = staff(
        calls,
        interval_seconds,
        aht,
        target_sl,
        target_seconds,
        patience,
        short_abandon=short_abandon,
        max_asa=max_asa,
        max_occupancy=max_occupancy,
    )
    return [
        answer
        if agents == answer.agents
        else measure(
            agents,
            calls,
            interval_seconds,
            aht,
            target_seconds,
            patience,
            short_abandon=short_abandon,
        )
        for agents in range(max(0, answer.agents - below), answer.agents + above + 1)
    ]
