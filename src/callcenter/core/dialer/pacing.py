"""Pacers: how many new calls a campaign launches now.

Every pacer answers one question, ``decide(state, now) -> int``, from a
`PacingState` (agents, calls in flight, estimates, the drop ledger) and the time.
The caller launches that many calls and asks again later (the simulator and the
server ask once a second). Nothing here reads a clock or draws random numbers.

- `Progressive`: one call per ready agent, minus the calls already in flight;
  every call has an agent waiting for it, so it never drops a call.
- `AdaptAverage`, `AdaptTapered`, `AdaptHardLimit`: VICIdial's three adaptive
  dial methods (the peers in ``bench/dialer.py``); see `AdaptAverage` for the sources.
- `Predictive`: ours. A model of the next ring window (who answers when, which
  agents come free when) picks the most calls whose expected drops stay under
  a rate that a feedback loop steers to the target, inside a hard guard that
  makes the legal cap exact: see its docstring and docs/reference/dialer.md.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from callcenter.core.dialer.drops import DAY, DropLedger
from callcenter.core.dialer.estimates import Estimates, cdf_on

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class PacingState:
    """What a pacer sees when asked, all about one campaign.

    Times are absolute (the caller's clock, the same as ``now``). `drops` is the
    campaign's ledger, for reading only.
    """

    ready: int  # agents ready, with no call
    talk_started: tuple[float, ...]  # one per agent in conversation: when it began
    wrap_started: tuple[float, ...]  # one per agent in wrap-up: when it began
    ringing: tuple[float, ...]  # launch times of calls not yet answered or failed
    waiting: tuple[float, ...]  # answer times of live answers waiting for an agent
    logged_in: int  # agents logged in to the campaign (ready, busy or paused)
    estimates: Estimates
    drops: DropLedger
    # when dialing stops (the end of the shift or calling window), if known: the hard
    # guard then also keeps every later 24 h window (`Predictive`)
    closes_at: float | None = None

    @property
    def in_flight(self) -> int:
        """Calls launched and not yet connected, failed or dropped."""
        return len(self.ringing) + len(self.waiting)


class Pacer(Protocol):
    """Decides how many calls to launch now."""

    name: str

    def decide(self, state: PacingState, now: float) -> int:
        """How many new calls to launch at `now` (>= 0)."""
        ...


class Progressive:
    """One call per ready agent, minus the calls already in flight (never drops a call)."""

    name = "progressive"

    def decide(self, state: PacingState, now: float) -> int:
        """Ready agents minus calls in flight, at least 0."""
        return max(0, state.ready - state.in_flight)


@dataclass(frozen=True, slots=True)
class AdaptSettings:
    """ADAPT_AVERAGE's campaign settings, with VICIdial's defaults."""

    dropped_percentage: float = 3.0  # adaptive_dropped_percentage
    maximum_level: float = 3.0  # adaptive_maximum_level
    intensity: float = 0.0  # adaptive_intensity, -40 .. 40
    start_level: float = 1.0
    level_interval: float = 15.0  # the dial level is recomputed this often
    drop_interval: float = 60.0  # drop statistics are refreshed this often
    samples: int = 15  # agent/call samples (one per decision) averaged
    day: float = DAY  # "today" starts at multiples of this
    # ADAPT_TAPERED's adaptive_latest_server_time, as seconds after the start of "today":
    # the time by which today's drop percentage must be within the target
    latest: float = 8 * 3600.0


class AdaptAverage:
    """VICIdial's ADAPT_AVERAGE dial method, as its documentation and source describe it.

    Read for this (VICIdial 2.14, AGPLv2; reimplemented from the description, no
    code copied): the admin help for Dial Method ("ADAPT_AVERAGE tries to
    maintain an average or the dropped percentage not imposing hard limits as
    aggressively as the other two methods"); ``bin/AST_VDadapt.pl``,
    ``count_agents_lines`` and ``calculate_dial_level``; ``bin/AST_VDauto_dial.pl``,
    where calls are placed.

    - Once a second the campaign is sampled: ready agents, live calls waiting for
      an agent, logged-in agents. The differential is the average over the last
      15 samples of (ready - waiting).
    - Every 15 s the dial level becomes ``level * (1 + differential / average
      logged-in agents)`` (the intensity setting scales that change; 0 leaves it),
      capped at the maximum level (3.0) and at least 1.0. It is then halved if over
      20 calls were dialed in the last minute and over half of them dropped, and
      halved if over 50 calls were dialed today and today's drops exceed the
      dropped percentage of today's live answers (3 %). It never goes below 1.0.
    - Drop statistics are refreshed once a minute, so a level can be halved
      several times on the same figures.
    - Calls to place now = round(level * (ready + in-call agents)) - (calls
      ringing + waiting + connected); agents in wrap-up count in neither.

    The three methods differ only in that last rule, what they do while today's drop
    percentage is over the target (`_over_target`): ADAPT_AVERAGE halves the level,
    ADAPT_HARD_LIMIT sets it to 1.0, ADAPT_TAPERED multiplies it by the hours left until
    `AdaptSettings.latest` over 10 (at most 1: no cut 10 hours or more before it) and
    sets it to 1.0 once that time has passed.
    """

    name = "adapt_average"

    def __init__(self, settings: AdaptSettings | None = None) -> None:
        self.settings = s = settings or AdaptSettings()
        self.level = s.start_level
        self._samples: deque[tuple[int, int]] = deque(maxlen=s.samples)
        self._dialed: deque[float] = deque()  # launch times within the last minute
        self._last_level = -math.inf
        self._last_drops = -math.inf
        self._day_start = -math.inf
        self._dialed_today = 0
        self._today_pct = 0.0  # drops / live answers today, in percent, as last refreshed
        self._calls_today = 0
        self._one_minute = (0, 0)  # (calls, drops), as last refreshed

    def decide(self, state: PacingState, now: float) -> int:
        """Sample, maybe refresh drops and the level, then fill up to level x agents."""
        s = self.settings
        day_start = math.floor(now / s.day) * s.day
        if day_start != self._day_start:
            self._day_start, self._dialed_today = day_start, 0
        while self._dialed and self._dialed[0] <= now - 60.0:
            self._dialed.popleft()
        self._samples.append((state.ready - len(state.waiting), state.logged_in))
        if now - self._last_drops >= s.drop_interval:
            self._last_drops = now
            today = state.drops.after(day_start)
            self._today_pct = 100.0 * today.rate
            self._calls_today = self._dialed_today
            self._one_minute = (len(self._dialed), state.drops.after(now - 60.0).drops)
        if now - self._last_level >= s.level_interval:
            self._last_level = now
            self._recompute_level(now - day_start)
        incall = len(state.talk_started)
        goal = round(self.level * (state.ready + incall))
        launch = max(0, goal - (state.in_flight + incall))
        self._dialed.extend([now] * launch)
        self._dialed_today += launch
        return launch

    def _recompute_level(self, time_of_day: float) -> None:
        s = self.settings
        n = len(self._samples)
        differential = sum(d for d, _ in self._samples) / n
        agents = sum(a for _, a in self._samples) / n
        change = differential / agents if differential and agents else 0.0
        intensity = s.intensity / 100.0
        change *= abs(intensity - 1.0) if change < 0 else intensity + 1.0
        level = min(self.level * (1.0 + change), s.maximum_level)
        level = max(level, 1.0)
        calls, drops = self._one_minute
        if calls > 20 and drops > 0.5 * calls:
            level /= 2.0
        if self._calls_today > 50 and self._today_pct > s.dropped_percentage:
            level = self._over_target(level, time_of_day)
        self.level = max(level, 1.0)

    def _over_target(self, level: float, time_of_day: float) -> float:
        """The level while today's drop percentage is over the target: halved."""
        return level / 2.0


class AdaptHardLimit(AdaptAverage):
    """VICIdial's ADAPT_HARD_LIMIT: as `AdaptAverage`, but while today's drop percentage
    is over the target the level is 1.0 (one line per agent: no drop) until it is back
    under (the admin help: "will dial predictively up to the dropped percentage and then
    not allow aggressive dialing once the drop limit is reached")."""

    name = "adapt_hard_limit"

    def _over_target(self, level: float, time_of_day: float) -> float:
        """The level while today's drop percentage is over the target: 1.0."""
        return 1.0


class AdaptTapered(AdaptAverage):
    """VICIdial's ADAPT_TAPERED: as `AdaptAverage`, but over the target the level is cut
    the harder the nearer `AdaptSettings.latest` is (the admin help: "allows for running
    over the dropped percentage in the first half of the shift ... and gets more strict as
    the shift goes on"): multiplied by (hours left until `latest`) / 10, at most 1, and
    1.0 from `latest` on."""

    name = "adapt_tapered"

    def _over_target(self, level: float, time_of_day: float) -> float:
        """The level while today's drop percentage is over the target: tapered."""
        hours_left = (self.settings.latest - time_of_day) / 3600.0
        if hours_left < 0:
            return 1.0
        return level * min(hours_left / 10.0, 1.0)


@dataclass(frozen=True, slots=True)
class PredictiveSettings:
    """Knobs of `Predictive`; the defaults are the ones benchmarked."""

    target_rate: float = 0.025  # drops per live answer aimed at (the cap is the ledger's)
    grace: float = 2.0  # a live answer may wait this long for an agent
    ring_seconds: float = 30.0  # the horizon: no call rings longer than this
    step: float = 2.0  # time grid of the model, seconds
    lookahead: tuple[float, ...] = (900.0,)  # the hard guard also holds this far ahead
    gain: float = 0.002  # feedback: log-threshold change per live answer, over target
    max_in_flight_per_agent: float = 4.0  # line limit
    # the forward guard, when the close is known: this share of the live answers of the
    # last `reserve_span` seconds, per second until the close, is counted on
    close_reserve: float = 0.5
    reserve_span: float = 900.0

    def __post_init__(self) -> None:
        if not 0.0 < self.target_rate < 1.0:
            raise ValueError(f"target_rate must be in (0, 1), got {self.target_rate}")
        if not 0.0 <= self.close_reserve <= 1.0:
            raise ValueError(f"close_reserve must be in [0, 1], got {self.close_reserve}")
        for name in ("grace", "ring_seconds", "step", "max_in_flight_per_agent",
                     "reserve_span"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


def _phi_cdf(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Standard normal density and distribution function (Abramowitz-Stegun 7.1.26)."""
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-x * x)
    cdf = 0.5 * (1.0 + np.sign(z) * erf)
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return pdf, cdf


class Predictive:
    """Our pacer: model the next ring window, dial the most calls the drop budget allows.

    Model (one `decide`, on a 1 s grid t = 0 .. ring_seconds):

    - Demand X(t): live answers by now + t. Live answers already waiting; each
      ringing call answers live by t with probability p·(F_A(a+t) - F_A(a)) /
      (p·S_A(a) + (1-p)·S_F(a)) given it has rung a seconds without an outcome
      (p the live-answer rate, F_A the time to answer, S_F the survival of calls
      that fail); each new call with p·F_A(t).
    - Supply Y(t): agents free by now + t + 2 s (the grace a live answer may
      wait). Ready agents; agents in wrap-up by the wrap-up distribution given its
      elapsed time; agents talking by the talk distribution given the elapsed
      talk, plus the mean wrap-up.
    - Expected drops with n new calls: max over t of E[(X(t) - Y(t))+], X - Y taken
      as normal (sums of independent Bernoullis). The largest n whose expected
      drops stay within θ x expected live answers is chosen.
    - θ is steered by feedback: every live answer moves log θ up by `gain`, every
      drop moves it down by gain x (1 - target) / target, so θ settles where the
      realized drop rate equals `target_rate`. While the 24 h or the 30 d rate
      is above the target, θ does not grow.

    Hard guard (compliance, exact): the calls in flight beyond the ready agents
    are the most that can drop before the next decision, whatever the callees do.
    n is capped so that this worst case stays within `DropLedger.allowance`, the
    drops the 24 h and 30 d windows can still take at the cap, counting neither
    the live answers the calls would bring nor drops leaving the window, and
    taking out live answers leaving within the lookahead. When the state says when
    dialing stops (`PacingState.closes_at`), the worst case must also fit
    `DropLedger.forward_allowance`: every 24 h window that will end while one of
    these drops is in it, a drop staying in the window longer than the live answers
    before it. Each window counts the reserve: `close_reserve` of the live answers
    per second of the last `reserve_span`, from the end of the ring window until the
    window's end or the close. So every trailing 24 h window stays at or under the
    cap as long as the live answers counted on do come (no drop at all could be made
    without counting on some live answer to come). When the allowance is spent,
    the pacer is progressive (a call only for an agent already waiting).
    """

    name = "predictive"

    def __init__(self, settings: PredictiveSettings | None = None) -> None:
        self.settings = s = settings or PredictiveSettings()
        self._grid = np.arange(0.0, s.ring_seconds + s.step / 2, s.step)
        self._reach = self._grid + s.grace
        self._new_for: Estimates | None = None
        self._new = self._grid
        self._log_theta = math.log(s.target_rate)
        self._seen = (0, 0)  # ledger totals (lives, drops) at the last decision

    @property
    def threshold(self) -> float:
        """θ: expected drops allowed per expected live answer in the ring window."""
        return math.exp(self._log_theta)

    def _feedback(self, drops: DropLedger, now: float) -> None:
        s = self.settings
        lives, dropped = drops.total_lives - self._seen[0], drops.total_drops - self._seen[1]
        self._seen = (drops.total_lives, drops.total_drops)
        step = s.gain * (s.target_rate * lives - dropped) / s.target_rate
        if step > 0 and max(drops.rate(now, DAY), drops.rate(now, drops.retention)) \
                > s.target_rate:
            step = 0.0
        base = math.log(s.target_rate)
        self._log_theta = min(max(self._log_theta + step, base - 5.0), base + 3.0)

    def guard(self, state: PacingState, now: float) -> int:
        """The most new calls the hard guard allows (the progressive count at least)."""
        s = self.settings
        horizon = s.ring_seconds + s.grace
        ledger = state.drops
        allowance = ledger.allowance(now, horizon, s.lookahead)
        if state.closes_at is not None:  # and every 24 h window any of those drops is in
            rate = s.close_reserve * ledger.after(now - s.reserve_span).lives / s.reserve_span
            allowance = min(allowance,
                            ledger.forward_allowance(now, horizon, state.closes_at, rate))
        progressive = state.ready - state.in_flight
        lines = math.floor(s.max_in_flight_per_agent * state.logged_in) - state.in_flight
        return max(progressive, min(progressive + max(allowance, 0), lines), 0)

    def decide(self, state: PacingState, now: float) -> int:
        """The most calls whose expected drops stay within θ x expected live answers."""
        self._feedback(state.drops, now)
        cap = self.guard(state, now)
        low = max(0, state.ready - state.in_flight)
        if cap <= low:
            return low
        mean, var, lives, new = self._window(state, now)
        ns = np.arange(low, cap + 1, dtype=np.float64)
        mu = mean[None, :] + ns[:, None] * new[None, :]
        sd = np.sqrt(var[None, :] + ns[:, None] * (new * (1.0 - new))[None, :]) + 1e-9
        pdf, cdf = _phi_cdf(mu / sd)
        expected_drops = (sd * pdf + mu * cdf).max(axis=1)
        ok = expected_drops <= self.threshold * (lives + ns * new[-1])
        first_bad = int(np.argmin(ok)) if not ok.all() else len(ns)
        return low + max(first_bad - 1, 0)

    def _window(self, state: PacingState, now: float
                ) -> tuple[FloatArray, FloatArray, float, FloatArray]:
        """Over the grid: mean and variance of demand - supply without new calls, the
        expected live answers by the horizon, and a new call's live-answer CDF."""
        est, grid, reach = state.estimates, self._grid, self._reach
        edges, p = est.edges, est.live_rate
        if self._new_for is not est:
            self._new_for, self._new = est, p * cdf_on(edges, est.answer_cdf, grid)
        new = self._new
        mean = np.full(len(grid), float(len(state.waiting) - state.ready))
        var = np.zeros(len(grid))
        lives = float(len(state.waiting))
        if state.ringing:
            a = now - np.asarray(state.ringing)
            answered = cdf_on(edges, est.answer_cdf, a)
            alive = p * (1.0 - answered) + (1.0 - p) * (1.0 - cdf_on(edges, est.fail_cdf, a))
            later = cdf_on(edges, est.answer_cdf, a[:, None] + grid) - answered[:, None]
            pi = np.minimum(later * (p / np.maximum(alive, 1e-12))[:, None], 1.0)
            mean += pi.sum(axis=0)
            var += (pi - pi * pi).sum(axis=0)
            lives += float(pi[:, -1].sum())
        for started, cdf, shift in ((state.wrap_started, est.wrap_cdf, 0.0),
                                    (state.talk_started, est.talk_cdf, est.wrap_mean)):
            if not started:
                continue
            e = now - np.asarray(started)
            done = cdf_on(edges, cdf, e)
            ends = cdf_on(edges, cdf, e[:, None] + (reach - shift)) - done[:, None]
            left = 1.0 - done
            q = np.minimum(np.maximum(ends, 0.0) / np.maximum(left, 1e-9)[:, None], 1.0)
            if (left <= 1e-9).any():  # past the table's end: free once the shift has passed
                q[left <= 1e-9] = (reach >= shift).astype(np.float64)
            mean -= q.sum(axis=0)
            var += (q - q * q).sum(axis=0)
        return mean, var, lives, new
