"""REGISTER over the wire: sipp (-au/-ap) against the B2BUA's registrar, and hostile REGISTERs.

The B2BUA runs with a `Registrar` and a fixed clock; sipp's `[authentication]` answers
the 401 with the password it is given. Raw datagrams check the 400s and the 501.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from callcenter.telephony.sip.b2bua import SipB2BUA
from callcenter.telephony.sip.b2bua_interface import IncomingCall, SipSettings
from callcenter.telephony.sip.registrar import (
    RegisterRequest,
    RegisterResponse,
    Registrar,
    RegistrarSettings,
    SipAccount,
)

from .sipp_peer import Sipp, find_sipp

NOW = 1_000_000.0


@pytest.fixture
def sipp_runner(tmp_path: Path) -> Iterator[Sipp]:
    """Starts sipp in this test's directory; kills (by PID) any still running at the end."""
    runner = Sipp(find_sipp(), tmp_path)
    yield runner
    runner.kill_all()


def new_registrar() -> Registrar:
    return Registrar([SipAccount("agent-1", "1001", "s3cret")],
                     RegistrarSettings(realm="127.0.0.1"))


async def no_calls(call: IncomingCall) -> None:
    raise AssertionError(f"no INVITE expected: {call}")


@contextlib.asynccontextmanager
async def b2bua_with(registrar: Registrar | None) -> AsyncIterator[SipB2BUA]:
    """A started B2BUA on a free loopback port answering REGISTER with `registrar`."""
    b2bua = SipB2BUA(SipSettings(host="127.0.0.1", port=0), no_calls, registrar=registrar,
                     now=lambda: NOW)
    await b2bua.start()
    try:
        yield b2bua
    finally:
        await b2bua.stop()


async def register_with(sipp: Sipp, scenario: str, b2bua: SipB2BUA, password: str,
                        contact_port: int = 5999) -> tuple[int, str]:
    run = await sipp.start(scenario, remote=b2bua.address, service="1001",
                           keys={"contact_port": str(contact_port)},
                           args=["-au", "1001", "-ap", password])
    return await run.wait(), run.output()


def test_sipp_registers_with_the_right_password(sipp_runner: Sipp) -> None:
    """sipp answers our 401 with digest credentials and gets 200; its contact is bound."""
    registrar = new_registrar()

    async def main() -> tuple[int, str]:
        async with b2bua_with(registrar) as b2bua:
            return await register_with(sipp_runner, "register_auth.xml", b2bua, "s3cret")

    code, output = asyncio.run(main())
    assert code == 0, output
    assert registrar.contact("agent-1", NOW) == "sip:1001@127.0.0.1:5999;transport=udp"


def test_sipp_with_a_wrong_password_gets_403(sipp_runner: Sipp) -> None:
    """sipp's credentials with a wrong password get 403 and bind nothing."""
    registrar = new_registrar()

    async def main() -> tuple[int, str]:
        async with b2bua_with(registrar) as b2bua:
            return await register_with(sipp_runner, "register_refused.xml", b2bua, "guess")

    code, output = asyncio.run(main())
    assert code == 0, output
    assert not registrar.registered("agent-1", NOW)


def register_datagram(to: str = "<sip:1001@127.0.0.1>", expires: str = "300",
                      branch: str = "z9hG4bK-1") -> bytes:
    return ("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:9;branch={branch}\r\n"
            "From: <sip:1001@127.0.0.1>;tag=a1\r\n"
            f"To: {to}\r\nCall-ID: raw-{branch}@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
            "Contact: <sip:1001@127.0.0.1:5999>\r\n"
            f"Expires: {expires}\r\nContent-Length: 0\r\n\r\n").encode()


async def status_line(b2bua: SipB2BUA, datagram: bytes) -> str:
    """The status line of the B2BUA's answer to `datagram` (sent from a fresh socket)."""
    loop = asyncio.get_running_loop()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
        s.sendto(datagram.replace(b"127.0.0.1:9", f"127.0.0.1:{s.getsockname()[1]}".encode()),
                 b2bua.address)
        async with asyncio.timeout(10):  # a hang guard, not a measurement
            data = await loop.sock_recv(s, 4096)
    return data.decode(errors="replace").split("\r\n", 1)[0]


def test_a_register_with_a_bad_expires_gets_400_naming_it() -> None:
    """`Expires: soon` is answered 400 with a reason phrase naming the Expires header."""

    async def main() -> str:
        async with b2bua_with(new_registrar()) as b2bua:
            return await status_line(b2bua, register_datagram(expires="soon"))

    line = asyncio.run(main())
    assert line.startswith("SIP/2.0 400 ") and "Expires: not a number" in line


def test_a_register_whose_to_sippy_cannot_read_gets_400() -> None:
    """A To header sippy fails on still gets our 400 (naming the header), not silence."""

    async def main() -> tuple[str, int]:
        async with b2bua_with(new_registrar()) as b2bua:
            line = await status_line(b2bua, register_datagram(to="garbage", branch="z9hG4bK-2"))
            # the B2BUA still works afterwards: a good REGISTER is challenged
            after = await status_line(b2bua, register_datagram(branch="z9hG4bK-3"))
            return line + " / " + after, b2bua.legs

    line, legs = asyncio.run(main())
    assert line.startswith("SIP/2.0 400 ") and "header" in line and "401 Unauthorized" in line
    assert legs == 0


def test_without_a_registrar_register_gets_501() -> None:
    """A B2BUA built without a registrar answers REGISTER 501 as before."""

    async def main() -> str:
        async with b2bua_with(None) as b2bua:
            return await status_line(b2bua, register_datagram())

    assert asyncio.run(main()) == "SIP/2.0 501 Not Implemented"


class BrokenRegistrar(Registrar):
    """A registrar with a bug: every REGISTER raises."""

    def register(self, request: RegisterRequest, now: float) -> RegisterResponse:
        raise RuntimeError("a bug")


def test_a_registrar_that_raises_gets_500_and_the_b2bua_lives_on() -> None:
    """An exception in the registrar is answered 500; the next REGISTER is answered too."""
    broken = BrokenRegistrar([], RegistrarSettings())

    async def main() -> list[str]:
        async with b2bua_with(broken) as b2bua:
            return [await status_line(b2bua, register_datagram(branch=f"z9hG4bK-{n}"))
                    for n in (5, 6)]

    assert asyncio.run(main()) == ["SIP/2.0 500 Server Internal Error"] * 2
