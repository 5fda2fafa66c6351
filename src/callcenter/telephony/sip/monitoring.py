"""Silent monitoring of the `sip` adapter's calls: a supervisor's phone is called and
hears both sides, mixed by `mixer.Mixer` from rtpengine's subscription.

    monitors = Monitors(b2bua, client, interface, contact_of, spawn)
    listen_id = await monitors.listen(call, "sup-phone")
    monitors.on_event(leg_event)     # True when it was a monitor's leg
    monitors.end_call(call)          # the call is over: hang up its monitors
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from callcenter.telephony.sip.b2bua import SipB2BUA
from callcenter.telephony.sip.b2bua_interface import (
    Answered,
    Busy,
    Failed,
    HungUp,
    LegEvent,
    NoAnswer,
)
from callcenter.telephony.sip.call import Call
from callcenter.telephony.sip.media import CALLEE, CALLER
from callcenter.telephony.sip.mixer import Mixer, audio_ports
from callcenter.telephony.sip.rtpengine import NgClient, NgError

log = logging.getLogger(__name__)


class MonitorError(ValueError):
    """A listen request that cannot be carried out; the message says why."""


class NoSuchCall(MonitorError):
    """The call to listen to is not (or no longer) up."""


@dataclass(eq=False)
class _Listen:
    id: str
    call: Call
    mixer: Mixer
    leg: str = ""
    to_tag: str = ""


class Monitors:
    """The listens of every call; `contact(phone)` finds a phone's SIP contact."""

    def __init__(self, b2bua: SipB2BUA, client: NgClient, interface: str,
                 contact: Callable[[str], str | None],
                 spawn: Callable[[Coroutine[Any, Any, None]], None]) -> None:
        self._b2bua, self._client, self._interface = b2bua, client, interface
        self._contact, self._spawn = contact, spawn
        self._listens: dict[str, _Listen] = {}
        self._legs: dict[str, _Listen] = {}
        self._ids = itertools.count(1)

    async def listen(self, call: Call | None, interaction_id: str, phone: str) -> str:
        """Call `phone` and let it hear both sides of `call`, mixed, without being heard.
        Returns the listen's id; `MonitorError` says why it cannot be done."""
        if call is None or call.ended or not call.entered:
            raise NoSuchCall(f"no live call {interaction_id!r}")
        contact = self._contact(phone)
        if contact is None:
            raise MonitorError(f"phone {phone!r} is not registered and has no static contact")
        listen = _Listen(f"{call.id}-listen-{next(self._ids)}", call, Mixer(self._interface))
        await listen.mixer.open()
        try:
            sub = await self._client.subscribe_request(call.media, [CALLER, CALLEE])
            listen.to_tag = sub.to_tag
            await self._client.subscribe_answer(
                call.media, sub.to_tag, listen.mixer.subscriber_answer(sub.sdp))
            listen.leg = await self._b2bua.originate(
                contact, from_number=call.caller, sdp=listen.mixer.phone_offer(), timeout=30.0)
        except (NgError, ValueError) as exc:
            listen.mixer.close()
            raise MonitorError(f"cannot listen to {interaction_id!r}: {exc}") from exc
        self._listens[listen.id] = listen
        self._legs[listen.leg] = listen
        call.listens.add(listen.id)
        return listen.id

    async def stop(self, listen_id: str) -> bool:
        """Hang up a monitor's phone; False if there is no such listen."""
        listen = self._listens.get(listen_id)
        if listen is None:
            return False
        await self._b2bua.hangup(listen.leg)
        self._end(listen)
        return True

    def on_event(self, event: LegEvent) -> bool:
        """Take a leg event if it is a monitor's phone; True when it was."""
        listen = self._legs.get(event.call_id)
        if listen is None:
            return False
        if isinstance(event, Answered):
            streams = audio_ports(event.sdp or "")
            if streams:
                listen.mixer.start(streams[0])
        elif isinstance(event, Busy | Failed | NoAnswer | HungUp):
            self._end(listen)
        return True

    def end_call(self, call: Call) -> None:
        """The call is over: hang up every phone listening to it."""
        for listen_id in list(call.listens):
            listen = self._listens.get(listen_id)
            if listen is not None:
                self._spawn(self._b2bua.hangup(listen.leg))
                self._end(listen)

    def _end(self, listen: _Listen) -> None:
        if self._listens.pop(listen.id, None) is None:
            return
        self._legs.pop(listen.leg, None)
        listen.call.listens.discard(listen.id)
        listen.mixer.close()
        if not listen.call.ended:
            self._spawn(self._unsubscribe(listen))

    async def _unsubscribe(self, listen: _Listen) -> None:
        try:
            await self._client.unsubscribe(listen.call.media, listen.to_tag)
        except NgError as exc:
            log.debug("unsubscribe %s: %s", listen.id, exc)
