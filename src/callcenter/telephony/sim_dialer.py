"""Outbound calls in the `sim` adapter: simulated callees for the live dialer.

`SimDialing` places calls on the runtime's clock and decides each callee's fate
with the callee model the outbound simulation uses too (`callcenter.scenario.callees`), drawn
from a seeded generator: a live answer after the time-to-answer draw, an
answering machine (answered, detected after `amd_seconds`, hung up), busy within
seconds, or no answer at the ring timeout. A live answer's talk time is drawn
too: the adapter hands it to the call the engine connects (`adopt`), so the bot
or the callee hangs up after it. A drop plays no sound here; only its time counts.

Bots answer campaign offers at once (`auto_answers`): outbound agents are on
auto-answer, a ringing phone would eat the 2 s a live answer may wait.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from callcenter.clock import Clock, Timer
from callcenter.core.dialer.queue import campaign_of_queue
from callcenter.scenario.callees import BUSY, LIVE, MACHINE, OutcomeModel, Traffic
from callcenter.telephony.base import DialStatus, DialUpdate, OnDial

_FATE = {LIVE: DialStatus.ANSWERED, MACHINE: DialStatus.ANSWERING_MACHINE,
         BUSY: DialStatus.BUSY}

Schedule = Callable[[float, Callable[[], None]], Timer]
"""Run a callback at an engine time (the adapter's timer, cancelled when it stops)."""


def auto_answers(queue_id: str) -> bool:
    """True for a campaign's queue: a bot takes its offers at once, without ringing."""
    return campaign_of_queue(queue_id) is not None


class SimDialing:
    """Simulated outbound calls (see the module's docstring)."""

    def __init__(self, clock: Clock, rng: np.random.Generator, model: OutcomeModel,
                 schedule: Schedule, adopt: Callable[[str, float], None],
                 prefix: Callable[[], str]) -> None:
        """`adopt(call_id, talk_seconds)` registers a live answer with the adapter;
        `prefix()` gives the adapter's id prefix (known once it starts)."""
        self._clock = clock
        self._traffic = Traffic(model, int(rng.integers(2**63)))
        self._schedule = schedule
        self._adopt = adopt
        self._prefix = prefix
        self._on_dial: OnDial | None = None
        self._k = itertools.count()
        self._pending: dict[str, Timer] = {}
        self._t0: float | None = None

    def on_dial(self, callback: OnDial) -> None:
        """Send every later `DialUpdate` to `callback`."""
        self._on_dial = callback

    def originate(self, number: str, campaign_id: str) -> str:
        """Ring `number` now; its outcome comes at the drawn time."""
        now = self._clock.time()
        if self._t0 is None:
            self._t0 = now  # the model's live-rate schedule counts from the first call
        k = next(self._k)
        call_id = f"{self._prefix()}-o{k + 1}"
        fate, seconds, talk = self._traffic.attempt(k, now - self._t0)
        self._send(DialUpdate(call_id, campaign_id, number, DialStatus.RINGING, now))
        status = _FATE.get(fate, DialStatus.NO_ANSWER)

        def resolve() -> None:
            self._pending.pop(call_id, None)
            if status is DialStatus.ANSWERED:
                self._adopt(call_id, talk)
            self._send(DialUpdate(call_id, campaign_id, number, status, self._clock.time()))

        self._pending[call_id] = self._schedule(now + seconds, resolve)
        return call_id

    def hang_up(self, call_id: str) -> None:
        """Give up on a call that has not been answered (nothing once it has)."""
        timer = self._pending.pop(call_id, None)
        if timer is not None:
            timer.cancel()

    @property
    def ringing(self) -> int:
        """Calls placed whose outcome has not come yet."""
        return len(self._pending)

    def _send(self, update: DialUpdate) -> None:
        if self._on_dial is not None:
            self._on_dial(update)
