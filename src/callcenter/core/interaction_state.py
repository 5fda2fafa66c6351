"""Interaction lifecycle: the whole transition table, in this one file.

Rule 1: every state an interaction can be in, and every input that moves it, is here.
Rule 2: the final states are COMPLETED, ABANDONED, LOST, TIMED_OUT and REJECTED; an
interaction reaches exactly one of them, exactly once, and then emits its row.
Rule 3: a declined or unanswered offer returns the interaction to where it waited
(QUEUED, or CALLBACK_REQUESTED for a callback that keeps its place).
Rule 4: TRANSFERRED is passed through on the way to another queue or agent.
"""

from __future__ import annotations

from callcenter.core.enums import StrEnum
from callcenter.core.errors import RoutingError


class InteractionState(StrEnum):
    """Where an interaction is."""

    ARRIVED = "arrived"
    QUEUED = "queued"
    CALLBACK_REQUESTED = "callback_requested"
    OFFERED = "offered"
    CONNECTED = "connected"
    WRAP_UP = "wrap_up"
    TRANSFERRED = "transferred"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    LOST = "lost"
    """The line was lost while the customer waited or rang (a media failure), not
    hung up: not counted as abandoned."""
    TIMED_OUT = "timed_out"
    REJECTED = "rejected"


class InteractionInput(StrEnum):
    """What moves an interaction."""

    ADMIT = "admit"
    REJECT = "reject"
    OFFER = "offer"
    DECLINE_TO_QUEUE = "decline_to_queue"
    DECLINE_TO_CALLBACK = "decline_to_callback"
    ACCEPT = "accept"
    ABANDON = "abandon"
    LOSE = "lose"
    REQUEST_CALLBACK = "request_callback"
    TIME_OUT = "time_out"
    TRANSFER = "transfer"
    REQUEUE = "requeue"
    HANG_UP = "hang_up"
    WRAP_DONE = "wrap_done"


class IllegalInteractionTransition(RoutingError):
    """An input that the interaction's current state does not allow."""

    def __init__(self, interaction_id: str, state: InteractionState, what: InteractionInput):
        super().__init__(f"interaction {interaction_id!r} is {state.value}: cannot {what.value}")
        self.interaction_id = interaction_id
        self.state = state
        self.input = what


S, In = InteractionState, InteractionInput

FINAL = frozenset({S.COMPLETED, S.ABANDONED, S.LOST, S.TIMED_OUT, S.REJECTED})
WAITING = frozenset({S.QUEUED, S.CALLBACK_REQUESTED})

TRANSITIONS: dict[InteractionState, dict[InteractionInput, InteractionState]] = {
    S.ARRIVED: {In.ADMIT: S.QUEUED, In.REJECT: S.REJECTED, In.ABANDON: S.ABANDONED,
                In.LOSE: S.LOST},
    S.QUEUED: {
        In.OFFER: S.OFFERED,
        In.ABANDON: S.ABANDONED,
        In.LOSE: S.LOST,
        In.REQUEST_CALLBACK: S.CALLBACK_REQUESTED,
        In.TIME_OUT: S.TIMED_OUT,
        In.TRANSFER: S.TRANSFERRED,
    },
    S.CALLBACK_REQUESTED: {In.OFFER: S.OFFERED, In.TRANSFER: S.TRANSFERRED},
    S.OFFERED: {
        In.ACCEPT: S.CONNECTED,
        In.DECLINE_TO_QUEUE: S.QUEUED,
        In.DECLINE_TO_CALLBACK: S.CALLBACK_REQUESTED,
        In.OFFER: S.OFFERED,
        In.ABANDON: S.ABANDONED,
        In.LOSE: S.LOST,
    },
    S.CONNECTED: {In.HANG_UP: S.WRAP_UP, In.TRANSFER: S.TRANSFERRED},
    S.WRAP_UP: {In.WRAP_DONE: S.COMPLETED},
    S.TRANSFERRED: {In.REQUEUE: S.QUEUED, In.OFFER: S.OFFERED, In.REJECT: S.REJECTED},
    S.COMPLETED: {},
    S.ABANDONED: {},
    S.LOST: {},
    S.TIMED_OUT: {},
    S.REJECTED: {},
}


def step(interaction_id: str, state: InteractionState, what: InteractionInput) -> InteractionState:
    """The next state; raises `IllegalInteractionTransition` if `what` is not allowed."""
    nxt = TRANSITIONS[state].get(what)
    if nxt is None:
        raise IllegalInteractionTransition(interaction_id, state, what)
    return nxt
