"""The SIP B2BUA against sipp as the real peer: inbound, outbound, bridge, hostile input."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.telephony.sip.b2bua import SipB2BUA
from callcenter.telephony.sip.b2bua_interface import (
    Answered,
    Busy,
    HungUp,
    IncomingCall,
    NoAnswer,
    Ringing,
)

from .sipp_peer import SCENARIOS, Recorder, Sipp, find_sipp, running_b2bua

DID = "4940112233"


@pytest.fixture
def sipp_runner(tmp_path: Path) -> Iterator[Sipp]:
    """Starts sipp in this test's directory; kills (by PID) any still running at the end."""
    runner = Sipp(find_sipp(), tmp_path)
    yield runner
    runner.kill_all()


OUR_SDP = (
    "v=0\r\no=callcenter 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


async def answer_with_our_sdp(b2bua: SipB2BUA, call: IncomingCall) -> None:
    await b2bua.answer(call.call_id, OUR_SDP)


async def never_called(b2bua: SipB2BUA, call: IncomingCall) -> None:
    raise AssertionError(f"the handler saw a call it should not have: {call}")


def refused_scenario(tmp_path: Path, code: int) -> Path:
    path = tmp_path / f"uac_refused_{code}.xml"
    text = (SCENARIOS / "uac_refused.xml").read_text().replace("EXPECTED_CODE", str(code))
    path.write_text(text)
    return path


def test_inbound_call_is_answered_and_caller_bye_is_a_remote_hangup(sipp_runner: Sipp) -> None:
    """A trunk's INVITE to a known number reaches the handler, is answered 200, and its BYE ends it as a remote hang-up."""  # noqa: E501

    async def main() -> tuple[int, Recorder, str]:
        recorder = Recorder()
        async with running_b2bua(answer_with_our_sdp, recorder) as b2bua:
            caller = await sipp_runner.start("uac_call.xml", remote=b2bua.address, service=DID)
            code = await caller.wait()
            await recorder.until(lambda: bool(recorder.events))
        return code, recorder, caller.output()

    code, recorder, output = asyncio.run(main())
    assert code == 0, output
    [call] = recorder.calls
    assert (call.from_number, call.to_number, call.entry) == ("4930123456", DID, "main-ivr")
    assert call.source_address[0] == "127.0.0.1"
    assert call.sdp is not None and "m=audio" in call.sdp
    assert recorder.events == [HungUp(call.call_id, remote=True)]


def test_invite_from_an_unknown_source_gets_403(sipp_runner: Sipp, tmp_path: Path) -> None:
    """An INVITE from an address that is not a trunk is refused 403 without reaching the handler."""

    async def main() -> tuple[int, Recorder, str]:
        recorder = Recorder()
        async with running_b2bua(never_called, recorder, host="127.0.0.1") as b2bua:
            caller = await sipp_runner.start(
                refused_scenario(tmp_path, 403), remote=b2bua.address, service=DID,
                local_ip="127.0.0.2",
            )  # fmt: skip
            code = await caller.wait()
        return code, recorder, caller.output()

    code, recorder, output = asyncio.run(main())
    assert code == 0, output
    assert recorder.calls == [] and recorder.events == []


def test_invite_to_an_unknown_number_gets_404(sipp_runner: Sipp, tmp_path: Path) -> None:
    """An INVITE from a trunk to a number that is not configured is refused 404."""

    async def main() -> tuple[int, Recorder, str]:
        recorder = Recorder()
        async with running_b2bua(never_called, recorder) as b2bua:
            caller = await sipp_runner.start(
                refused_scenario(tmp_path, 404), remote=b2bua.address, service="4900000000"
            )
            code = await caller.wait()
        return code, recorder, caller.output()

    code, recorder, output = asyncio.run(main())
    assert code == 0, output
    assert recorder.calls == [] and recorder.events == []


def test_originated_call_is_answered_and_our_hangup_sends_bye(sipp_runner: Sipp) -> None:
    """An outbound leg to a phone rings, is answered with the phone's SDP, and our hang-up reaches it as a BYE."""  # noqa: E501

    async def main() -> tuple[int, Recorder, str, str]:
        recorder = Recorder()
        async with running_b2bua(never_called, recorder) as b2bua:
            phone = await sipp_runner.start("uas_answer.xml")
            leg = await b2bua.originate(
                f"sip:agent@127.0.0.1:{phone.port}", from_number="100", sdp=OUR_SDP, timeout=10
            )
            await recorder.until(lambda: any(isinstance(e, Answered) for e in recorder.events))
            await b2bua.hangup(leg)
            code = await phone.wait()
            await recorder.until(lambda: isinstance(recorder.events[-1], HungUp))
        return code, recorder, leg, phone.output()

    code, recorder, leg, output = asyncio.run(main())
    assert code == 0, output
    ringing, answered, hung_up = recorder.events
    assert ringing == Ringing(leg)
    assert isinstance(answered, Answered) and answered.sdp is not None
    assert "o=agent" in answered.sdp
    assert hung_up == HungUp(leg, remote=False)


def test_originated_call_to_a_busy_phone_reports_busy(sipp_runner: Sipp) -> None:
    """An outbound leg refused 486 reports Busy."""

    async def main() -> tuple[int, Recorder, str, str]:
        recorder = Recorder()
        async with running_b2bua(never_called, recorder) as b2bua:
            phone = await sipp_runner.start("uas_busy.xml")
            leg = await b2bua.originate(
                f"sip:agent@127.0.0.1:{phone.port}", from_number="100", sdp=OUR_SDP, timeout=10
            )
            await recorder.until(lambda: bool(recorder.events))
            code = await phone.wait()
        return code, recorder, leg, phone.output()

    code, recorder, leg, output = asyncio.run(main())
    assert code == 0, output
    assert recorder.events == [Busy(leg, 486)]


def test_originated_call_not_answered_in_time_reports_no_answer_and_cancels(
    sipp_runner: Sipp,
) -> None:
    """An outbound leg still ringing at its timeout reports NoAnswer and is cancelled at the phone."""  # noqa: E501

    async def main() -> tuple[int, Recorder, str, str]:
        recorder = Recorder()
        async with running_b2bua(never_called, recorder) as b2bua:
            phone = await sipp_runner.start("uas_no_answer.xml")
            leg = await b2bua.originate(
                f"sip:agent@127.0.0.1:{phone.port}", from_number="100", sdp=OUR_SDP, timeout=2
            )
            await recorder.until(lambda: any(isinstance(e, NoAnswer) for e in recorder.events))
            code = await phone.wait()
        return code, recorder, leg, phone.output()

    code, recorder, leg, output = asyncio.run(main())
    assert code == 0, output
    assert recorder.events == [Ringing(leg), NoAnswer(leg)]


class RecordingRewriter:
    """An SdpRewriter that passes SDP through and remembers each call."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str | None, str | None]] = []

    async def offer(self, call_id: str, sdp: str | None, peer: str | None) -> str | None:
        self.seen.append(("offer", call_id, sdp, peer))
        return sdp

    async def answer(self, call_id: str, sdp: str | None, peer: str | None) -> str | None:
        self.seen.append(("answer", call_id, sdp, peer))
        return sdp


def test_bridged_call_connects_both_sides_and_caller_bye_hangs_up_the_agent(
    sipp_runner: Sipp,
) -> None:
    """A trunk call bridged to a phone: both get 200 with the other's SDP, and the caller's BYE tears down the phone's leg."""  # noqa: E501
    phone_port: list[int] = []
    legs: dict[str, str] = {}

    async def bridge_to_phone(b2bua: SipB2BUA, call: IncomingCall) -> None:
        agent = await b2bua.originate(
            f"sip:agent@127.0.0.1:{phone_port[0]}",
            from_number=call.from_number, sdp=call.sdp, timeout=10, peer=call.call_id,
        )  # fmt: skip
        legs.update(caller=call.call_id, agent=agent)
        await b2bua.bridge(call.call_id, agent)

    async def main() -> tuple[list[int], Recorder, RecordingRewriter, list[str]]:
        recorder, rewriter = Recorder(), RecordingRewriter()
        async with running_b2bua(bridge_to_phone, recorder, rewriter) as b2bua:
            phone = await sipp_runner.start("uas_answer.xml", trace=True)
            phone_port.append(phone.port)
            caller = await sipp_runner.start(
                "uac_call.xml", remote=b2bua.address, service=DID, trace=True
            )
            codes = [await caller.wait(), await phone.wait()]
            await recorder.until(lambda: len(recorder.events) == 4)
        traces = [run.messages.read_text() for run in (caller, phone)]
        return codes, recorder, rewriter, [*traces, caller.output(), phone.output()]

    codes, recorder, rewriter, (caller_trace, phone_trace, *outputs) = asyncio.run(main())
    assert codes == [0, 0], outputs
    caller, agent = legs["caller"], legs["agent"]
    assert recorder.events == [
        Ringing(agent),
        Answered(agent, recorder.events[1].sdp),  # type: ignore[union-attr]
        HungUp(caller, remote=True),
        HungUp(agent, remote=False),
    ]
    assert [(kind, leg, peer) for kind, leg, _sdp, peer in rewriter.seen] == [
        ("offer", agent, caller),
        ("answer", caller, agent),
    ]
    assert "o=agent" in caller_trace.split("SIP/2.0 200 OK", 1)[1]
    assert "o=caller" in phone_trace.split("INVITE sip:", 1)[1]


def garbage(port: int) -> list[bytes]:
    """Hostile datagrams; those with a Via name `port`, so replies come back to the test."""
    invite = b"INVITE sip:4940112233@127.0.0.1 SIP/2.0\r\n"
    via = b"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK" % port
    dialog = b"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:4940112233@127.0.0.1>\r\nCall-ID: "
    return [
        # truncated in the middle of its headers
        invite + via + b"1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:4940",
        # Content-Length claims more than the body holds
        invite + via + b"2\r\n" + dialog + b"cl@x\r\nCSeq: 1 INVITE\r\n"
        b"Contact: <sip:a@127.0.0.1:5999>\r\nContent-Type: application/sdp\r\n"
        b"Content-Length: 900\r\n\r\nv=0\r\n",
        # not text at all
        bytes(range(256)) * 4,
        # a header far larger than a datagram sippy reads (8 KiB)
        invite + via + b"3\r\nX-Filler: " + b"x" * 20000 + b"\r\n\r\n",
        # a method nobody knows
        b"FROBNICATE sip:4940112233@127.0.0.1 SIP/2.0\r\n" + via + b"4\r\n" + dialog
        + b"fr@x\r\nCSeq: 1 FROBNICATE\r\nContent-Length: 0\r\n\r\n",
        # no Via at all
        invite + dialog + b"nv@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        # an INVITE without a Contact
        invite + via + b"5\r\n" + dialog + b"nc@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        # a status line with nothing sensible after it
        b"SIP/2.0 99999999999999999999 What\r\n\r\n" + b"\xff" * 40,
    ]


def options(port: int) -> bytes:
    """An OPTIONS from `port`: its 200 marks the end of the replies to what came before."""
    return (
        f"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKend\r\n"
        f"From: <sip:a@127.0.0.1>;tag=9\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: barrier@x\r\n"
        f"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def test_malformed_burst_gets_errors_or_silence_and_the_next_call_works(sipp_runner: Sipp) -> None:
    """Truncated, mis-sized, binary, oversized and unknown messages get 4xx/5xx or nothing, and a valid call after them is answered."""  # noqa: E501

    async def main() -> tuple[list[bytes], int, Recorder, str]:
        recorder = Recorder()
        loop = asyncio.get_running_loop()
        async with running_b2bua(answer_with_our_sdp, recorder) as b2bua:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", 0))
                s.setblocking(False)
                for datagram in garbage(s.getsockname()[1]):
                    s.sendto(datagram, b2bua.address)
                # One thread handles datagrams in order and one sender sends in
                # order, so the OPTIONS reply comes after any reply to the garbage.
                s.sendto(options(s.getsockname()[1]), b2bua.address)
                replies: list[bytes] = []
                async with asyncio.timeout(10):
                    while not replies or b"barrier@x" not in replies[-1]:
                        replies.append(await loop.sock_recv(s, 65535))
            caller = await sipp_runner.start("uac_call.xml", remote=b2bua.address, service=DID)
            code = await caller.wait()
            await recorder.until(lambda: bool(recorder.events))
        return replies, code, recorder, caller.output()

    replies, code, recorder, output = asyncio.run(main())
    *to_garbage, barrier = replies
    assert barrier.startswith(b"SIP/2.0 200 ")
    assert all(r.startswith((b"SIP/2.0 4", b"SIP/2.0 5")) for r in to_garbage), to_garbage
    assert code == 0, output
    [call] = recorder.calls
    assert recorder.events == [HungUp(call.call_id, remote=True)]
