"""Errors raised when the engine is misused (an API caller's mistake, not a peer's).

The server turns `UnknownQueue` / `UnknownAgent` / `UnknownInteraction` into 404 and
every other `RoutingError` (an action the current state does not allow) into 409; the
admin routes turn `UnknownReference` (a configuration naming no queue) into 422.
"""

from __future__ import annotations


class RoutingError(Exception):
    """The caller misused the engine (unknown id, action not allowed now)."""


class UnknownQueue(RoutingError):
    """No queue has this id."""


class UnknownReference(UnknownQueue):
    """A queue's or an agent's configuration names a queue that does not exist;
    `field` is where (`timeout_action`, `escalation[0].overflow_to`, `queues[1]`...)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownAgent(RoutingError):
    """No agent has this id."""


class UnknownInteraction(RoutingError):
    """No open interaction has this id."""
