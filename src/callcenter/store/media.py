"""Recordings and IVR runs in the store.

    add_recording(session, ready)            # a RecordingReady from the sip adapter
    add_ivr_runs(session, [flow_ended, ...]) # the IVR's FlowEnded commands
    recordings_of(session, interaction_id)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callcenter.core.ivr import FlowEnded
from callcenter.store.models import IvrRunRow, RecordingRow


class Recorded(Protocol):
    """What a telephony adapter reports of a finished recording (the sip adapter's
    `RecordingReady`)."""

    @property
    def interaction_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def box(self) -> str | None: ...
    @property
    def path(self) -> Path: ...
    @property
    def caller(self) -> str: ...
    @property
    def started(self) -> float: ...
    @property
    def ended(self) -> float: ...
    @property
    def seconds(self) -> float: ...
    @property
    def paused_seconds(self) -> float: ...


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def add_recording(session: Session, ready: Recorded) -> RecordingRow:
    """Link a decoded recording to its interaction (or voicemail call)."""
    row = RecordingRow(interaction_id=ready.interaction_id, kind=ready.kind, box=ready.box,
                       path=str(ready.path), caller=ready.caller,
                       started_at=_at(ready.started), ended_at=_at(ready.ended),
                       seconds=ready.seconds, paused_seconds=ready.paused_seconds)
    session.add(row)
    session.flush()
    return row


def add_ivr_runs(session: Session, ended: Iterable[FlowEnded]) -> int:
    """One `ivr_runs` row per call's flow; a call already stored is left as it is.
    Returns how many runs were offered (on SQLite and PostgreSQL, stored or not)."""
    return insert_ivr_runs(session.connection(), ended)


def insert_ivr_runs(conn: Connection, ended: Iterable[FlowEnded]) -> int:
    """`add_ivr_runs` on a connection, in one statement (no ORM objects: the server
    writes a run for every call): on SQLite and PostgreSQL an insert that skips call
    ids already stored (ON CONFLICT DO NOTHING), elsewhere a SELECT of them first.
    Returns how many runs were offered to the store."""
    runs = {e.call_id: e for e in ended}
    if not runs:
        return 0
    rows = [{"call_id": e.call_id, "flow_id": e.flow_id, "outcome": e.outcome,
             "path": list(e.path), "variables": dict(e.variables), "language": e.language,
             "started_at": _at(e.started), "ended_at": _at(e.ended)} for e in runs.values()]
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        conn.execute(module.insert(IvrRunRow).on_conflict_do_nothing(
            index_elements=["call_id"]), rows)
        return len(rows)
    column = IvrRunRow.__table__.c.call_id
    known = set(conn.scalars(select(column).where(column.in_(list(runs)))))
    fresh = [r for r in rows if r["call_id"] not in known]
    if fresh:
        conn.execute(insert(IvrRunRow), fresh)
    return len(fresh)


def recordings_of(session: Session, interaction_id: str) -> list[RecordingRow]:
    """The recordings of one interaction, oldest first."""
    return list(session.scalars(select(RecordingRow)
                                .where(RecordingRow.interaction_id == interaction_id)
                                .order_by(RecordingRow.started_at, RecordingRow.id)))


def recording(session: Session, recording_id: int) -> RecordingRow | None:
    """One recording by id."""
    return session.get(RecordingRow, recording_id)


def voicemails(session: Session, *, box: str | None = None, limit: int = 100,
               offset: int = 0) -> list[RecordingRow]:
    """Voicemail recordings, newest first, of one box or all."""
    query = select(RecordingRow).where(RecordingRow.kind == "voicemail")
    if box is not None:
        query = query.where(RecordingRow.box == box)
    return list(session.scalars(query.order_by(RecordingRow.started_at.desc(),
                                               RecordingRow.id.desc())
                                .limit(limit).offset(offset)))


def ivr_run(session: Session, call_id: str) -> IvrRunRow | None:
    """How one call went through its flow."""
    return session.get(IvrRunRow, call_id)
