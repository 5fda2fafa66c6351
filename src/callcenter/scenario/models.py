"""Random models of the simulated world: handle times, patience, answer delays, arrivals.

Every model draws from a `numpy.random.Generator` that the caller passes in; nothing
here touches global randomness. Draws are batched (`Sampler`) because one numpy
call per number costs more than the rest of the simulation step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Constant:
    """Always the same value."""

    value: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """`n` copies of the value."""
        return np.full(n, self.value, dtype=np.float64)

    @property
    def mean(self) -> float:
        """The value."""
        return self.value


@dataclass(frozen=True, slots=True)
class Exponential:
    """Exponential with the given mean (memoryless: the M in M/M/c)."""

    mean: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """`n` independent draws."""
        return rng.exponential(self.mean, n)


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal given by the mean and standard deviation of the value itself."""

    mean: float
    sd: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """`n` independent draws."""
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform on [low, high)."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """`n` independent draws."""
        return rng.uniform(self.low, self.high, n)

    @property
    def mean(self) -> float:
        """Midpoint of the range."""
        return (self.low + self.high) / 2


@dataclass(frozen=True, slots=True)
class Empirical:
    """Resamples observed values (optionally weighted), e.g. measured handle times."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """`n` draws with replacement."""
        p = None
        if self.weights is not None:
            w = np.asarray(self.weights, dtype=np.float64)
            p = w / w.sum()
        return rng.choice(np.asarray(self.values, dtype=np.float64), size=n, p=p)

    @property
    def mean(self) -> float:
        """Weighted mean of the values."""
        if self.weights is None:
            return sum(self.values) / len(self.values)
        return sum(v * w for v, w in zip(self.values, self.weights, strict=True)) / sum(
            self.weights
        )


@dataclass(frozen=True, slots=True)
class Never:
    """Infinite time: a caller who never hangs up."""

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """`n` infinities."""
        return np.full(n, math.inf, dtype=np.float64)

    @property
    def mean(self) -> float:
        """Infinity."""
        return math.inf


Distribution = Constant | Exponential | LogNormal | Uniform | Empirical | Never


class Sampler:
    """Draws one value at a time from a distribution, refilling in batches."""

    __slots__ = ("_batch", "_buf", "_dist", "_i", "_rng")

    def __init__(self, dist: Distribution, rng: np.random.Generator, batch: int = 1024) -> None:
        self._dist = dist
        self._rng = rng
        self._batch = batch
        self._buf: list[float] = []
        self._i = 0

    def __call__(self) -> float:
        """The next draw."""
        i = self._i
        if i >= len(self._buf):
            self._buf = self._dist.sample(self._rng, self._batch).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]


class UniformSource:
    """Uniform [0, 1) draws from a numpy Generator, batched; has `.random()` like the stdlib."""

    __slots__ = ("_sampler",)

    def __init__(self, rng: np.random.Generator) -> None:
        self._sampler = Sampler(Uniform(0.0, 1.0), rng)

    def random(self) -> float:
        """The next uniform draw."""
        return self._sampler()


def poisson_arrivals(
    rng: np.random.Generator, starts: FloatArray, length: float, expected: FloatArray
) -> FloatArray:
    """Arrival times of a Poisson process with a constant rate within each interval.

    Interval `i` spans `[starts[i], starts[i] + length)` and expects `expected[i]`
    arrivals. Returns the times sorted.
    """
    counts = rng.poisson(expected)
    times = np.repeat(starts, counts) + rng.random(int(counts.sum())) * length
    times.sort(kind="stable")
    return times


def normalise(weights: Sequence[float]) -> list[float]:
    """Scale non-negative weights so they sum to 1 (an intraday profile)."""
    total = float(sum(weights))
    return [w / total for w in weights]
