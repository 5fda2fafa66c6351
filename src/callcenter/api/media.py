"""The server's writer of media records: IVR runs (the IVR's `FlowEnded`, a driver
sink) and recordings (the sip adapter's `on_recording`), each written in a worker
thread so the event loop keeps serving. A failed write is logged, never raised into
the driver or the adapter (the call itself is already over)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.ivr import FlowEnded
from callcenter.store.media import Recorded, add_recording, insert_ivr_runs

log = logging.getLogger(__name__)


class MediaStore:
    """Writes IVR runs and recordings through `sessions`."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        database = sessions.kw.get("bind")
        if not isinstance(database, Engine):
            raise TypeError("MediaStore needs sessions bound to an engine")
        self._database = database
        self._tasks: set[asyncio.Task[None]] = set()

    async def ivr_sink(self, commands: list[Any]) -> None:
        """A driver sink: stores the `FlowEnded` among `commands`."""
        ended = [c for c in commands if isinstance(c, FlowEnded)]
        if ended:
            try:
                await asyncio.to_thread(self._write_runs, ended)
            except Exception:
                log.exception("IVR runs not stored: %s", [e.call_id for e in ended])

    def _write_runs(self, ended: list[FlowEnded]) -> None:
        with self._database.begin() as conn:
            insert_ivr_runs(conn, ended)

    def recording_ready(self, ready: Recorded) -> None:
        """The adapter's `on_recording`: store the row (in the background)."""
        task = asyncio.ensure_future(self._store_recording(ready))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _store_recording(self, ready: Recorded) -> None:
        try:
            await asyncio.to_thread(self._write_recording, ready)
        except Exception:
            log.exception("recording %s of %s not stored", ready.path, ready.interaction_id)

    def _write_recording(self, ready: Recorded) -> None:
        with self.sessions.begin() as session:
            add_recording(session, ready)

    async def drain(self) -> None:
        """Wait for the writes under way (at shutdown, in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
