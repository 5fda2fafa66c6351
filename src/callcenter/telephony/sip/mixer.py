"""Silent monitoring: a supervisor's phone hears both sides of a live call.

rtpengine's `subscribe request` for the caller and callee tags gives a copy of each
party's media, as two audio streams in one SDP. Most phones play only the first
stream of an SDP, so we mix: the two copies come to two UDP sockets of ours, each
20 ms frame is decoded (G.711), summed and encoded again, and sent as one PCMU
stream to the supervisor's phone, which we call with an SDP naming our sending
socket (`sendonly`: the phone's audio goes nowhere, so the call never hears the
supervisor).

    mixer = Mixer(interface)
    await mixer.open()
    answer = mixer.subscriber_answer(subscription_sdp)   # -> subscribe answer
    offer = mixer.phone_offer()                           # -> INVITE to the phone
    mixer.start(phone_address_from_its_answer)
    ...
    mixer.close()

A party that sends nothing for a frame (silence suppression, loss) adds silence;
late frames are dropped rather than delaying the mix (a listener prefers a gap to
a growing delay).
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
from collections import deque
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt

from callcenter.telephony.sip.pcap_wav import PCMA, PCMU, Address, decode_g711

log = logging.getLogger(__name__)

FRAME = 160
"""Samples in 20 ms at 8 kHz."""
MAX_QUEUED = 5
"""Frames kept per party before the oldest are dropped (100 ms)."""


def encode_ulaw(samples: npt.NDArray[np.int16]) -> bytes:
    """16-bit samples as G.711 mu-law (the standard segment encoding)."""
    x = samples.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), 32635) + 0x84
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    encoded: bytes = (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()
    return encoded


def audio_ports(sdp: str) -> list[tuple[str, int]]:
    """(address, port) of each audio stream of an SDP, in order."""
    session_host = ""
    streams: list[tuple[str, int]] = []
    for line in sdp.splitlines():
        if line.startswith("c=IN IP"):
            parts = line.split()
            if len(parts) >= 3:
                if streams:
                    streams[-1] = (parts[2], streams[-1][1])
                else:
                    session_host = parts[2]
        elif line.startswith("m=audio "):
            fields = line.split()
            if len(fields) > 1 and fields[1].isdigit():
                streams.append((session_host, int(fields[1])))
    return streams


def _sections(sdp: str) -> list[list[str]]:
    """The media sections of an SDP: each its m= line and the lines after it."""
    sections: list[list[str]] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
    return sections


class _Party(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.frames: deque[npt.NDArray[np.int16]] = deque(maxlen=MAX_QUEUED)
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # a datagram endpoint's

    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        if len(data) < 12 or data[0] >> 6 != 2:
            return
        payload_type = data[1] & 0x7F
        if payload_type not in (PCMU, PCMA):
            return
        start = 12 + 4 * (data[0] & 0x0F)
        samples = decode_g711(data[start:], payload_type)
        for k in range(0, len(samples) - FRAME + 1, FRAME):
            self.frames.append(samples[k:k + FRAME])

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])


@dataclass
class Mixer:
    """Mixes the subscribed parties into one stream for a supervisor's phone."""

    interface: str
    parties: list[_Party] = field(default_factory=list)
    _out: asyncio.DatagramTransport | None = None
    _target: Address | None = None
    _task: asyncio.Task[None] | None = None
    _seq: int = 0
    _ssrc: int = field(default_factory=lambda: int.from_bytes(os.urandom(4), "big"))
    frames_sent: int = 0

    async def open(self, streams: int = 2) -> None:
        """Bind a socket per party and one to send from."""
        loop = asyncio.get_running_loop()
        for _ in range(streams):
            _, party = await loop.create_datagram_endpoint(
                _Party, local_addr=(self.interface, 0))
            self.parties.append(party)
        self._out, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=(self.interface, 0))

    def subscriber_answer(self, subscription_sdp: str) -> str:
        """Our answer to rtpengine's subscription SDP: each audio stream with G.711 to a
        party socket, accepting every payload type the stream offers (rtpengine 10.5
        refuses a subscriber's answer that leaves out its telephone-event; the mixer
        skips what is not G.711); any other media section refused (port 0)."""
        lines = ["v=0", f"o=monitor 1 1 IN IP4 {self.interface}", "s=-",
                 f"c=IN IP4 {self.interface}", "t=0 0"]
        free = iter(self.parties)
        taken = 0
        for section in _sections(subscription_sdp):
            fields = section[0].split()
            kind = fields[0][2:]
            proto = fields[2] if len(fields) > 2 else "RTP/AVP"
            offered = fields[3:]
            party = next(free, None) if kind == "audio" and \
                {"0", "8"} & set(offered) else None
            if party is None:
                lines.append(f"m={kind} 0 {proto} {' '.join(offered) or '0'}")
                continue
            taken += 1
            lines.append(f"m=audio {party.port} {proto} {' '.join(offered)}")
            lines += [a for a in section[1:] if a.startswith(("a=rtpmap:", "a=fmtp:"))]
            lines.append("a=recvonly")
        if not taken:
            raise ValueError(f"no G.711 audio stream to mix in {subscription_sdp!r}")
        return "\r\n".join(lines) + "\r\n"

    def phone_offer(self) -> str:
        """The SDP of our INVITE to the supervisor's phone: PCMU, we only send."""
        assert self._out is not None, "open() first"
        port = self._out.get_extra_info("sockname")[1]
        return "\r\n".join([
            "v=0", f"o=monitor 1 1 IN IP4 {self.interface}", "s=-",
            f"c=IN IP4 {self.interface}", "t=0 0", f"m=audio {port} RTP/AVP 0",
            "a=rtpmap:0 PCMU/8000", "a=sendonly"]) + "\r\n"

    def start(self, target: Address) -> None:
        """Send the mix to `target` (the phone's media address) every 20 ms."""
        self._target = target
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            self._send_frame()
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    def _send_frame(self) -> None:
        if self._out is None or self._target is None:
            return
        mix = np.zeros(FRAME, dtype=np.int32)
        for party in self.parties:
            if party.frames:
                mix += party.frames.popleft()
        frame = np.clip(mix, -32768, 32767).astype(np.int16)
        header = struct.pack(">BBHII", 0x80, PCMU, self._seq & 0xFFFF,
                             (self._seq * FRAME) & 0xFFFFFFFF, self._ssrc)
        self._seq += 1
        self._out.sendto(header + encode_ulaw(frame), self._target)
        self.frames_sent += 1

    def close(self) -> None:
        """Stop sending and close the sockets."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        for party in self.parties:
            if party.transport is not None:
                party.transport.close()
        if self._out is not None:
            self._out.close()
            self._out = None
