"""The persistence sink: the engine's commands written through the store, one
transaction per batch, committed before the driver acknowledges the batch.

- `InteractionStateChanged` opens the interaction's row on first sight and then
  follows its state, queue and agent;
- `RecordInteraction` completes the row with the engine's final record;
- `RecordAgentSpan` appends a closed agent-state span;
- `AgentStateChanged` replaces the agent's presence row (state, reason, since), which
  a restart reconciles (`callcenter.store.reconcile`).

The database work runs in a worker thread so the event loop keeps serving
requests; the driver awaits one batch at a time, so writes never overlap. That
lets the sink keep one session across batches (a transaction each): the rows of
open interactions and the presence rows stay in its identity map, held by the
sink, so following a state change is an UPDATE without a SELECT first (the sink is
the only writer of those rows while the server runs; reconciliation runs before).
A failed batch rolls back, which expires them: the next batch reads them again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    InteractionStateChanged,
    RecordAgentSpan,
    RecordInteraction,
)
from callcenter.store.history import (
    open_interaction,
    record_interaction,
    record_span,
    set_presence,
    update_interaction_state,
)
from callcenter.store.models import AgentPresenceRow, InteractionRow


class StoreSink:
    """A driver persistence sink over a session factory.

    `channel_of(queue_id)` names the channel of a queue (for a row opened by a state
    change); `outcomes` counts stored final rows by outcome (for `/metrics`).
    """

    def __init__(self, sessions: sessionmaker[Session],
                 channel_of: Callable[[str], str]) -> None:
        self._sessions = sessions
        self._channel_of = channel_of
        self.outcomes: Counter[str] = Counter()
        self._session: Session | None = None
        self._open: dict[str, InteractionRow] = {}
        self._presence: dict[str, AgentPresenceRow] = {}
        """Strong references: the session's identity map holds rows only weakly."""

    async def __call__(self, commands: list[Command]) -> None:
        if any(isinstance(c, _STORED) for c in commands):
            channels = {c.queue_id: self._channel_of(c.queue_id) for c in commands
                        if isinstance(c, InteractionStateChanged)}  # read on the loop
            outcomes = await asyncio.to_thread(self.write, commands, channels)
            self.outcomes.update(outcomes)

    def write(self, commands: list[Command], channels: dict[str, str]) -> list[str]:
        """Store the commands in one transaction; the outcomes of the rows completed.
        `channels` names the channel of every queue a state change mentions."""
        outcomes: list[str] = []
        if self._session is None:
            self._session = self._sessions()
        session = self._session
        opened, present = self._open, self._presence
        with session.begin():
            for c in commands:
                if isinstance(c, InteractionStateChanged):
                    row = self._follow(session, c, channels[c.queue_id])
                    if row.open:
                        opened[c.interaction_id] = row
                elif isinstance(c, RecordInteraction):
                    record_interaction(session, c.record)
                    opened.pop(c.record.interaction_id, None)
                    outcomes.append(c.record.outcome)
                elif isinstance(c, RecordAgentSpan):
                    record_span(session, c.span)
                elif isinstance(c, AgentStateChanged):
                    present[c.agent_id] = set_presence(session, c.agent_id, c.state, c.reason,
                                                       c.at)
        return outcomes

    @staticmethod
    def _follow(session: Session, c: InteractionStateChanged, channel: str) -> InteractionRow:
        if session.get(InteractionRow, c.interaction_id) is None:
            row = open_interaction(session, c.interaction_id, channel=channel,
                                   queue_id=c.queue_id, arrived_at=c.at, state=c.state)
            if c.agent_id is not None:
                update_interaction_state(session, c.interaction_id, c.state,
                                         agent_id=c.agent_id)
            return row
        return update_interaction_state(session, c.interaction_id, c.state,
                                        queue_id=c.queue_id, agent_id=c.agent_id)


_STORED = (InteractionStateChanged, RecordInteraction, RecordAgentSpan, AgentStateChanged)
