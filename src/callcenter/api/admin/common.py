"""What every admin route module shares: the `Admin` dependency, one transaction per
change (`in_transaction`) with its audit row (`record`), and small field helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Response, status
from pydantic import Field
from sqlalchemy.orm import Session

from callcenter.api.auth import Principal, Role
from callcenter.api.deps import Authorize
from callcenter.api.errors import InvalidField
from callcenter.api.state import Server
from callcenter.core.config import ConfigError
from callcenter.store.audit import audit

T = TypeVar("T")
Admin = Annotated[Principal, Depends(Authorize({Role.ADMIN}))]
Name = Field(min_length=1, max_length=100)
NO_CONTENT: dict[str, Any] = {"status_code": status.HTTP_204_NO_CONTENT,
                              "response_class": Response}


def _run(server: Server, work: Callable[[Session], T]) -> T:
    with server.sessions.begin() as session:
        return work(session)


async def in_transaction(server: Server, work: Callable[[Session], T]) -> T:
    """Run `work(session)` in one committed transaction, in a worker thread."""
    return await asyncio.to_thread(_run, server, work)


def record(session: Session, user: Principal, action: str, entity: str, entity_id: str,
           before: object = None, after: object = None) -> None:
    """The audit row of one admin change (in the change's transaction)."""
    audit(session, actor=user.username, action=action, entity=entity, entity_id=entity_id,
          before=before, after=after)


def core_field(name: str, build: Callable[..., T], *args: Any) -> T:
    """`build(*args)`, with a `ConfigError` turned into an `InvalidField` for `name`."""
    try:
        return build(*args)
    except ConfigError as exc:
        raise InvalidField(name, f"{name}: {exc}") from None
