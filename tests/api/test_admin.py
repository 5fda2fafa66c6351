"""Admin CRUD: round-trips, 422 naming the field, 409 on conflicts, 403 for non-admins,
audit rows, and queues and agents applied to the running engine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from callcenter.core.events import InteractionArrived
from callcenter.store.audit import audit_entries
from tests.api.conftest import Harness

ADMIN = "root"


def call(h: Harness, method: str, path: str, body: dict[str, Any] | None = None,
         user: str = ADMIN) -> httpx.Response:
    """One admin request as `user`."""
    return h.request(method, "/api/admin" + path, json=body, headers=h.auth(user))


def create(h: Harness, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body`, expecting 201; the answer."""
    r = call(h, "POST", path, body)
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    return answer


def test_queue_round_trip(harness: Harness) -> None:
    """A queue is created, read, replaced and deleted, on SQLite and PostgreSQL."""
    made = create(harness, "/queues", {"id": "sales", "wrap_up": 15,
                                       "required_skills": [{"skill": "french", "min_level": 2}]})
    assert call(harness, "GET", "/queues/sales").json() == made
    changed = call(harness, "PUT", "/queues/sales", {"wrap_up": 30, "max_wait": 600})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["wrap_up"], changed.json()["required_skills"]) == (30, [])
    assert harness.server.runtime.engine.queue("sales").wrap_up == 30
    assert call(harness, "DELETE", "/queues/sales").status_code == 204
    assert call(harness, "GET", "/queues/sales").status_code == 404
    assert harness.server.runtime.engine.queue("sales") is None


def test_agent_round_trip(shared: Harness) -> None:
    """An agent with skills, memberships and capacity round-trips and reaches the engine."""
    create(shared, "/queues", {"id": "rt-q"})
    body = {"id": "rt-a", "skills": [{"skill": "german", "level": 7}],
            "queues": [{"queue_id": "rt-q", "tier": 2}],
            "capacity": [{"channel": "chat", "slots": 3}]}
    assert create(shared, "/agents", body) == body
    assert call(shared, "GET", "/agents/rt-a").json() == body
    r = call(shared, "PUT", "/agents/rt-a", {"skills": [{"skill": "german", "level": 9}]})
    assert r.json()["skills"] == [{"skill": "german", "level": 9}]
    assert shared.server.runtime.engine.agent("rt-a").config.skill_map() == {"german": 9}
    assert call(shared, "DELETE", "/agents/rt-a").status_code == 204
    assert call(shared, "GET", "/agents/rt-a").status_code == 404
    assert not shared.server.runtime.engine.has_agent("rt-a")


def test_negative_wrap_up_is_422_naming_the_field(shared: Harness) -> None:
    """A config the core refuses is 422 with the field in the message."""
    r = call(shared, "POST", "/queues", {"id": "bad-q", "wrap_up": -1})
    assert r.status_code == 422
    assert "wrap_up" in r.json()["detail"]


