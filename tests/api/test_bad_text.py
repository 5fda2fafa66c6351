"""Every route of the app, swept with text a database cannot store (a NUL, a lone
surrogate) in each of its string inputs, as an admin, on SQLite and PostgreSQL: a 422
naming the field, and nothing stored nor applied.

The inputs come from the app itself, so a new route is swept without a line here: the
routes (`iter_route_contexts`: path parameters of every route, web pages and the
WebSocket included, and a query parameter of its own), and the OpenAPI document (each
declared query parameter, and each string leaf of each JSON body, found by walking its
schema). The CSV imports are swept with a bad cell, a bad plain multipart field and a
bad file part.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import Engine, MetaData, select

from callcenter.api import ServerSettings, create_app
from callcenter.api.errors import field_path
from tests.api.conftest import Harness, start
from tests.postgres import scratch_database, scratch_schema

ADMIN = "root"
JSON_BAD = {"nul": "a\u0000b", "surrogate": "a\ud800b"}
URL_BAD = {"nul": "a%00b", "surrogate": "a%ED%A0%80b"}
APP = create_app(ServerSettings(database_url="sqlite://"))
DOCUMENT = APP.openapi()
PARAM = re.compile(r"{(\w+)(?::\w+)?}")


def _fill(path: str, bad: str | None = None, where: str | None = None) -> str:
    """`path` with each `{param}` filled: `bad` for the one named `where`, else `x1`."""
    return PARAM.sub(lambda m: bad if bad is not None and m.group(1) == where else "x1", path)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def string_leaves(schema: dict[str, Any], depth: int = 0) -> Iterator[tuple[str | int, ...]]:
    """The path of each place a string may go in a document of `schema`."""
    schema = _resolve(schema)
    if depth > 6:
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            yield from string_leaves(branch, depth + 1)
    if schema.get("type") == "string" or isinstance(schema.get("const"), str) or any(
            isinstance(v, str) for v in schema.get("enum", [])):
        yield ()
    for name, sub in schema.get("properties", {}).items():
        for rest in string_leaves(sub, depth + 1):
            yield (name, *rest)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for rest in string_leaves(extra, depth + 1):
            yield ("k", *rest)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        for rest in string_leaves(schema["items"], depth + 1):
            yield (0, *rest)


def _nest(parts: tuple[str | int, ...], value: Any) -> Any:
    for part in reversed(parts):
        value = [value] if isinstance(part, int) else {part: value}
    return value


def _cases() -> Iterator[Any]:
    """(method, url, request options, the field the 422 must name) for every input."""
    for route in iter_route_contexts(APP.routes):
        path = route.path or ""
        methods = sorted((route.methods or {"GET"}) - {"HEAD"})
        method = methods[0] if methods else "GET"  # a WebSocket: its handshake's GET
        for name in PARAM.findall(path):
            for kind, bad in URL_BAD.items():
                yield pytest.param(method, _fill(path, bad, name), {}, name,
                                   id=f"{method} {path} path:{name} {kind}")
        for kind, bad in URL_BAD.items():
            yield pytest.param(method, f"{_fill(path)}?probe={bad}", {}, "probe",
                               id=f"{method} {path} query:probe {kind}")
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            method = method.upper()
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                name = parameter["name"]
                for kind, bad in URL_BAD.items():
                    yield pytest.param(method, f"{_fill(path)}?{name}={bad}", {}, name,
                                       id=f"{method} {path} query:{name} {kind}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            leaves = sorted(set(string_leaves(body["schema"])), key=str)
            for parts in leaves:
                name = field_path(("body", *parts))
                for kind, bad in JSON_BAD.items():
                    yield pytest.param(method, _fill(path), _json(_nest(parts, bad)), name,
                                       id=f"{method} {path} body:{name} {kind}")
            for kind, bad in JSON_BAD.items():
                yield pytest.param(method, _fill(path), _json({bad: "x"}), "body",
                                   id=f"{method} {path} body:key {kind}")


def _json(document: Any) -> dict[str, Any]:
    """Request options sending `document` as JSON (escaped: a lone surrogate has no UTF-8)."""
    return {"content": json.dumps(document).encode("ascii"),
            "headers": {"Content-Type": "application/json"}}


def _form_field(name: str, value: str) -> dict[str, Any]:
    """Request options: a multipart body with a plain field (its value's bytes as UTF-8
    would write them, surrogates too) and a good CSV file."""
    boundary = "sweepboundary"
    content = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
               .encode() + value.encode("utf-8", "surrogatepass") +
               f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
               f'filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nname,number\r\nA,\r\n'
               f"--{boundary}--\r\n".encode())
    return {"content": content,
            "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}


UPLOADS = ["/api/admin/customers/import", "/api/campaigns/sweep/leads"]


def _upload_cases() -> Iterator[Any]:
    for url in UPLOADS:
        for kind, bad in JSON_BAD.items():
            yield pytest.param(url, _form_field("note", bad), "note",
                               id=f"{url} multipart field {kind}")
        yield pytest.param(url, {"files": {"file": ("a.csv", b"na\x00me,number\nA,\n")}},
                           "body", id=f"{url} multipart file nul")
        yield pytest.param(url, {"content": b"name,number\nA,\xed\xa0\x80\n",
                                 "headers": {"Content-Type": "text/csv"}},
                           "body", id=f"{url} csv surrogate")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def swept(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One app per database for the whole sweep, with a campaign to import into."""
    if request.param == "sqlite":
        urls = iter([f"sqlite:///{tmp_path_factory.mktemp('sweep') / 'api.db'}"])
        yield from _started(next(urls))
        return
    with scratch_database("callcenter_sweep") as base, scratch_schema(base, "sweep") as url:
        yield from _started(url.render_as_string(hide_password=False))


def _started(url: str) -> Iterator[Harness]:
    for harness in start(url):
        r = harness.post("/api/campaigns", json={"name": "sweep", "caller_id": "+4930123456"},
                         headers=harness.auth(ADMIN))
        assert r.status_code == 201, r.text
        yield harness


@functools.cache
def _tables(database: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(database)
    return metadata


def stored(h: Harness) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    metadata = _tables(h.server.database)
    with h.server.database.connect() as connection:
        return {name: sorted((tuple(map(repr, row)) for row in connection.execute(
                    select(table))), key=repr)
                for name, table in metadata.tables.items()}


def _assert_refused(h: Harness, method: str, url: str, options: dict[str, Any],
                    field: str) -> None:
    before, events = stored(h), h.server.runtime.driver.stats.events
    headers = {**options.pop("headers", {}), **h.auth(ADMIN)}
    r = h.request(method, url, headers=headers, **options)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field], r.text
    assert h.server.runtime.driver.stats.events == events  # the engine saw nothing
    assert stored(h) == before


@pytest.mark.parametrize(("method", "url", "options", "field"), list(_cases()))
def test_bad_text_is_refused_naming_the_field(swept: Harness, method: str, url: str,
                                              options: dict[str, Any], field: str) -> None:
    """A NUL or a lone surrogate in any input of any route is 422 naming it; nothing
    stored, nothing applied."""
    _assert_refused(swept, method, url, dict(options), field)


@pytest.mark.parametrize(("url", "options", "field"), list(_upload_cases()))
def test_bad_text_in_an_upload_is_refused(swept: Harness, url: str, options: dict[str, Any],
                                          field: str) -> None:
    """A CSV import with bad text in a form field, its file part or its CSV body is 422;
    nothing stored."""
    _assert_refused(swept, "POST", url, dict(options), field)
