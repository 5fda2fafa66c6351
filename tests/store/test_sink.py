"""The persistence sink coalesces a batch: the stored rows are those of writing every
command one after the other (the store's one-row functions), however the commands
are split into batches."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    InteractionStateChanged,
    RecordAgentSpan,
    RecordInteraction,
)
from callcenter.core.config import ConfigError
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store import session_factory
from callcenter.store.history import (
    open_interaction,
    record_interaction,
    record_span,
    set_presence,
    update_interaction_state,
)
from callcenter.store.models import AgentPresenceRow, AgentSpanRow, InteractionRow
from callcenter.store.sink import StoreSink

T0 = 1_700_000_000.0
CHANNELS = {"q1": "voice", "q2": "chat"}


def _record(iid: str, at: float, **kw: Any) -> InteractionRecord:
    values: dict[str, Any] = {
        "channel": "voice", "queue_id": "q2", "first_queue_id": "q1", "priority": 0,
        "arrived_at": at, "answered_at": at + 3, "ended_at": at + 60,
        "completed_at": at + 70, "outcome": "completed", "agent_id": "a1", "offers": 2,
        "disposition": "sale", "talk_seconds": 57.0, "wrap_seconds": 10.0}
    values.update(kw)
    return InteractionRecord(interaction_id=iid, **values)


def _one_by_one(session: Session, commands: list[Command]) -> None:
    """The reference: each command through the store's one-row functions."""
    for c in commands:
        if isinstance(c, InteractionStateChanged):
            row = session.get(InteractionRow, c.interaction_id)
            if row is None:
                open_interaction(session, c.interaction_id, channel=CHANNELS[c.queue_id],
                                 queue_id=c.queue_id, arrived_at=c.at, state=c.state)
                if c.agent_id is not None:
                    update_interaction_state(session, c.interaction_id, c.state,
                                             agent_id=c.agent_id)
            else:
                update_interaction_state(session, c.interaction_id, c.state,
                                         queue_id=c.queue_id, agent_id=c.agent_id)
        elif isinstance(c, RecordInteraction):
            record_interaction(session, c.record)
        elif isinstance(c, RecordAgentSpan):
            record_span(session, c.span)
        elif isinstance(c, AgentStateChanged):
            set_presence(session, c.agent_id, c.state, c.reason, c.at)


def _columns(row: InteractionRow, prefix: str) -> dict[str, Any]:
    values = {c.key: getattr(row, c.key) for c in InteractionRow.__table__.columns
              if c.key != "updated_at"}
    for key in ("interaction_id", "agent_id"):
        if values[key] is not None:
            values[key] = values[key].removeprefix(prefix)
    return values


def _stored(engine: Engine, prefix: str) -> dict[str, Any]:
    """Interaction, span and presence rows whose ids start with `prefix`, prefix removed."""
    with Session(engine) as s:
        interactions = {r.interaction_id.removeprefix(prefix): _columns(r, prefix)
                        for r in s.scalars(select(InteractionRow).where(
                            InteractionRow.interaction_id.startswith(prefix)))}
        spans = [(r.agent_id.removeprefix(prefix), r.state, r.reason, r.start, r.end)
                 for r in s.scalars(select(AgentSpanRow).where(
                     AgentSpanRow.agent_id.startswith(prefix)).order_by(AgentSpanRow.id))]
        presence = {r.agent_id.removeprefix(prefix): (r.state, r.reason, r.since)
                    for r in s.scalars(select(AgentPresenceRow).where(
                        AgentPresenceRow.agent_id.startswith(prefix)))}
    return {"interactions": interactions, "spans": spans, "presence": presence}


def _prefixed(c: Command, p: str) -> Command:
    if isinstance(c, InteractionStateChanged):
        agent = None if c.agent_id is None else p + c.agent_id
        return replace(c, interaction_id=p + c.interaction_id, agent_id=agent)
    if isinstance(c, RecordInteraction):
        r = c.record
        agent = None if r.agent_id is None else p + r.agent_id
        return RecordInteraction(replace(r, interaction_id=p + r.interaction_id,
                                         agent_id=agent))
    if isinstance(c, RecordAgentSpan):
        return RecordAgentSpan(replace(c.span, agent_id=p + c.span.agent_id))
    assert isinstance(c, AgentStateChanged)
    return replace(c, agent_id=p + c.agent_id)


