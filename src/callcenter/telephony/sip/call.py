"""The `sip` adapter's state of one call (the customer's leg and what hangs on it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.telephony.sip.pcap_wav import Address


@dataclass(eq=False)
class Call:
    """One call of the adapter: an inbound caller, or an answered outbound call."""

    id: str
    leg: str
    """The caller's SIP Call-ID, also the rtpengine call-id."""
    caller: str = ""
    entered: bool = False
    ended: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    generation: int = 0
    """Bumped by every PlayPrompts, StopPrompts and Connect: older playback stops."""
    prompting: bool = False
    music: Path | None = None
    media_on: bool = False
    offers: dict[str, str] = field(default_factory=dict)
    """Agent id -> its leg, while the leg lives."""
    answers: dict[str, str] = field(default_factory=dict)
    """Agent id -> the SDP its phone answered with."""
    connected: str | None = None
    media_ready: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once rtpengine anchors the customer (at once for inbound calls; for an
    outbound call when its answer is through): offers wait for it."""
    caller_media: Address | None = None
    """Where the caller's RTP comes from (its SDP): the recording's first channel."""
    agent_media: Address | None = None
    voicemail: asyncio.TimerHandle | None = None
    """While a voicemail records: the timer that ends it."""
    transfer: str | None = None
    """The leg to an external number the call was transferred to."""
    listens: set[str] = field(default_factory=set)
    """Silent monitors of this call (their ids)."""
    outbound: bool = False
    """The dialer's call: `leg` is our INVITE to the customer, `media` its dial id."""
    media_id: str = ""

    @property
    def media(self) -> str:
        """The rtpengine call-id: the caller's Call-ID, or an outbound call's dial id."""
        return self.media_id or self.leg
