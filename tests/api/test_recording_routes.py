"""Pause and resume of a call's recording through the API: who may, what is answered,
and the audit trail; recordings and IVR runs read back from the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from callcenter.api.app import create_app
from callcenter.api.settings import ServerSettings
from callcenter.core.ivr import FlowEnded
from callcenter.store.audit import audit_entries
from callcenter.store.media import add_ivr_runs
from callcenter.telephony.base import FakeTelephony
from callcenter.telephony.sip.monitoring import MonitorError, NoSuchCall
from callcenter.telephony.sip.recorder import RecordingReady
from tests.api.conftest import MONDAY_9AM, Harness, seed_floor, seed_users


class RecordingFake(FakeTelephony):
    """A fake telephony whose call `ix-1` is bridged to early-1 and recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, str] = {"ix-1": "recording"}
        self.listens: set[str] = set()

    def recording(self, interaction_id: str) -> str | None:
        return self.state.get(interaction_id)

    def connected_agent(self, interaction_id: str) -> str | None:
        return "early-1" if interaction_id in self.state else None

    async def pause_recording(self, interaction_id: str) -> bool:
        if self.state.get(interaction_id) != "recording":
            return False
        self.state[interaction_id] = "paused"
        return True

    async def listen(self, interaction_id: str, phone: str) -> str:
        if interaction_id not in self.state:
            raise NoSuchCall(f"no live call {interaction_id!r}")
        if phone != "sup":
            raise MonitorError(f"phone {phone!r} is not registered")
        self.listens.add(f"{interaction_id}-listen-1")
        return f"{interaction_id}-listen-1"

    async def stop_listening(self, listen_id: str) -> bool:
        if listen_id not in self.listens:
            return False
        self.listens.discard(listen_id)
        return True

    async def resume_recording(self, interaction_id: str) -> bool:
        if self.state.get(interaction_id) != "paused":
            return False
        self.state[interaction_id] = "recording"
        return True


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Harness]:
    """A started app whose telephony records."""
    url = f"sqlite:///{tmp_path / 'api.db'}"
    seed_users(url)
    telephony = RecordingFake()
    application = create_app(ServerSettings(database_url=url, start=MONDAY_9AM, bots=False,
                                            drain_seconds=0),
                             telephony=telephony)
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        stack.enter_context(portal.wrap_async_context_manager(
            application.router.lifespan_context(application)))
        seed_floor(url)
        harness = Harness(application, portal, telephony)
        try:
            yield harness
        finally:
            portal.call(harness.aclose)


def pause(app: Harness, user: str, interaction: str = "ix-1") -> int:
    """POST the pause as `user`; the status code."""
    return app.post(f"/api/interactions/{interaction}/recording/pause",
                    headers=app.auth(user)).status_code


def test_the_agent_on_the_call_pauses_its_recording(app: Harness) -> None:
    """early-1, bridged to ix-1, pauses it: 200 and the state is `paused`."""
    r = app.post("/api/interactions/ix-1/recording/pause", headers=app.auth("early-1"))
    assert (r.status_code, r.json()) == (200, {"interaction_id": "ix-1", "state": "paused"})


def test_another_agent_may_not_pause_it(app: Harness) -> None:
    """early-2 is not on ix-1: 403, and the recording goes on."""
    assert pause(app, "early-2") == 403
    assert isinstance(app.telephony, RecordingFake)
    assert app.telephony.state["ix-1"] == "recording"


def test_the_agents_supervisor_may_pause_its_call(app: Harness) -> None:
    """Staff are not limited to their own calls: sup supervises early-1's team."""
    assert pause(app, "sup") == 200


def test_a_supervisor_outside_the_team_may_not_pause_the_call(app: Harness) -> None:
    """sup-2 supervises no team of early-1's: 403, and the recording goes on."""
    assert pause(app, "sup-2") == 403
    assert isinstance(app.telephony, RecordingFake)
    assert app.telephony.state["ix-1"] == "recording"


def test_pausing_twice_is_a_conflict(app: Harness) -> None:
    """A paused recording cannot be paused again: 409 naming its state."""
    assert pause(app, "early-1") == 200
    r = app.post("/api/interactions/ix-1/recording/pause", headers=app.auth("early-1"))
    assert r.status_code == 409 and "paused already" in r.json()["detail"]


