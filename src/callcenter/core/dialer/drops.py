"""Drop accounting: live answers and drops of one campaign over rolling windows.

The law the dialer answers to (see docs/reference/dialer.md): at most ``cap``
(3 % by default) of the calls answered by a live person may be dropped, per
campaign, over the last 30 days and over every rolling 24 hours. A live answer
that finds no agent within 2 s hears the information message and is a drop.

`DropLedger` keeps one row per resolved live answer (connected or dropped),
stamped when the outcome became known, for as long as the longest window (30 d).
Rows sit in a list with a moving head and running cumulative counts, so adding
a row and evicting old ones are O(1) amortized, and "how many lives and drops
after time s" is one binary search. The pacer asks it for the remaining budget
(`allowance`: the windows of the next minutes; `forward_allowance`: every later 24 h
window a drop made now will be in); the compliance report asks it for rates.

`worst_window` answers the compliance question over a whole history: the worst
drop rate of any trailing window of the given span, at any instant.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DAY = 86_400.0
MONTH = 30 * DAY
DEFAULT_CAP = 0.03
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class WindowCount:
    """Live answers and drops in one window."""

    lives: int
    drops: int

    @property
    def rate(self) -> float:
        """Drops per live answer (0 when there was no live answer)."""
        return self.drops / self.lives if self.lives else 0.0


def allowed_drops(cap: float, lives: int) -> int:
    """The most drops `lives` live answers may carry under `cap` (floor, exact at the edge)."""
    return math.floor(cap * lives + _EPS)


class DropLedger:
    """Live answers and drops of one campaign, for rolling-window rates and budgets.

    `record` must be called in time order (the simulator and the engine both do:
    an outcome is stamped when it is known). Rows older than `retention` (30 d)
    are evicted; queries reach back at most that far.
    """

    __slots__ = ("_base_drops", "_base_lives", "_cum_drops", "_cum_lives", "_early_key",
                 "_early_times", "_early_values", "_fed", "_head", "_late", "_split", "_times",
                 "cap", "retention", "total_drops", "total_lives")

    def __init__(self, cap: float = DEFAULT_CAP, retention: float = MONTH) -> None:
        if not 0.0 <= cap < 1.0:
            raise ValueError(f"cap must be in [0, 1), got {cap}")
        if retention <= 0:
            raise ValueError(f"retention must be positive, got {retention}")
        self.cap = cap
        self.retention = retention
        self._times: list[float] = []
        self._cum_lives: list[int] = []  # lives up to and including row i, since the start
        self._cum_drops: list[int] = []
        self._head = 0  # rows before head are evicted
        self._base_lives = 0  # cumulative counts up to the last evicted row
        self._base_drops = 0
        self.total_lives = 0  # since the ledger began (never evicted)
        self.total_drops = 0
        # the forward guard (`forward_allowance`): the most "potential" cap x lives - drops
        # after any row of the last day, rows before / from the split (close - DAY)
        self._split: float | None = None  # close - DAY of the last forward_allowance
        self._late = _WindowMax()  # rows from the split on
        self._fed = 0  # rows (counted as total_lives) already given to it
        self._early_key: tuple[float, int] | None = None  # rows before the split, as arrays
        self._early_times = self._early_values = np.zeros(0)

    def record(self, at: float, dropped: bool) -> None:
        """One live answer resolved at `at`: connected to an agent, or dropped."""
        if self._times and at < self._times[-1]:
            raise ValueError(f"rows must come in time order: {at} < {self._times[-1]}")
        self.total_lives += 1
        self.total_drops += dropped
        self._times.append(at)
        self._cum_lives.append(self.total_lives)
        self._cum_drops.append(self.total_drops)
        self._evict(at)

    def _evict(self, now: float) -> None:
        cutoff = now - self.retention
        times, head = self._times, self._head
        while head < len(times) and times[head] <= cutoff:
            head += 1
        if head != self._head:
            self._base_lives = self._cum_lives[head - 1]
            self._base_drops = self._cum_drops[head - 1]
            self._head = head
            if head > 1024 and head * 2 > len(times):
                del self._times[:head], self._cum_lives[:head], self._cum_drops[:head]
                self._head = 0

    def after(self, since: float) -> WindowCount:
        """Lives and drops recorded strictly after `since` (at most `retention` back)."""
        i = bisect_right(self._times, since, self._head)
        if i > self._head:
            lives, drops = self._cum_lives[i - 1], self._cum_drops[i - 1]
        else:
            lives, drops = self._base_lives, self._base_drops
        return WindowCount(self.total_lives - lives, self.total_drops - drops)

    def window(self, now: float, span: float = DAY) -> WindowCount:
        """Lives and drops in the trailing window (now - span, now]."""
        return self.after(now - span)

    def rate(self, now: float, span: float = DAY) -> float:
        """Drop rate of the trailing window (now - span, now]."""
        return self.window(now, span).rate

    def allowance(self, now: float, horizon: float,
                  lookahead: Sequence[float] = ()) -> int:
        """How many more drops may happen within `horizon` seconds without breaking the cap.

        Conservative on both windows: no live answer is assumed to come in, and live
        answers that leave the window before ``now + horizon`` are taken out while
        the drops that leave are kept. Each extra point ``h`` of `lookahead` (seconds,
        beyond the horizon) also checks the 24 h window as it will be at ``now + h``,
        with the lives leaving before the next point already gone, so that the budget
        holds for that long even if no new live answer arrives. May be negative when
        the windows are already over the cap.
        """
        best = math.inf
        points = [horizon, *sorted(h for h in lookahead if h > horizon)]
        drops_from = now - DAY  # drops counted from the start of the current window
        for h in points:
            lives_from = now + h - DAY
            lives = self.after(lives_from).lives
            drops = self.after(drops_from).drops
            best = min(best, allowed_drops(self.cap, lives) - drops)
            drops_from = lives_from
        month = self.after(now + horizon - self.retention).lives
        best = min(best, allowed_drops(self.cap, month) - self.after(now - self.retention).drops)
        return int(best)

    def forward_allowance(self, now: float, horizon: float, close: float,
                          rate: float) -> int:
        """How many more drops may happen within `horizon` seconds so that every 24 h window
        ending at any instant from ``now + horizon`` on stays at or under the cap.

        A drop stays in the 24 h window longer than every live answer before it: the
        window ending at t holds the rows after s = t - 24 h, so a drop must be covered
        by the live answers that come after it. Every window that one of the next drops
        can be in is checked, exactly (s from ``now + horizon - 24 h`` to
        ``now + horizon``), counting the rows so far plus the reserve: `rate` live answers
        a second from ``now + horizon`` until the window's end or `close` (when dialing
        stops), whichever is first. That is the only assumption, and some is needed:
        with none, no drop could ever be made, since the window ending just before a
        drop leaves holds that drop and only what came after it. Drops from now on count
        as no live answer. ``drops <= cap x lives`` after every s is ``cap x lives -
        drops`` after each row of the last day staying at most its value now plus the
        reserve's share: for windows ending at or after the close (a fixed reserve) a
        sliding maximum, O(1) amortized per row; for those ending before it, a minimum
        over the rows of the last day before ``close - 24 h``, which do not change until
        the close does. May be negative when a window is already over.
        """
        split = close - DAY
        if split != self._split:
            self._split = split
            self._late, self._fed = _WindowMax(), 0
        self._feed(now - DAY, split)
        cap = self.cap
        potential = cap * self.total_lives - self.total_drops
        start = now + horizon - DAY  # windows ending at now + horizon or later
        best: float = math.inf
        if start < split:  # windows ending before the close: the reserve up to their end
            worst = potential - self._potential_at(start, potential)
            times, values = self._early_rows(now - DAY, split)
            i = int(np.searchsorted(times, start, side="right"))
            if i < len(times):
                share = cap * rate * (times[i:] + (DAY - now - horizon)) - values[i:]
                worst = min(worst, potential + float(share.min()))
            best = float(math.floor(worst + _EPS))
        start = max(start, split)
        top = max(self._potential_at(start, potential), self._late.max_after(start), potential)
        reserve = max(rate, 0.0) * max(close - now - horizon, 0.0)
        best = min(best, float(math.floor(cap * reserve + potential - top + _EPS)))
        return int(best)

    def _early_rows(self, oldest: float, split: float) -> tuple[FloatArray, FloatArray]:
        """Time and ``cap x lives - drops`` after each row from `oldest` to before `split`,
        as arrays (rebuilt when a row before the split was added or the split moved)."""
        times, head = self._times, self._head
        hi = bisect_left(times, split, head)
        key = (split, self._cum_lives[hi - 1] if hi > head else self._base_lives)
        if key != self._early_key:
            lo = min(bisect_right(times, oldest, head), hi)
            at = np.asarray(times[lo:hi + 1], dtype=np.float64)  # and the next row, if any
            whole = np.append(at[1:] > at[:-1], True)[:hi - lo]  # groups of equal times
            self._early_key = key
            self._early_times = at[:hi - lo][whole]
            self._early_values = (self.cap * np.asarray(self._cum_lives[lo:hi], dtype=np.float64)
                                  - np.asarray(self._cum_drops[lo:hi], dtype=np.float64))[whole]
        return self._early_times, self._early_values

    def _potential_at(self, since: float, potential: float) -> float:
        """cap x lives - drops as it was after the last row at or before `since`."""
        later = self.after(since)
        return potential - (self.cap * later.lives - later.drops)

    def _feed(self, oldest: float, split: float) -> None:
        """Give the rows recorded since the last call, after `oldest` and from `split` on,
        to the sliding maximum."""
        times, lives, drops = self._times, self._cum_lives, self._cum_drops
        last = len(times) - 1  # the last row waits: a row at the same time may follow
        if last < self._head or lives[last] - 1 == self._fed:
            return
        # row j is live answer number lives[j]; the first one not fed is number _fed + 1
        first = max(self._fed + 1 - lives[0], bisect_right(times, oldest, self._head))
        cap = self.cap
        for j in range(first, last):
            at = times[j]
            if split <= at < times[j + 1]:  # only after a whole group of equal times
                self._late.push(at, cap * lives[j] - drops[j])
        self._fed = lives[last] - 1


class _WindowMax:
    """The largest value pushed after a given time: a monotone deque of (time, value)."""

    __slots__ = ("_rows",)

    def __init__(self) -> None:
        self._rows: deque[tuple[float, float]] = deque()

    def push(self, at: float, value: float) -> None:
        """A value at `at` (in time order): older values no larger can never be the max."""
        rows = self._rows
        while rows and rows[-1][1] <= value:
            rows.pop()
        rows.append((at, value))

    def max_after(self, since: float) -> float:
        """The largest value pushed at a time after `since` (-inf if none); times up to
        `since` are forgotten, so `since` may only grow."""
        rows = self._rows
        while rows and rows[0][0] <= since:
            rows.popleft()
        return rows[0][1] if rows else -math.inf


@dataclass(frozen=True, slots=True)
class WorstWindow:
    """The worst trailing window of a history: its rate, counts and where it ends."""

    rate: float
    lives: int
    drops: int
    end: float


def worst_window(rows: Sequence[tuple[float, bool]], span: float = DAY,
                 until: float | None = None) -> WorstWindow:
    """The worst drop rate of any trailing window (t - span, t], for every instant t.

    `rows` are (time, dropped) per live answer, in time order. A window's contents
    change only when a row enters (t = a row's time) or leaves (t = a row's time +
    span), so those instants are all that is checked; instants after `until` (the
    end of observation, default: the last row) are not.
    """
    times = [t for t, _ in rows]
    if not times:
        return WorstWindow(0.0, 0, 0, 0.0)
    cum: list[int] = [0]
    for _, dropped in rows:
        cum.append(cum[-1] + dropped)
    end_of_obs = times[-1] if until is None else until
    best = WorstWindow(0.0, 0, 0, times[0])

    def consider(lo: int, hi: int, at: float) -> None:  # rows lo..hi-1
        nonlocal best
        lives, drops = hi - lo, cum[hi] - cum[lo]
        if drops and (best.lives == 0 or drops * best.lives > best.drops * lives):
            best = WorstWindow(drops / lives, lives, drops, at)

    n = len(times)
    for j in range(n):
        if j + 1 < n and times[j + 1] == times[j]:
            continue  # the window ending at this instant includes the whole tie group
        consider(bisect_right(times, times[j] - span), j + 1, times[j])
        leave = times[j] + span  # rows up to j have left at this instant
        if leave <= end_of_obs:
            consider(j + 1, bisect_right(times, leave), leave)
    return best
