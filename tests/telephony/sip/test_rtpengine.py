"""rtpengine itself, started and supervised by RtpEngineProcess, driven over NG: offers and
answers, RTP relayed between two legs, playback, DTMF, subscriptions, recording, restarts.

Needs the `rtpengine` binary (Debian package rtpengine-daemon); skipped without it, except
under CI, where a missing binary fails."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import socket
import struct
import sys
import wave
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from callcenter.telephony.sip.rtpengine import NgClient, NgCommandError
from callcenter.telephony.sip.rtpengine_process import (
    DtmfEvent,
    RtpEngineError,
    RtpEngineProcess,
    RtpEngineSettings,
)
from tests.telephony.sip.g711 import unulaw
from tests.telephony.sip.sipp_peer import free_udp_block

pytestmark = pytest.mark.requires_tool("rtpengine")  # skipped without it, failed under CI


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def settings(**overrides: Any) -> RtpEngineSettings:
    """Free loopback ports for NG and a small media range (rtpengine skips taken ones)."""
    base = free_udp_block(100, media_server=True)
    return RtpEngineSettings(**{"ng_port": free_port(), "port_min": base, "port_max": base + 99,
                                "threads": 1, **overrides})


def run(tmp_path: Path, test: Callable[[RtpEngineProcess], Awaitable[None]],
        **kwargs: Any) -> None:
    """Runs `test` against a daemon of its own, started and stopped around it."""
    async def main() -> None:
        async with RtpEngineProcess(settings(), run_dir=tmp_path, **kwargs) as process:
            await asyncio.wait_for(test(process), 30)

    asyncio.run(main())


# Two SIP legs' media: a UDP socket each, and the SDP that advertises it.

@contextmanager
def legs() -> Iterator[tuple[socket.socket, socket.socket]]:
    a, b = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2))
    try:
        for s in (a, b):
            s.bind(("127.0.0.1", 0))
            s.settimeout(5)
        yield a, b
    finally:
        a.close()
        b.close()


def sdp(leg: socket.socket, direction: str = "sendrecv") -> str:
    port = leg.getsockname()[1]
    return ("v=0\r\n"
            f"o=- {port} 1 IN IP4 127.0.0.1\r\n"
            "s=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0 101\r\n"
            "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            f"a={direction}\r\n")


def media_port(body: str) -> int:
    return next(int(line.split()[1]) for line in body.splitlines() if line.startswith("m=audio"))


def rtp(seq: int, payload: bytes, pt: int = 0, marker: bool = False,
        ts: int | None = None) -> bytes:
    return struct.pack("!BBHII", 0x80, pt | (0x80 if marker else 0), seq,
                       seq * 160 if ts is None else ts, 0x1234) + payload


def receive_rtp(leg: socket.socket, pt: int) -> bytes:
    """The next RTP packet of payload type `pt` arriving at `leg` (others are skipped)."""
    while True:
        data = leg.recv(2048)
        if data[1] & 0x7F == pt:
            return data


async def call(client: NgClient, a: socket.socket, b: socket.socket, call_id: str = "call-1",
               flags: tuple[str, ...] = ()) -> tuple[str, str]:
    """Offer from A, answer from B; returns (SDP for B, SDP for A)."""
    to_b = await client.offer(call_id, "tag-a", sdp(a), flags=flags)
    to_a = await client.answer(call_id, "tag-a", "tag-b", sdp(b), flags=flags)
    return to_b, to_a


def in_thread(fn: Callable[[], bytes]) -> Awaitable[bytes]:
    return asyncio.get_running_loop().run_in_executor(None, fn)


def test_ping(tmp_path: Path) -> None:
    """The daemon we start answers ping."""
    run(tmp_path, lambda rtp: rtp.client.ping())


def test_config_uses_userspace_forwarding(tmp_path: Path) -> None:
    """The generated config never asks for the kernel module."""
    async def check(process: RtpEngineProcess) -> None:
        assert "table = -1" in process.config_path.read_text().splitlines()

    run(tmp_path, check)


def test_offer_advertises_rtpengine(tmp_path: Path) -> None:
    """The SDP sent on to the callee names one of rtpengine's ports instead of the caller's."""
    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            to_b, _ = await call(process.client, a, b)
        ports = range(process.settings.port_min, process.settings.port_max + 1)
        assert media_port(to_b) in ports and "c=IN IP4 127.0.0.1" in to_b

    run(tmp_path, check)


def test_answer_advertises_rtpengine(tmp_path: Path) -> None:
    """The SDP sent back to the caller names one of rtpengine's ports instead of the callee's."""
    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            _, to_a = await call(process.client, a, b)
        assert media_port(to_a) in range(process.settings.port_min, process.settings.port_max + 1)

    run(tmp_path, check)


def test_rtp_is_relayed_from_caller_to_callee(tmp_path: Path) -> None:
    """A PCMU packet sent by leg A to rtpengine arrives at leg B with its payload intact."""
    payload = bytes(range(160))

    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            _, to_a = await call(process.client, a, b)
            for seq in range(3):
                a.sendto(rtp(seq, payload), ("127.0.0.1", media_port(to_a)))
            received = await in_thread(lambda: receive_rtp(b, 0))
        assert received[12:] == payload

    run(tmp_path, check)


def tone(path: Path, seconds: float = 0.5) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / 8000)))
                               for n in range(int(8000 * seconds))))
    return path


def test_play_media_reaches_the_leg(tmp_path: Path) -> None:
    """A WAV played to leg A arrives there as PCMU RTP that sounds like it: the first
    0.2 s decoded (the reference G.711 decoder) are the file's 440 Hz."""
    heard: list[bytes] = []

    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            await call(process.client, a, b)
            await process.client.play_media("call-1", "tag-a", tone(tmp_path / "tone.wav"))
            for _ in range(10):
                heard.append(await in_thread(lambda: receive_rtp(a, 0)))

    run(tmp_path, check)
    assert {len(p) for p in heard} == {12 + 160}
    samples = np.concatenate([unulaw(p[12:]) for p in heard]).astype(float)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    assert np.fft.rfftfreq(len(samples), 1 / 8000)[int(np.argmax(spectrum))] == \
        pytest.approx(440, abs=10)


