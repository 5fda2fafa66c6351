"""Commands: what should happen, returned by `Engine.handle`. Adapters carry them out."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.records import AgentSpan, InteractionRecord


@dataclass(frozen=True, slots=True)
class OfferToAgent:
    """Ring the agent with the interaction until `expires_at`."""

    interaction_id: str
    agent_id: str
    queue_id: str
    channel: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class WithdrawOffer:
    """Stop ringing the agent. `reason`: taken (ring-all), timeout, caller_hung_up."""

    interaction_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Connect:
    """Bridge the customer with the agent who accepted."""

    interaction_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class Disconnect:
    """The agent's conversation ended: tear down what is left of it.

    `reason` says who ended it: `caller_hung_up` (hang up the agent's leg),
    `agent_hung_up` (hang up the customer's leg) or `transferred` (the agent's leg
    ends; the customer stays on the line for the next queue or agent).
    """

    interaction_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Hold:
    """Put the customer on hold (`held`: music to the customer, the agent hears
    nothing) or take it off (`held` False: bridge them again)."""

    interaction_id: str
    agent_id: str
    held: bool


@dataclass(frozen=True, slots=True)
class TransferExternal:
    """Put the customer through to an external number (after `Disconnect(transferred)`
    of the agent's leg)."""

    interaction_id: str
    number: str


@dataclass(frozen=True, slots=True)
class ExitQueue:
    """The interaction leaves without an agent: play a message and hang up, take a
    voicemail, or register a callback. `reason`: queue_full, no_agents, closed,
    max_wait. `action`: hangup, voicemail, callback.
    """

    interaction_id: str
    queue_id: str
    reason: str
    action: str


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """An agent's state changed (for desktops, wallboards and persistence)."""

    agent_id: str
    state: str
    reason: str
    at: float


@dataclass(frozen=True, slots=True)
class InteractionStateChanged:
    """An interaction's state changed (for persistence and subscribers)."""

    interaction_id: str
    state: str
    queue_id: str
    agent_id: str | None
    at: float


@dataclass(frozen=True, slots=True)
class RecordInteraction:
    """Persist the finished interaction's row."""

    record: InteractionRecord


@dataclass(frozen=True, slots=True)
class RecordAgentSpan:
    """Persist a closed agent-state span."""

    span: AgentSpan


Command = (
    OfferToAgent
    | WithdrawOffer
    | Connect
    | Disconnect
    | Hold
    | TransferExternal
    | ExitQueue
    | AgentStateChanged
    | InteractionStateChanged
    | RecordInteraction
    | RecordAgentSpan
)
