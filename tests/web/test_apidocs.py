"""`/docs` and `/redoc` over HTTP: pages that load only the vendored copies shipped in the
package (nothing from a CDN), and those copies served unchanged."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest

from callcenter.web.apidocs import VENDOR
from tests.api.conftest import Harness, start


@pytest.fixture(scope="module")
def h(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One started app on a SQLite file for the module."""
    yield from start(f"sqlite:///{tmp_path_factory.mktemp('docs') / 'docs.db'}")


def recorded_hashes() -> dict[str, str]:
    """The SHA-256 of each vendored file as recorded in the folder's README."""
    text = (VENDOR / "README.md").read_text()
    return {name: digest for digest, name in re.findall(r"^\s+([0-9a-f]{64})\s+(\S+)$", text,
                                                         re.MULTILINE)}


@pytest.mark.parametrize(("path", "assets"), [
    ("/docs", {"/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css",
               "/static/icon.svg"}),
    ("/redoc", {"/static/vendor/redoc.standalone.js", "/static/icon.svg"}),
])
def test_the_pages_load_only_assets_of_the_server(h: Harness, path: str,
                                                  assets: set[str]) -> None:
    """Each page is HTML whose scripts, styles and icon are the server's own, with a
    policy that lets the browser fetch nothing from elsewhere."""
    r = h.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    loaded = set(re.findall(r'(?:src|href)="([^"]+)"', r.text)) - {"/openapi.json"}
    assert loaded == assets
    assert "//" not in r.text.replace("http://www.w3.org", "")  # no absolute URL at all
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert '"validatorUrl": null' in r.text or path == "/redoc"


def test_the_vendored_files_are_served_unchanged(h: Harness) -> None:
    """Every vendored script and style sheet is shipped (package data) and served with
    its type, byte for byte the release recorded in the README."""
    hashes = recorded_hashes()
    assert set(hashes) == {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js",
                           "chart.umd.min.js"}
    for name, digest in hashes.items():
        r = h.get(f"/static/vendor/{name}")
        assert r.status_code == 200, name
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        assert r.headers["content-type"] == f"{kind}; charset=utf-8"
        assert hashlib.sha256(r.content).hexdigest() == digest, name


@pytest.mark.parametrize("name", ["README.md", "redoc.LICENSE.txt", "nothing.js", ".hidden.js",
                                  "..%2F..%2Fapi%2Fapp.py"])
def test_only_vendored_scripts_and_styles_are_served(h: Harness, name: str) -> None:
    """Other files in the folder, unknown names and paths out of it answer 404."""
    assert h.get(f"/static/vendor/{name}").status_code == 404
