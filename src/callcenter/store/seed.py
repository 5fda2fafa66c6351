"""The routing configuration the server runs: the store's, seeded once from a scenario.

The store is the authority for queues and agents. A server starting on an empty
store (no queue, no agent) first saves the scenario's queues (with their calendars
and skills) and agents, in one transaction; from then on what admins change through
the API is what every later start runs, and the scenario only plays callers (and
bots) against it.

    with sessions.begin() as session:
        routing = routing_config(session, scenario.queues, scenario_agents)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from callcenter.core.config import AgentConfig, QueueConfig
from callcenter.store.configs import list_agents, list_queues, save_agent, save_queue
from callcenter.store.models import AgentRow, QueueRow

__all__ = ["Routing", "linked_agents", "routing_config"]


@dataclass(frozen=True, slots=True)
class Routing:
    """Queues and agents to build the engine from."""

    queues: list[QueueConfig]
    agents: list[AgentConfig]
    seeded: bool
    """True when the store was empty and has just been filled from the scenario."""


def _is_empty(session: Session) -> bool:
    return not session.scalar(select(exists().where(QueueRow.id.is_not(None)))) and \
        not session.scalar(select(exists().where(AgentRow.id.is_not(None))))


def routing_config(session: Session, queues: Sequence[QueueConfig],
                   agents: Sequence[AgentConfig]) -> Routing:
    """The stored queues and agents; an empty store is first filled with `queues` and
    `agents` (flushed, not committed: the caller owns the transaction)."""
    seeded = _is_empty(session)
    if seeded:
        for q in queues:
            save_queue(session, q)
        for a in agents:
            save_agent(session, a)
    return Routing(list_queues(session), list_agents(session), seeded)


def linked_agents(session: Session) -> set[str]:
    """Ids of the agents linked to a user login (people, not bots, drive them)."""
    return set(session.scalars(select(AgentRow.id).where(AgentRow.user_id.is_not(None))))
