"""A streaming reader of `multipart/form-data` bodies: fed the bytes as they arrive,
it tells each part's start (its headers), its data and its end, holding no more than
one header block and a delimiter's length of data.

    parser = MultipartParser(boundary_of(content_type))
    for chunk in body_chunks:
        for event in parser.feed(chunk):
            ...   # Part(name, filename, content_type) | bytes | PartEnd
    parser.close()   # MultipartError when the body ended inside a part

Used by the edge (`callcenter.api.edge`: the fields of every multipart body checked
for text a database cannot store) and by the CSV import routes (the `file` part
spooled as it arrives).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

MAX_HEADERS = 16 * 1024
"""The most bytes a part's header block may take."""


class MultipartError(ValueError):
    """The body is not the multipart body its Content-Type announces."""


@dataclass(frozen=True, slots=True)
class Part:
    """A part begins: its form field name, file name (None for a plain field) and
    Content-Type (None when it has none)."""

    name: str | None
    filename: str | None
    content_type: str | None
    header_text: str

    @property
    def is_file(self) -> bool:
        """A file (a file name or a Content-Type of its own), not a plain form field."""
        return self.filename is not None or self.content_type is not None


@dataclass(frozen=True, slots=True)
class PartEnd:
    """The current part has ended."""


def boundary_of(content_type: str) -> bytes:
    """The boundary of a `multipart/form-data; boundary=...` Content-Type."""
    message = Message()
    message["content-type"] = content_type
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary or len(boundary) > 200:
        raise MultipartError("the multipart Content-Type has no usable boundary")
    return boundary.encode("latin-1")


def _part(block: bytes) -> Part:
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        raise MultipartError("a part's headers are not UTF-8 text") from None
    message = Message()
    for line in text.split("\r\n"):
        name, colon, value = line.partition(":")
        if not colon:
            raise MultipartError(f"a part's header line has no colon: {line[:60]!r}")
        message[name.strip()] = value.strip()
    field = message.get_param("name", header="content-disposition")
    filename = message.get_param("filename", header="content-disposition")
    return Part(field if isinstance(field, str) else None,
                filename if isinstance(filename, str) else None,
                message.get("content-type"), text)


class MultipartParser:
    """Events of a multipart body fed in chunks of any size."""

    def __init__(self, boundary: bytes) -> None:
        self._delimiter = b"\r\n--" + boundary
        self._buffer = b"\r\n"  # the first delimiter starts the body, without its CRLF
        self._state = "preamble"

    def feed(self, data: bytes) -> Iterator[Part | bytes | PartEnd]:
        """The events the bytes `data` complete."""
        self._buffer += data
        while True:
            if self._state == "preamble":
                at = self._buffer.find(self._delimiter)
                if at < 0:
                    self._buffer = self._buffer[-len(self._delimiter):]
                    return
                self._buffer = self._buffer[at + len(self._delimiter):]
                self._state = "delimiter"
            if self._state == "delimiter":
                if len(self._buffer) < 2:
                    return
                if self._buffer.startswith(b"--"):
                    self._state, self._buffer = "end", b""
                    return
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    if len(self._buffer) > 100:
                        raise MultipartError("a delimiter line does not end")
                    return
                if self._buffer[:end].strip(b" \t"):
                    raise MultipartError("text after a delimiter")
                self._buffer = self._buffer[end + 2:]
                self._state = "headers"
            if self._state == "headers":
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buffer) > MAX_HEADERS:
                        raise MultipartError(f"a part's headers are over {MAX_HEADERS} bytes")
                    return
                yield _part(self._buffer[:end])
                self._buffer = self._buffer[end + 4:]
                self._state = "data"
            if self._state == "data":
                at = self._buffer.find(self._delimiter)
                if at < 0:
                    keep = len(self._delimiter) - 1
                    if len(self._buffer) > keep:
                        yield self._buffer[:-keep]
                        self._buffer = self._buffer[-keep:]
                    return
                if at:
                    yield self._buffer[:at]
                yield PartEnd()
                self._buffer = self._buffer[at + len(self._delimiter):]
                self._state = "delimiter"
            if self._state == "end":
                self._buffer = b""  # the epilogue is ignored
                return

    def close(self) -> None:
        """The body has ended: `MultipartError` unless its closing delimiter was read."""
        if self._state != "end":
            raise MultipartError("the multipart body ends before its closing delimiter")
