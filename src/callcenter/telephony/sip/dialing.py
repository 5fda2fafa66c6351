"""The `sip` adapter's dialing side as the dialer's `telephony.base.Dialing`.

    relay = DialRelay()
    adapter = SipTelephony(config, on_dial=relay)
    dialing = SipDialing(adapter, relay)       # what the live dialer is given

`SipTelephony` takes its `on_dial` callback when it is built, before the dialer
exists: the relay stands in and forwards to whatever `on_dial` later names.
A drop plays the campaign's information message to the callee (the text rendered by
espeak-ng like any prompt, played by rtpengine towards the callee's leg), waits for
its length, then hangs up; a message that cannot be played is logged and the call
is hung up at once.
"""

from __future__ import annotations

import asyncio
import logging

from callcenter.core.ivr_flow import Prompt
from callcenter.telephony.base import DialUpdate, OnDial
from callcenter.telephony.sip.adapter import SipTelephony
from callcenter.telephony.sip.media import CALLEE
from callcenter.telephony.sip.prompts import PromptError
from callcenter.telephony.sip.rtpengine import NgError

log = logging.getLogger(__name__)


class DialRelay:
    """An `on_dial` callback that forwards to a target named later (none: dropped)."""

    def __init__(self) -> None:
        self.target: OnDial | None = None

    def __call__(self, update: DialUpdate) -> None:
        if self.target is not None:
            self.target(update)


class SipDialing:
    """`Dialing` over a `SipTelephony` built with `on_dial=relay`."""

    def __init__(self, adapter: SipTelephony, relay: DialRelay) -> None:
        self.adapter = adapter
        self._relay = relay

    def on_dial(self, callback: OnDial) -> None:
        """Send the adapter's `DialUpdate`s to `callback`."""
        self._relay.target = callback

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        """Dial `number` through the trunk (`SipTelephony.originate`)."""
        return await self.adapter.originate(number, campaign_id, caller_id=caller_id)

    async def hang_up_dial(self, call_id: str) -> None:
        """BYE (or CANCEL) the outbound call."""
        await self.adapter.hang_up_dial(call_id)

    async def drop_dial(self, call_id: str, message: str) -> None:
        """Play `message` to the callee, then hang up."""
        try:
            if message:
                wav = await self.adapter.prompts.wav(Prompt(text=message), None)
                ms = await self.adapter.media.client.play_media(call_id, CALLEE, wav)
                await asyncio.sleep((ms or 0) / 1000)
        except (PromptError, NgError) as exc:
            log.error("information message on %s not played: %s", call_id, exc)
        finally:
            await self.adapter.hang_up_dial(call_id)
