"""Schemathesis over `/openapi.json`: no 5xx, and every response is one the schema describes.

Each operation of the schema is fuzzed with a few deterministic examples, once as
an admin (bearer token) and once without credentials, on one app for the module.
Cases go through the harness's `httpx` client (not schemathesis' ASGI transport,
which uses Starlette's deprecated `TestClient`); schemathesis then checks the
response: `not_a_server_error`, status code documented, content type and body
matching the declared schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from callcenter.api import ServerSettings, create_app
from tests.api.conftest import Harness

EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _schema() -> dict[str, Any]:
    """The app's OpenAPI document (building the app starts nothing)."""
    document: dict[str, Any] = create_app(ServerSettings(database_url="sqlite://")).openapi()
    return document


OPERATIONS = [(method.upper(), path) for path, item in _schema()["paths"].items()
              for method in item]


@pytest.fixture(scope="module")
def fuzzed(shared: Harness) -> Iterator[tuple[Harness, schemathesis.BaseSchema]]:
    """The module's app and its schema as served at `/openapi.json`."""
    r = shared.get("/openapi.json")
    assert r.status_code == 200, r.text
    yield shared, schemathesis.openapi.from_dict(r.json())


def _fuzz(harness: Harness, schema: schemathesis.BaseSchema, method: str, path: str,
          headers: dict[str, str]) -> None:
    operation = schema[path][method]

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
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


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_admin_requests_conform(fuzzed: tuple[Harness, schemathesis.BaseSchema],
                                method: str, path: str) -> None:
    """An admin's generated requests to the operation get no 5xx and only documented answers."""
    harness, schema = fuzzed
    token = harness.token("root")  # a login per operation: the logout operation ends its own
    _fuzz(harness, schema, method, path, {"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_requests_conform(fuzzed: tuple[Harness, schemathesis.BaseSchema],
                                    method: str, path: str) -> None:
    """Requests without credentials to the operation get no 5xx and only documented answers."""
    harness, schema = fuzzed
    _fuzz(harness, schema, method, path, {})
