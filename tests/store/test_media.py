"""Recordings and IVR runs in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from callcenter.core.ivr import FlowEnded
from callcenter.store.media import (
    add_recording,
    insert_ivr_runs,
    ivr_run,
    recordings_of,
    voicemails,
)
from callcenter.store.models import IvrRunRow
from callcenter.telephony.sip.recorder import RecordingReady


def ended(call_id: str, outcome: str = "queue:sales") -> FlowEnded:
    """A flow's end for `call_id`."""
    return FlowEnded(call_id, "main", outcome, ("welcome", "sales"), (("lang", "de"),), "de",
                     1000.0, 1009.5)


def test_an_ivr_run_round_trips(session: Session) -> None:
    """Outcome, path, variables, language and times come back as stored."""
    insert_ivr_runs(session.connection(), [ended("c1")])
    run = ivr_run(session, "c1")
    assert run is not None
    assert (run.outcome, run.path, run.variables, run.language) == (
        "queue:sales", ["welcome", "sales"], {"lang": "de"}, "de")
    assert run.ended_at == datetime.fromtimestamp(1009.5, UTC)


def test_a_run_stored_again_is_left_as_it_was(engine: Engine) -> None:
    """Writing a call's run twice (a batch retried) keeps the first and raises nothing."""
    with engine.begin() as conn:
        insert_ivr_runs(conn, [ended("c1"), ended("c2")])
    with engine.begin() as conn:
        insert_ivr_runs(conn, [ended("c1", "hangup"), ended("c3")])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(IvrRunRow)) == 3
        run = ivr_run(session, "c1")
        assert run is not None and run.outcome == "queue:sales"


def test_recordings_are_listed_by_interaction_and_voicemails_by_box(
        session: Session, tmp_path: Path) -> None:
    """A call's recordings come back for its interaction; voicemails per box, newest first."""
    add_recording(session, RecordingReady("ix-1", "call", tmp_path / "a.wav", 100.0, 160.0,
                                          60.0, 5.0))
    add_recording(session, RecordingReady("c-7", "voicemail", tmp_path / "b.wav", 200.0,
                                          230.0, 30.0, 0.0, box="sales"))
    add_recording(session, RecordingReady("c-8", "voicemail", tmp_path / "c.wav", 300.0,
                                          310.0, 10.0, 0.0, box="billing"))
    assert [(r.kind, r.paused_seconds) for r in recordings_of(session, "ix-1")] == [
        ("call", 5.0)]
    assert [r.interaction_id for r in voicemails(session)] == ["c-8", "c-7"]
    assert [r.interaction_id for r in voicemails(session, box="sales")] == ["c-7"]
