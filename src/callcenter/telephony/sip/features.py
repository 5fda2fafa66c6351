"""What a call of the `sip` adapter can do besides queueing: leave a voicemail, or be
put through to an external number. The adapter hands each its own steps (hang up the
caller, stop what plays, run after the call's earlier commands, forget the call).

    voicemails = Voicemails(media, recorder, cache_dir, steps)
    await voicemails.record(call, command)      # beep, record until #, limit, hang-up
    transfers = Transfers(b2bua, media, dial_uri, dial_timeout, steps)
    await transfers.put_through(call, "4930123456")
    transfers.on_event(leg_event)               # True when it was a transfer's leg
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callcenter.core.ivr import RecordVoicemail
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
from callcenter.telephony.sip.media import MediaAnchor
from callcenter.telephony.sip.prompts import write_tone
from callcenter.telephony.sip.recorder import VOICEMAIL, Recorder
from callcenter.telephony.sip.rtpengine import NgError

log = logging.getLogger(__name__)

Work = Coroutine[Any, Any, None]


@dataclass(frozen=True)
class CallSteps:
    """The adapter's steps a feature uses."""

    hang_up: Callable[[Call], Work]
    """BYE (or the right final answer) to the caller's leg."""
    stop_media: Callable[[Call], Work]
    """Stop what plays to the caller."""
    locked: Callable[[Call, Work], None]
    """Run work after the call's earlier commands."""
    spawn: Callable[[Work], None]
    """Run work as a task of the adapter."""
    forget: Callable[[Call], Work]
    """The call is over: tear down its media."""


class Voicemails:
    """Voicemails: a beep, then the caller recorded (rtpengine) into the box."""

    def __init__(self, media: MediaAnchor, recorder: Recorder | None, cache_dir: Path,
                 steps: CallSteps) -> None:
        self._media, self._recorder, self._steps = media, recorder, steps
        self._beep_file = cache_dir / "voicemail-beep.wav"

    async def record(self, call: Call, c: RecordVoicemail) -> None:
        """A beep, then record the caller until `#`, the limit or the hang-up."""
        if call.ended:
            return
        if self._recorder is None:
            log.error("voicemail for box %s but recording is not configured; hanging up %s",
                      c.box, call.id)
            await self._steps.hang_up(call)
            return
        await self._steps.stop_media(call)
        try:
            seconds = await self._media.play(call.media, self._beep())
        except NgError as exc:
            log.error("voicemail beep on %s: %s", call.id, exc)
            seconds = 0.0
        await asyncio.sleep(seconds)
        if call.ended or not await self._recorder.start(call.media, call.id, VOICEMAIL,
                                                        box=c.box, caller=call.caller):
            await self._steps.hang_up(call)
            return
        loop = asyncio.get_running_loop()
        call.voicemail = loop.call_later(
            c.max_seconds, lambda: self._steps.spawn(self.end(call)))

    def key(self, call: Call, digit: str) -> bool:
        """A key while the call records a message: `#` ends it. True when the call is
        recording (the key is the voicemail's, not the IVR's)."""
        if call.voicemail is None:
            return False
        if digit == "#":
            self._steps.spawn(self.end(call))
        return True

    async def end(self, call: Call) -> None:
        """The caller pressed `#` or the time is up: hang up (the recording is kept)."""
        if call.voicemail is not None:
            call.voicemail.cancel()
            call.voicemail = None
            await self._steps.hang_up(call)

    @staticmethod
    def caller_gone(call: Call) -> None:
        """The caller hung up while recording: the limit's timer is not needed."""
        if call.voicemail is not None:
            call.voicemail.cancel()
            call.voicemail = None

    def _beep(self) -> Path:
        path = self._beep_file.resolve()
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(".part")
            write_tone(part, seconds=0.5, frequencies=(1000.0,))
            part.replace(path)
        return path


class Transfers:
    """Callers put through to external numbers via the `dial` trunk, bridged by rtpengine;
    either side's BYE ends the other; busy, no answer or failure hang up the caller."""

    def __init__(self, b2bua: SipB2BUA, media: MediaAnchor, dial: str | None,
                 timeout: float, steps: CallSteps) -> None:
        self._b2bua, self._media, self._steps = b2bua, media, steps
        self._dial, self._timeout = dial, timeout
        self._legs: dict[str, Call] = {}

    async def put_through(self, call: Call, number: str) -> None:
        """Call `number` through the trunk; its answer is bridged to the caller."""
        if call.ended:
            return
        if self._dial is None:
            log.error("transfer of %s to %s: no `dial` trunk configured; hanging up",
                      call.id, number)
            await self._steps.hang_up(call)
            return
        await self._steps.stop_media(call)
        leg = await self._b2bua.originate(self._dial.replace("{number}", number),
                                          from_number=call.caller,
                                          sdp=self._media.agent_offer(call.media),
                                          timeout=self._timeout)
        call.transfer = leg
        self._legs[leg] = call

    def on_event(self, event: LegEvent) -> bool:
        """Take a leg event if it is a transfer's; True when it was."""
        call = self._legs.get(event.call_id)
        if call is None:
            return False
        if isinstance(event, Answered):
            self._steps.locked(call, self._bridge(call, event.sdp or ""))
        elif isinstance(event, Busy | Failed | NoAnswer | HungUp):
            self._legs.pop(event.call_id, None)
            call.transfer = None
            if not call.ended:
                log.info("transfer leg of %s ended (%s); hanging up the caller", call.id,
                         type(event).__name__)
                self._steps.spawn(self._steps.hang_up(call))
            elif not call.offers:
                self._steps.spawn(self._steps.forget(call))
        return True

    def caller_gone(self, call: Call) -> None:
        """The caller hung up: BYE to the far end too."""
        if call.transfer is not None:
            self._steps.spawn(self._b2bua.hangup(call.transfer))

    async def _bridge(self, call: Call, sdp: str) -> None:
        if call.ended:
            return
        try:
            await self._media.connect(call.media, sdp)
        except NgError as exc:
            log.error("bridging %s to its transfer: %s", call.id, exc)
            await self._steps.hang_up(call)
