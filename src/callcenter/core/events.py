"""Events: what happened, fed into `Engine.handle(event, now)`. Frozen values."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.config import AgentConfig, QueueConfig, SkillRequirement


@dataclass(frozen=True, slots=True)
class InteractionArrived:
    """A call, chat or email arrives for a queue.

    `skills` adds requirements on top of the queue's (e.g. a language chosen in the IVR).
    `agent_id` reserves it for one agent (a preview call the agent dialed): it waits in
    the queue's line for that agent only, like a direct transfer, and is offered as soon
    as the agent can take it (a paused agent once it is ready).
    """

    interaction_id: str
    queue_id: str
    priority: int = 0
    skills: tuple[SkillRequirement, ...] = ()
    caller: str = ""
    agent_id: str = ""


CUSTOMER_LEFT = frozenset({"caller_hung_up", "dropped"})
"""`CallerHungUp` reasons that are the customer's leaving: the customer hung up, or an
outbound call was dropped (the customer heard the information message and the line
was released). Any other reason is a line lost (`media_lost`)."""


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    """The customer left: an abandon while waiting or ringing, the end of talk if connected.

    `reason` becomes the interaction's `exit_reason`. One not in `CUSTOMER_LEFT` says
    the line was lost, not hung up (`media_lost`: the media server died): an
    interaction still waiting or ringing then ends `lost`, not `abandoned`.
    """

    interaction_id: str
    reason: str = "caller_hung_up"


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """The caller asks to be called back; the interaction keeps its place in line."""

    interaction_id: str


@dataclass(frozen=True, slots=True)
class AgentLogin:
    """The agent logs in, ready for offers or paused."""

    agent_id: str
    ready: bool = True


@dataclass(frozen=True, slots=True)
class AgentLogout:
    """The agent logs out (takes effect once its current work is done)."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentReady:
    """The agent is ready for offers (ends a pause)."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentPause:
    """The agent pauses with a reason (takes effect once its current work is done)."""

    agent_id: str
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class OfferAccepted:
    """The agent accepted (answered) the offer; the interaction connects."""

    agent_id: str
    interaction_id: str


@dataclass(frozen=True, slots=True)
class OfferRejected:
    """The agent declined the offer."""

    agent_id: str
    interaction_id: str


@dataclass(frozen=True, slots=True)
class AgentHungUp:
    """The agent ended the conversation."""

    agent_id: str
    interaction_id: str


@dataclass(frozen=True, slots=True)
class WrapUpDone:
    """The agent finished after-contact work, with a disposition code."""

    agent_id: str
    interaction_id: str
    disposition: str = ""


@dataclass(frozen=True, slots=True)
class TransferToQueue:
    """The agent transfers the connected interaction to a queue."""

    interaction_id: str
    queue_id: str


@dataclass(frozen=True, slots=True)
class TransferToAgent:
    """The agent transfers the connected interaction to another agent."""

    interaction_id: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class TransferToNumber:
    """The agent transfers the connected interaction to an external number (blind):
    the agent's part ends (wrap-up follows) and the customer is put through."""

    interaction_id: str
    number: str


@dataclass(frozen=True, slots=True)
class HoldCall:
    """The agent puts the connected interaction on hold (the customer hears music)."""

    interaction_id: str


@dataclass(frozen=True, slots=True)
class ResumeCall:
    """The agent takes the interaction off hold."""

    interaction_id: str


@dataclass(frozen=True, slots=True)
class TimerExpired:
    """The shell's wake-up at `Engine.next_deadline()`; carries nothing."""


@dataclass(frozen=True, slots=True)
class QueueConfigured:
    """A queue is added or its settings change."""

    config: QueueConfig


@dataclass(frozen=True, slots=True)
class AgentConfigured:
    """An agent is added or its skills, memberships or capacity change."""

    config: AgentConfig


@dataclass(frozen=True, slots=True)
class QueueRemoved:
    """A queue is deleted; refused while interactions are in it or anything refers to it."""

    queue_id: str


@dataclass(frozen=True, slots=True)
class AgentRemoved:
    """An agent is deleted; refused while it is logged in."""

    agent_id: str


Event = (
    InteractionArrived
    | CallerHungUp
    | CallbackRequested
    | AgentLogin
    | AgentLogout
    | AgentReady
    | AgentPause
    | OfferAccepted
    | OfferRejected
    | AgentHungUp
    | WrapUpDone
    | TransferToQueue
    | TransferToAgent
    | TransferToNumber
    | HoldCall
    | ResumeCall
    | TimerExpired
    | QueueConfigured
    | AgentConfigured
    | QueueRemoved
    | AgentRemoved
)
