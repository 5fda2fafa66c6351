"""Text a database cannot store: the one check every input goes through at the edge.

PostgreSQL holds no NUL character (U+0000) in a text, and no database stores a lone
surrogate (U+D800 to U+DFFF: half of a UTF-16 pair, not a character; UTF-8 cannot
encode it). The API refuses both (`callcenter.api.edge`), and so do the CSV imports
(`callcenter.csv_import`), naming where they were found:

    unstorable("lunch\\x00")      # 'contains a NUL character (U+0000), which cannot be stored'
    unstorable_bytes(b"\\xed\\xa0\\x80")   # 'is not UTF-8 text (byte 0xed at offset 0)'
"""

from __future__ import annotations

import re

_BAD = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored (NUL, a lone surrogate), or None when it can."""
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored"
    return f"contains a lone surrogate (U+{ord(char):04X}), which is not a character"


def unstorable_bytes(data: bytes) -> str | None:
    """Why `data`, meant as UTF-8 text, cannot be stored (a NUL byte, bytes that are not
    UTF-8, an encoded surrogate), or None when it can."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
    return unstorable(text)
