"""The call-controller interface of the SIP B2BUA: plain data, no sippy types.

`SipSettings` says where the B2BUA listens and whom it takes calls from: trunk
source addresses (an address or a network) and the numbers (DIDs) it answers,
each mapped to an entry (the IVR flow or queue that takes the call). An INVITE
from elsewhere gets 403, one to an unknown number 404.

An accepted INVITE reaches the controller as an `IncomingCall`; what happens to
each leg afterwards arrives as a `LegEvent`. Every leg ends with exactly one of
`Busy`, `NoAnswer`, `Failed` or `HungUp` (`remote=False` when we hung it up or
rejected it).

Every SDP the B2BUA sends passes through an `SdpRewriter`: `offer` for the
INVITE of an outbound leg, `answer` for the 200 of an inbound one. The default
passes SDP through unchanged; the media layer (rtpengine) rewrites it to anchor
the media.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SipSettings:
    """Where the B2BUA listens and which calls it takes."""

    host: str = "127.0.0.1"
    port: int = 5060
    """UDP port; 0 picks a free one (see `SipB2BUA.address`)."""
    trunks: tuple[str, ...] = ()
    """Source addresses or networks allowed to send INVITEs ("192.0.2.10", "10.0.0.0/8")."""
    dids: Mapping[str, str] = field(default_factory=dict)
    """Dialled number (the Request-URI user) → entry name."""
    user_agent: str = "callcenter"

    def __post_init__(self) -> None:
        for trunk in self.trunks:
            try:
                ipaddress.ip_network(trunk, strict=False)
            except ValueError:
                raise ValueError(f"SipSettings.trunks: not an address: {trunk!r}") from None
        if not 0 <= self.port <= 65535:
            raise ValueError(f"SipSettings.port: out of range: {self.port}")

    def allows_source(self, host: str) -> bool:
        """True when `host` (an IP address) is one of the trunks."""
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(t, strict=False) for t in self.trunks)


@dataclass(frozen=True, slots=True)
class IncomingCall:
    """An INVITE from a trunk to a known number, waiting for the controller's decision."""

    call_id: str
    from_number: str
    to_number: str
    source_address: tuple[str, int]
    sdp: str | None
    entry: str
    """The entry the dialled number maps to (`SipSettings.dids`)."""


@dataclass(frozen=True, slots=True)
class Ringing:
    """The far end of an outbound leg rings (180/183)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class Answered:
    """An outbound leg was answered (200); `sdp` is the callee's answer."""

    call_id: str
    sdp: str | None


@dataclass(frozen=True, slots=True)
class Busy:
    """An outbound leg was refused as busy (486, 600)."""

    call_id: str
    code: int


@dataclass(frozen=True, slots=True)
class NoAnswer:
    """An outbound leg was not answered within its timeout; we cancelled it."""

    call_id: str


@dataclass(frozen=True, slots=True)
class Failed:
    """An outbound leg failed with a final response other than busy, or a transport timeout."""

    call_id: str
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class HungUp:
    """A leg ended: by the far end (BYE or CANCEL, `remote=True`) or by us."""

    call_id: str
    remote: bool


LegEvent = Ringing | Answered | Busy | NoAnswer | Failed | HungUp

CallHandler = Callable[[IncomingCall], Awaitable[None]]
"""Decides an incoming call: `reject`, `ring`, `answer` or `bridge` it on the B2BUA."""

EventHandler = Callable[[LegEvent], None]
"""Receives every leg event, in order, on the asyncio loop; must not block."""

BUSY_CODES = frozenset({486, 600})


class SdpRewriter(Protocol):
    """Rewrites each SDP the B2BUA sends (the media layer anchors media here)."""

    async def offer(self, call_id: str, sdp: str | None, peer: str | None) -> str | None:
        """The offer for outbound leg `call_id`; `peer` is the leg it is bridged to."""
        ...

    async def answer(self, call_id: str, sdp: str | None, peer: str | None) -> str | None:
        """The answer for inbound leg `call_id`; `peer` is the leg it is bridged to."""
        ...


class PassThroughSdp:
    """The default `SdpRewriter`: SDP crosses the B2BUA unchanged."""

    async def offer(self, call_id: str, sdp: str | None, peer: str | None) -> str | None:
        """Unchanged."""
        return sdp

    async def answer(self, call_id: str, sdp: str | None, peer: str | None) -> str | None:
        """Unchanged."""
        return sdp


_SIP_URI = re.compile(
    r"^sips?:(?:(?P<user>[^@;?]+)@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^:;?>]+)(?::(?P<port>\d+))?"
    r"(?P<params>;[^?]*)?$"
)


@dataclass(frozen=True, slots=True)
class SipUri:
    """The parts of a `sip:user@host:port` URI the B2BUA dials."""

    user: str
    host: str
    port: int

    @classmethod
    def parse(cls, uri: str) -> SipUri:
        """Parse `sip:user@host[:port][;transport=udp]`; ValueError names what is wrong."""
        match = _SIP_URI.match(uri.strip())
        if match is None:
            raise ValueError(f"not a SIP URI: {uri!r}")
        params = (match["params"] or "").lower()
        if "transport=" in params and "transport=udp" not in params:
            raise ValueError(f"only UDP is supported: {uri!r}")
        return cls(match["user"] or "", match["host"], int(match["port"] or 5060))
