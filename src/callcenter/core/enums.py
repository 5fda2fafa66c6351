"""The base of the core's string enums."""

from __future__ import annotations

import enum


class StrEnum(enum.StrEnum):
    """A string enum hashed like its value.

    A member equals its plain string (`AgentState.BUSY == "busy"`), but
    `enum.Enum.__hash__` hashes the member's *name*, so a dict keyed by the plain
    strings would not find the member. Hashing the value keeps `==` and `hash`
    consistent (and runs in C).
    """

    __hash__ = str.__hash__