def test_play_media_reports_the_duration(tmp_path: Path) -> None:
    """rtpengine tells how long the played file is."""
    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            await call(process.client, a, b)
            duration = await process.client.play_media("call-1", "tag-a",
                                                       tone(tmp_path / "tone.wav", 0.5))
        assert duration == 500

    run(tmp_path, check)


def telephone_event(digit_code: int) -> list[bytes]:
    """RFC 4733 packets of one key press: start, continuation, and three end packets."""
    packets = []
    for i, (end, duration) in enumerate([(0, 160), (0, 480), (1, 800), (1, 800), (1, 800)]):
        payload = struct.pack("!BBH", digit_code, (0x80 if end else 0) | 10, duration)
        packets.append(rtp(100 + i, payload, pt=101, marker=i == 0, ts=16000))
    return packets


def test_dtmf_from_a_leg_is_reported(tmp_path: Path) -> None:
    """A key press sent as telephone-event RTP reaches our DTMF listener with its digit."""
    events: asyncio.Queue[DtmfEvent] = asyncio.Queue()

    async def on_dtmf(event: DtmfEvent) -> None:
        await events.put(event)

    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            _, to_a = await call(process.client, a, b)
            for packet in telephone_event(5):
                a.sendto(packet, ("127.0.0.1", media_port(to_a)))
            event = await events.get()
        assert (event.call_id, event.tag, event.digit) == ("call-1", "tag-a", "5")

    run(tmp_path, check, on_dtmf=on_dtmf)