def test_a_call_not_recorded_is_a_conflict(app: Harness) -> None:
    """An interaction the telephony does not record: 409 for staff."""
    assert pause(app, "sup", "ix-404") == 409


def test_pause_and_resume_are_audited(app: Harness) -> None:
    """Each change is an audit entry with the user, the action and both states."""
    pause(app, "early-1")
    app.post("/api/interactions/ix-1/recording/resume", headers=app.auth("early-1"))
    with app.server.sessions() as session:
        entries = audit_entries(session, entity="interaction", entity_id="ix-1")
    assert [(e.actor, e.action, e.before, e.after) for e in reversed(entries)] == [
        ("early-1", "recording.pause", {"recording": "recording"}, {"recording": "paused"}),
        ("early-1", "recording.resume", {"recording": "paused"}, {"recording": "recording"}),
    ]


def test_a_stored_recording_is_listed_and_served(app: Harness, tmp_path: Path) -> None:
    """A recording reported by the adapter is listed for its interaction and served."""
    wav = tmp_path / "ix-1.wav"
    wav.write_bytes(b"RIFF....WAVE")
    media = app.server.media
    assert media is not None
    ready = RecordingReady("ix-1", "call", wav, 100.0, 130.0, 30.0, 4.0)
    app.portal.call(media.recording_ready, ready)  # on the app's loop, as the adapter does
    app.portal.call(media.drain)
    listed = app.get("/api/interactions/ix-1/recordings", headers=app.auth("sup")).json()
    assert [(r["kind"], r["seconds"], r["paused_seconds"]) for r in listed] == [
        ("call", 30.0, 4.0)]
    audio = app.get(f"/api/recordings/{listed[0]['id']}/audio", headers=app.auth("sup"))
    assert (audio.status_code, audio.content) == (200, b"RIFF....WAVE")


def test_an_ivr_run_is_read_back(app: Harness) -> None:
    """A stored FlowEnded is served with its outcome, path and variables."""
    ended = FlowEnded("call-9", "main", "voicemail:sales", ("welcome", "message"),
                      (("lang", "en"),), "en", 1000.0, 1012.5)
    with app.server.sessions.begin() as session:
        assert add_ivr_runs(session, [ended, ended]) == 1
    run = app.get("/api/ivr-runs/call-9", headers=app.auth("sup")).json()
    assert (run["outcome"], run["path"], run["variables"]) == (
        "voicemail:sales", ["welcome", "message"], {"lang": "en"})
    assert datetime.fromisoformat(run["ended_at"]) == datetime.fromtimestamp(1012.5, UTC)


def test_a_supervisor_listens_on_its_own_phone(app: Harness) -> None:
    """No phone named: the supervisor's user name is the phone; the listen is audited."""
    r = app.post("/api/supervisor/interactions/ix-1/listen", json={},
                 headers=app.auth("sup"))
    assert (r.status_code, r.json()) == (200, {"listen_id": "ix-1-listen-1",
                                               "interaction_id": "ix-1", "phone": "sup"})
    with app.server.sessions() as session:
        entries = audit_entries(session, entity="interaction", entity_id="ix-1")
    assert [(e.actor, e.action) for e in entries] == [("sup", "monitor.listen")]


def test_listening_to_a_call_that_is_not_up_is_404(app: Harness) -> None:
    """An interaction with no live call: 404 naming it."""
    r = app.post("/api/supervisor/interactions/ix-9/listen", json={},
                 headers=app.auth("sup"))
    assert r.status_code == 404 and "ix-9" in r.json()["detail"]


def test_an_unknown_phone_is_a_conflict(app: Harness) -> None:
    """A phone the telephony cannot call: 409 with its reason."""
    r = app.post("/api/supervisor/interactions/ix-1/listen", json={"phone": "desk-9"},
                 headers=app.auth("sup"))
    assert r.status_code == 409 and "desk-9" in r.json()["detail"]


def test_a_listen_is_ended_once(app: Harness) -> None:
    """DELETE ends the listen (204); a second DELETE finds nothing (404)."""
    app.post("/api/supervisor/interactions/ix-1/listen", json={}, headers=app.auth("sup"))
    first = app.request("DELETE", "/api/supervisor/listens/ix-1-listen-1",
                        headers=app.auth("sup"))
    second = app.request("DELETE", "/api/supervisor/listens/ix-1-listen-1",
                         headers=app.auth("sup"))
    assert (first.status_code, second.status_code) == (204, 404)
