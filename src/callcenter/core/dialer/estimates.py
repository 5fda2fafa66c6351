"""What the pacer knows about the campaign's calls: estimates from recent history.

`DialHistory` is fed every outcome (the caller owns it and says when things
happened; nothing here reads a clock) and keeps exponentially weighted
histograms, so recent calls count most and old ones fade with a half-life
counted in observations. Before there is any history, priors stand in
(`Priors`): they enter as pseudo-observations of weight `Priors.weight` and fade
like any old observation.

Estimated, each as a distribution on a 1-second grid:

- the live-answer probability of an attempt;
- the time to answer of live answers (from launch);
- the time a call that is not a live answer takes to fail (no answer, busy,
  answering machine detected);
- talk time, and wrap-up time.

`DialHistory.estimates(now)` returns a frozen `Estimates` snapshot, rebuilt at
most every `refresh` seconds (a snapshot sums the histograms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_RESCALE_AT = 1e100


@dataclass(frozen=True, slots=True)
class Priors:
    """Cold-start beliefs, used until history outweighs them."""

    live_rate: float = 0.25
    answer_seconds: float = 12.0  # mean time to answer of a live answer
    fail_seconds: float = 20.0  # mean time until a call that is not live ends
    talk_seconds: float = 180.0
    wrap_seconds: float = 15.0
    weight: float = 30.0  # worth this many observations

    def __post_init__(self) -> None:
        if not 0.0 < self.live_rate < 1.0:
            raise ValueError(f"live_rate must be in (0, 1), got {self.live_rate}")
        for name in ("answer_seconds", "fail_seconds", "talk_seconds", "weight"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.wrap_seconds < 0:
            raise ValueError(f"wrap_seconds must be >= 0, got {self.wrap_seconds}")


class _EwHistogram:
    """An exponentially weighted histogram on 1 s bins [k, k+1), the last bin open-ended.

    Each observation weighs `growth` times the previous one, which is the same as
    decaying all old weights, in O(1): weights are rescaled when they grow large.
    """

    __slots__ = ("_growth", "_weight", "counts", "total")

    def __init__(self, bins: int, halflife: float) -> None:
        self.counts = np.zeros(bins, dtype=np.float64)
        self.total = 0.0
        self._weight = 1.0
        self._growth = 2.0 ** (1.0 / halflife)

    def seed(self, values: FloatArray, weight: float) -> None:
        """Add a prior: `values` (one per bin, any scale) worth `weight` observations."""
        self.counts += values / values.sum() * weight
        self.total += weight

    def add(self, x: float) -> None:
        """One observation of x seconds."""
        self._weight *= self._growth
        k = min(max(int(x), 0), len(self.counts) - 1)
        self.counts[k] += self._weight
        self.total += self._weight
        if self._weight > _RESCALE_AT:
            self.counts /= self._weight
            self.total /= self._weight
            self._weight = 1.0

    def cdf(self) -> FloatArray:
        """F at the bin edges: F[k] = P(X < k), F[0] = 0, F[-1] = 1."""
        f: FloatArray = np.concatenate(([0.0], np.cumsum(self.counts)))
        f /= f[-1]
        return f


def _exp_shape(mean: float, bins: int) -> FloatArray:
    edges = np.arange(bins + 1, dtype=np.float64)
    f = 1.0 - np.exp(-edges / mean)
    f[-1] = 1.0
    return np.diff(f)


def _point_shape(at: float, bins: int) -> FloatArray:
    shape = np.zeros(bins, dtype=np.float64)
    shape[min(int(at), bins - 1)] = 1.0
    return shape


@dataclass(frozen=True, slots=True, eq=False)
class Estimates:
    """A snapshot of the estimates: the live-answer rate and four distributions.

    Each ``*_cdf`` array holds F(k) = P(X < k seconds) for k = 0, 1, 2, ...; past
    its end F is 1. `cdf_at` interpolates between the edges.
    """

    live_rate: float
    answer_cdf: FloatArray = field(repr=False)
    fail_cdf: FloatArray = field(repr=False)
    talk_cdf: FloatArray = field(repr=False)
    wrap_cdf: FloatArray = field(repr=False)
    wrap_mean: float
    talk_mean: float
    answer_mean: float
    edges: FloatArray = field(repr=False)  # 0, 1, 2, ... as long as the longest table


def cdf_at(cdf: FloatArray, x: FloatArray | float) -> FloatArray:
    """F(x) from an edge table (linear between edges, 0 below 0, 1 past the end)."""
    out: FloatArray = np.asarray(
        np.interp(x, np.arange(len(cdf), dtype=np.float64), cdf, left=0.0, right=1.0))
    return out


def cdf_on(edges: FloatArray, cdf: FloatArray, x: FloatArray) -> FloatArray:
    """`cdf_at` with the edges given (a prefix of `edges` is used): no allocation of them."""
    out: FloatArray = np.interp(x, edges[:len(cdf)], cdf, left=0.0, right=1.0)
    return out


def _mean(cdf: FloatArray) -> float:
    # E[X] = sum over bins of P(in bin) * bin midpoint
    p = np.diff(cdf)
    return float((p * (np.arange(len(p)) + 0.5)).sum())


class DialHistory:
    """Exponentially weighted history of one campaign's attempts, talks and wrap-ups."""

    __slots__ = ("_answer", "_dirty", "_fail", "_lives", "_snapshot", "_snapshot_at",
                 "_talk", "_wrap", "refresh")

    def __init__(self, priors: Priors | None = None, halflife: float = 600.0,
                 ring_seconds: int = 60, talk_seconds: int = 3600,
                 wrap_seconds: int = 300, refresh: float = 60.0) -> None:
        if halflife <= 0:
            raise ValueError(f"halflife must be positive, got {halflife}")
        pr = priors or Priors()
        self.refresh = refresh
        # live answers among attempts: a two-bin histogram (0: not live, 1: live)
        self._lives = _EwHistogram(2, halflife)
        self._lives.seed(np.array([1.0 - pr.live_rate, pr.live_rate]), pr.weight)
        self._answer = _EwHistogram(ring_seconds, halflife)
        self._answer.seed(_exp_shape(pr.answer_seconds, ring_seconds), pr.weight)
        self._fail = _EwHistogram(ring_seconds, halflife)
        self._fail.seed(_exp_shape(pr.fail_seconds, ring_seconds), pr.weight)
        self._talk = _EwHistogram(talk_seconds, halflife)
        self._talk.seed(_exp_shape(pr.talk_seconds, talk_seconds), pr.weight)
        self._wrap = _EwHistogram(wrap_seconds, halflife)
        self._wrap.seed(_point_shape(pr.wrap_seconds, wrap_seconds), pr.weight)
        self._snapshot: Estimates | None = None
        self._snapshot_at = -math.inf
        self._dirty = True

    def attempt(self, live: bool, seconds: float) -> None:
        """An attempt resolved `seconds` after launch: a live answer, or not (failed)."""
        self._lives.add(1.0 if live else 0.0)
        (self._answer if live else self._fail).add(seconds)
        self._dirty = True

    def talk(self, seconds: float) -> None:
        """A conversation lasted `seconds`."""
        self._talk.add(seconds)
        self._dirty = True

    def wrap(self, seconds: float) -> None:
        """A wrap-up lasted `seconds`."""
        self._wrap.add(seconds)
        self._dirty = True

    def estimates(self, now: float) -> Estimates:
        """The current estimates (rebuilt when stale by more than `refresh` seconds)."""
        if self._snapshot is None or (self._dirty and now - self._snapshot_at >= self.refresh):
            talk, wrap, answer = self._talk.cdf(), self._wrap.cdf(), self._answer.cdf()
            self._snapshot = Estimates(
                live_rate=float(self._lives.counts[1] / self._lives.total),
                answer_cdf=answer, fail_cdf=self._fail.cdf(), talk_cdf=talk,
                wrap_cdf=wrap, wrap_mean=_mean(wrap), talk_mean=_mean(talk),
                answer_mean=_mean(answer),
                edges=np.arange(max(len(talk), len(wrap), len(answer)), dtype=np.float64),
            )
            self._snapshot_at = now
            self._dirty = False
        return self._snapshot
