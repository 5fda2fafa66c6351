"""Restart safety: after a crash, close what the dead process left open.

    with sessions.begin() as session:
        result = reconcile(session, at=clock.time())

The server calls this on start, before the runtime takes traffic, because the new
engine knows nothing of the interactions and agents of the process that died:

- every open interaction row is closed with outcome `lost`, `exit_reason`
  `lost_on_restart`, and ended and completed at the restart time (never before the
  row's own latest time), unless `alive(row)` says telephony still carries it; that
  row stays open for the adapter to take back (the `sim` adapter never does);
- every agent whose presence is not `logged_out` gets a closed span (its state and
  reason, from `since` to the restart time) and is marked `logged_out`.

How `lost` counts in `core.metrics`: offered and queued yes, handled only if it
was answered before the crash (talk and wrap seconds stay 0), never abandoned,
timed out or rejected. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from callcenter.core.agent_state import AgentState
from callcenter.core.records import AgentSpan
from callcenter.store.history import agent_presence, open_interactions, record_span
from callcenter.store.models import InteractionRow

LOST = "lost"
"""The outcome of an interaction that a restart closed."""
LOST_ON_RESTART = "lost_on_restart"
"""The exit reason of such an interaction, and the reason of a presence it logged out."""


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What one reconciliation changed."""

    interactions: list[str]
    """Ids of the interactions closed as lost."""
    still_alive: list[str]
    """Ids of open interactions telephony still carries (left open)."""
    agents: list[str]
    """Ids of the agents logged out."""


def _latest(row: InteractionRow) -> float:
    times = (row.arrived_at, row.answered_at, row.first_offered_at, row.ended_at)
    return max(t for t in times if t is not None)


def reconcile(session: Session, at: float, *,
              alive: Callable[[InteractionRow], bool] | None = None) -> Reconciled:
    """Close the open interactions and agent presences a crash left behind, at engine
    time `at`. Flushes, never commits (the caller commits before taking traffic)."""
    lost: list[str] = []
    kept: list[str] = []
    for row in open_interactions(session):
        if alive is not None and alive(row):
            kept.append(row.interaction_id)
            continue
        end = max(at, _latest(row))
        row.ended_at = end
        row.completed_at = end
        row.outcome = LOST
        row.state = LOST
        row.exit_reason = LOST_ON_RESTART
        row.open = False
        lost.append(row.interaction_id)
    agents: list[str] = []
    for presence in agent_presence(session):
        if presence.state == AgentState.LOGGED_OUT:
            continue
        end = max(at, presence.since)
        record_span(session, AgentSpan(presence.agent_id, presence.state, presence.since, end,
                                       presence.reason))
        presence.state = AgentState.LOGGED_OUT.value
        presence.reason = LOST_ON_RESTART
        presence.since = end
        agents.append(presence.agent_id)
    session.flush()
    return Reconciled(lost, kept, agents)
