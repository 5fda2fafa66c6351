"""The telephony boundary: what an adapter (sim, SIP) must do, and a fake for tests.

An adapter carries out the engine's telephony commands (`OfferToAgent`: ring the
agent's phone; `WithdrawOffer`: stop ringing; `Connect`: bridge caller and agent;
`Disconnect`: tear down the leg the reason names; `ExitQueue`: play the message,
take the voicemail or register the callback) and reports what happens on the
lines as engine events (`InteractionArrived`, `CallerHungUp`, `OfferAccepted`
from a phone, ...) through the `report` callback the runtime hands to `start`.

`execute` receives every command the engine returns (with a `CallCenter`, the
IVR's too: `PlayPrompts`, `StartMusic`, `ReleaseCall`, ...), in order; an adapter
acts on the telephony ones and ignores the rest. It must return quickly and must not wait
for the engine: `report` only queues the event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from callcenter.core.commands import (
    Command,
    Connect,
    Disconnect,
    ExitQueue,
    OfferToAgent,
    WithdrawOffer,
)
from callcenter.core.events import Event
from callcenter.core.ivr import IvrCommand, IvrEvent

Report = Callable[[Event | IvrEvent], None]
"""Queues an event for the engine (the driver's `report`); never blocks."""

TelephonyCommand = OfferToAgent | WithdrawOffer | Connect | Disconnect | ExitQueue
TELEPHONY_COMMANDS = (OfferToAgent, WithdrawOffer, Connect, Disconnect, ExitQueue)

C = TypeVar("C", bound=TelephonyCommand)


class Telephony(Protocol):
    """A telephony adapter."""

    async def start(self, report: Report) -> None:
        """Begin taking calls; report what happens through `report`."""
        ...

    async def stop(self) -> None:
        """Stop taking calls and cancel everything pending."""
        ...

    async def execute(self, commands: Sequence[Command | IvrCommand]) -> None:
        """Carry out the telephony commands among `commands`, in order."""
        ...


class FakeTelephony:
    """Records what it was told; tests inject line events with `inject`."""

    def __init__(self) -> None:
        self.commands: list[TelephonyCommand] = []
        self.running = False
        self._report: Report | None = None

    async def start(self, report: Report) -> None:
        """Remember the report callback."""
        self._report = report
        self.running = True

    async def stop(self) -> None:
        """Forget the report callback."""
        self._report = None
        self.running = False

    async def execute(self, commands: Sequence[Command | IvrCommand]) -> None:
        """Record the telephony commands."""
        self.commands.extend(c for c in commands if isinstance(c, TELEPHONY_COMMANDS))

    def inject(self, event: Event | IvrEvent) -> None:
        """A line event (an arrival, a hang-up, an answer from a phone) for the engine."""
        if self._report is None:
            raise RuntimeError("FakeTelephony is not started")
        self._report(event)

    def of_type(self, kind: type[C]) -> list[C]:
        """The recorded commands of one type, in order."""
        return [c for c in self.commands if isinstance(c, kind)]
