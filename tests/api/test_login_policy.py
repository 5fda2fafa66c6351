"""Login throttling (per account and per address, a growing wait, 429 with Retry-After,
on the injected clock), the password policy, and normalised usernames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.api.passwords import MIN_LENGTH, common_passwords, password_problem
from callcenter.api.throttle import Limit, Locked, LoginThrottle
from callcenter.core.config import ConfigError
from callcenter.store.users import normalize_username
from tests.api.conftest import Harness, password, start


class Ticks:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = 1000.0

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def ticking(tmp_path: Path) -> Iterator[tuple[Harness, Ticks]]:
    """An app whose login throttle runs on a clock the test moves."""
    ticks = Ticks()
    for h in start(f"sqlite:///{tmp_path / 'api.db'}", login_clock=ticks):
        yield h, ticks


def _login(h: Harness, username: str, secret: str, **kwargs: Any) -> tuple[int, Any, str]:
    r = h.post("/api/login", json={"username": username, "password": secret}, **kwargs)
    return r.status_code, r.json(), r.headers.get("retry-after", "")


def test_wrong_passwords_lock_the_account_with_a_growing_wait(
        ticking: tuple[Harness, Ticks]) -> None:
    """Five wrong passwords go through (401); the sixth locks sup for 1 s: then even the
    right one is 429 with Retry-After, until the wait is over; each further failure
    doubles it, and a success clears the count."""
    h, ticks = ticking
    for _ in range(5):
        assert _login(h, "sup", "wrong-password")[0] == 401
    assert _login(h, "sup", "wrong-password")[0] == 401  # the sixth: locked 1 s after it
    status, body, retry = _login(h, "sup", password("sup"))
    assert (status, retry) == (429, "1")
    assert body["detail"] == "too many failed logins for user 'sup': try again in 1 s"
    ticks.at += 1
    assert _login(h, "sup", "wrong-password")[0] == 401  # the seventh: 2 s
    ticks.at += 1.5
    assert _login(h, "sup", password("sup"))[:1] == (429,)
    ticks.at += 0.5
    assert _login(h, "sup", password("sup"))[0] == 200
    assert h.server.throttle.failures("account", "sup") == 0


def test_one_address_guessing_many_accounts_is_held_back(
        ticking: tuple[Harness, Ticks]) -> None:
    """Twenty failures from one address over many accounts lock the address (429 naming
    it) for another account's right password too."""
    h, _ticks = ticking
    for i in range(21):
        assert _login(h, f"nobody-{i}", "wrong-password")[0] == 401
    status, body, retry = _login(h, "root", password("root"))
    assert status == 429 and retry == "1"
    assert "this address" in body["detail"]


def test_the_throttle_counts_parallel_attempts_before_checking() -> None:
    """Attempts are counted when they start: the sixth of a burst is refused even though
    no password has been checked yet."""
    throttle = LoginThrottle(Ticks())
    for _ in range(6):
        throttle.attempt("a", "10.0.0.1")
    with pytest.raises(Locked) as locked:
        throttle.attempt("a", "10.0.0.1")
    assert (locked.value.what, locked.value.wait) == ("account", 1.0)


@given(st.integers(min_value=0, max_value=200))
def test_the_wait_grows_and_is_capped(failures: int) -> None:
    """The lock after n failures is 0 while free, then doubles, never above the cap."""
    limit = Limit(free=5, base=1.0, cap=900.0)
    wait = limit.lock(failures)
    assert wait == (0 if failures <= 5 else min(900.0, 2.0 ** (failures - 6)))
    assert limit.lock(failures + 1) >= wait


def test_a_quiet_account_is_forgotten() -> None:
    """After an hour without failures (and no lock left) the count starts from zero."""
    ticks = Ticks()
    throttle = LoginThrottle(ticks)
    for _ in range(3):
        throttle.attempt("a", "10.0.0.1")
    ticks.at += 3600
    assert throttle.failures("account", "a") == 0


@pytest.mark.parametrize(("secret", "problem"), [
    ("short-9", f"password: must be at least {MIN_LENGTH} characters, got 7"),
    ("Password123", "password: is one of the 20,000 commonest passwords; choose another"),
    ("my-name-is-Carol!", "password: must not contain the username"),
])
def test_a_weak_password_is_refused_naming_why(shared: Harness, secret: str,
                                               problem: str) -> None:
    """Creating a user with a short, common or name-holding password is 422 on
    `password`; nothing is stored."""
    r = shared.post("/api/admin/users", headers=shared.auth("root"),
                    json={"username": "carol", "password": secret})
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [{"field": "password", "message": problem}]
    assert shared.get("/api/admin/users/carol", headers=shared.auth("root")).status_code == 404


def test_the_common_list_ships_in_the_package() -> None:
    """The list is read from the package (no download): 20,000 lower-case entries."""
    found = common_passwords()
    assert len(found) > 19_000 and "123456" in found and "qwerty" in found
    assert password_problem("a-long-unusual-phrase") is None


def test_usernames_are_stored_and_matched_normalised(shared: Harness) -> None:
    """`Ｄａｖｅ` (full-width, capitals) is stored as `dave`, and logs in as `DAVE`."""
    r = shared.post("/api/admin/users", headers=shared.auth("root"),
                    json={"username": "Ｄａｖｅ", "password": "hidden-words-42",
                          "role": "supervisor"})
    assert r.status_code == 201, r.text
    assert r.json()["username"] == "dave"
    r = shared.post("/api/login", json={"username": "DAVE", "password": "hidden-words-42"})
    assert r.status_code == 200 and r.json()["username"] == "dave"


@pytest.mark.parametrize(("name", "problem"), [
    ("eve ", "must not begin or end with a space"),
    (" eve", "must not begin or end with a space"),
    ("e\u200bve", "holds the invisible character U+200B (ZERO WIDTH SPACE)"),
    ("eve\u202e", "holds the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("e\u0007ve", "holds the invisible character U+0007 (a control character)"),
])
def test_a_username_with_hidden_characters_is_422_naming_it(shared: Harness, name: str,
                                                            problem: str) -> None:
    """Spaces around a name, zero-width or direction-override characters are refused,
    on creation and at login, naming the problem."""
    r = shared.post("/api/admin/users", headers=shared.auth("root"),
                    json={"username": name, "password": "hidden-words-42"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "username"
    assert problem in r.json()["detail"]
    r = shared.post("/api/login", json={"username": name, "password": "hidden-words-42"})
    assert r.status_code == 422 and problem in r.json()["detail"]


@given(st.text(min_size=1, max_size=30))
def test_normalising_twice_changes_nothing(raw: str) -> None:
    """A normalised name normalises to itself (or the raw name is refused)."""
    try:
        name = normalize_username(raw)
    except ConfigError:
        return
    assert normalize_username(name) == name
