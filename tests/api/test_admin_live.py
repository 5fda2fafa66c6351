"""A queue's routing settings changed through the admin API act on the running engine:
no restart between the change and the calls it routes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from callcenter.clock import FakeClock
from callcenter.core.events import InteractionArrived
from tests.api.conftest import MONDAY_9AM, Harness, start
from tests.api.dialing import advance_settled


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[Harness, FakeClock]]:
    """An app on a fake clock from Monday 09:00."""
    clock = FakeClock(MONDAY_9AM)
    for h in start(f"sqlite:///{tmp_path / 'api.db'}", clock=clock):
        yield h, clock


def admin(h: Harness, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One admin request that must succeed; its JSON answer (None for 204)."""
    r = h.request(method, path, json=body, headers=h.auth("root"))
    assert r.status_code in (200, 201, 204), r.text
    return r.json() if r.status_code != 204 else None


def offers(h: Harness, agent: str) -> list[str]:
    """The interactions offered to `agent` now."""
    answer: list[str] = h.get(f"/api/agents/{agent}", headers=h.auth("root")).json()["offers"]
    return answer


def test_an_escalation_step_saved_on_a_running_queue_relaxes_its_level_in_time(
        clocked: tuple[Harness, FakeClock]) -> None:
    """A queue needing french 5 gets, by PUT, a step "after 10 s relax levels by 2": a
    call is not offered to a french-3 agent at 5 s (5 > 3), and is at 11 s (5 - 2 = 3)."""
    h, clock = clocked
    admin(h, "POST", "/api/admin/queues",
          {"id": "esc-q", "required_skills": [{"skill": "french", "min_level": 5}]})
    admin(h, "POST", "/api/admin/agents", {"id": "esc-a", "skills": [
        {"skill": "french", "level": 3}], "queues": [{"queue_id": "esc-q", "tier": 1}]})
    admin(h, "PUT", "/api/admin/queues/esc-q", {
        "required_skills": [{"skill": "french", "min_level": 5}],
        "escalation": [{"after": 10, "relax_levels": 2}]})
    admin(h, "POST", "/api/agents/esc-a/login")
    h.inject(InteractionArrived("esc-1", "esc-q"))
    advance_settled(h, clock, 5)
    assert offers(h, "esc-a") == []
    advance_settled(h, clock, 6)
    assert offers(h, "esc-a") == ["esc-1"]


def test_a_queue_changed_back_to_no_step_leaves_the_call_waiting(
        clocked: tuple[Harness, FakeClock]) -> None:
    """The same queue with its step removed by a second PUT: at 11 s the call still
    waits for a french-5 agent (the engine runs the last saved settings)."""
    h, clock = clocked
    body: dict[str, Any] = {"required_skills": [{"skill": "french", "min_level": 5}],
                            "escalation": [{"after": 10, "relax_levels": 2}]}
    admin(h, "POST", "/api/admin/queues", {"id": "esc-q", **body})
    admin(h, "POST", "/api/admin/agents", {"id": "esc-a", "skills": [
        {"skill": "french", "level": 3}], "queues": [{"queue_id": "esc-q", "tier": 1}]})
    admin(h, "PUT", "/api/admin/queues/esc-q", {**body, "escalation": []})
    admin(h, "POST", "/api/agents/esc-a/login")
    h.inject(InteractionArrived("esc-1", "esc-q"))
    advance_settled(h, clock, 11)
    assert offers(h, "esc-a") == []
