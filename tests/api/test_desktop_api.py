"""The desktop's API: the next state of a pause asked during a call, wrap-up notes kept
on the interaction, a queue that requires a disposition, the transfer directory and the
agent's own figures for today."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from callcenter.clock import FakeClock
from callcenter.core.events import InteractionArrived
from callcenter.store.users import create_user, link_agent
from tests.api.conftest import MONDAY_9AM, Harness, start

AGENT = "/api/agents/early-1"


def _call(h: Harness, iid: str) -> None:
    """A call to hotline, offered to early-1 (logged in, ready) and accepted."""
    h.inject(InteractionArrived(iid, "hotline", caller="+4930111222"))
    r = h.post(f"{AGENT}/accept", headers=h.auth("early-1"), json={"interaction_id": iid})
    assert r.status_code == 200 and r.json()["state"] == "busy", r.text


def test_a_pause_asked_during_a_call_is_the_next_state_and_applies_after_wrap_up(
        harness: Harness) -> None:
    """During a call the work names the state after it (available; paused with its reason
    once a pause is asked); after wrap-up the agent is paused for that reason."""
    me = harness.auth("early-1")
    assert harness.post(f"{AGENT}/login", headers=me).status_code == 200
    assert harness.get(f"{AGENT}/work", headers=me).json()["next_state"] is None
    _call(harness, "x1")
    work = harness.get(f"{AGENT}/work", headers=me).json()
    assert (work["state"], work["next_state"], work["next_reason"]) == ("busy", "available", "")
    assert harness.post(f"{AGENT}/pause", headers=me, json={"reason": "lunch"}).status_code == 200
    work = harness.get(f"{AGENT}/work", headers=me).json()
    assert (work["state"], work["next_state"], work["next_reason"]) == ("busy", "paused", "lunch")
    harness.post(f"{AGENT}/hangup", headers=me, json={"interaction_id": "x1"})
    work = harness.get(f"{AGENT}/work", headers=me).json()
    assert (work["state"], work["next_state"]) == ("wrap_up", "paused")
    harness.post(f"{AGENT}/wrapup", headers=me, json={"interaction_id": "x1"})
    work = harness.get(f"{AGENT}/work", headers=me).json()
    assert (work["state"], work["reason"], work["next_state"]) == ("paused", "lunch", None)


def test_ready_asked_during_a_call_calls_off_the_pause_to_come(harness: Harness) -> None:
    """A ready asked after a pause during the call makes the next state available again."""
    me = harness.auth("early-1")
    harness.post(f"{AGENT}/login", headers=me)
    _call(harness, "x1")
    harness.post(f"{AGENT}/pause", headers=me, json={"reason": "break"})
    harness.post(f"{AGENT}/ready", headers=me)
    assert harness.get(f"{AGENT}/work", headers=me).json()["next_state"] == "available"


def test_wrap_up_notes_are_stored_on_the_interaction(harness: Harness) -> None:
    """The notes given at wrap-up come back with the interaction from /api/interactions,
    to the agent and to its supervisor."""
    me = harness.auth("early-1")
    harness.post(f"{AGENT}/login", headers=me)
    _call(harness, "x1")
    harness.post(f"{AGENT}/hangup", headers=me, json={"interaction_id": "x1"})
    r = harness.post(f"{AGENT}/wrapup", headers=me,
                     json={"interaction_id": "x1", "notes": "Wants a refund: call Tuesday"})
    assert r.status_code == 200, r.text
    for user in ("early-1", "sup"):
        (item,) = harness.get("/api/interactions", headers=harness.auth(user)).json()["items"]
        assert (item["interaction_id"], item["notes"]) == ("x1", "Wants a refund: call Tuesday")


def test_a_queue_that_requires_a_disposition_refuses_a_wrap_up_without_one(
        harness: Harness) -> None:
    """With require_disposition set through the admin API, a wrap-up without a code is a
    422 naming `disposition` and the agent stays in wrap-up; with a code it is accepted."""
    admin, me = harness.auth("root"), harness.auth("early-1")
    queue = harness.get("/api/admin/queues/hotline", headers=admin).json()
    assert queue["require_disposition"] is False
    del queue["id"]
    r = harness.request("PUT", "/api/admin/queues/hotline", headers=admin,
                        json={**queue, "require_disposition": True})
    assert r.status_code == 200 and r.json()["require_disposition"] is True, r.text
    harness.post(f"{AGENT}/login", headers=me)
    _call(harness, "x1")
    harness.post(f"{AGENT}/hangup", headers=me, json={"interaction_id": "x1"})
    r = harness.post(f"{AGENT}/wrapup", headers=me, json={"interaction_id": "x1"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "disposition"
    assert "requires a disposition" in r.json()["detail"]
    assert harness.get(AGENT, headers=me).json()["state"] == "wrap_up"
    r = harness.post(f"{AGENT}/wrapup", headers=me,
                     json={"interaction_id": "x1", "disposition": "sale"})
    assert (r.status_code, r.json()["state"]) == (200, "available")


def test_the_directory_lists_the_queues_and_the_other_logged_in_agents_by_name(
        harness: Harness) -> None:
    """The directory holds every queue and each other logged-in agent under its user's
    name with its state, available ones first; logged-out agents and the reader are not
    in it."""
    with harness.server.sessions.begin() as session:
        link_agent(session, "late-1", create_user(session, "bea", "pass-phrase-of-bea-77"))
    root = harness.auth("root")
    for agent in ("early-1", "early-2", "late-1"):
        assert harness.post(f"/api/agents/{agent}/login", headers=root).status_code == 200
    harness.post("/api/agents/early-2/pause", headers=root, json={"reason": "lunch"})
    r = harness.get(f"{AGENT}/directory", headers=harness.auth("early-1"))
    assert r.status_code == 200
    assert [q["queue_id"] for q in r.json()["queues"]] == [
        q["queue_id"] for q in harness.get("/api/queues", headers=root).json()]
    assert r.json()["agents"] == [
        {"agent_id": "late-1", "name": "bea", "state": "available", "reason": "",
         "available": True},
        {"agent_id": "early-2", "name": "early-2", "state": "paused", "reason": "lunch",
         "available": False}]


@contextmanager
def _clocked(tmp_path: Path) -> Iterator[tuple[Harness, FakeClock]]:
    clock = FakeClock(MONDAY_9AM)
    with contextmanager(start)(f"sqlite:///{tmp_path / 'api.db'}", clock=clock) as h:
        yield h, clock


def _advance(h: Harness, clock: FakeClock, seconds: float) -> None:
    async def go() -> None:
        clock.advance(seconds)
        await h.server.runtime.driver.settled()

    h.portal.call(go)


def test_the_agents_figures_for_today_are_its_calls_and_its_time_in_each_state(
        tmp_path: Path) -> None:
    """Login at 0 s, a call offered at 0, accepted at 10, hung up at 110, wrapped up at
    115, paused for lunch at 200, read at 260: one handled, AHT 100 talk + 5 wrap-up =
    105 s, and 85 s available, 10 reserved, 100 busy, 5 wrap-up, 60 paused (lunch)."""
    with _clocked(tmp_path) as (h, clock):
        me = h.auth("early-1")
        assert h.post(f"{AGENT}/login", headers=me).status_code == 200
        h.inject(InteractionArrived("x1", "hotline"))
        _advance(h, clock, 10)
        h.post(f"{AGENT}/accept", headers=me, json={"interaction_id": "x1"})
        _advance(h, clock, 100)
        h.post(f"{AGENT}/hangup", headers=me, json={"interaction_id": "x1"})
        _advance(h, clock, 5)
        h.post(f"{AGENT}/wrapup", headers=me, json={"interaction_id": "x1"})
        _advance(h, clock, 85)
        h.post(f"{AGENT}/pause", headers=me, json={"reason": "lunch"})
        _advance(h, clock, 60)
        r = h.get(f"{AGENT}/today", headers=me, params={"since": MONDAY_9AM})
        assert r.status_code == 200, r.text
        today = r.json()
        assert (today["since"], today["at"]) == (MONDAY_9AM, MONDAY_9AM + 260)
        assert (today["handled"], today["aht"], today["talk_seconds"]) == (1, 105, 100)
        assert {(s["state"], s["reason"]): s["seconds"] for s in today["states"]} == {
            ("available", ""): 85, ("reserved", ""): 10, ("busy", ""): 100,
            ("wrap_up", ""): 5, ("paused", "lunch"): 60}
        # Without `since`: from the last UTC midnight (9:00 in Berlin is 8:00 UTC).
        default = h.get(f"{AGENT}/today", headers=me).json()
        assert default["since"] == MONDAY_9AM - 8 * 3600
        assert default["states"] == today["states"]


@pytest.mark.parametrize("since", [MONDAY_9AM + 3600, MONDAY_9AM - 37 * 3600])
def test_the_figures_refuse_a_day_that_starts_later_or_too_long_ago(
        sqlite_harness: Harness, since: float) -> None:
    """A `since` after the engine's time or more than 36 h before it is a 422 naming it."""
    r = sqlite_harness.get(f"{AGENT}/today", headers=sqlite_harness.auth("early-1"),
                           params={"since": since})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "since"
