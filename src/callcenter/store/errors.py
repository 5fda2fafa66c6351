"""Store errors: what the API turns into 404 and 409 (validation stays `ConfigError`)."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation was refused; the message names the entity and the field."""


class NotFound(StoreError):
    """No row has this id (the API answers 404)."""


class Conflict(StoreError):
    """The change conflicts with stored rows, e.g. deleting a queue in use (409)."""
