"""Logins: password check, token and cookie, logout."""

from __future__ import annotations

from callcenter.api.auth import COOKIE_NAME
from tests.api.conftest import Harness, password


def test_login_returns_a_token_and_an_http_only_cookie(harness: Harness) -> None:
    """A right password gives a bearer token, the role, and the same token as an HttpOnly
    cookie."""
    r = harness.post("/api/login", json={"username": "sup", "password": password("sup")})
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "supervisor" and body["token"]
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}={body['token']}")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()


def test_wrong_password_is_401(harness: Harness) -> None:
    """A wrong password is refused without a token."""
    r = harness.post("/api/login", json={"username": "sup", "password": "nope"})
    assert r.status_code == 401
    assert "token" not in r.json()


def test_unknown_user_is_401(shared: Harness) -> None:
    """An unknown username gets the same answer as a wrong password."""
    r = shared.post("/api/login", json={"username": "ghost", "password": "x"})
    assert r.status_code == 401
    assert r.json() == {"detail": "wrong username or password"}


def test_agent_user_logs_in_as_its_namesake_agent(shared: Harness) -> None:
    """An agent user not linked in the store acts as the engine's agent of the same name."""
    r = shared.post("/api/login", json={"username": "early-1",
                                        "password": password("early-1")})
    assert r.json()["agent_id"] == "early-1"


def test_the_session_cookie_authenticates(shared: Harness) -> None:
    """The cookie alone is accepted in place of the bearer header."""
    token = shared.token("sup")
    r = shared.get("/api/agents", headers={"Cookie": f"{COOKIE_NAME}={token}"})
    assert r.status_code == 200


def test_logout_revokes_the_token(shared: Harness) -> None:
    """After logout the same token is refused."""
    headers = {"Authorization": f"Bearer {shared.token('sup')}"}
    assert shared.post("/api/logout", headers=headers).status_code == 204
    assert shared.get("/api/queues", headers=headers).status_code == 401


def test_an_unknown_token_is_401_with_a_bearer_challenge(shared: Harness) -> None:
    """A made-up token is refused and the answer names the Bearer scheme."""
    r = shared.get("/api/queues", headers={"Authorization": "Bearer made-up"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


def test_login_without_password_is_422_naming_the_field(shared: Harness) -> None:
    """A login body without a password names the missing field."""
    r = shared.post("/api/login", json={"username": "sup"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password"