def _compare(engine: Engine, commands: list[Command], batches: list[int]) -> None:
    """Write `commands` through the sink in batches of the given sizes (ids prefixed
    "s-") and one by one through the store's functions (prefixed "r-"); same rows."""
    sink = StoreSink(session_factory(engine), CHANNELS.__getitem__)
    at = 0
    for size in [*batches, len(commands)]:
        if at < len(commands):
            sink.write([_prefixed(c, "s-") for c in commands[at:at + size]], CHANNELS)
            at += size
    with session_factory(engine).begin() as session:
        _one_by_one(session, [_prefixed(c, "r-") for c in commands])
    assert _stored(engine, "s-") == _stored(engine, "r-")


def _life(iid: str, at: float) -> list[Command]:
    """Arrive, queue, offer, connect with a1, move to q2, wrap up, complete."""
    return [InteractionStateChanged(iid, "arrived", "q1", None, at),
            InteractionStateChanged(iid, "queued", "q1", None, at + 1),
            InteractionStateChanged(iid, "offered", "q1", "a1", at + 2),
            InteractionStateChanged(iid, "connected", "q1", "a1", at + 3),
            InteractionStateChanged(iid, "queued", "q2", None, at + 30),
            InteractionStateChanged(iid, "wrap_up", "q2", "a1", at + 60),
            RecordInteraction(_record(iid, at, caller_number="+4930123"))]


def test_interaction_opened_and_closed_in_one_batch_is_the_row_of_many(engine: Engine) -> None:
    """An interaction arriving and completing in one batch is stored as when each change
    was its own batch."""
    life = _life("i1", T0)
    sink = StoreSink(session_factory(engine), CHANNELS.__getitem__)
    assert sink.write([_prefixed(c, "s-") for c in life], CHANNELS) == ["completed"]
    for c in life:
        sink.write([_prefixed(c, "m-") for c in [c]], CHANNELS)
    assert _stored(engine, "s-") == _stored(engine, "m-")
    assert _stored(engine, "s-")["interactions"]["i1"]["open"] is False


def test_moves_in_one_batch_end_in_the_last_state(engine: Engine) -> None:
    """Several state changes of a stored open row in one batch leave its last state; an
    agent-less change keeps the agent."""
    commands = _life("i1", T0)[:-1]
    _compare(engine, commands, [1, 5])
    row = _stored(engine, "s-")["interactions"]["i1"]
    assert (row["state"], row["queue_id"], row["agent_id"]) == ("wrap_up", "q2", "a1")


def test_changes_after_the_record_in_one_batch_are_ignored(engine: Engine) -> None:
    """A state change after the final record, in the same batch, leaves the row completed."""
    commands = [*_life("i1", T0), InteractionStateChanged("i1", "queued", "q1", None, T0 + 99)]
    _compare(engine, commands, [len(commands)])
    assert _stored(engine, "s-")["interactions"]["i1"]["state"] == "completed"


def test_record_without_state_changes_inserts_the_row(engine: Engine) -> None:
    """A final record for an interaction never opened is inserted as it is."""
    _compare(engine, [RecordInteraction(_record("i1", T0, caller_number=None))], [1])


def test_presence_keeps_the_agents_last_state(engine: Engine) -> None:
    """Several state changes of one agent in a batch store its last state; spans in order."""
    commands: list[Command] = [
        AgentStateChanged("a1", "available", "", T0),
        RecordAgentSpan(AgentSpan("a1", "logged_out", T0 - 50, T0)),
        AgentStateChanged("a2", "paused", "lunch", T0 + 1),
        AgentStateChanged("a1", "reserved", "", T0 + 2),
        RecordAgentSpan(AgentSpan("a1", "available", T0, T0 + 2)),
        AgentStateChanged("a1", "busy", "", T0 + 3)]
    _compare(engine, commands, [2, 4])
    assert _stored(engine, "s-")["presence"]["a1"] == ("busy", "", T0 + 3)


