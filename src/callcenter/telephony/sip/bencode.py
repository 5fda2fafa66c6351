"""Bencoding, the wire format of rtpengine's NG control protocol.

Four kinds of value: byte strings (`4:spam`), integers (`i42e`), lists
(`l...e`) and dictionaries (`d...e`, byte-string keys). `encode` also takes
`str` (as UTF-8), tuples, and `str` keys, and writes dictionary keys sorted by
their bytes, as the format requires. `decode` gives back bytes, ints, lists and
dicts keyed by bytes; it accepts keys in any order (rtpengine does not sort its
replies) but rejects duplicate keys, leading zeros, `-0`, trailing bytes and
anything else malformed with a `BencodeError` that names the offset.

Written here rather than taken from PyPI: the packages that exist are untyped,
unmaintained, or return loosely typed values, and the format fits in a page.
The decoder is iterative, so deeply nested input cannot exhaust the stack.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

Bencoded = bytes | int | list["Bencoded"] | dict[bytes, "Bencoded"]
"""What `decode` returns."""

Encodable = (
    bytes
    | str
    | int
    | Sequence["Encodable"]
    | Mapping[bytes, "Encodable"]
    | Mapping[str, "Encodable"]
)
"""What `encode` accepts."""

_DIGITS = b"0123456789"
_MAX_INT_DIGITS = 4000  # below Python's limit on converting digits to an int


class BencodeError(ValueError):
    """Malformed bencoded input; `offset` is where in the input it went wrong."""

    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(f"{reason} at offset {offset}")
        self.reason = reason
        self.offset = offset


def encode(value: Encodable) -> bytes:
    """The bencoding of `value`; raises TypeError for a value bencoding cannot hold."""
    out: list[bytes] = []
    _encode(value, out)
    return b"".join(out)


def _encode(value: Encodable, out: list[bytes]) -> None:
    if isinstance(value, bool):  # a bool is an int to Python, never to a peer
        raise TypeError("bencode has no booleans")
    if isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, bytes | str):
        raw = value.encode() if isinstance(value, str) else value
        out.append(b"%d:" % len(raw))
        out.append(raw)
    elif isinstance(value, Mapping):
        items = sorted(((_key(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        for (k1, _), (k2, _) in itertools.pairwise(items):
            if k1 == k2:
                raise TypeError(f"duplicate dictionary key {k1!r}")
        out.append(b"d")
        for k, v in items:
            out.append(b"%d:" % len(k))
            out.append(k)
            _encode(v, out)
        out.append(b"e")
    elif isinstance(value, Sequence):
        out.append(b"l")
        for item in value:
            _encode(item, out)
        out.append(b"e")
    else:
        raise TypeError(f"cannot bencode {type(value).__name__}")


def _key(key: object) -> bytes:
    if isinstance(key, str):
        return key.encode()
    if isinstance(key, bytes):
        return key
    raise TypeError(f"dictionary keys must be str or bytes, not {type(key).__name__}")


def decode(data: bytes) -> Bencoded:
    """The one value bencoded in `data`; raises BencodeError if `data` is anything else."""
    value, end = _decode(bytes(data), 0)
    if end != len(data):
        raise BencodeError("trailing data after the value", end)
    return value


class _Open:
    """A list or dictionary being decoded: its items so far, and a key awaiting its value."""

    __slots__ = ("key", "start", "value")

    def __init__(self, value: list[Bencoded] | dict[bytes, Bencoded], start: int) -> None:
        self.value = value
        self.start = start
        self.key: tuple[bytes, int] | None = None


def _decode(data: bytes, pos: int) -> tuple[Bencoded, int]:
    stack: list[_Open] = []
    while True:
        if pos >= len(data):
            raise BencodeError("unexpected end of input", pos)
        lead = data[pos : pos + 1]
        start = pos
        if lead == b"e" and stack:
            top = stack.pop()
            if top.key is not None:
                raise BencodeError("dictionary key without a value", top.key[1])
            done: Bencoded = top.value
            start = top.start
            pos += 1
        elif lead in (b"l", b"d"):
            stack.append(_Open([] if lead == b"l" else {}, pos))
            pos += 1
            continue
        elif lead == b"i":
            done, pos = _integer(data, pos)
        elif lead in _DIGITS:
            done, pos = _string(data, pos)
        else:
            raise BencodeError(f"unexpected byte {lead!r}", pos)
        # `done` is a complete value: it belongs to the innermost open container.
        if not stack:
            return done, pos
        _add(stack[-1], done, start)


def _add(top: _Open, item: Bencoded, start: int) -> None:
    if isinstance(top.value, list):
        top.value.append(item)
    elif top.key is None:
        if not isinstance(item, bytes):
            raise BencodeError("dictionary key is not a byte string", start)
        if item in top.value:
            raise BencodeError(f"duplicate dictionary key {item!r}", start)
        top.key = (item, start)
    else:
        top.value[top.key[0]] = item
        top.key = None


def _integer(data: bytes, pos: int) -> tuple[int, int]:
    end = data.find(b"e", pos + 1)
    if end < 0:
        raise BencodeError("unterminated integer", pos)
    text = data[pos + 1 : end]
    digits = text[1:] if text.startswith(b"-") else text
    if not digits or digits.strip(_DIGITS):
        raise BencodeError(f"malformed integer {text!r}", pos)
    if (digits.startswith(b"0") and len(digits) > 1) or text == b"-0":
        raise BencodeError(f"non-canonical integer {text!r}", pos)
    if len(digits) > _MAX_INT_DIGITS:
        raise BencodeError(f"integer of {len(digits)} digits", pos)
    return int(text), end + 1


def _string(data: bytes, pos: int) -> tuple[bytes, int]:
    colon = data.find(b":", pos)
    if colon < 0:
        raise BencodeError("string length without ':'", pos)
    length = data[pos:colon]
    if length.strip(_DIGITS):
        raise BencodeError(f"malformed string length {length!r}", pos)
    if length.startswith(b"0") and len(length) > 1:
        raise BencodeError(f"non-canonical string length {length!r}", pos)
    start = colon + 1
    if len(length) > len(str(len(data))) or start + int(length) > len(data):
        raise BencodeError(f"string of {length.decode()} bytes runs past the end", pos)
    end = start + int(length)
    return data[start:end], end
