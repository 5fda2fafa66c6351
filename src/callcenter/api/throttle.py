"""Login throttling: per account and per client address, a growing wait after repeated
failures (`POST /api/login` answers 429 with `Retry-After` meanwhile).

Each attempt counts as a failure when it starts (so a burst of parallel guesses is
counted before any password is checked) and a success takes it back: the account's
count is cleared, the address's lowered by one. After `free` failures, each further
one locks the key for `base * 2**k` seconds (k = 0, 1, 2, ...; at most `cap`); a key
whose last failure is `forget` seconds old starts again from zero. While locked, even
the right password is refused. Time comes from `now` (monotonic seconds; a test gives
its own clock instead of sleeping).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Count:
    failures: int = 0
    last: float = 0.0
    until: float = 0.0


@dataclass(frozen=True, slots=True)
class Limit:
    """How many failures are free, the first wait, the longest wait, when to forget."""

    free: int
    base: float = 1.0
    cap: float = 900.0
    forget: float = 3600.0

    def lock(self, failures: int) -> float:
        """Seconds locked after the `failures`-th failure (0: none)."""
        if failures <= self.free:
            return 0.0
        return float(min(self.cap, self.base * 2 ** min(failures - self.free - 1, 40)))


ACCOUNT = Limit(free=5)
ADDRESS = Limit(free=20)  # an office behind one address shares it


class Locked(Exception):
    """A login attempt refused: `what` is locked for `wait` more seconds."""

    def __init__(self, what: str, wait: float) -> None:
        super().__init__(f"{what}: locked for {wait:.0f} s")
        self.what = what
        self.wait = wait


class LoginThrottle:
    """Failure counts by account (the normalised username) and by client address.

    Used from the event loop only. At most `max_keys` keys of each kind are kept;
    beyond it the stalest are forgotten first.
    """

    def __init__(self, now: Callable[[], float] = time.monotonic, *,
                 account: Limit = ACCOUNT, address: Limit = ADDRESS,
                 max_keys: int = 100_000) -> None:
        self.now = now
        self._limits = {"account": account, "address": address}
        self._counts: dict[str, dict[str, _Count]] = {"account": {}, "address": {}}
        self._max_keys = max_keys

    def attempt(self, account: str, address: str) -> None:
        """Count an attempt as a failure, or raise `Locked` (nothing counted) when the
        account or the address must still wait."""
        now = self.now()
        keys = {"account": account, "address": address}
        for kind, key in keys.items():
            count = self._current(kind, key, now)
            if count is not None and count.until > now:
                raise Locked(kind, count.until - now)
        for kind, key in keys.items():
            table = self._counts[kind]
            count = self._current(kind, key, now) or table.setdefault(key, _Count())
            count.failures += 1
            count.last = now
            count.until = now + self._limits[kind].lock(count.failures)
            self._prune(kind)

    def succeeded(self, account: str, address: str) -> None:
        """The attempt was right: clear the account, take the address's count back."""
        self._counts["account"].pop(account, None)
        count = self._counts["address"].get(address)
        if count is not None:
            count.failures = max(0, count.failures - 1)
            count.until = (count.last + self._limits["address"].lock(count.failures)
                           if count.failures else 0.0)

    def failures(self, kind: str, key: str) -> int:
        """The failures counted now for an account or address (`kind`)."""
        count = self._current(kind, key, self.now())
        return 0 if count is None else count.failures

    def _current(self, kind: str, key: str, now: float) -> _Count | None:
        table = self._counts[kind]
        count = table.get(key)
        if count is not None and count.until <= now and \
                now - count.last >= self._limits[kind].forget:
            del table[key]
            return None
        return count

    def _prune(self, kind: str) -> None:
        table = self._counts[kind]
        if len(table) <= self._max_keys:
            return
        for key, _count in sorted(table.items(), key=lambda kv: kv[1].last)[
                :len(table) - self._max_keys]:
            del table[key]