def test_rows_stored_before_the_sink_started_are_read_once(engine: Engine) -> None:
    """A new sink follows an open row it did not write and leaves a completed one alone."""
    with session_factory(engine).begin() as session:
        for p in ("s-", "r-"):
            open_interaction(session, p + "old", channel="voice", queue_id="q1",
                             arrived_at=T0 - 10)
            record_interaction(session, _record(p + "done", T0 - 100))
            set_presence(session, p + "a1", "available", "", T0 - 10)
    _compare(engine, [InteractionStateChanged("old", "queued", "q2", "a1", T0),
                      InteractionStateChanged("done", "queued", "q1", None, T0),
                      AgentStateChanged("a1", "paused", "break", T0)], [3])
    assert _stored(engine, "s-")["interactions"]["done"]["state"] == "completed"


def test_a_failed_batch_is_rolled_back_and_the_next_one_stored(engine: Engine) -> None:
    """A batch that fails stores nothing; the sink then reads the store afresh."""
    sink = StoreSink(session_factory(engine), CHANNELS.__getitem__)
    sink.write([InteractionStateChanged("i1", "arrived", "q1", None, T0),
                AgentStateChanged("a1", "available", "", T0)], CHANNELS)
    with pytest.raises(ConfigError):
        sink.write([InteractionStateChanged("i1", "queued", "q1", None, T0 + 1),
                    RecordAgentSpan(AgentSpan("", "available", T0, T0 + 1))], CHANNELS)
    sink.write([InteractionStateChanged("i1", "offered", "q1", "a1", T0 + 2),
                AgentStateChanged("a1", "reserved", "", T0 + 2)], CHANNELS)
    stored = _stored(engine, "")
    assert stored["interactions"]["i1"]["state"] == "offered"
    assert stored["spans"] == []
    assert stored["presence"]["a1"] == ("reserved", "", T0 + 2)


@pytest.mark.parametrize("seed", range(5))
def test_random_batches_store_what_one_by_one_stores(engine: Engine, seed: int) -> None:
    """Interleaved lives of many interactions and agents, cut into random batches."""
    rng = random.Random(seed)
    lives = [_life(f"i{n}", T0 + n) for n in range(12)]
    commands: list[Command] = []
    while any(lives):
        life = rng.choice([life for life in lives if life])
        commands.append(life.pop(0))
        if rng.random() < 0.3:
            agent = f"a{rng.randrange(3)}"
            state = rng.choice(["available", "busy", "paused"])
            commands.append(AgentStateChanged(agent, state, "", T0 + len(commands)))
            commands.append(RecordAgentSpan(AgentSpan(agent, "available", T0,
                                                      T0 + len(commands))))
    batches = [rng.randint(1, 30) for _ in range(len(commands))]
    _compare(engine, commands, batches)


def test_a_batch_written_again_stores_the_same_rows_as_once(engine: Engine) -> None:
    """A retry of a batch that was in fact committed (or a replay of the journal), written
    with `again`, leaves the rows as one write did: no span twice, the same final row."""
    batches = [[*_life("i1", T0)[:4], RecordAgentSpan(AgentSpan("a1", "available", T0, T0 + 3)),
                AgentStateChanged("a1", "busy", "", T0 + 3)],
               [*_life("i1", T0)[4:], RecordAgentSpan(AgentSpan("a1", "busy", T0 + 3, T0 + 70)),
                AgentStateChanged("a1", "available", "", T0 + 70)]]
    sink = StoreSink(session_factory(engine), CHANNELS.__getitem__)
    for batch in batches:
        sink.write([_prefixed(c, "r-") for c in batch], CHANNELS)
    for batch in batches:
        for _ in range(2):
            sink.write([_prefixed(c, "s-") for c in batch], CHANNELS, again=True)
    assert _stored(engine, "s-") == _stored(engine, "r-")
    assert len(_stored(engine, "s-")["spans"]) == 2
