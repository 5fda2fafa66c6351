"""Errors raised when the engine is misused (an API caller's mistake, not a peer's).

The server turns `UnknownQueue` / `UnknownAgent` / `UnknownInteraction` into 404 and
every other `RoutingError` (an action the current state does not allow) into 409.
"""

from __future__ import annotations


class RoutingError(Exception):
    """The caller misused the engine (unknown id, action not allowed now)."""


class UnknownQueue(RoutingError):
    """No queue has this id."""


class UnknownAgent(RoutingError):
    """No agent has this id."""


class UnknownInteraction(RoutingError):
    """No open interaction has this id."""
