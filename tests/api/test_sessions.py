"""Logins die with the user: an admin's change to a user (or to its agent) ends its
sessions, so the old token gets 401. Logins are stored (token digests) and survive a
restart; expired ones are dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from callcenter.api.auth import Role, Sessions, digest
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.models import LoginRow
from tests.api.conftest import Harness, password, start

ADMIN = "root"
PW = "correct-horse-9"  # the password of the users made here


def admin(h: Harness, method: str, path: str, body: dict[str, Any] | None = None
          ) -> httpx.Response:
    """One admin request, expected to succeed."""
    r = h.request(method, "/api/admin" + path, json=body, headers=h.auth(ADMIN))
    assert r.is_success, r.text
    return r


def user(h: Harness, username: str, **fields: Any) -> dict[str, str]:
    """Create `username` (password "pw") with `fields`, log it in; its bearer headers."""
    admin(h, "POST", "/users", {"username": username, "password": PW, **fields})
    r = h.post("/api/login", json={"username": username, "password": PW})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def me(h: Harness, headers: dict[str, str]) -> int:
    """The status of a request any logged-in user may make."""
    return h.get("/api/queues", headers=headers).status_code


def test_deactivating_a_user_ends_its_login(shared: Harness) -> None:
    """A user set inactive loses its open login at once."""
    headers = user(shared, "s-off", role="supervisor")
    admin(shared, "PUT", "/users/s-off", {"role": "supervisor", "active": False})
    assert me(shared, headers) == 401


def test_a_new_role_ends_the_login(shared: Harness) -> None:
    """A supervisor made an agent must log in again; its old token is refused."""
    headers = user(shared, "s-role", role="supervisor")
    admin(shared, "PUT", "/users/s-role", {"role": "agent"})
    assert me(shared, headers) == 401


def test_a_new_password_ends_the_login(shared: Harness) -> None:
    """Setting a password ends the logins made with the old one."""
    headers = user(shared, "s-pw", role="supervisor")
    admin(shared, "PUT", "/users/s-pw", {"role": "supervisor", "password": "another-secret-7"})
    assert me(shared, headers) == 401


def test_deleting_a_user_ends_its_login(shared: Harness) -> None:
    """A deleted user's token is refused."""
    headers = user(shared, "s-del", role="supervisor")
    admin(shared, "DELETE", "/users/s-del")
    assert me(shared, headers) == 401


def test_relinking_a_user_to_another_agent_ends_its_login(shared: Harness) -> None:
    """A user moved from one agent to another cannot go on acting as the first."""
    admin(shared, "POST", "/agents", {"id": "s-a1"})
    admin(shared, "POST", "/agents", {"id": "s-a2"})
    headers = user(shared, "s-link", role="agent", agent_id="s-a1")
    admin(shared, "PUT", "/users/s-link", {"role": "agent", "agent_id": "s-a2"})
    assert shared.get("/api/agents/s-a1", headers=headers).status_code == 401


def test_linking_an_agent_ends_its_previous_users_login(shared: Harness) -> None:
    """Giving an agent to another user ends the login of the user that had it."""
    admin(shared, "POST", "/agents", {"id": "s-a3"})
    headers = user(shared, "s-old", role="agent", agent_id="s-a3")
    admin(shared, "POST", "/users", {"username": "s-new", "password": PW,
                                     "agent_id": "s-a3"})
    assert shared.get("/api/agents/s-a3", headers=headers).status_code == 401


def test_deleting_an_agent_ends_the_logins_acting_as_it(shared: Harness) -> None:
    """The login of a user linked to a deleted agent ends."""
    admin(shared, "POST", "/agents", {"id": "s-a4"})
    headers = user(shared, "s-gone", role="agent", agent_id="s-a4")
    admin(shared, "DELETE", "/agents/s-a4")
    assert me(shared, headers) == 401


def test_an_unchanged_user_keeps_its_login(shared: Harness) -> None:
    """Replacing a user with the same settings (no password) leaves its login alone."""
    headers = user(shared, "s-same", role="supervisor")
    admin(shared, "PUT", "/users/s-same", {"role": "supervisor"})
    assert me(shared, headers) == 200


def test_other_users_keep_their_logins(shared: Harness) -> None:
    """Deactivating one user leaves another user's login alone."""
    headers = user(shared, "s-other", role="supervisor")
    user(shared, "s-victim", role="supervisor")
    admin(shared, "PUT", "/users/s-victim", {"role": "supervisor", "active": False})
    assert me(shared, headers) == 200


def test_a_user_whose_namesake_agent_is_linked_elsewhere_does_not_act_as_it(
        shared: Harness) -> None:
    """Once agent early-2 is linked to another user, user early-2 logs in as no agent."""
    if shared.get("/api/admin/agents/early-2", headers=shared.auth(ADMIN)).status_code == 404:
        admin(shared, "POST", "/agents", {"id": "early-2"})
    admin(shared, "POST", "/users", {"username": "s-owner", "password": PW,
                                     "agent_id": "early-2"})
    r = shared.post("/api/login", json={"username": "early-2", "password": password("early-2")})
    assert r.json()["agent_id"] is None


def _restarted(url: str, work: Callable[[Harness], None],
               then: Callable[[Harness], None]) -> None:
    """Run `work` on an app on `url`, stop it, start another on the same database and run
    `then` on it."""
    first = start(url)
    work(next(first))
    first.close()
    second = start(url, seed=False)
    then(next(second))
    second.close()


def test_logins_survive_a_restart_and_logouts_too(db_url: str) -> None:
    """A token keeps working after the server restarts; one logged out before stays
    refused, and so does one of a user an admin deactivated."""
    kept: dict[str, dict[str, str]] = {}

    def work(h: Harness) -> None:
        kept["live"] = {"Authorization": f"Bearer {h.token('sup')}"}
        kept["out"] = {"Authorization": f"Bearer {h.token('early-1')}"}
        kept["off"] = user(h, "s-restart", role="supervisor")
        assert h.post("/api/logout", headers=kept["out"]).status_code == 204
        admin(h, "PUT", "/users/s-restart", {"role": "supervisor", "active": False})

    def then(h: Harness) -> None:
        assert me(h, kept["live"]) == 200
        assert me(h, kept["out"]) == 401
        assert me(h, kept["off"]) == 401

    _restarted(db_url, work, then)


def test_the_store_keeps_digests_and_drops_expired_logins(tmp_path: Path) -> None:
    """Rows hold the token's SHA-256, never the token; a login past its expiry is gone from
    memory and, at the next login, from the store; a new process loads only live ones."""
    url = f"sqlite:///{tmp_path / 'logins.db'}"
    migrate(url)
    engine = create_engine_for(url)
    store = session_factory(engine)
    clock = [1000.0]

    def rows() -> dict[str, float]:
        with store() as session:
            return {d: e for d, e in session.execute(select(LoginRow.digest, LoginRow.expires_at))}

    try:
        logins = Sessions(60, now=lambda: clock[0], store=store)
        old = asyncio.run(logins.open("sup", Role.SUPERVISOR, None))
        assert rows() == {digest(old): 1060.0} and old not in str(rows())
        clock[0] = 1061.0
        assert logins.lookup(old) is None
        new = asyncio.run(logins.open("root", Role.ADMIN, None))
        assert rows() == {digest(new): 1121.0}
        later = Sessions(60, now=lambda: clock[0], store=store)
        assert asyncio.run(later.load()) == 1
        found = later.lookup(new)
        assert found is not None and found.username == "root"
    finally:
        engine.dispose()
