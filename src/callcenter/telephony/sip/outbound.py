"""Outbound calls for the dialer: place a call through the trunk and report its fate.

    adapter = SipTelephony(config, on_dial=updates.append)
    call_id = await adapter.originate("4930123456", "spring-sale")
    ...                                  # DialUpdate(call_id, ..., RINGING, at=...)
    await adapter.hang_up_dial(call_id)  # when the dialer is done with an answered call

`OutboundCalls` (owned by `SipTelephony`) sends an INVITE to the config's `dial`
URI with `{number}` filled in, offering rtpengine's SDP (the call is anchored with
our sink as our side, so a message can be played or an agent connected later). What
happens on the line goes to `on_dial` as a `DialUpdate` stamped with the adapter's
clock: `ringing` (180/183, once), then exactly one outcome, `answered` (200),
`busy` (486/600), `no-answer` (nothing within `dial_timeout`: we CANCEL) or
`failed` (any other final response, or no response at all: `code` holds it, 0
when there was none); an answered call ends with `ended` (either side hung up, or
rtpengine died). The outcome values are those of the dialer's `CallOutcome`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from callcenter.telephony.base import DialStatus, DialUpdate, OnDial
from callcenter.telephony.sip.b2bua import SipB2BUA, SipUsageError
from callcenter.telephony.sip.b2bua_interface import (
    Answered,
    Busy,
    Failed,
    HungUp,
    LegEvent,
    NoAnswer,
    Ringing,
)
from callcenter.telephony.sip.media import MediaAnchor
from callcenter.telephony.sip.rtpengine import NgError

__all__ = ["DialStatus", "DialUpdate", "OnDial", "OutboundCalls"]  # the first three: base.py's

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Dial:
    id: str
    campaign_id: str
    number: str
    leg: str = ""
    answered: bool = False


class OutboundCalls:
    """The adapter's outbound calls (see the module's docstring)."""

    def __init__(self, b2bua: SipB2BUA, media: MediaAnchor, *, uri: str | None,
                 timeout: float, now: Callable[[], float], on_dial: OnDial | None,
                 prefix: str, spawn: Callable[[Coroutine[Any, Any, None]], None],
                 on_answered: Callable[[str, str, str], asyncio.Event] | None = None,
                 on_ended: Callable[[str], None] | None = None) -> None:
        """`on_answered(dial id, leg, number)` hears of each answer before its update
        goes out and returns an event to set once the media is answered (the adapter
        offers the call to agents); `on_ended(dial id)` of each end."""
        self._on_answered, self._on_ended = on_answered, on_ended
        self._b2bua, self._media = b2bua, media
        self._uri, self._timeout = uri, timeout
        self._now, self._on_dial = now, on_dial
        self._prefix, self._spawn = prefix, spawn
        self._ids = itertools.count(1)
        self._by_leg: dict[str, _Dial] = {}
        self._dials: dict[str, _Dial] = {}

    def __len__(self) -> int:
        return len(self._dials)

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "",
                        timeout: float | None = None) -> str:
        """Call `number` for `campaign_id`; the call's id (its updates carry it)."""
        if self._uri is None:
            raise SipUsageError("no `dial` URI in the telephony config: no outbound calls")
        dial = _Dial(f"{self._prefix}-o{next(self._ids)}", campaign_id, number)
        self._dials[dial.id] = dial
        try:
            sdp = await self._media.offer_outbound(dial.id)
        except NgError as exc:
            log.error("rtpengine refused outbound call %s: %s", dial.id, exc)
            self._finish(dial, DialStatus.FAILED, 0)
            return dial.id
        dial.leg = await self._b2bua.originate(
            self._uri.replace("{number}", number), from_number=caller_id, sdp=sdp,
            timeout=timeout if timeout is not None else self._timeout)
        self._by_leg[dial.leg] = dial
        return dial.id

    async def hang_up(self, call_id: str) -> None:
        """End an outbound call (BYE once answered, CANCEL while it rings)."""
        dial = self._dials.get(call_id)
        if dial is not None and dial.leg:
            await self._b2bua.hangup(dial.leg)

    def on_event(self, event: LegEvent) -> bool:
        """Take a leg event if it is an outbound call's; True when it was."""
        dial = self._by_leg.get(event.call_id)
        if dial is None:
            return False
        if isinstance(event, Ringing):
            self._update(dial, DialStatus.RINGING)
        elif isinstance(event, Answered):
            dial.answered = True
            ready = None if self._on_answered is None else \
                self._on_answered(dial.id, dial.leg, dial.number)
            self._update(dial, DialStatus.ANSWERED)
            if event.sdp:
                self._answer_media(dial, event.sdp, ready)
        elif isinstance(event, Busy):
            self._finish(dial, DialStatus.BUSY, event.code)
        elif isinstance(event, NoAnswer):
            self._finish(dial, DialStatus.NO_ANSWER, 0)
        elif isinstance(event, Failed):
            self._finish(dial, DialStatus.FAILED, event.code)
        elif isinstance(event, HungUp):
            self._finish(dial, DialStatus.ENDED if dial.answered else DialStatus.FAILED, 0)
        return True

    def lost(self, gone: set[str]) -> list[str]:
        """rtpengine died: end the outbound calls it anchored; the legs to hang up."""
        legs = []
        for dial in list(self._dials.values()):
            if dial.id in gone:
                legs.append(dial.leg)
                self._finish(dial, DialStatus.ENDED if dial.answered else DialStatus.FAILED, 0)
        return [leg for leg in legs if leg]

    def _answer_media(self, dial: _Dial, sdp: str, ready: asyncio.Event | None) -> None:
        async def answer() -> None:
            try:
                await self._media.answered_outbound(dial.id, sdp)
            except NgError as exc:
                log.error("rtpengine answer of outbound call %s: %s", dial.id, exc)
            finally:
                if ready is not None:
                    ready.set()

        self._spawn(answer())

    def _finish(self, dial: _Dial, status: DialStatus, code: int) -> None:
        self._dials.pop(dial.id, None)
        self._by_leg.pop(dial.leg, None)
        self._update(dial, status, code)
        if dial.answered and self._on_ended is not None:
            self._on_ended(dial.id)  # the adapter deletes the media once its legs are down
        else:
            self._spawn(self._media.delete(dial.id))

    def _update(self, dial: _Dial, status: DialStatus, code: int = 0) -> None:
        if self._on_dial is not None:
            self._on_dial(DialUpdate(dial.id, dial.campaign_id, dial.number, status,
                                     self._now(), code))
