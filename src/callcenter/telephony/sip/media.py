"""Media of the `sip` adapter's calls, anchored in rtpengine: one rtpengine call per caller.

The caller's leg is tag `caller`, the far side tag `callee`:

1. `answer_caller(call_id, sdp)`: the caller's offer goes to rtpengine (`offer`),
   and rtpengine's callee side is answered by a *sink* (a UDP socket of ours that
   drops what it gets): rtpengine now anchors the caller alone, we can play
   prompts to it (`play media` to tag `caller`) and hear its keys (DTMF events),
   and the SDP rtpengine returns goes into our 200 to the caller.
2. `agent_offer(call_id)`: the SDP rtpengine gave for the callee side, offered in
   the INVITE to an agent's phone (every agent rung for this call gets the same).
3. `connect(call_id, agent_sdp)`: the agent's answer replaces the sink (`answer`
   again, same tags): from now on rtpengine relays caller <-> agent. rtpengine may
   name new caller-side ports in its reply; the ports the caller already has keep
   working, so the caller needs no re-INVITE (checked in the end-to-end test).
4. `disconnect(call_id)` puts the sink back (a transfer); `delete` ends it.
5. `hold(call_id)` puts the sink back and blocks both the agent's media and the
   caller's (an agent's phone is not re-INVITEd: it goes on sending, and rtpengine
   would relay it to the caller, and learn the phone's address from it and relay the
   caller to it again); the next `connect` (the resume, or a transfer's bridge)
   unblocks both first.

An outbound call (the dialer's) is the other way round: the sink offers (tag
`caller` is our side) and the customer answers (tag `callee`). Once answered, an
agent's phone is offered rtpengine's SDP towards our side, and `connect` swaps the
sink for the agent: a new offer from our side with the agent's SDP, answered again
with the customer's SDP. rtpengine keeps the ports the customer already sends to,
so the customer needs no re-INVITE. Prompts and music go to the customer's tag
(`customer_tag`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from callcenter.telephony.sip.rtpengine import NgClient, NgError

log = logging.getLogger(__name__)

CALLER = "caller"
CALLEE = "callee"

_C_LINE = re.compile(r"^c=IN IP[46] \S+$")
_M_LINE = re.compile(r"^m=(\w+) \d+ (.*)$")
_KEEP = ("v=", "o=", "s=", "t=", "b=")
_KEEP_ATTRIBUTES = ("a=rtpmap:", "a=fmtp:", "a=ptime:", "a=maxptime:")


def sink_answer(offer: str, host: str, port: int) -> str:
    """An answer to `offer` that accepts every codec and sends the media to host:port."""
    family = "IP6" if ":" in host else "IP4"
    lines: list[str] = []
    for line in offer.splitlines():
        if line.startswith(_KEEP) or line.startswith(_KEEP_ATTRIBUTES):
            lines.append(line)
        elif _C_LINE.match(line):
            lines.append(f"c=IN {family} {host}")
        elif (m := _M_LINE.match(line)) is not None:
            lines.append(f"m={m[1]} {port} {m[2]}")
            lines.append("a=sendrecv")
    return "\r\n".join(lines) + "\r\n"


def sink_offer(host: str, port: int) -> str:
    """An offer from the sink (PCMU, PCMA, telephone-event): our side of an outbound call."""
    family = "IP6" if ":" in host else "IP4"
    return "\r\n".join([
        "v=0", f"o=callcenter 1 1 IN {family} {host}", "s=-", f"c=IN {family} {host}",
        "t=0 0", f"m=audio {port} RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15",
        "a=sendrecv"]) + "\r\n"


class _Sink(asyncio.DatagramProtocol):
    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        """Dropped: the callee side of a call that only hears prompts."""


@dataclass(slots=True)
class _Media:
    to_callee: str
    """rtpengine's SDP for the callee side (offered to agents)."""
    sink: str
    """The sink's answer, to put back after a transfer."""
    outbound: bool = False
    """Our side offered (the dialer's call): the customer is the callee."""
    to_agent: str = ""
    """Outbound, once answered: rtpengine's SDP towards our side (offered to agents)."""
    customer: str = ""
    """Outbound, once answered: the customer's answer."""
    held: bool = False
    """On hold: the agent's and the customer's media are blocked until the next connect."""


