"""The error answers routes declare in the OpenAPI document: `responses=errors(401, 403)`.

Every 4xx/5xx the app raises itself has the body `{"detail": "..."}` (`HTTPException`
and the handlers in `app.py`). A 422 is either FastAPI's list of field errors (the
request's shape) or, where the core refuses a configuration (`ConfigError`), one
message naming the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_MEANINGS = {
    401: "Not logged in, or wrong username or password",
    403: "The caller's role or agent may not use this route",
    404: "No such object",
    409: "Refused in the current state (named in the message)",
    422: "Invalid request: the fields named",
    503: "The server is stopping or could not store the change",
}


class ErrorBody(BaseModel):
    """What went wrong, for a person to read."""

    detail: str


class FieldError(BaseModel):
    """One invalid field, as FastAPI reports it."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidBody(BaseModel):
    """The invalid fields, or one message naming the field."""

    detail: list[FieldError] | str


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for the error `codes` a route answers with."""
    return {code: {"model": InvalidBody if code == 422 else ErrorBody,
                   "description": _MEANINGS[code]} for code in codes}
