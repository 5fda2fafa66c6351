"""Schemathesis over `/openapi.json`: no 5xx, and every response is one the schema describes.

Each operation of the schema is fuzzed with a few deterministic examples as an agent,
a supervisor and an admin (bearer tokens) and without credentials, on one app per
database: a SQLite file and a schema on PostgreSQL (skipped when no server answers).
Cases go through the harness's `httpx` client (not schemathesis' ASGI transport,
which uses Starlette's deprecated `TestClient`); schemathesis then checks the
response: `not_a_server_error`, status code documented, content type and body
matching the declared schema.

To keep the file within its time budget: tokens are opened on the app's `Sessions`
directly and password hashes use argon2's cheapest parameters (an argon2 login per
operation and role, or a full-cost hash per created user, would cost most of the
budget; `test_auth.py` tests logins); `POST /api/login` is fuzzed without
credentials only (it takes none); the admin gets the most examples, as its requests
reach every route's body, while the others' are mostly refused by the role check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import URL

from callcenter.api import ServerSettings, create_app
from callcenter.api.auth import Role
from callcenter.store import users
from tests.api.conftest import Harness, start
from tests.postgres import scratch_schema

EXAMPLES = {"admin": 10, "supervisor": 4, "agent": 4, "anonymous": 2}
LOGINS = {"admin": ("root", Role.ADMIN, None), "supervisor": ("sup", Role.SUPERVISOR, None),
          "agent": ("early-1", Role.AGENT, "early-1")}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _schema() -> dict[str, Any]:
    """The app's OpenAPI document (building the app starts nothing)."""
    document: dict[str, Any] = create_app(ServerSettings(database_url="sqlite://")).openapi()
    return document


OPERATIONS = [(method.upper(), path) for path, item in _schema()["paths"].items()
              for method in item]
CASES = [(method, path, who) for method, path in OPERATIONS for who in EXAMPLES
         if who == "anonymous" or path != "/api/login"]


@pytest.fixture(scope="module")
def cheap_hashes() -> Iterator[None]:
    """argon2's cheapest parameters for the passwords set while this module runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                        parallelism=1))
        yield


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           cheap_hashes: None) -> Iterator[tuple[Harness, schemathesis.BaseSchema]]:
    """An app on each database and its schema as served at `/openapi.json`."""
    if request.param == "sqlite":
        harnesses = start(f"sqlite:///{tmp_path_factory.mktemp('schema') / 'api.db'}")
    else:
        base = request.getfixturevalue("postgres_database")
        harnesses = _on_postgres(base)
    for harness in harnesses:
        r = harness.get("/openapi.json")
        assert r.status_code == 200, r.text
        yield harness, schemathesis.openapi.from_dict(r.json())


def _on_postgres(base: URL) -> Iterator[Harness]:
    with scratch_schema(base, "schema") as url:
        yield from start(url.render_as_string(hide_password=False))


def _fuzz(harness: Harness, schema: schemathesis.BaseSchema, method: str, path: str,
          headers: dict[str, str], examples: int) -> None:
    operation = schema[path][method]

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
        body = {key: kwargs[key] for key in ("json", "data") if key in kwargs}
        if "data" in body:
            body["content"] = body.pop("data")
        response = harness.request(kwargs["method"], kwargs["url"], params=kwargs["params"],
                                   headers=kwargs["headers"], **body)
        case.validate_response(response, checks=CHECKS, headers=kwargs["headers"])

    run()


@pytest.mark.parametrize(("method", "path", "who"), CASES)
def test_requests_conform(fuzzed: tuple[Harness, schemathesis.BaseSchema], method: str,
                          path: str, who: str) -> None:
    """Generated requests to the operation, as `who`, get no 5xx and only documented
    answers."""
    harness, schema = fuzzed
    headers = {}
    if who in LOGINS:  # a token per operation: the logout operation ends its own
        token = harness.portal.call(harness.server.logins.open, *LOGINS[who])
        headers = {"Authorization": f"Bearer {token}"}
    _fuzz(harness, schema, method, path, headers, EXAMPLES[who])
