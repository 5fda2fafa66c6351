"""The streaming multipart reader: the same parts whatever the chunks, and clear errors."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.api.multipart import MultipartError, MultipartParser, Part, PartEnd, boundary_of

BOUNDARY = b"b0undary"


def body(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart body of (name, filename, data) parts."""
    out = b"preamble\r\n"
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename else "")
        out += b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition.encode()
        out += b"\r\n" + (b"Content-Type: text/csv\r\n" if filename else b"") + b"\r\n"
        out += data + b"\r\n"
    return out + b"--" + BOUNDARY + b"--\r\nepilogue"


def read(data: bytes, cuts: list[int]) -> list[tuple[str | None, str | None, bytes]]:
    """The (name, filename, data) parts of `data` fed in pieces cut at `cuts`."""
    parser = MultipartParser(BOUNDARY)
    parts: list[tuple[str | None, str | None, bytes]] = []
    current: list[bytes] = []
    head: Part | None = None
    edges = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    for start, end in itertools.pairwise(edges):
        for event in parser.feed(data[start:end]):
            if isinstance(event, Part):
                head, current = event, []
            elif isinstance(event, PartEnd):
                assert head is not None
                parts.append((head.name, head.filename, b"".join(current)))
            else:
                current.append(event)
    parser.close()
    return parts


PARTS = st.lists(st.tuples(st.sampled_from(["file", "note", "x"]),
                           st.none() | st.just("a.csv"),
                           st.binary(max_size=200) | st.just(b"\r\n--b0undar")), max_size=4)


@given(PARTS, st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_parts_are_the_same_whatever_the_chunks(
        parts: list[tuple[str, str | None, bytes]], cuts: list[int]) -> None:
    """Fed in any pieces, the reader gives back every part's name, file name and data."""
    assert read(body(parts), cuts) == parts


def test_a_body_cut_short_is_an_error() -> None:
    """A body that ends inside a part is a `MultipartError`."""
    parser = MultipartParser(BOUNDARY)
    list(parser.feed(body([("file", "a.csv", b"x")])[:-30]))
    with pytest.raises(MultipartError, match="before its closing delimiter"):
        parser.close()


def test_the_boundary_comes_from_the_content_type() -> None:
    """`boundary_of` reads the parameter, quoted or not, and refuses its absence."""
    assert boundary_of('multipart/form-data; boundary="ab c"') == b"ab c"
    with pytest.raises(MultipartError, match="no usable boundary"):
        boundary_of("multipart/form-data")
