"""The SIP B2BUA as asyncio sees it: our call-controller interface over sippy.

    b2bua = SipB2BUA(settings, on_call=decide, on_event=events.append)
    await b2bua.start()            # binds settings.host:port, starts sippy's thread
    ...
    async def decide(call: IncomingCall) -> None:
        if closed:
            await b2bua.reject(call.call_id, 480)
            return
        agent = await b2bua.originate("sip:1001@192.0.2.7:5062", from_number=call.from_number,
                                      sdp=call.sdp, timeout=20, peer=call.call_id)
        await b2bua.bridge(call.call_id, agent)   # ring, answer, hang up together

Each inbound INVITE from a trunk to a known number runs `on_call` as a task;
the handler (or anyone later) decides with `reject`, `ring`, `answer`, or
`bridge` to an outbound leg. `originate` places an outbound leg; its progress
(`Ringing`, `Answered`) and outcome (`Busy`, `NoAnswer`, `Failed`), and the
hang-up of any leg (`HungUp`), go to `on_event`, in order, on the loop.

`bridge(a, b)` ties inbound leg `a` to outbound leg `b`: `b` ringing rings `a`;
`b` answered answers `a` with `b`'s SDP (through the rewriter); after that,
either side hanging up hangs up the other. If `b` fails before answering, `a`
stays as it is: the controller decides (another agent, voicemail, reject).
Decisions on legs that ended (or never were) are ignored: the far end may hang
up at any moment. Asking the impossible (answering an outbound leg, a code that
is not a failure) raises `SipUsageError`. With a `registrar` (registrar.py),
REGISTERs from agents' phones are answered by it on sippy's thread, with the
clock `now`; without one they get 501.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from callcenter.telephony.sip.b2bua_interface import (
    Answered,
    CallHandler,
    EventHandler,
    HungUp,
    IncomingCall,
    LegEvent,
    PassThroughSdp,
    Ringing,
    SdpRewriter,
    SipSettings,
    SipUri,
)
from callcenter.telephony.sip.registrar import Registrar
from callcenter.telephony.sip.stack import SipStack
from callcenter.telephony.sip.thread import SippyThread

log = logging.getLogger("callcenter.telephony.sip")

REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    480: "Temporarily Unavailable",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    500: "Server Internal Error",
    503: "Service Unavailable",
    603: "Decline",
}


class SipUsageError(ValueError):
    """The controller asked for something impossible (unknown leg, wrong kind of leg)."""


@dataclass(slots=True, eq=False)
class _Leg:
    call_id: str
    inbound: bool
    answered: bool = False
    ended: bool = False
    peer: str | None = None
    bridged: bool = False
    """True once `bridge` tied it to `peer` (hang-ups propagate)."""
    rang: bool = False
    sdp: str | None = None
    """The far end's answer SDP (outbound legs)."""