class MediaAnchor:
    """rtpengine calls for the adapter's calls; `open()` binds the sink first."""

    def __init__(self, client: NgClient, interface: str) -> None:
        self.client = client
        self.interface = interface
        self._sink: asyncio.DatagramTransport | None = None
        self._calls: dict[str, _Media] = {}

    async def open(self) -> None:
        """Bind the sink socket on rtpengine's interface."""
        loop = asyncio.get_running_loop()
        self._sink, _ = await loop.create_datagram_endpoint(
            _Sink, local_addr=(self.interface, 0))

    def close(self) -> None:
        """Close the sink socket."""
        if self._sink is not None:
            self._sink.close()
            self._sink = None

    def __contains__(self, call_id: str) -> bool:
        return call_id in self._calls

    async def answer_caller(self, call_id: str, sdp: str) -> str:
        """Anchor the caller's offer against the sink; the SDP for our 200."""
        assert self._sink is not None, "MediaAnchor.open() first"
        port = self._sink.get_extra_info("sockname")[1]
        to_callee = await self.client.offer(call_id, CALLER, sdp)
        sink = sink_answer(to_callee, self.interface, port)
        to_caller = await self.client.answer(call_id, CALLER, CALLEE, sink)
        self._calls[call_id] = _Media(to_callee, sink)
        return to_caller

    async def offer_outbound(self, call_id: str) -> str:
        """Anchor an outbound call with the sink as our side; the SDP for the INVITE."""
        assert self._sink is not None, "MediaAnchor.open() first"
        port = self._sink.get_extra_info("sockname")[1]
        ours = sink_offer(self.interface, port)
        to_callee = await self.client.offer(call_id, CALLER, ours)
        self._calls[call_id] = _Media(to_callee, ours, outbound=True)
        return to_callee

    async def answered_outbound(self, call_id: str, sdp: str) -> None:
        """The called party answered an outbound call with `sdp`: media flows."""
        to_us = await self.client.answer(call_id, CALLER, CALLEE, sdp)
        media = self._calls.get(call_id)
        if media is not None:
            media.to_agent, media.customer = to_us, sdp

    def customer_tag(self, call_id: str) -> str:
        """The customer's tag: `caller` of an inbound call, `callee` of an outbound one."""
        media = self._calls.get(call_id)
        return CALLEE if media is not None and media.outbound else CALLER

    def agent_offer(self, call_id: str) -> str:
        """The SDP to offer an agent's phone for this call."""
        media = self._calls[call_id]
        return media.to_agent if media.outbound else media.to_callee

    async def connect(self, call_id: str, agent_sdp: str) -> None:
        """Relay the customer and the agent (whose answer is `agent_sdp`); a call on
        hold (resumed, or transferred while held) is unblocked first."""
        media = self._calls.get(call_id)
        if media is not None and media.held:
            agent, customer = self.agent_tag(call_id), self.customer_tag(call_id)
            await self.client.unblock_media(call_id, customer, to_tag=agent)
            await self.client.unblock_media(call_id, agent)
            media.held = False
        if media is not None and media.outbound:
            await self.client.offer(call_id, CALLER, agent_sdp)
            await self.client.answer(call_id, CALLER, CALLEE, media.customer)
            return
        await self.client.answer(call_id, CALLER, CALLEE, agent_sdp)

    async def disconnect(self, call_id: str) -> None:
        """Put the sink back in the agent's place."""
        media = self._calls.get(call_id)
        if media is None:
            return
        if media.outbound:
            await self.client.offer(call_id, CALLER, media.sink)
            await self.client.answer(call_id, CALLER, CALLEE, media.customer)
            return
        await self.client.answer(call_id, CALLER, CALLEE, media.sink)

    def agent_tag(self, call_id: str) -> str:
        """The agent's tag: `callee` of an inbound call, `caller` of an outbound one."""
        return CALLER if self.customer_tag(call_id) == CALLEE else CALLEE

    async def hold(self, call_id: str) -> None:
        """Put the agent on hold: the sink takes the agent's place, and whatever the
        agent's phone goes on sending is blocked, as is the customer (rtpengine would
        otherwise learn the phone's address from its packets and relay the customer to
        it again, some seconds into the hold). rtpengine 10.5 blocks the customer's
        media towards everyone, a supervisor's monitor included, until the next
        `connect` (the resume, or the bridge to whoever the call is transferred to)."""
        media = self._calls.get(call_id)
        if media is None:
            return
        await self.disconnect(call_id)
        media.held = True
        agent, customer = self.agent_tag(call_id), self.customer_tag(call_id)
        await self.client.block_media(call_id, agent)
        await self.client.block_media(call_id, customer, to_tag=agent)

    async def play(self, call_id: str, file: Path, *, repeat: int = 1) -> float:
        """Play `file` to the customer (`repeat` times); its length in seconds (0 if
        unknown)."""
        ms = await self.client.play_media(call_id, self.customer_tag(call_id), file,
                                          repeat_times=repeat)
        return (ms or 0) / 1000

    async def stop(self, call_id: str) -> None:
        """Stop what plays to the customer (nothing playing is fine)."""
        try:
            await self.client.stop_media(call_id, self.customer_tag(call_id))
        except NgError as exc:
            log.debug("stop media on %s: %s", call_id, exc)

    async def delete(self, call_id: str) -> None:
        """End the rtpengine call (forgotten even if rtpengine is gone)."""
        if self._calls.pop(call_id, None) is None:
            return
        try:
            await self.client.delete(call_id)
        except NgError as exc:
            log.warning("rtpengine delete %s: %s", call_id, exc)

    def forget_all(self) -> list[str]:
        """rtpengine was lost: every call it anchored is gone; their ids."""
        gone = list(self._calls)
        self._calls.clear()
        return gone