def test_request_shape_error_names_the_field(shared: Harness) -> None:
    """A value of the wrong type is a 422 with the field's path."""
    r = call(shared, "POST", "/agents", {"id": "bad-a", "capacity": [{"channel": "voice"}]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "capacity[0].slots"


def test_unknown_exit_queue_is_422(shared: Harness) -> None:
    """An exit action to a queue the engine does not know is refused before storing."""
    r = call(shared, "POST", "/queues",
             {"id": "exit-q", "timeout_action": {"kind": "queue", "queue_id": "nowhere"}})
    assert r.status_code == 422
    assert "timeout_action" in r.json()["detail"]
    assert call(shared, "GET", "/queues/exit-q").status_code == 404


def test_duplicate_is_409(shared: Harness) -> None:
    """Creating an id that exists is a conflict."""
    create(shared, "/skills", {"id": "dup"})
    assert call(shared, "POST", "/skills", {"id": "dup"}).status_code == 409


def test_deleting_a_queue_with_members_is_409(shared: Harness) -> None:
    """A queue that an agent is a member of cannot be deleted."""
    create(shared, "/queues", {"id": "mem-q"})
    create(shared, "/agents", {"id": "mem-a", "queues": [{"queue_id": "mem-q"}]})
    r = call(shared, "DELETE", "/queues/mem-q")
    assert r.status_code == 409
    assert "mem-a" in r.json()["detail"]


def test_deleting_a_queue_with_waiting_interactions_is_409(shared: Harness) -> None:
    """A queue with interactions waiting in the engine cannot be deleted."""
    create(shared, "/queues", {"id": "wait-q"})
    shared.inject(InteractionArrived("wait-1", "wait-q"))
    r = call(shared, "DELETE", "/queues/wait-q")
    assert r.status_code == 409
    assert "waiting" in r.json()["detail"]


def test_changing_a_logged_in_agent_is_409(shared: Harness) -> None:
    """The engine's refusal to change a logged-in agent is a 409 and nothing is stored."""
    create(shared, "/agents", {"id": "busy-a"})
    login = shared.post("/api/agents/busy-a/login", headers=shared.auth(ADMIN))
    assert login.status_code == 200, login.text
    r = call(shared, "PUT", "/agents/busy-a", {"skills": [{"skill": "x", "level": 1}]})
    assert r.status_code == 409
    assert "logged in" in r.json()["detail"]
    assert call(shared, "GET", "/agents/busy-a").json()["skills"] == []


@pytest.mark.parametrize("user", ["early-1", "sup"])
@pytest.mark.parametrize("path", ["/queues", "/agents", "/users", "/teams", "/skills",
                                  "/calendars", "/dispositions"])
def test_non_admin_is_403(shared: Harness, user: str, path: str) -> None:
    """Agents and supervisors may not use the admin routes."""
    assert call(shared, "GET", path, user=user).status_code == 403


def test_changes_write_audit_rows(shared: Harness) -> None:
    """Create, update and delete each leave an audit row with who, before and after."""
    create(shared, "/dispositions", {"code": "sold", "label": "Sold"})
    call(shared, "PUT", "/dispositions/sold", {"label": "Sale"})
    call(shared, "DELETE", "/dispositions/sold")
    with shared.server.sessions() as session:
        rows = audit_entries(session, entity="disposition", entity_id="sold")
        seen = [(r.actor, r.action, (r.before or {}).get("label"), (r.after or {}).get("label"))
                for r in reversed(rows)]
    assert seen == [(ADMIN, "create", None, "Sold"), (ADMIN, "update", "Sold", "Sale"),
                    (ADMIN, "delete", "Sale", None)]


def test_created_queue_is_routable(shared: Harness) -> None:
    """An arrival to a queue made through the API is offered to a member agent."""
    create(shared, "/queues", {"id": "new-q"})
    create(shared, "/agents", {"id": "new-a", "queues": [{"queue_id": "new-q"}]})
    shared.post("/api/agents/new-a/login", headers=shared.auth(ADMIN))
    shared.inject(InteractionArrived("new-1", "new-q"))
    assert shared.get("/api/agents/new-a", headers=shared.auth(ADMIN)).json()["offers"] == [
        "new-1"]


def test_user_round_trip_never_returns_a_hash(shared: Harness) -> None:
    """A user is created with a password and changed; no answer carries a hash."""
    create(shared, "/agents", {"id": "u-agent"})
    made = create(shared, "/users", {"username": "u1", "password": "hidden-words-42",
                                     "role": "agent", "agent_id": "u-agent"})
    assert (made["role"], made["agent_id"], "password" in made) == ("agent", "u-agent", False)
    assert shared.post("/api/login",
                       json={"username": "u1", "password": "hidden-words-42"}).is_success
    r = call(shared, "PUT", "/users/u1", {"role": "supervisor", "active": False})
    assert (r.json()["role"], r.json()["active"], r.json()["agent_id"]) == (
        "supervisor", False, None)
    assert "hash" not in call(shared, "GET", "/users").text
    assert call(shared, "DELETE", "/users/u1").status_code == 204


def test_team_round_trip(shared: Harness) -> None:
    """A team keeps its supervisors and agents; an unknown agent is 422."""
    create(shared, "/agents", {"id": "t-a"})
    made = create(shared, "/teams", {"name": "blue", "supervisors": ["sup"], "agents": ["t-a"]})
    assert made == {"name": "blue", "supervisors": ["sup"], "agents": ["t-a"]}
    assert call(shared, "PUT", "/teams/blue", {"agents": ["nobody"]}).status_code == 422
    assert call(shared, "DELETE", "/teams/blue").status_code == 204


def test_calendar_round_trip_and_use(shared: Harness) -> None:
    """A calendar round-trips; a queue uses it by id, which blocks its deletion."""
    body = {"id": "office", "timezone": "Europe/Paris",
            "hours": [{"weekday": 0, "opens": "09:00:00", "closes": "17:00:00"}],
            "holidays": ["2025-12-25"]}
    assert create(shared, "/calendars", body) == body
    create(shared, "/queues", {"id": "cal-q", "calendar_id": "office"})
    assert shared.server.runtime.engine.queue("cal-q").calendar is not None
    assert call(shared, "DELETE", "/calendars/office").status_code == 409


def test_bad_time_zone_is_422(shared: Harness) -> None:
    """An unknown time zone is 422 naming the field."""
    r = call(shared, "POST", "/calendars", {"id": "tz", "timezone": "Mars/Olympus"})
    assert r.status_code == 422
    assert "timezone" in r.json()["detail"]
