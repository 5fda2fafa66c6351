"""The audit log read by admins (`GET /api/admin/audit`): each filter, newest first,
paging with the total, CSV, the 422s naming their parameter, and a real change found."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.store.audit import audit
from tests.api.conftest import Harness, start

DAY = datetime(2026, 3, 2, tzinfo=UTC)
# (hour, minute, actor, action, entity, entity_id), stored in this order: ids in `seeded`
ROWS = [
    (9, 0, "ann", "create", "team", "t1"),
    (9, 30, "bob", "update", "team", "t1"),
    (10, 0, "ann", "update", "user", "u1"),
    (10, 0, "ann", "delete", "team", "t2"),  # same instant as the row before, later id
    (11, 0, "bob", "create", "skill", "=cmd"),
]


def _seed(h: Harness) -> list[int]:
    ids = []
    with h.server.sessions.begin() as session:
        for hour, minute, actor, action, entity, entity_id in ROWS:
            row = audit(session, actor=actor, action=action, entity=entity,
                        entity_id=entity_id, before={"n": 1} if action != "create" else None,
                        after={"n": 2} if action != "delete" else None,
                        at=DAY.replace(hour=hour, minute=minute))
            ids.append(row.id)
    return ids


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, list[int]]]:
    """An app whose audit log holds ROWS; their ids in ROWS' order."""
    for h in start(f"sqlite:///{tmp_path_factory.mktemp('audit') / 'api.db'}"):
        yield h, _seed(h)


def _get(h: Harness, user: str = "root", **params: Any) -> Any:
    r = h.get("/api/admin/audit", params=params, headers=h.auth(user))
    assert r.status_code == 200, r.text
    return r.json()


def _ids(page: Any) -> list[int]:
    return [e["id"] for e in page["items"]]


def test_actor_filter_newest_first(logged: tuple[Harness, list[int]]) -> None:
    """ann's three entries, newest first; at the same instant the later id first."""
    h, ids = logged
    page = _get(h, actor="ann")
    assert _ids(page) == [ids[3], ids[2], ids[0]]
    assert page["total"] == 3


def test_entity_and_id_filter(logged: tuple[Harness, list[int]]) -> None:
    """Team t1's two entries; the entity kind alone also finds team t2's."""
    h, ids = logged
    assert _ids(_get(h, entity="team", entity_id="t1")) == [ids[1], ids[0]]
    assert _ids(_get(h, entity="team", actor="ann")) == [ids[3], ids[0]]


def test_an_entry_carries_what_changed(logged: tuple[Harness, list[int]]) -> None:
    """An entry holds its time (UTC), actor, action, entity and both snapshots."""
    h, ids = logged
    (entry,) = _get(h, entity="team", entity_id="t1", actor="bob")["items"]
    assert entry == {"id": ids[1], "at": "2026-03-02T09:30:00Z", "actor": "bob",
                     "action": "update", "entity": "team", "entity_id": "t1",
                     "before": {"n": 1}, "after": {"n": 2}}


def test_time_range_includes_since_and_excludes_until(logged: tuple[Harness, list[int]]) -> None:
    """since 09:30 and until 11:00 hold the 09:30 and both 10:00 entries, not 11:00."""
    h, ids = logged
    page = _get(h, since="2026-03-02T09:30:00Z", until="2026-03-02T11:00:00Z")
    assert _ids(page) == [ids[3], ids[2], ids[1]]


def test_time_range_zones(logged: tuple[Harness, list[int]]) -> None:
    """10:30+01:00 is 09:30 UTC; a time without a zone is UTC: only the 09:30 entry."""
    h, ids = logged
    page = _get(h, since="2026-03-02T10:30:00+01:00", until="2026-03-02T10:00:00")
    assert _ids(page) == [ids[1]]


def test_filters_on_each_database(harness: Harness) -> None:
    """On SQLite and PostgreSQL alike: ann's entries before 10:00 UTC, and the total."""
    ids = _seed(harness)
    page = _get(harness, actor="ann", until="2026-03-02T10:00:00Z")
    assert (_ids(page), page["total"]) == ([ids[0]], 1)


def test_paging_keeps_the_total(logged: tuple[Harness, list[int]]) -> None:
    """Of the day's five entries (newest first), offset 1 limit 2 is the 2nd and 3rd."""
    h, ids = logged
    page = _get(h, since="2026-03-02", until="2026-03-03", offset=1, limit=2)
    assert _ids(page) == [ids[3], ids[2]]
    assert (page["total"], page["offset"], page["limit"]) == (5, 1, 2)


def test_csv_export(logged: tuple[Harness, list[int]]) -> None:
    """bob's entries as CSV: a header, newest first, JSON snapshots, and the id that
    reads as a formula neutralised with an apostrophe."""
    h, ids = logged
    r = h.get("/api/admin/audit", params={"actor": "bob", "format": "csv", "limit": 5000},
              headers=h.auth("root"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows == [
        ["id", "at", "actor", "action", "entity", "entity_id", "before", "after"],
        [str(ids[4]), "2026-03-02T11:00:00+00:00", "bob", "create", "skill", "'=cmd", "",
         '{"n": 2}'],
        [str(ids[1]), "2026-03-02T09:30:00+00:00", "bob", "update", "team", "t1",
         '{"n": 1}', '{"n": 2}'],
    ]


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "2026-03-02T10:00:00Z", "until": "2026-03-02T10:00:00Z"}, "until"),
    ({"limit": 1001}, "limit"),
    ({"limit": 10_001, "format": "csv"}, "limit"),
    ({"offset": -1}, "offset"),
    ({"since": "yesterday"}, "since"),
])
def test_bad_parameters_are_422_naming_them(logged: tuple[Harness, list[int]],
                                            params: dict[str, Any], field: str) -> None:
    """An empty time range, a page too long, a negative offset or a bad time: 422 naming it."""
    h, _ = logged
    r = h.get("/api/admin/audit", params=params, headers=h.auth("root"))
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]


@pytest.mark.parametrize("user", ["sup", "early-1"])
def test_only_admins_read_it(logged: tuple[Harness, list[int]], user: str) -> None:
    """A supervisor or an agent is refused (403)."""
    h, _ = logged
    assert h.get("/api/admin/audit", headers=h.auth(user)).status_code == 403


def test_an_admin_change_is_found_by_its_actor(sqlite_harness: Harness) -> None:
    """A skill created by root is the one entry of root about that skill, with its
    snapshot after."""
    h = sqlite_harness
    r = h.post("/api/admin/skills", json={"id": "welsh", "description": "Cymraeg"},
               headers=h.auth("root"))
    assert r.status_code == 201, r.text
    page = _get(h, actor="root", entity="skill", entity_id="welsh")
    assert [(e["action"], e["before"], e["after"]) for e in page["items"]] == [
        ("create", None, {"id": "welsh", "description": "Cymraeg"})]