def test_play_dtmf_sends_a_telephone_event(tmp_path: Path) -> None:
    """A digit injected on behalf of leg A reaches leg B as telephone-event RTP."""
    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            _, to_a = await call(process.client, a, b, flags=("inject DTMF",))
            a.sendto(rtp(0, bytes(160)), ("127.0.0.1", media_port(to_a)))
            await in_thread(lambda: receive_rtp(b, 0))  # rtpengine knows A's stream now
            await process.client.play_dtmf("call-1", "tag-a", "7")
            for seq in range(1, 20):  # the injected event rides on A's running stream
                a.sendto(rtp(seq, bytes(160)), ("127.0.0.1", media_port(to_a)))
            event = await in_thread(lambda: receive_rtp(b, 101))
        assert event[12] == 7

    run(tmp_path, check)


def test_subscriber_receives_a_copy(tmp_path: Path) -> None:
    """A subscription to leg A (silent monitoring) gets A's RTP as a third leg."""
    payload = b"\x55" * 160

    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b), legs() as (monitor, _unused):
            _, to_a = await call(process.client, a, b)
            sub = await process.client.subscribe_request("call-1", ["tag-a"])
            await process.client.subscribe_answer("call-1", sub.to_tag, sdp(monitor, "recvonly"))
            for seq in range(3):
                a.sendto(rtp(seq, payload), ("127.0.0.1", media_port(to_a)))
            copy = await in_thread(lambda: receive_rtp(monitor, 0))
            await process.client.unsubscribe("call-1", sub.to_tag)
        assert copy[12:] == payload

    run(tmp_path, check)


async def packets_from(client: NgClient, tag: str) -> int:
    """RTP packets rtpengine has received from the participant `tag` (its `query`)."""
    tags = (await client.query("call-1")).get("tags")
    assert isinstance(tags, dict)
    count = 0
    for media in tags[tag]["medias"]:
        for stream in media["streams"]:
            count += stream["stats"]["packets"]
    return count


def test_block_media_stops_what_a_leg_sends_until_unblocked(tmp_path: Path) -> None:
    """`block media` from B (the agent's phone on hold) keeps B's RTP from A; after
    `unblock media` the first packet A gets is one B sent after it."""
    held, back = b"\x55" * 160, b"\x66" * 160

    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            to_b, _ = await call(process.client, a, b)
            await process.client.block_media("call-1", "tag-b")
            for seq in range(3):
                b.sendto(rtp(seq, held), ("127.0.0.1", media_port(to_b)))
            while await packets_from(process.client, "tag-b") < 3:  # run() guards it
                await asyncio.sleep(0.01)
            await process.client.unblock_media("call-1", "tag-b")
            for seq in range(3, 6):
                b.sendto(rtp(seq, back), ("127.0.0.1", media_port(to_b)))
            first_at_a = await in_thread(lambda: receive_rtp(a, 0))
        assert first_at_a[12:] == back

    run(tmp_path, check)


def test_recording_writes_a_pcap(tmp_path: Path) -> None:
    """`start recording` makes rtpengine write the call's packets to a pcap file."""
    recordings = tmp_path / "recordings"

    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            _, to_a = await call(process.client, a, b)
            await process.client.start_recording("call-1")
            a.sendto(rtp(0, bytes(160)), ("127.0.0.1", media_port(to_a)))
            await in_thread(lambda: receive_rtp(b, 0))
            await process.client.stop_recording("call-1")
            await process.client.delete("call-1")
        assert list((recordings / "pcaps").glob("call-1-*.pcap"))

    async def main() -> None:
        async with RtpEngineProcess(settings(recording_dir=recordings), run_dir=tmp_path) as p:
            await check(p)

    asyncio.run(main())


