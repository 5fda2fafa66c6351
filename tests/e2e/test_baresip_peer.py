"""The netstring framing of baresip's ctrl_tcp, as the test phones read and write it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.e2e.baresip_peer import BaresipError, netstring, split_netstrings


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
