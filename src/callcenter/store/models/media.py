"""Recordings and voicemails, and IVR runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Double, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base, UTCDateTime


class RecordingRow(Base):
    """A recording decoded to WAV (`telephony.sip.recorder.RecordingReady`): a call
    bridged to an agent (`kind` call; `interaction_id` is the interaction's) or a
    voicemail (`kind` voicemail, `box`; `interaction_id` is the call's, see `ivr_runs`)."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(ID, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    box: Mapped[str | None] = mapped_column(ID)
    path: Mapped[str] = mapped_column(String(500))
    caller: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[float] = mapped_column(Double())
    paused_seconds: Mapped[float] = mapped_column(Double(), default=0.0)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the file was deleted and `path` and `caller` blanked (erasure or retention)."""


class IvrRunRow(Base):
    """A call's way through an IVR flow (`core.ivr.FlowEnded`): where it ended
    (`queue:<id>`, `callback:<id>`, `voicemail:<box>`, `transfer`, `hangup`,
    `abandoned`), the nodes visited and the variables it set."""

    __tablename__ = "ivr_runs"

    call_id: Mapped[str] = mapped_column(ID, primary_key=True)
    flow_id: Mapped[str] = mapped_column(ID, index=True)
    outcome: Mapped[str] = mapped_column(String(120), index=True)
    path: Mapped[list[str]] = mapped_column(JSON())
    variables: Mapped[dict[str, str]] = mapped_column(JSON())
    language: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
