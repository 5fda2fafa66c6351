"""A CSV upload, streamed to a spool file as it arrives (the CSV imports' bodies).

    with await spool_csv(request, "lead list") as file:    # a binary file at offset 0
        for line in utf8_lines(file): ...

The body is `text/csv` (or any type but multipart), or the `file` part of a
`multipart/form-data` body. It is never held whole in memory: the first MiB stays in
memory, the rest goes to a temporary file, and the edge (`callcenter.api.edge`) stops
it with 413 once it passes the server's `max_upload`.
"""

from __future__ import annotations

import tempfile
from typing import IO

from fastapi import Request

from callcenter.api.errors import InvalidField
from callcenter.api.multipart import MultipartError, MultipartParser, Part, PartEnd, boundary_of

IN_MEMORY = 1024 * 1024
"""Bytes of an upload kept in memory before it spills to a temporary file."""


async def spool_csv(request: Request, what: str) -> IO[bytes]:
    """The CSV `what` (`lead list`) of the request, spooled; `InvalidField` when a
    multipart body has no `file` part or is malformed, or the CSV is empty."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
    try:
        content_type = request.headers.get("content-type", "")
        if content_type.lower().startswith("multipart/form-data"):
            await _file_part(request, content_type, spool)
        else:
            async for chunk in request.stream():
                spool.write(chunk)
        if spool.tell() == 0 or _blank(spool):
            raise InvalidField("body", f"body: the CSV {what} is empty")
        spool.seek(0)
        return spool
    except BaseException:
        spool.close()
        raise


async def _file_part(request: Request, content_type: str, spool: IO[bytes]) -> None:
    try:
        parser = MultipartParser(boundary_of(content_type))
        found = inside = False
        async for chunk in request.stream():
            for event in parser.feed(chunk):
                if isinstance(event, Part):
                    inside = event.name == "file" and not found
                    found = found or inside
                elif isinstance(event, PartEnd):
                    inside = False
                elif inside:
                    spool.write(event)
        parser.close()
    except MultipartError as exc:
        raise InvalidField("body", f"body: {exc}") from None
    if not found:
        raise InvalidField("file", "file: the multipart body has no 'file' part")


def _blank(spool: IO[bytes]) -> bool:
    """Whether the spooled bytes are only white space (read in pieces)."""
    spool.seek(0)
    while piece := spool.read(64 * 1024):
        if piece.strip():
            return False
    return True
