"""The persistence sink: the engine's commands written through the store, one
transaction per batch, committed before the driver acknowledges the batch.

- `InteractionStateChanged` opens the interaction's row on first sight and then
  follows its state, queue and agent (a completed row is left as it is);
- `RecordInteraction` completes the row with the engine's final record (or inserts
  it, if there is no row yet);
- `RecordAgentSpan` appends a closed agent-state span;
- `AgentStateChanged` replaces the agent's presence row (state, reason, since), which
  a restart reconciles (`callcenter.store.reconcile`);
- `RecordSurvey` (the IVR's, passed on with the engine's commands) adds the post-call
  survey's row, unless its interaction has one: a survey is stored, journaled and
  retried like the calls.

A batch is coalesced before it is written: the commands are applied in order to
the rows they touch, in memory, and only each row's final values are written, with
one statement per kind of change (`callcenter.store.bulk`, executemany). An
interaction that arrives and completes in the same batch is one INSERT of its final
row; one that moves five times is one UPDATE; an agent's presence row is written
once with its last state. The stored rows are the same as if every command were
written one after the other.

The sink remembers which interactions have an open row and which agents have a
presence row (it is the only writer of those rows while the server runs;
reconciliation runs before), so it reads the store only for ids it has not seen:
one SELECT per batch for all of them. A failed batch rolls back and forgets what
it remembered; the next batch reads again.

Writing a batch twice gives the same rows, if `again()` writes it the second time
(it leaves out agent spans already stored): the runtime's `DurableSink` retries a
failed batch, and replays its journal at start, through `again()`, so a batch
whose commit went through before the error reached us is not stored twice.

The database work runs in a worker thread so the event loop keeps serving
requests; the driver awaits one batch at a time, so writes never overlap. Each
batch takes a connection of the sessions' engine from its pool (no session, no ORM
objects: a batch costs a few statements).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    InteractionStateChanged,
    RecordAgentSpan,
    RecordInteraction,
)
from callcenter.core.csat import RecordSurvey, SurveyResult
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store.bulk import (
    insert_interactions,
    insert_spans,
    new_spans,
    open_flags,
    put_presence,
    stored_presence,
    update_interactions,
)
from callcenter.store.models import CsatRatingRow

_RECORD_COLUMNS = tuple(f.name for f in fields(InteractionRecord) if f.name != "caller_number")


class _Pending:
    """One interaction's row over a batch: the values to insert (no row yet) or to set
    (a stored row), and whether the row is open after the commands so far."""

    __slots__ = ("insert", "open", "set")

    def __init__(self, stored_open: bool | None) -> None:
        self.open = stored_open
        """True/False: the row is open/completed; None: there is no row yet."""
        self.insert: dict[str, Any] | None = None
        self.set: dict[str, Any] = {}

    def follow(self, c: InteractionStateChanged, channel: str) -> None:
        if self.open is None:  # first sight: open the row
            self.insert = {"interaction_id": c.interaction_id, "channel": channel,
                           "queue_id": c.queue_id, "first_queue_id": c.queue_id,
                           "priority": 0, "arrived_at": c.at, "caller_number": None,
                           "state": c.state, "open": True}
            if c.agent_id is not None:
                self.insert["agent_id"] = c.agent_id
            self.open = True
        elif self.open:
            row = self.insert if self.insert is not None else self.set
            row["state"] = c.state
            row["queue_id"] = c.queue_id
            if c.agent_id is not None:
                row["agent_id"] = c.agent_id

    def complete(self, record: InteractionRecord) -> None:
        if self.open is None:
            self.insert = {"interaction_id": record.interaction_id}
        row = self.insert if self.insert is not None else self.set
        for name in _RECORD_COLUMNS:
            row[name] = getattr(record, name)
        if record.caller_number is not None:
            row["caller_number"] = record.caller_number
        row["state"] = record.outcome
        row["open"] = False
        self.open = False


class StoreSink:
    """A driver persistence sink over a session factory.

    `channel_of(queue_id)` names the channel of a queue (for a row opened by a state
    change); `outcomes` counts stored final rows by outcome (for `/metrics`).
    """

    def __init__(self, sessions: sessionmaker[Session],
                 channel_of: Callable[[str], str]) -> None:
        database = sessions.kw.get("bind")
        if not isinstance(database, Engine):
            raise TypeError("StoreSink needs sessions bound to an engine")
        self._database = database
        self._channel_of = channel_of
        self.outcomes: Counter[str] = Counter()
        self._open: set[str] = set()
        """Interactions whose stored row is open."""
        self._present: set[str] = set()
        """Agents that have a presence row."""

    async def __call__(self, commands: list[Command]) -> None:
        await self._call(commands, again=False)

    async def again(self, commands: list[Command]) -> None:
        """Store a batch that may have been stored already (a retry after an error that
        came after the commit, or a replay of the journal): the same rows, and no
        agent span twice."""
        await self._call(commands, again=True)

    async def _call(self, commands: list[Command], *, again: bool) -> None:
        if any(isinstance(c, _STORED) for c in commands):
            channels = {c.queue_id: self._channel_of(c.queue_id) for c in commands
                        if isinstance(c, InteractionStateChanged)}  # read on the loop
            outcomes = await asyncio.to_thread(self.write, commands, channels, again=again)
            self.outcomes.update(outcomes)

    def write(self, commands: list[Command], channels: dict[str, str], *,
              again: bool = False) -> list[str]:
        """Store the commands in one transaction; the outcomes of the rows completed.
        `channels` names the channel of every queue a state change mentions; `again`:
        leave out the agent spans already stored (see `again()`)."""
        try:
            with self._database.begin() as conn:
                outcomes, rows, presence = self._write(conn, commands, channels, again)
        except BaseException:
            self._open.clear()
            self._present.clear()
            raise
        for iid, p in rows.items():  # committed: remember what the store now holds
            if p.open:
                self._open.add(iid)
            else:
                self._open.discard(iid)
        self._present.update(presence)
        return outcomes

    def _write(self, conn: Connection, commands: list[Command], channels: dict[str, str],
               again: bool) -> tuple[list[str], dict[str, _Pending], dict[str, dict[str, Any]]]:
        outcomes: list[str] = []
        spans: list[AgentSpan] = []
        presence: dict[str, dict[str, Any]] = {}
        surveys: list[SurveyResult] = []
        touched = {c.interaction_id if isinstance(c, InteractionStateChanged)
                   else c.record.interaction_id for c in commands
                   if isinstance(c, InteractionStateChanged | RecordInteraction)}
        known = self._open
        stored = open_flags(conn, touched - known)
        rows = {iid: _Pending(True if iid in known else stored.get(iid)) for iid in touched}
        for c in commands:
            if isinstance(c, InteractionStateChanged):
                rows[c.interaction_id].follow(c, channels[c.queue_id])
            elif isinstance(c, RecordInteraction):
                rows[c.record.interaction_id].complete(c.record)
                outcomes.append(c.record.outcome)
            elif isinstance(c, RecordAgentSpan):
                spans.append(c.span)
            elif isinstance(c, AgentStateChanged):
                presence[c.agent_id] = {"state": c.state, "reason": c.reason, "since": c.at}
            elif isinstance(c, RecordSurvey):
                surveys.append(c.result)
        insert_interactions(conn, [p.insert for p in rows.values() if p.insert is not None])
        update_interactions(conn, {iid: p.set for iid, p in rows.items() if p.set})
        insert_spans(conn, new_spans(conn, spans) if again else spans)
        unseen = presence.keys() - self._present
        put_presence(conn, presence, self._present if not unseen else
                     self._present | stored_presence(conn, unseen))
        _insert_surveys(conn, surveys)
        return outcomes, rows, presence


def _insert_surveys(conn: Connection, surveys: list[SurveyResult]) -> None:
    """Add the survey rows whose interaction has none yet (a replayed batch adds none)."""
    wanted = {r.interaction_id: r for r in surveys}
    if not wanted:
        return
    have = set(conn.scalars(select(CsatRatingRow.interaction_id)
                            .where(CsatRatingRow.interaction_id.in_(list(wanted)))))
    rows = [{"interaction_id": iid, "queue_id": r.queue_id, "agent_id": r.agent_id,
             "customer_id": r.customer_id, "flow_id": r.flow_id, "offered_at": r.offered_at,
             "ended_at": r.ended_at, "rating": r.rating, "comment_box": r.comment_box}
            for iid, r in wanted.items() if iid not in have]
    if rows:
        conn.execute(insert(CsatRatingRow), rows)


_STORED = (InteractionStateChanged, RecordInteraction, RecordAgentSpan, AgentStateChanged,
           RecordSurvey)