def test_deleted_call_is_gone(tmp_path: Path) -> None:
    """After delete, rtpengine no longer knows the call: query fails with its reason."""
    async def check(process: RtpEngineProcess) -> None:
        with legs() as (a, b):
            await call(process.client, a, b)
            await process.client.delete("call-1")
            with pytest.raises(NgCommandError, match="Unknown call-id"):
                await process.client.query("call-1")

    run(tmp_path, check)


def test_killed_daemon_is_restarted(tmp_path: Path) -> None:
    """After the daemon is killed by PID, the supervisor starts a new one that answers ping."""
    pids: list[int] = []
    lost: list[int] = []
    restarted = asyncio.Event()

    def on_ready(pid: int) -> None:
        pids.append(pid)
        if len(pids) == 2:
            restarted.set()

    async def check(process: RtpEngineProcess) -> None:
        os.kill(pids[0], signal.SIGKILL)
        await restarted.wait()
        await process.client.ping()
        assert lost == [-signal.SIGKILL] and process.pid == pids[1] != pids[0]

    run(tmp_path, check, on_ready=on_ready, on_lost=lost.append)


def test_taken_ng_port_is_a_start_error(tmp_path: Path) -> None:
    """A taken NG port (another daemon would answer our pings) raises RtpEngineError."""
    async def main() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
            taken.bind(("127.0.0.1", 0))
            busy = settings(ng_port=taken.getsockname()[1])
            with pytest.raises(RtpEngineError, match="is taken"):
                await RtpEngineProcess(busy, run_dir=tmp_path).start()

    asyncio.run(main())


def test_daemon_that_exits_at_start_reports_its_last_words(tmp_path: Path) -> None:
    """A daemon that exits while starting raises RtpEngineError quoting its stderr."""
    fake = tmp_path / "rtpengine"
    fake.write_text("#!/bin/sh\necho 'CRIT: [core] Fatal error: bad config' >&2\nexit 1\n")
    fake.chmod(0o755)

    async def main() -> None:
        with pytest.raises(RtpEngineError, match="Fatal error: bad config"):
            await RtpEngineProcess(settings(binary=str(fake)), run_dir=tmp_path).start()

    asyncio.run(main())


def test_missing_binary_is_a_start_error(tmp_path: Path) -> None:
    """A binary that is not there raises RtpEngineError, not a bare OSError."""
    async def main() -> None:
        with pytest.raises(RtpEngineError, match="cannot start"):
            await RtpEngineProcess(settings(binary="no-such-rtpengine"), run_dir=tmp_path).start()

    asyncio.run(main())


OWNER = """
import asyncio, sys
from pathlib import Path
from callcenter.telephony.sip.rtpengine_process import RtpEngineProcess, RtpEngineSettings

async def main() -> None:
    settings = RtpEngineSettings(ng_port=int(sys.argv[1]), port_min=int(sys.argv[2]),
                                 port_max=int(sys.argv[2]) + 9, threads=1)
    process = RtpEngineProcess(settings, run_dir=Path(sys.argv[3]))
    await process.start()
    print(process.pid, flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


@pytest.mark.requires_tool("setpriv")
def test_daemon_does_not_outlive_a_killed_owner(tmp_path: Path) -> None:
    """When the process that started rtpengine is killed outright, the daemon ends too."""

    async def main() -> bool:
        owner = await asyncio.create_subprocess_exec(
            sys.executable, "-c", OWNER, str(free_port()),
            str(free_udp_block(10, media_server=True)), str(tmp_path),
            stdout=asyncio.subprocess.PIPE)
        assert owner.stdout is not None
        daemon = int(await asyncio.wait_for(owner.stdout.readline(), 30))
        owner.kill()
        await owner.wait()
        try:
            for _ in range(400):  # SIGTERM takes the daemon a moment to act on
                if not running(daemon):
                    return True
                await asyncio.sleep(0.05)
            return False
        finally:
            if running(daemon):  # the test failed: do not leave the orphan behind
                os.kill(daemon, signal.SIGKILL)

    assert asyncio.run(main())


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie awaiting its new parent's reaping is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
