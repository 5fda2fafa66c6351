"""Bencoding: known encodings, round trips, and clear errors on malformed input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.telephony.sip.bencode import Bencoded, BencodeError, decode, encode

values: st.SearchStrategy[Bencoded] = st.recursive(
    st.binary(max_size=20) | st.integers(),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.binary(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)


def test_encodes_a_ng_request_with_sorted_keys() -> None:
    """A dictionary's keys are written in byte order; str values become UTF-8 strings."""
    assert encode({"sdp": "v=0", "command": "offer", "flags": ["a", "b"]}) == (
        b"d7:command5:offer5:flagsl1:a1:be3:sdp3:v=0e"
    )


def test_encodes_negative_and_zero_integers() -> None:
    """Integers are written in decimal with their sign."""
    assert encode([0, -7, 42]) == b"li0ei-7ei42ee"


def test_refuses_booleans() -> None:
    """A bool is not silently sent as 0 or 1."""
    with pytest.raises(TypeError):
        encode({"x": True})


def test_decodes_unsorted_keys() -> None:
    """rtpengine's replies do not sort their keys; they still decode."""
    assert decode(b"d6:result2:ok3:abc1:xe") == {b"result": b"ok", b"abc": b"x"}


@given(values)
def test_round_trip(value: Bencoded) -> None:
    """Whatever is encoded decodes to the same value."""
    assert decode(encode(value)) == value


@given(st.binary(max_size=200))
def test_decode_raises_only_bencode_error(data: bytes) -> None:
    """Random bytes decode to a value or raise BencodeError, never anything else."""
    with contextlib.suppress(BencodeError):
        decode(data)


@given(st.lists(st.sampled_from([b"l", b"d", b"e", b"i1e", b"1:a", b"0:"]), max_size=60))
def test_decode_of_structure_like_bytes_raises_only_bencode_error(parts: list[bytes]) -> None:
    """Byte soup made of bencode's own tokens decodes or raises BencodeError."""
    with contextlib.suppress(BencodeError):
        decode(b"".join(parts))


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (b"i12", 0),  # unterminated integer
        (b"i012e", 0),  # leading zero
        (b"i-0e", 0),
        (b"l1:ax", 4),  # unexpected byte inside a list
        (b"d1:ae", 1),  # key without a value
        (b"di1e1:ae", 1),  # integer key
        (b"d1:a1:b1:a1:ce", 7),  # duplicate key
        (b"5:abc", 0),  # string runs past the end
        (b"i1ei2e", 3),  # trailing data
        (b"", 0),
    ],
)
def test_malformed_input_names_the_offset(data: bytes, offset: int) -> None:
    """Each kind of malformed input raises BencodeError at the offending offset."""
    with pytest.raises(BencodeError) as raised:
        decode(data)
    assert raised.value.offset == offset


def test_deep_nesting_decodes_without_recursion() -> None:
    """A 100,000-deep list decodes (the decoder keeps its own stack)."""
    depth = 100_000
    assert isinstance(decode(b"l" * depth + b"e" * depth), list)
