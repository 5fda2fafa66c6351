"""The people a dialer calls: who answers (a live person, an answering machine), who is
busy or rings out, after how long, and how long a live answer talks.

`OutcomeModel` says it in rates and distributions; `Traffic` draws the callees of a
run attempt by attempt from one seeded generator (common random numbers: the k-th
attempt meets the same callee whatever the dialer). Shared by the offline outbound
simulation (`sim/outbound.py`) and the `sim` telephony adapter's dialing
(`telephony/sim_dialer.py`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
from numpy.typing import NDArray

LIVE, MACHINE, BUSY, NO_ANSWER = "live", "machine", "busy", "no_answer"

_CHUNK = 4096

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OutcomeModel:
    """Who answers, when, and for how long they talk."""

    live_rate: float = 0.30
    machine_rate: float = 0.15
    busy_rate: float = 0.10  # the rest ring out (no answer)
    answer_mean: float = 12.0  # seconds from launch to answer (live or machine), gamma
    answer_shape: float = 4.0
    ring_timeout: float = 30.0
    busy_seconds: tuple[float, float] = (3.0, 8.0)  # uniform
    amd_seconds: float = 2.5  # answering-machine detection, then hang up
    talk_mean: float = 180.0  # lognormal
    talk_sigma: float = 0.7  # of the underlying normal
    wrap_seconds: float = 15.0  # mean wrap-up
    wrap_sigma: float = 0.0  # lognormal wrap-up, of the underlying normal (0: always the mean)
    # (offset in seconds from the start of the run, live rate from then on)
    live_rates: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        rates = [self.live_rate, *(r for _, r in self.live_rates)]
        if any(r < 0 for r in rates) or max(rates) + self.machine_rate + self.busy_rate > 1:
            raise ValueError("outcome rates must be >= 0 and sum to at most 1")
        starts = [start for start, _ in self.live_rates]
        if starts != sorted(starts):
            raise ValueError("live_rates must be in time order")
        if self.wrap_seconds < 0 or self.wrap_sigma < 0:
            raise ValueError("wrap_seconds and wrap_sigma must be >= 0")

    def live_rate_at(self, t: float) -> float:
        """The live-answer rate at time t (the schedule's last step at or before t)."""
        i = bisect_right(self.live_rates, t, key=_START)
        return self.live_rates[i - 1][1] if i else self.live_rate


_START = itemgetter(0)


class Traffic:
    """The callees of a run, attempt by attempt, drawn in chunks from one seeded Generator."""

    def __init__(self, model: OutcomeModel, seed: int) -> None:
        self.model = model
        self._rng = np.random.default_rng(seed)
        # per chunk of attempts: uniform, answer time, busy time, talk time (arrays, 8
        # bytes a value: a run of months draws millions of callees)
        self._chunks: list[tuple[FloatArray, FloatArray, FloatArray, FloatArray]] = []
        # wrap-ups come from a generator of their own, so that a model with a variable
        # wrap-up meets the same callees as one without
        self._wrap_rng = np.random.default_rng([seed, 1])
        self._wraps: list[FloatArray] = []

    def _grow(self) -> None:
        m, rng = self.model, self._rng
        u = rng.random(_CHUNK)
        answer = rng.gamma(m.answer_shape, m.answer_mean / m.answer_shape, _CHUNK)
        busy = rng.uniform(*m.busy_seconds, _CHUNK)
        mu = math.log(m.talk_mean) - m.talk_sigma**2 / 2
        talk = rng.lognormal(mu, m.talk_sigma, _CHUNK)
        self._chunks.append((u, np.minimum(answer, m.ring_timeout - 0.5), busy, talk))

    def wrap(self, k: int) -> float:
        """The wrap-up after the conversation of attempt k, in seconds."""
        m = self.model
        if m.wrap_sigma == 0 or m.wrap_seconds == 0:
            return m.wrap_seconds
        c, i = divmod(k, _CHUNK)
        while c >= len(self._wraps):
            mu = math.log(m.wrap_seconds) - m.wrap_sigma**2 / 2
            self._wraps.append(self._wrap_rng.lognormal(mu, m.wrap_sigma, _CHUNK))
        return float(self._wraps[c][i])

    def attempt(self, k: int, at: float) -> tuple[str, float, float]:
        """Attempt k launched at `at`: (outcome, seconds until it resolves, talk seconds)."""
        c, i = divmod(k, _CHUNK)
        while c >= len(self._chunks):
            self._grow()
        us, answer, busy, talk = self._chunks[c]
        m, u = self.model, float(us[i])
        live = m.live_rate_at(at)
        if u < live:
            return LIVE, float(answer[i]), float(talk[i])
        if u < live + m.machine_rate:
            return MACHINE, float(answer[i]) + m.amd_seconds, 0.0
        if u < live + m.machine_rate + m.busy_rate:
            return BUSY, float(busy[i]), 0.0
        return NO_ANSWER, m.ring_timeout, 0.0
