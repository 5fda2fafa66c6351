"""The API reference names every route the app serves."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from callcenter.api import ServerSettings, create_app

DOC = Path(__file__).parents[2] / "docs" / "reference" / "api.md"


def test_every_route_is_documented() -> None:
    """Each method and path of the app appears in docs/reference/api.md."""
    text = DOC.read_text()
    app = create_app(ServerSettings())
    routes = [(m, r.path) for r in app.routes if isinstance(r, APIRoute) for m in r.methods or ()]
    missing = [f"{m} {p}" for m, p in routes if f"{m} {p}" not in text]
    assert routes and not missing


def test_every_setting_is_documented() -> None:
    """Each field of ServerSettings has a row in the reference."""
    text = DOC.read_text()
    assert [f for f in ServerSettings.model_fields if f"`{f}`" not in text] == []


def test_openapi_component_names_are_plain_class_names() -> None:
    """Every schema has a name of its own: two models sharing a class name would appear
    under module-derived names (`callcenter__api__...`) in the OpenAPI document."""
    app = create_app(ServerSettings(database_url="sqlite://"))
    names = list(app.openapi()["components"]["schemas"])
    assert [n for n in names if "__" in n] == []
