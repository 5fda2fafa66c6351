"""A client for rtpengine's NG control protocol, asyncio-native, over UDP.

Each request is one datagram `<cookie> <bencoded dict>`; the reply carries the
same cookie. rtpengine caches its replies by cookie, so a retransmitted request
is answered from the cache instead of being carried out twice, and a cookie
reused after a restart of ours would be answered with a stale reply. Cookies
are therefore a random prefix per client (64 bits from `secrets`) and a
counter. A request unanswered within `timeout` is sent again with the same
cookie, up to `tries` times, then fails with `NgTimeout`. A reply with
`result: error` raises `NgCommandError` carrying rtpengine's `error-reason`.
Replies nobody waits for (a second reply to a retransmitted request) are
counted and dropped.

The typed methods take and return plain Python values: SDP bodies as `str`,
call-ids and tags as `str`. Reference: rtpengine's `ng_control_protocol.md`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from callcenter.telephony.sip.bencode import Bencoded, BencodeError, Encodable, decode, encode

log = logging.getLogger(__name__)

Value = str | int | list["Value"] | dict[str, "Value"]
"""A decoded reply value: rtpengine's byte strings as `str` (UTF-8, lossless)."""

Options = Mapping[str, Encodable]
"""Extra NG keys for a request, as rtpengine names them (`"ICE": "remove"`)."""


class NgError(Exception):
    """rtpengine did not do what was asked."""


class NgTimeout(NgError):
    """No reply after every try."""


class NgCommandError(NgError):
    """rtpengine replied `result: error`; `reason` is its `error-reason`."""

    def __init__(self, command: str, reason: str) -> None:
        super().__init__(f"rtpengine {command}: {reason}")
        self.command = command
        self.reason = reason


@dataclass(frozen=True)
class Subscription:
    """The reply to `subscribe request`: a sendonly offer for the subscriber to answer."""

    sdp: str
    to_tag: str
    from_tags: tuple[str, ...]


