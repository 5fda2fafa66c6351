"""One shape for every 422, whichever check refused the request, and the OpenAPI
document saying so."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callcenter.api import ServerSettings, create_app
from callcenter.api.errors import InvalidBody
from tests.api.conftest import Harness

ADMIN = "root"


def post(h: Harness, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST `body` to `path` as the admin."""
    return h.post(path, json=body, headers=h.auth(ADMIN))


def fields(r: httpx.Response) -> list[str | None]:
    """The fields a 422 names, after checking it has exactly the documented shape."""
    assert r.status_code == 422, r.text
    body = r.json()
    assert set(body) == {"detail", "errors"}
    return [e.field for e in InvalidBody.model_validate(body).errors]


def test_a_malformed_body_names_the_fields_path(shared: Harness) -> None:
    """FastAPI's shape check answers `detail` and `errors` with the field's path."""
    r = post(shared, "/api/admin/agents", {"id": "e-a", "capacity": [{"channel": "voice"}]})
    assert fields(r) == ["capacity[0].slots"]


def test_a_bad_query_parameter_is_named(shared: Harness) -> None:
    """A query parameter out of range is named by its name."""
    r = shared.get("/api/interactions", params={"limit": 0}, headers=shared.auth(ADMIN))
    assert fields(r) == ["limit"]


def test_a_core_refusal_has_the_same_shape(shared: Harness) -> None:
    """A value the core's `ConfigError` refuses answers the same shape, naming the field."""
    r = post(shared, "/api/admin/queues", {"id": "e-q", "wrap_up": -1})
    assert fields(r) == ["wrap_up"]


def test_the_message_names_the_field(shared: Harness) -> None:
    """`detail` is one message for a person, naming the field."""
    r = post(shared, "/api/admin/queues", {"id": "e-q2", "offer_timeout": 0})
    assert "offer_timeout" in r.json()["detail"]


def test_a_nested_core_refusal_names_the_item(shared: Harness) -> None:
    """A refused list item is named with its index."""
    r = post(shared, "/api/admin/calendars", {"id": "e-c", "hours": [
        {"weekday": 0, "opens": "10:00:00", "closes": "09:00:00"}]})
    assert fields(r) == ["hours[0]"]


def test_a_route_check_has_the_same_shape(shared: Harness) -> None:
    """A route's own check (an exit to an unknown queue) answers the same shape."""
    r = post(shared, "/api/admin/queues",
             {"id": "e-q3", "timeout_action": {"kind": "queue", "queue_id": "nowhere"}})
    assert fields(r) == ["timeout_action"]


def test_a_store_refusal_names_the_list_item(shared: Harness) -> None:
    """A team naming an unknown agent is 422 on that item of `agents`."""
    r = post(shared, "/api/admin/teams", {"name": "e-t", "agents": ["nobody"]})
    assert fields(r) == ["agents[0]"]


def test_every_422_in_the_schema_is_the_one_shape() -> None:
    """The OpenAPI document declares each 422 as `InvalidBody`, and never FastAPI's list."""
    document = create_app(ServerSettings(database_url="sqlite://")).openapi()
    refs = {op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            for item in document["paths"].values() for op in item.values()
            if "422" in op["responses"]}
    assert refs == {"#/components/schemas/InvalidBody"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_value_the_database_cannot_store_is_422(harness: Harness) -> None:
    """A NUL character, which PostgreSQL cannot store in a text, is a 422 naming the field,
    not a 500."""
    r = post(harness, "/api/admin/skills", {"id": "nul\u0000"})
    assert fields(r) == ["id"]
