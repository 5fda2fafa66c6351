"""What every admin route module shares: the `Admin` dependency, one transaction per
change (`in_transaction`) with its audit row (`record`), the CSV of an import request
(`csv_text`), and small field helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
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


def csv_text(body: bytes, content_type: str, what: str) -> str:
    """The CSV `what` (`lead list`) from a raw body or from the `file` part of a
    multipart body; `InvalidField` if there is none, it is empty or not UTF-8."""
    if content_type.lower().startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        for part in message.iter_parts() if message.is_multipart() else ():
            if part.get_param("name", header="content-disposition") == "file":
                payload = part.get_payload(decode=True)
                body = payload if isinstance(payload, bytes) else b""
                break
        else:
            raise InvalidField("file", "file: the multipart body has no 'file' part")
    if not body.strip():
        raise InvalidField("body", f"body: the CSV {what} is empty")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidField("body", f"body: not UTF-8 text: {exc}") from None