class NgClient:
    """Talks to one rtpengine; `open()` before use (or `async with`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 2223, *, timeout: float = 1.0,
                 tries: int = 3) -> None:
        if tries < 1 or timeout <= 0:
            raise ValueError("NgClient: tries must be at least 1 and timeout positive")
        self.address = (host, port)
        self.timeout = timeout
        self.tries = tries
        self.stale_replies = 0
        """Replies whose cookie no request was waiting for (late duplicates)."""
        self.bad_replies = 0
        """Datagrams that were not `<cookie> <bencoded dict>`."""
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)
        self._pending: dict[bytes, asyncio.Future[dict[bytes, Bencoded]]] = {}
        self._transport: asyncio.DatagramTransport | None = None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: _NgProtocol(self), remote_addr=self.address)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> NgClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def next_cookie(self) -> bytes:
        """A cookie no other client, process or restart will use."""
        return f"{self._prefix}_{next(self._counter)}".encode()

    async def request(self, command: str, options: Options | None = None, *,
                      timeout: float | None = None, tries: int | None = None) -> dict[str, Value]:
        """Sends `command` with `options` and returns the reply; raises NgError."""
        if self._transport is None:
            raise NgError("NgClient is not open")
        cookie = self.next_cookie()
        message = cookie + b" " + encode({**(options or {}), "command": command})
        future: asyncio.Future[dict[bytes, Bencoded]] = asyncio.get_running_loop().create_future()
        self._pending[cookie] = future
        try:
            for _ in range(tries or self.tries):
                self._transport.sendto(message)
                done, _pending = await asyncio.wait({future}, timeout=timeout or self.timeout)
                if done:
                    break
            else:
                raise NgTimeout(f"rtpengine {command}: no reply from {self.address}")
        finally:
            self._pending.pop(cookie, None)
        reply = _text(future.result())
        if not isinstance(reply, dict):  # _received only accepts dictionaries
            raise NgError(f"rtpengine {command}: reply is not a dictionary")
        if reply.get("result") == "error":
            raise NgCommandError(command, str(reply.get("error-reason", "no reason given")))
        if "warning" in reply:
            log.warning("rtpengine %s: %s", command, reply["warning"])
        return reply

    def _received(self, data: bytes) -> None:
        cookie, space, body = data.partition(b" ")
        if not space:
            self.bad_replies += 1
            return
        future = self._pending.get(cookie)
        if future is None or future.done():
            self.stale_replies += 1
            return
        try:
            reply = decode(body)
        except BencodeError as e:
            self.bad_replies += 1
            log.warning("rtpengine sent a malformed reply: %s", e)
            return
        if not isinstance(reply, dict):
            self.bad_replies += 1
            return
        future.set_result(reply)

    def _lost(self, exc: Exception | None) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(NgError(f"NG socket closed: {exc}"))

    # The commands, typed.

    async def ping(self, *, timeout: float | None = None, tries: int | None = None) -> None:
        reply = await self.request("ping", timeout=timeout, tries=tries)
        if reply.get("result") != "pong":
            raise NgError(f"rtpengine ping: unexpected reply {reply!r}")

    async def offer(self, call_id: str, from_tag: str, sdp: str, *, flags: Sequence[str] = (),
                    options: Options | None = None) -> str:
        """Anchors the caller's offer; returns the SDP to send on to the callee."""
        reply = await self.request("offer", {**(options or {}), "call-id": call_id,
                                             "from-tag": from_tag, "sdp": sdp, "flags": flags})
        return _sdp("offer", reply)

    async def answer(self, call_id: str, from_tag: str, to_tag: str, sdp: str, *,
                     flags: Sequence[str] = (), options: Options | None = None) -> str:
        """Anchors the callee's answer; returns the SDP to send back to the caller."""
        reply = await self.request("answer", {**(options or {}), "call-id": call_id,
                                              "from-tag": from_tag, "to-tag": to_tag,
                                              "sdp": sdp, "flags": flags})
        return _sdp("answer", reply)

    async def delete(self, call_id: str, from_tag: str | None = None, *,
                     to_tag: str | None = None) -> dict[str, Value]:
        """Ends the call (or one branch); returns its final statistics."""
        return await self.request("delete", _tags(call_id, from_tag, to_tag))

    async def query(self, call_id: str, from_tag: str | None = None) -> dict[str, Value]:
        """The call's state and per-stream statistics."""
        return await self.request("query", _tags(call_id, from_tag))

    async def play_media(self, call_id: str, from_tag: str, file: str | Path, *,
                         repeat_times: int = 1) -> int | None:
        """Plays a media file to the participant `from_tag`; returns its length in ms if known."""
        reply = await self.request("play media", {
            **_tags(call_id, from_tag), "file": str(file), "repeat-times": repeat_times})
        duration = reply.get("duration")
        return duration if isinstance(duration, int) else None

    async def stop_media(self, call_id: str, from_tag: str) -> None:
        await self.request("stop media", _tags(call_id, from_tag))

    async def block_media(self, call_id: str, from_tag: str, *,
                          to_tag: str | None = None) -> None:
        """Stop relaying what the participant `from_tag` sends; media played to a
        participant is not affected. `to_tag` asks for one media flow only, but with
        rtpengine 10.5 what `from_tag` sends is blocked towards everyone, subscribers
        included (seen on the Debian package, whichever `to_tag` was given)."""
        await self.request("block media", _tags(call_id, from_tag, to_tag))

    async def unblock_media(self, call_id: str, from_tag: str, *,
                            to_tag: str | None = None) -> None:
        """Relay what `from_tag` sends again (undoes `block_media` with the same tags)."""
        await self.request("unblock media", _tags(call_id, from_tag, to_tag))

    async def play_dtmf(self, call_id: str, from_tag: str, digit: str, *,
                        duration_ms: int = 250) -> None:
        """Injects `digit` as if the participant `from_tag` had pressed it.

        The call must have been offered and answered with the `inject DTMF` flag."""
        if len(digit) != 1 or digit.upper() not in "0123456789*#ABCD":
            raise ValueError(f"not a DTMF digit: {digit!r}")
        await self.request("play DTMF", {**_tags(call_id, from_tag), "code": digit,
                                         "duration": duration_ms})

    async def subscribe_request(self, call_id: str, from_tags: Sequence[str], *,
                                to_tag: str | None = None, flags: Sequence[str] = (),
                                options: Options | None = None) -> Subscription:
        """Asks for a copy of the media of `from_tags` (silent monitoring, a recording tap)."""
        request: dict[str, Encodable] = {**(options or {}), "call-id": call_id,
                                         "from-tags": list(from_tags), "flags": flags}
        if to_tag is not None:
            request["to-tag"] = to_tag
        reply = await self.request("subscribe request", request)
        tags = reply.get("from-tags", [])
        return Subscription(sdp=_sdp("subscribe request", reply), to_tag=str(reply.get("to-tag")),
                            from_tags=tuple(str(t) for t in tags) if isinstance(tags, list)
                            else ())

    async def subscribe_answer(self, call_id: str, to_tag: str, sdp: str, *,
                               flags: Sequence[str] = ()) -> None:
        """The subscriber's answer; media starts flowing to the address it names."""
        await self.request("subscribe answer", {"call-id": call_id, "to-tag": to_tag,
                                                "sdp": sdp, "flags": flags})

    async def unsubscribe(self, call_id: str, to_tag: str) -> None:
        await self.request("unsubscribe", {"call-id": call_id, "to-tag": to_tag})

    async def start_recording(self, call_id: str) -> None:
        """Records the whole call (to the daemon's `recording-dir`)."""
        await self.request("start recording", {"call-id": call_id})

    async def stop_recording(self, call_id: str) -> None:
        await self.request("stop recording", {"call-id": call_id})


class _NgProtocol(asyncio.DatagramProtocol):
    def __init__(self, client: NgClient) -> None:
        self._client = client

    def datagram_received(self, data: bytes, addr: tuple[str | bytes, int]) -> None:
        self._client._received(data)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable while the daemon is down: the retransmissions cover it.
        log.debug("NG socket error: %s", exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._client._lost(exc)


def _tags(call_id: str, from_tag: str | None = None, to_tag: str | None = None
          ) -> dict[str, Encodable]:
    request: dict[str, Encodable] = {"call-id": call_id}
    if from_tag is not None:
        request["from-tag"] = from_tag
    if to_tag is not None:
        request["to-tag"] = to_tag
    return request


def _sdp(command: str, reply: Mapping[str, Value]) -> str:
    sdp = reply.get("sdp")
    if not isinstance(sdp, str):
        raise NgError(f"rtpengine {command}: reply without an SDP")
    return sdp


def _text(value: Bencoded) -> Value:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, dict):
        return {k.decode("utf-8", "surrogateescape"): _text(v) for k, v in value.items()}
    return value
