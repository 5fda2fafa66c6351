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

Outbound calls for the dialer go through a second, small protocol, `Dialing`:
`originate(number, campaign_id)` places a call and returns its id; what happens on
the line comes back as `DialUpdate`s to the callback given to `on_dial`; the
dialer ends a call with `hang_up_dial`, or plays the campaign's information message
and hangs up with `drop_dial`. `dialing_of(adapter)` says whether an adapter
places outbound calls (the `sim` adapter and `FakeTelephony` do; the `sip`
adapter through `telephony.sip.dialing.SipDialing`) and raises
`DialingUnsupported` naming the adapter otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

from callcenter.core.commands import (
    Command,
    Connect,
    Disconnect,
    ExitQueue,
    Hold,
    OfferToAgent,
    TransferExternal,
    WithdrawOffer,
)
from callcenter.core.enums import StrEnum
from callcenter.core.events import Event
from callcenter.core.ivr import CallEntered, IvrCommand, IvrEvent

Report = Callable[[Event | IvrEvent], None]
"""Queues an event for the engine (the driver's `report`); never blocks."""

TelephonyCommand = (OfferToAgent | WithdrawOffer | Connect | Disconnect | Hold
                    | TransferExternal | ExitQueue)
TELEPHONY_COMMANDS = (OfferToAgent, WithdrawOffer, Connect, Disconnect, Hold, TransferExternal,
                      ExitQueue)

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


class DialStatus(StrEnum):
    """What happened to an outbound call (outcomes spelt as the dialer's `CallOutcome`)."""

    RINGING = "ringing"
    ANSWERED = "answered"  # a person (or, without detection, a machine) answered
    ANSWERING_MACHINE = "answering-machine"  # detected and hung up by the adapter
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    ENDED = "ended"  # an answered call ended (either side hung up, or the media died)


@dataclass(frozen=True, slots=True)
class DialUpdate:
    """One step of an outbound call, at time `at` (the adapter's clock)."""

    call_id: str
    campaign_id: str
    number: str
    status: DialStatus
    at: float
    code: int = 0
    """The SIP status of a `busy` or `failed` outcome (0: no response)."""


OnDial = Callable[[DialUpdate], None]
"""Takes a `DialUpdate`; never blocks."""


@runtime_checkable
class Dialing(Protocol):
    """An adapter that places outbound calls for the dialer."""

    def on_dial(self, callback: OnDial) -> None:
        """Send every later `DialUpdate` to `callback`."""
        ...

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        """Call `number` for `campaign_id`; the call's id (its updates carry it)."""
        ...

    async def hang_up_dial(self, call_id: str) -> None:
        """End an outbound call (nothing when it has ended already)."""
        ...

    async def drop_dial(self, call_id: str, message: str) -> None:
        """A live answer found no agent: play `message` to the callee, then hang up."""
        ...


@runtime_checkable
class DialingFlows(Protocol):
    """An adapter that runs IVR flows on answered outbound calls (agentless campaigns)."""

    def enter_flow(self, call_id: str, flow: str, caller: str, dialed: str) -> None:
        """The answered outbound call `call_id` starts IVR flow `flow`: the adapter
        reports `CallEntered` for it (the sim adapter through a modelled IVR caller) and
        plays the flow's prompts to the callee."""
        ...


class DialingUnsupported(RuntimeError):
    """The telephony adapter places no outbound calls."""


def dialing_of(telephony: object) -> Dialing:
    """`telephony` as an `Dialing`; `DialingUnsupported` naming it when it is not one."""
    if isinstance(telephony, Dialing):
        return telephony
    raise DialingUnsupported(
        f"the telephony adapter {type(telephony).__name__} places no outbound calls")


class FakeTelephony:
    """Records what it was told; tests inject line events with `inject` and outbound
    call updates with `dial_update`."""

    def __init__(self) -> None:
        self.commands: list[TelephonyCommand] = []
        self.running = False
        self._report: Report | None = None
        self._on_dial: OnDial | None = None
        self._dial_ids = itertools.count(1)
        self.dials: dict[str, tuple[str, str]] = {}
        """Outbound calls placed: id -> (number, campaign)."""
        self.hung_up: list[str] = []
        self.dropped: list[tuple[str, str]] = []
        """(call id, information message) of every drop."""
        self.flows_entered: list[tuple[str, str]] = []
        """(call id, flow) of every answered outbound call put into a flow."""

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

    def on_dial(self, callback: OnDial) -> None:
        """Where `dial_update` sends updates."""
        self._on_dial = callback

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        """Record the call; its fate comes from the test through `dial_update`."""
        call_id = f"fake-o{next(self._dial_ids)}"
        self.dials[call_id] = (number, campaign_id)
        return call_id

    async def hang_up_dial(self, call_id: str) -> None:
        """Record the hang-up."""
        self.hung_up.append(call_id)

    async def drop_dial(self, call_id: str, message: str) -> None:
        """Record the drop and its message."""
        self.dropped.append((call_id, message))

    def enter_flow(self, call_id: str, flow: str, caller: str, dialed: str) -> None:
        """Report `CallEntered`; the test then plays the callee (`inject`)."""
        self.flows_entered.append((call_id, flow))
        self.inject(CallEntered(call_id, flow, caller=caller, dialed=dialed))

    def dial_update(self, call_id: str, status: DialStatus, at: float) -> None:
        """What the line did to an outbound call placed by `originate`."""
        if self._on_dial is None:
            raise RuntimeError("FakeTelephony has no on_dial callback")
        number, campaign = self.dials[call_id]
        self._on_dial(DialUpdate(call_id, campaign, number, status, at))

    def of_type(self, kind: type[C]) -> list[C]:
        """The recorded commands of one type, in order."""
        return [c for c in self.commands if isinstance(c, kind)]
