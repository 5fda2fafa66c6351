"""The admins cannot lock themselves out: no change may leave no active admin.

`root` is the only admin of the test users; `make_admin` adds another.
"""

from __future__ import annotations

from typing import Any

import httpx

from callcenter.store.users import get_user
from tests.api.conftest import Harness, password

ADMIN = "root"


def call(h: Harness, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    """One admin request as `root`."""
    return h.request(method, "/api/admin" + path, json=body, headers=h.auth(ADMIN))


def user(h: Harness, username: str) -> dict[str, Any]:
    """The user as `GET /api/admin/users/{username}` shows it."""
    r = call(h, "GET", f"/users/{username}")
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def make_admin(h: Harness, username: str, *, active: bool = True) -> None:
    """Create another admin user through the API."""
    r = call(h, "POST", "/users", {"username": username, "password": password(username),
                                   "role": "admin", "active": active})
    assert r.status_code == 201, r.text


def test_deactivating_the_last_admin_is_409(harness: Harness) -> None:
    """The last active admin cannot deactivate itself; it stays as it was."""
    before = user(harness, ADMIN)
    r = call(harness, "PUT", f"/users/{ADMIN}", {"role": "admin", "active": False})
    assert (r.status_code, r.json()["detail"]) == (
        409, "user 'root' is the last active admin: it cannot be deactivated")
    assert user(harness, ADMIN) == before


def test_demoting_the_last_admin_is_409(harness: Harness) -> None:
    """The last active admin cannot demote itself; it stays as it was."""
    before = user(harness, ADMIN)
    r = call(harness, "PUT", f"/users/{ADMIN}", {"role": "supervisor"})
    assert (r.status_code, r.json()["detail"]) == (
        409, "user 'root' is the last active admin: it cannot be demoted to 'supervisor'")
    assert user(harness, ADMIN) == before


def test_an_inactive_admin_does_not_count(harness: Harness) -> None:
    """With only an inactive admin besides it, the last active admin still cannot leave."""
    make_admin(harness, "dormant", active=False)
    before = user(harness, ADMIN)
    r = call(harness, "PUT", f"/users/{ADMIN}", {"role": "agent", "active": False})
    assert (r.status_code, "last active admin" in r.json()["detail"]) == (409, True)
    assert user(harness, ADMIN) == before


def test_deleting_oneself_as_the_last_admin_is_409(harness: Harness) -> None:
    """The last active admin cannot delete itself; it stays as it was."""
    before = user(harness, ADMIN)
    r = call(harness, "DELETE", f"/users/{ADMIN}")
    assert (r.status_code, "cannot delete itself" in r.json()["detail"]) == (409, True)
    assert user(harness, ADMIN) == before


def test_deleting_the_last_admin_is_409(harness: Harness) -> None:
    """Deleting the last active admin is 409, even by an admin login whose own user was
    deactivated behind the API's back (as by a concurrent change); it stays as it was."""
    make_admin(harness, "other")
    with harness.server.sessions.begin() as session:
        get_user(session, ADMIN).active = False  # root's login stays valid: no revoke
    before = user(harness, "other")
    r = call(harness, "DELETE", "/users/other")
    assert (r.status_code, r.json()["detail"]) == (
        409, "user 'other' is the last active admin: it cannot be deleted")
    assert user(harness, "other") == before


def test_last_admin_may_change_its_password(harness: Harness) -> None:
    """The last active admin may replace itself when it stays an active admin."""
    r = call(harness, "PUT", f"/users/{ADMIN}", {"role": "admin", "password": "another-secret-7"})
    assert (r.status_code, r.json()["role"], r.json()["active"]) == (200, "admin", True)


def test_deactivating_oneself_succeeds_with_another_admin(harness: Harness) -> None:
    """An admin may deactivate itself while another admin is active."""
    make_admin(harness, "other")
    r = call(harness, "PUT", f"/users/{ADMIN}", {"role": "admin", "active": False})
    assert (r.status_code, r.json()["active"]) == (200, False)


def test_demoting_oneself_succeeds_with_another_admin(harness: Harness) -> None:
    """An admin may demote itself while another admin is active."""
    make_admin(harness, "other")
    r = call(harness, "PUT", f"/users/{ADMIN}", {"role": "supervisor"})
    assert (r.status_code, r.json()["role"]) == (200, "supervisor")


def test_deleting_an_admin_succeeds_with_another_admin(harness: Harness) -> None:
    """An admin may be deleted while another admin stays active."""
    make_admin(harness, "other")
    assert call(harness, "DELETE", "/users/other").status_code == 204
    assert call(harness, "GET", "/users/other").status_code == 404