class SipB2BUA:
    """A SIP back-to-back user agent on UDP, driven from asyncio."""

    def __init__(
        self,
        settings: SipSettings,
        on_call: CallHandler,
        on_event: EventHandler | None = None,
        rewriter: SdpRewriter | None = None,
        *,
        registrar: Registrar | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.registrar = registrar
        """Answers REGISTERs on the reactor thread (None: they get 501)."""
        self._on_call = on_call
        self._on_event = on_event
        self.rewriter: SdpRewriter = rewriter if rewriter is not None else PassThroughSdp()
        self._thread = SippyThread()
        self._stack = SipStack(settings, self._from_stack, registrar=registrar, now=now)
        self._legs: dict[str, _Leg] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._address: tuple[str, int] | None = None

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) the B2BUA listens on; after `start`."""
        if self._address is None:
            raise SipUsageError("SipB2BUA is not started")
        return self._address

    @property
    def legs(self) -> int:
        """Legs that have not ended."""
        return len(self._legs)

    @property
    def dropped(self) -> int:
        """Datagrams dropped unparsed since `start` (not UTF-8, or sippy raised on them)."""
        return self._stack.dropped

    async def start(self) -> None:
        """Start sippy's thread and bind the socket."""
        self._thread.start()
        try:
            self._address = await self._thread.run(self._stack.open)
        except BaseException:
            self._thread.stop()
            raise
        log.info("SIP B2BUA listening on udp %s:%d", *self._address)

    async def stop(self) -> None:
        """Hang up every leg, close the socket, stop the thread."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._thread.running:
            await self._thread.run(self._stack.close)
            self._thread.stop()
        self._address = None

    # -- decisions on inbound legs -------------------------------------------------

    async def reject(self, call_id: str, code: int, reason: str | None = None) -> None:
        """Refuse an inbound call not yet answered with a final response (403, 486, 503...)."""
        if not 300 <= code <= 699:
            raise SipUsageError(f"not a final failure code: {code}")
        leg = self._inbound(call_id)
        if leg.answered or leg.ended:
            return
        leg.ended = True
        self._thread.call(self._stack.reject, call_id, code, reason or REASONS.get(code, "Error"))

    async def ring(self, call_id: str) -> None:
        """Send 180 Ringing on an inbound call."""
        leg = self._inbound(call_id)
        if not leg.answered and not leg.ended:
            self._thread.call(self._stack.ring, call_id)

    async def answer(self, call_id: str, sdp: str | None) -> None:
        """Answer an inbound call (200 OK) with `sdp`, through the rewriter's `answer`."""
        leg = self._inbound(call_id)
        if leg.answered or leg.ended:
            return
        leg.answered = True
        sdp = await self.rewriter.answer(call_id, sdp, leg.peer)
        self._thread.call(self._stack.answer, call_id, sdp)

    # -- outbound legs, bridges, hang-ups --------------------------------------------

    async def originate(
        self,
        uri: str,
        *,
        from_number: str,
        sdp: str | None,
        timeout: float,
        peer: str | None = None,
    ) -> str:
        """Call `uri` (sip:user@host:port); returns the new leg's Call-ID.

        `sdp` is the offer, through the rewriter's `offer` (with `peer`, the leg it
        is for, when there is one); the leg reports `NoAnswer` and is cancelled when
        not answered within `timeout` seconds.
        """
        target = SipUri.parse(uri)
        if timeout <= 0:
            raise SipUsageError(f"timeout must be positive: {timeout}")
        call_id = f"{secrets.token_hex(12)}@{self.address[0]}"
        self._legs[call_id] = _Leg(call_id, inbound=False, peer=peer)
        offer = await self.rewriter.offer(call_id, sdp, peer)
        self._thread.call(self._stack.originate, call_id, target, from_number, offer, timeout)
        return call_id

    async def bridge(self, a: str, b: str) -> None:
        """Tie inbound leg `a` to outbound leg `b`: ring, answer and hang up together."""
        inbound, outbound = self._inbound(a), self._leg(b)
        if outbound.inbound and not outbound.ended:
            raise SipUsageError(f"{b} is not an outbound leg")
        if inbound.ended or outbound.ended:
            if not outbound.ended:
                await self.hangup(b)
            elif not inbound.ended and inbound.answered:
                await self.hangup(a)
            return
        inbound.peer, outbound.peer = b, a
        inbound.bridged = outbound.bridged = True
        if outbound.answered:
            await self.answer(a, outbound.sdp)
        elif outbound.rang:
            await self.ring(a)

    async def hangup(self, call_id: str) -> None:
        """End a leg: BYE when answered, CANCEL while ringing out, 480 when not yet answered in."""
        leg = self._leg(call_id)
        if leg.ended:
            return
        leg.ended = True
        self._thread.call(self._stack.hangup, call_id)

    # -- events from the stack ---------------------------------------------------------

    def _from_stack(self, item: IncomingCall | LegEvent) -> None:
        """Reactor thread: hand a call or event to the loop."""
        self._thread.to_loop(self._dispatch, item)

    def _dispatch(self, item: IncomingCall | LegEvent) -> None:
        if isinstance(item, IncomingCall):
            self._legs[item.call_id] = _Leg(item.call_id, inbound=True)
            self._spawn(self._run_handler(item))
            return
        leg = self._legs.get(item.call_id)
        if leg is None:
            return
        if isinstance(item, Answered):
            leg.answered, leg.sdp = True, item.sdp
        elif isinstance(item, Ringing):
            leg.rang = True
        terminal = not isinstance(item, Ringing | Answered)
        if terminal:
            leg.ended = True
            del self._legs[item.call_id]
        if self._on_event is not None:
            self._on_event(item)
        peer = self._legs.get(leg.peer) if leg.bridged and leg.peer is not None else None
        if peer is None or peer.ended:
            return
        if isinstance(item, Ringing) and not peer.answered:
            self._spawn(self.ring(peer.call_id))
        elif isinstance(item, Answered) and peer.inbound and not peer.answered:
            self._spawn(self.answer(peer.call_id, item.sdp))
        elif isinstance(item, HungUp) and (peer.answered or not peer.inbound):
            self._spawn(self.hangup(peer.call_id))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_handler(self, call: IncomingCall) -> None:
        try:
            await self._on_call(call)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("incoming call handler failed for %s", call.call_id)
            leg = self._legs.get(call.call_id)
            if leg is not None and not leg.answered and not leg.ended:
                await self.reject(call.call_id, 500)

    def _leg(self, call_id: str) -> _Leg:
        leg = self._legs.get(call_id)
        if leg is None:
            # Ended legs are forgotten; a late decision on one is a no-op.
            return _Leg(call_id, inbound=True, ended=True)
        return leg

    def _inbound(self, call_id: str) -> _Leg:
        leg = self._leg(call_id)
        if not leg.inbound:
            raise SipUsageError(f"{call_id} is an outbound leg")
        return leg
