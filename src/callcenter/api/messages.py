"""The JSON messages of `/api/ws`: one object per engine command, encoded once.

`message(command)` is `{"type": <class name>, ...its fields}` (nested records as
objects, enums as their values). `MessageTexts.text(command)` is its JSON text as
`WebSocket.send_json` writes it, encoded on the first request and then given to
every other socket that sends the same command (a supervisor's and the agent's).
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from enum import Enum
from functools import cache
from typing import Any

from callcenter.core.commands import Command


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


def message(command: Command) -> dict[str, Any]:
    """The JSON object sent for `command`: `{"type": <class name>, ...its fields}`."""
    fields_: dict[str, Any] = _plain(command)
    return {"type": type(command).__name__, **fields_}


class MessageTexts:
    """The JSON text of the latest `size` commands, each encoded once.

    Keyed by the command object itself (its `id`, with the object held so that the id
    cannot be reused while it is remembered); the oldest is forgotten first.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._texts: dict[int, tuple[Command, str]] = {}

    def text(self, command: Command) -> str:
        """`message(command)` as compact JSON text (as `WebSocket.send_json` writes it)."""
        found = self._texts.get(id(command))
        if found is not None and found[0] is command:
            return found[1]
        text = json.dumps(message(command), separators=(",", ":"), ensure_ascii=False)
        self._texts[id(command)] = (command, text)
        if len(self._texts) > self._size:
            del self._texts[next(iter(self._texts))]
        return text
