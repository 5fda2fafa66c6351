"""The runs of `bench/dialer.py`: its scenario, its dialers, one run's figures, statistics.

Kept apart from the benchmark's reporting so that worker processes import only this.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from callcenter.core.dialer.drops import DAY, MONTH
from callcenter.core.dialer.estimates import DialHistory, Priors
from callcenter.core.dialer.pacing import (
    AdaptAverage,
    AdaptHardLimit,
    AdaptSettings,
    AdaptTapered,
    Pacer,
    Predictive,
    Progressive,
)
from callcenter.scenario.callees import OutcomeModel
from callcenter.sim.outbound import OutboundScenario, simulate

CAP = 0.03
Figures = dict[str, Any]  # one run's figures, or a training row: as they go into the JSON
LIVE_RATE = 0.30  # the mean live-answer rate before the day's swings
TALK_MEAN = 180.0
WRAP_MEAN, WRAP_SIGMA = 15.0, 0.6  # lognormal wrap-up: median 12.6 s, 95th percentile 36 s
# the live-answer rate over each quarter of the shift, times LIVE_RATE and the day's factor
SWING = (1.0, 0.6, 1.4, 0.8)
DAY_FACTOR = (0.8, 1.2)  # each day's factor, uniform in this range (drawn from the seed)
# ours starts from wrong estimates: the live-answer rate and the talk time off by 30 %,
# one of the four sign combinations per held-out seed (in turn)
PRIOR_ERRORS = ((+0.3, +0.3), (-0.3, -0.3), (+0.3, -0.3), (-0.3, +0.3))
ADAPT_MODES = {"adapt_average": AdaptAverage, "adapt_tapered": AdaptTapered,
               "adapt_hard_limit": AdaptHardLimit}
# the window each dialer claims to keep at or under the cap (VICIdial's ADAPT methods
# steer today's drop percentage: the calendar day)
CLAIMS = {"progressive": ("day", "24h", "30d"), "predictive": ("day", "24h", "30d"),
          **{mode: ("day",) for mode in ADAPT_MODES}}


@dataclass(frozen=True)
class Dialer:
    """A dialer to run: its kind and settings (picklable, built in the worker)."""

    kind: str  # "progressive", "predictive" or one of ADAPT_MODES
    adapt: AdaptSettings | None = None
    priors: Priors | None = None  # predictive: its start-up estimates

    def pacer(self) -> Pacer:
        """A fresh pacer."""
        if self.kind == "progressive":
            return Progressive()
        if self.kind == "predictive":
            return Predictive()
        return ADAPT_MODES[self.kind](self.adapt)


def scenario(agents: int, days: int, shift_hours: float, seed: int) -> OutboundScenario:
    """The campaign: variable wrap-up, the live-answer rate swinging over each day."""
    rng = np.random.default_rng([seed, 2])
    shift = shift_hours * 3600.0
    rates: list[tuple[float, float]] = []
    for day in range(days):
        factor = float(rng.uniform(*DAY_FACTOR))
        rates.extend((day * DAY + q * shift / len(SWING), round(LIVE_RATE * s * factor, 4))
                     for q, s in enumerate(SWING))
    model = OutcomeModel(live_rate=LIVE_RATE, talk_mean=TALK_MEAN, wrap_seconds=WRAP_MEAN,
                         wrap_sigma=WRAP_SIGMA, live_rates=tuple(rates))
    return OutboundScenario(agents=agents, days=days, shift_seconds=shift, cap=CAP, model=model)


def wrong_priors(index: int) -> Priors:
    """Ours's start-up estimates for the index-th held-out seed: off by 30 %."""
    live, talk = PRIOR_ERRORS[index % len(PRIOR_ERRORS)]
    return Priors(live_rate=LIVE_RATE * (1 + live), talk_seconds=TALK_MEAN * (1 + talk),
                  answer_seconds=12.0, wrap_seconds=WRAP_MEAN)


@dataclass(frozen=True)
class Task:
    """One simulation: a dialer on a team's campaign with the traffic of a seed."""

    dialer: Dialer
    agents: int
    days: int
    shift_hours: float
    seed: int


def run(task: Task) -> Figures:
    """The figures of one simulation (rates are fractions)."""
    sc = scenario(task.agents, task.days, task.shift_hours, task.seed)
    history = DialHistory(task.dialer.priors) if task.dialer.priors else None
    dialer = task.dialer
    if dialer.adapt is not None:  # TAPERED's latest time: the end of the shift
        dialer = replace(dialer, adapt=replace(dialer.adapt, latest=sc.shift_seconds))
    result = simulate(sc, dialer.pacer(), task.seed, history)
    day_rates = [d.drops / d.lives if d.lives else 0.0 for d in result.days]
    return {
        "talk": result.talk_minutes_per_agent_hour,
        "drop_rate": result.drop_rate,
        "day": max(day_rates),
        "day_rates": [round(r, 5) for r in day_rates],
        "24h": result.worst_rate(DAY),
        "30d": result.worst_rate(MONTH),
        "dialed": result.dialed,
        "lives": result.lives,
        "drops": result.drops,
    }


_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179}


def mean_ci(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the half-width of its 95 % confidence interval (Student's t)."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, math.nan
    t = _T975.get(len(values) - 1, 1.96)
    return mean, t * statistics.stdev(values) / math.sqrt(len(values))


def broken(kind: str, figures: Figures) -> list[str]:
    """The windows this dialer claims to keep that went over the cap in this run."""
    return [w for w in CLAIMS[kind] if float(figures[w]) > CAP + 1e-12]
