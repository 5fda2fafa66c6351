"""The NG client against a fake rtpengine on the loopback: retransmission, reply matching,
errors and timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

import pytest

from callcenter.telephony.sip.bencode import decode, encode
from callcenter.telephony.sip.rtpengine import NgClient, NgCommandError, NgTimeout

Reply = Callable[["FakeRtpEngine", bytes, tuple[str, int]], None]


class FakeRtpEngine(asyncio.DatagramProtocol):
    """Records each request's cookie; `behaviour` decides what to send back."""

    def __init__(self, behaviour: Reply) -> None:
        self.behaviour = behaviour
        self.cookies: list[bytes] = []
        self.held: list[tuple[bytes, tuple[str, int]]] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        cookie, _, _body = data.partition(b" ")
        self.cookies.append(cookie)
        self.behaviour(self, cookie, addr)

    def reply(self, cookie: bytes, addr: tuple[str, int], body: dict[str, str]) -> None:
        assert self.transport is not None
        self.transport.sendto(cookie + b" " + encode(body), addr)


def pong(server: FakeRtpEngine, cookie: bytes, addr: tuple[str, int]) -> None:
    server.reply(cookie, addr, {"result": "pong"})


def drop_first(server: FakeRtpEngine, cookie: bytes, addr: tuple[str, int]) -> None:
    if len(server.cookies) > 1:
        pong(server, cookie, addr)


def answer_late_twice(server: FakeRtpEngine, cookie: bytes, addr: tuple[str, int]) -> None:
    """Holds the first request until its retransmission arrives, then answers both."""
    if len(server.cookies) == 1:
        server.held.append((cookie, addr))
        return
    for held in server.held:
        pong(server, *held)
    server.held.clear()
    pong(server, cookie, addr)


def refuse(server: FakeRtpEngine, cookie: bytes, addr: tuple[str, int]) -> None:
    server.reply(cookie, addr, {"result": "error", "error-reason": "Unknown call-id"})


def silent(server: FakeRtpEngine, cookie: bytes, addr: tuple[str, int]) -> None:
    pass


async def with_fake(behaviour: Reply, body: Callable[[NgClient, FakeRtpEngine], object],
                    tries: int = 5) -> FakeRtpEngine:
    loop = asyncio.get_running_loop()
    transport, server = await loop.create_datagram_endpoint(
        lambda: FakeRtpEngine(behaviour), local_addr=("127.0.0.1", 0))
    try:
        port = transport.get_extra_info("sockname")[1]
        async with NgClient("127.0.0.1", port, timeout=0.05, tries=tries) as client:
            result = body(client, server)
            if asyncio.iscoroutine(result):
                await result
    finally:
        transport.close()
    return server


def test_retries_after_a_lost_request() -> None:
    """A request whose first datagram is lost is answered on a retry."""
    async def body(client: NgClient, server: FakeRtpEngine) -> None:
        await client.ping()

    server = asyncio.run(with_fake(drop_first, body))
    assert len(server.cookies) == 2


def test_retransmission_reuses_the_cookie() -> None:
    """A retry carries the same cookie, so rtpengine answers it from its cache."""
    server = asyncio.run(with_fake(drop_first, lambda client, server: client.ping()))
    assert server.cookies[0] == server.cookies[1]


def test_second_reply_to_a_retried_request_is_dropped() -> None:
    """When both the request and its retry are answered, the extra reply counts as stale."""
    stale: list[int] = []

    async def body(client: NgClient, server: FakeRtpEngine) -> None:
        await client.ping()
        server.behaviour = pong
        await client.ping()  # the stale reply, sent earlier, has been read by now
        stale.append(client.stale_replies)

    asyncio.run(with_fake(answer_late_twice, body))
    assert stale == [1]


def test_error_reply_raises_with_the_reason() -> None:
    """`result: error` raises NgCommandError carrying rtpengine's error-reason."""
    reasons: list[str] = []

    async def body(client: NgClient, server: FakeRtpEngine) -> None:
        with pytest.raises(NgCommandError) as raised:
            await client.query("no-such-call")
        reasons.append(raised.value.reason)

    asyncio.run(with_fake(refuse, body))
    assert reasons == ["Unknown call-id"]


def test_gives_up_after_the_last_try() -> None:
    """With no reply at all the request is sent `tries` times, then NgTimeout."""
    async def body(client: NgClient, server: FakeRtpEngine) -> None:
        with pytest.raises(NgTimeout):
            await client.ping()

    server = asyncio.run(with_fake(silent, body, tries=3))
    assert len(server.cookies) == 3


def test_request_is_a_cookie_and_a_bencoded_command() -> None:
    """What goes on the wire is `<cookie> <bencoded dict>` with the command and its keys."""
    seen: list[bytes] = []

    class Capture(FakeRtpEngine):
        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            seen.append(data.partition(b" ")[2])
            super().datagram_received(data, addr)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: Capture(refuse), local_addr=("127.0.0.1", 0))
        async with NgClient("127.0.0.1", transport.get_extra_info("sockname")[1]) as client:
            with pytest.raises(NgCommandError):
                await client.delete("c1", "t1")
        transport.close()

    asyncio.run(main())
    assert decode(seen[0]) == {b"command": b"delete", b"call-id": b"c1", b"from-tag": b"t1"}


def test_cookies_never_repeat_across_clients() -> None:
    """Two clients (two processes, or a restart) draw different cookie prefixes."""
    first, second = NgClient(), NgClient()
    assert first.next_cookie() != second.next_cookie()
