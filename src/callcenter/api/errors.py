"""The error answers: their bodies, the 422 handlers, and what routes declare in the
OpenAPI document (`responses=errors(401, 403)`).

Every error body has `detail`, one message for a person to read. A 422 (an invalid
request) also lists each invalid field in `errors`, whatever refused it: FastAPI's
check of the request's shape (`RequestValidationError`), a value the core refuses
(`ConfigError`), or a route's own check (`InvalidField`):

    {"detail": "capacity[0].slots: Field required",
     "errors": [{"field": "capacity[0].slots", "message": "capacity[0].slots: Field required"}]}

`field` is a body field's path (`capacity[0].slots`), a query or path parameter's
name, `body` for the body as a whole, or null when a `ConfigError` names no single
field the API can tell, or the database refuses a value (`DataError`). Text a database
cannot store (NUL, lone surrogates) is refused before any route sees it, naming its
field (`BadText`, raised by `callcenter.api.edge`).

No error body carries SQL or a stack trace: a database that is unreachable, locked
or full answers 503, a stored row in the way 409, and anything unforeseen a JSON 500
`{"detail": "internal error", "error_id": "..."}` whose id is logged with the
exception (logger `callcenter.api`).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from callcenter.core.config import ConfigError

T = TypeVar("T")
log = logging.getLogger("callcenter.api")

_MEANINGS = {
    401: "Not logged in, or wrong username or password",
    403: "The caller's role or agent may not use this route",
    404: "No such object",
    409: "Refused in the current state (named in the message)",
    413: "The request body is larger than the route takes",
    422: "Invalid request: the fields named",
    429: "Too many failed logins: try again after Retry-After seconds",
    500: "Internal error (its `error_id` is in the server's log)",
    503: "The server is stopping or could not store the change",
}


class ErrorBody(BaseModel):
    """What went wrong, for a person to read."""

    detail: str


class FieldError(BaseModel):
    """One invalid field and what is wrong with it."""

    field: str | None = Field(description="A body field's path (`capacity[0].slots`), a "
                              "query or path parameter's name, `body` for the whole body; "
                              "null when the refusal names no single field")
    message: str = Field(description="What is wrong, naming the field")


class InvalidBody(BaseModel):
    """An invalid request: one message naming the fields, and each field's error."""

    detail: str
    errors: list[FieldError]


class InternalError(BaseModel):
    """Something unforeseen failed; the server's log has the details under `error_id`."""

    detail: str
    error_id: str


class InvalidField(ValueError):
    """A request value a route refuses (422), with the field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class BadText(HTTPException):
    """A request value holds text a database cannot store (422 naming `field`)."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: {why}")
        self.field = field


class BodyTooLarge(HTTPException):
    """The request body is larger than the route takes (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE,
                         f"the request body is larger than this route takes "
                         f"({limit} bytes)")
        self.limit = limit


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for the error `codes` a route answers with."""
    models = {422: InvalidBody, 500: InternalError}
    return {code: {"model": models.get(code, ErrorBody),
                   "description": _MEANINGS[code]} for code in codes}


def invalid(problems: Sequence[FieldError]) -> JSONResponse:
    """The 422 answer listing `problems`."""
    body = InvalidBody(detail="; ".join(p.message for p in problems), errors=list(problems))
    return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def field_path(loc: Sequence[str | int]) -> str:
    """`("body", "capacity", 0, "slots")` as `capacity[0].slots`; `("query", "limit")` as
    `limit`; `("body",)` as `body`."""
    where, *parts = loc
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or str(where)


def named_field(names: Iterable[str], build: Callable[[], T]) -> T:
    """`build()`, with a `ConfigError` turned into an `InvalidField` for the first of
    `names` its message mentions (a core message names the field; a plural name also
    matches its singular: `skills` for "a skill is listed twice")."""
    try:
        return build()
    except InvalidField:
        raise
    except ConfigError as exc:
        message = str(exc)
        for name in sorted(names, key=len, reverse=True):
            if re.search(rf"\b{re.escape(name)}\b|\b{re.escape(name.removesuffix('s'))}\b",
                         message):
                raise InvalidField(name, message) from None
        raise


async def _on_request_invalid(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = []
    for e in exc.errors():
        name = field_path(e["loc"])
        problems.append(FieldError(field=name, message=f"{name}: {e['msg']}"))
    return invalid(problems)


async def _on_field_invalid(_request: Request, exc: Exception) -> Response:
    return invalid([FieldError(field=getattr(exc, "field", None), message=str(exc))])


async def _on_bad_text(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadText)
    return invalid([FieldError(field=exc.field, message=str(exc.detail))])


def logged(exc: BaseException, what: str) -> str:
    """Log `exc` (with its stack) under a new error id; the id."""
    error_id = secrets.token_hex(6)
    log.error("%s (error id %s)", what, error_id, exc_info=exc)
    return error_id


async def _on_data_invalid(_request: Request, exc: Exception) -> Response:
    """A value the database refuses (its message, with the statement, is only logged)."""
    error_id = logged(exc, "the database refused a value")
    return invalid([FieldError(field=None, message=f"a value the database cannot store "
                               f"(error id {error_id})")])


async def _on_database_unavailable(_request: Request, exc: Exception) -> Response:
    """The database is unreachable, locked or full: try again later."""
    error_id = logged(exc, "the database did not answer")
    return JSONResponse({"detail": "the database is unavailable, busy or full: nothing was "
                                   "changed; try again later", "error_id": error_id},
                        status_code=status.HTTP_503_SERVICE_UNAVAILABLE)


async def _on_integrity(_request: Request, exc: Exception) -> Response:
    """A stored row is in the way (a change made at the same time)."""
    error_id = logged(exc, "the database refused a change")
    return JSONResponse({"detail": "the change conflicts with stored data (changed at the "
                                   "same time?): nothing was changed", "error_id": error_id},
                        status_code=status.HTTP_409_CONFLICT)


async def _on_internal(_request: Request, exc: Exception) -> Response:
    """Anything unforeseen: a JSON 500 without its details, which are logged."""
    body = InternalError(detail="internal error", error_id=logged(exc, "internal error"))
    return JSONResponse(body.model_dump(), status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _declare_invalid(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every 422 answer an `InvalidBody` (FastAPI declares its own list
    on each route that takes input)."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    invalid_schema = InvalidBody.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(invalid_schema.pop("$defs", {}))
    schemas["InvalidBody"] = invalid_schema
    answer = {"description": _MEANINGS[422], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/InvalidBody"}}}}
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if "422" in operation.get("responses", {}):
                operation["responses"]["422"] = answer
    return document


def one_invalid_shape(app: FastAPI) -> None:
    """Answer every 422 of `app` as an `InvalidBody`, and say so in its OpenAPI document;
    database errors and anything unforeseen as JSON without SQL or a stack."""
    app.add_exception_handler(RequestValidationError, _on_request_invalid)
    app.add_exception_handler(ConfigError, _on_field_invalid)
    app.add_exception_handler(InvalidField, _on_field_invalid)
    app.add_exception_handler(BadText, _on_bad_text)
    app.add_exception_handler(DataError, _on_data_invalid)
    app.add_exception_handler(OperationalError, _on_database_unavailable)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(Exception, _on_internal)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _declare_invalid(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
