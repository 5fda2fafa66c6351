"""Flat result rows: one per interaction, one per agent-state span.

The engine emits them (inside `RecordInteraction` / `RecordAgentSpan` commands);
the simulator writes them to CSV and the server stores them. KPIs are computed
from these rows only (see `callcenter.core.metrics`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """Everything that happened to one interaction, written once when it ends.

    Times are seconds on the engine's clock; `None` when the step never happened.
    `outcome` is one of: completed, abandoned, lost, timed_out, rejected.
    `hold_seconds` is the time on hold, within the connected time; `talk_seconds`
    leaves it out. A blind transfer to an external number ends the row with
    `exit_action` `transfer:<number>`. `answered_at` is
    the first answer; `ended_at` is when the customer left the queue unanswered or
    the last conversation ended; `completed_at` is after the last agent's wrap-up.
    `talk_seconds` adds up every connected segment (a transfer makes several);
    `wrap_seconds` is the after-contact work of the last agent. `caller_number` is
    the arrival's `caller` (None when unknown).
    """

    interaction_id: str
    channel: str
    queue_id: str
    first_queue_id: str
    priority: int
    arrived_at: float
    answered_at: float | None
    ended_at: float
    completed_at: float
    outcome: str
    agent_id: str | None = None
    exit_reason: str = ""
    exit_action: str = ""
    offers: int = 0
    transfers: int = 0
    callback: bool = False
    disposition: str = ""
    first_offered_at: float | None = None
    talk_seconds: float = 0.0
    wrap_seconds: float = 0.0
    service_level_threshold: float = 20.0
    short_abandon: float = 5.0
    caller_number: str | None = None
    hold_seconds: float = 0.0

    @property
    def wait(self) -> float:
        """Seconds in queue: until answered, or until the interaction left unanswered."""
        end = self.answered_at if self.answered_at is not None else self.ended_at
        return end - self.arrived_at


@dataclass(frozen=True, slots=True)
class AgentSpan:
    """An agent spent [start, end) in one state (with the pause reason, if any)."""

    agent_id: str
    state: str
    start: float
    end: float
    reason: str = ""

    @property
    def duration(self) -> float:
        """Length of the span in seconds."""
        return self.end - self.start


INTERACTION_COLUMNS = tuple(f.name for f in fields(InteractionRecord))
AGENT_SPAN_COLUMNS = tuple(f.name for f in fields(AgentSpan))
