"""The baresip test phones: ctrl_tcp's netstring framing, and real phones talking to each
other directly, refusing a command, and ended when a test fails."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.e2e.baresip_peer import (
    BaresipError,
    BaresipPhone,
    baresip_phone,
    netstring,
    require_baresip,
    split_netstrings,
)
from tests.e2e.tones import Tones, read_wav, tones_in


def feed(stream: bytes, cuts: list[int]) -> list[bytes]:
    """The frames read from `stream` arriving in pieces cut at `cuts`."""
    frames: list[bytes] = []
    buffer = b""
    start = 0
    for cut in [*sorted(cuts), len(stream)]:
        got, buffer = split_netstrings(buffer + stream[start:cut])
        frames += got
        start = max(start, cut)
    assert buffer == b""
    return frames


def test_a_command_is_framed_as_ctrl_tcp_reads_it() -> None:
    """A JSON command is framed `<length>:<json>,`."""
    assert netstring(b'{"command":"hangup"}') == b'20:{"command":"hangup"},'


def test_a_partial_frame_waits_for_the_rest() -> None:
    """A frame cut before its end (even before its ':') is kept, not read."""
    assert split_netstrings(b"5:ab") == ([], b"5:ab")
    assert split_netstrings(b"12") == ([], b"12")


@given(st.lists(st.binary(max_size=300), max_size=8),
       st.lists(st.integers(min_value=0, max_value=3000), max_size=10))
def test_frames_survive_any_cutting(payloads: list[bytes], cuts: list[int]) -> None:
    """Any payloads, framed and sent as one stream cut anywhere, are read back in order."""
    stream = b"".join(netstring(p) for p in payloads)
    assert feed(stream, [c for c in cuts if c <= len(stream)]) == payloads


@pytest.mark.parametrize("bad", [b"x:abc,", b"3:abcd", b"-1:,", b"ready", b"12345678901"])
def test_a_malformed_frame_is_an_error(bad: bytes) -> None:
    """A length that is no number, a frame not closed by ',' or text with no frame at all
    is a BaresipError quoting it."""
    with pytest.raises(BaresipError, match="netstring"):
        split_netstrings(bad)


@given(st.binary(max_size=60))
def test_any_bytes_are_frames_or_an_error(data: bytes) -> None:
    """Arbitrary bytes are read as frames (with a rest) or refused with a BaresipError;
    nothing else escapes."""
    try:
        frames, rest = split_netstrings(data)
    except BaresipError:
        return
    assert b"".join(netstring(f) for f in frames) + rest == data


def run_phones(test: Callable[[Path], Coroutine[Any, Any, None]], tmp: Path) -> None:
    """Run `test` with real baresip phones (skipped, failed under CI, without them)."""
    require_baresip()
    asyncio.run(test(tmp))


def test_two_phones_hear_each_other(tmp_path: Path) -> None:
    """Two phones called directly (no server) each record the other's tone: the helper
    itself sends, receives and records audio both ways."""
    heard: dict[str, Tones] = {}

    async def talk(tmp: Path) -> None:
        async with baresip_phone(tmp, "bob", tone_hz=1250, answer="auto") as bob, \
                baresip_phone(tmp, "alice", tone_hz=440) as alice:
            await alice.dial(bob.uri)
            await bob.event("CALL_ESTABLISHED")
            await alice.until_heard(1.5)
            await bob.until_heard(1.5)
            await alice.hangup()
            await bob.event("CALL_CLOSED")
        for phone, own, far in ((alice, 440.0, 1250.0), (bob, 1250.0, 440.0)):
            path = phone.recording()
            assert path is not None
            samples, rate = read_wav(path)
            heard[phone.name] = tones_in(samples[-rate:], rate, expected=far, other=own)

    run_phones(talk, tmp_path)
    assert heard["alice"].is_mostly(1250) and heard["bob"].is_mostly(440), heard


def test_a_refused_command_is_an_error_naming_it(tmp_path: Path) -> None:
    """A command baresip does not know comes back as a BaresipError naming it."""

    async def refused(tmp: Path) -> None:
        async with baresip_phone(tmp, "carol", tone_hz=440) as carol:
            with pytest.raises(BaresipError, match="carol: frobnicate"):
                await carol.command("frobnicate", "now")

    run_phones(refused, tmp_path)


def test_the_phone_is_ended_when_the_test_fails(tmp_path: Path) -> None:
    """An error inside the phone's block still ends its baresip (by PID) and reaps it."""
    phones: list[BaresipPhone] = []

    async def failing(tmp: Path) -> None:
        async with baresip_phone(tmp, "dave", tone_hz=440) as dave:
            phones.append(dave)
            raise LookupError("the test failed here")

    with pytest.raises(LookupError):
        run_phones(failing, tmp_path)
    assert phones and phones[0].process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.kill(phones[0].process.pid, 0)
