"""Agent states and their transitions: the whole table, in this one file.

Rule 1: every state an agent can be in, and every input that moves it, lives here.
Rule 2: the table is the capacity-1 (voice) behaviour; an agent holding several
chats or emails is in the state that `derive_state` gives for its work counts,
and the engine checks legality against the same table.
Rule 3: an input missing from `TRANSITIONS[state]` is illegal in that state and
raises `IllegalTransition` naming the state (the API turns it into a 409).
Rule 4: a pause or logout asked while the agent holds work waits until the work is
done (the state stays; the request is remembered), as every ACD does: when the
table would then say AVAILABLE, the remembered PAUSE or LOGOUT input applies next.
"""

from __future__ import annotations

from callcenter.core.enums import StrEnum
from callcenter.core.errors import RoutingError


class AgentState(StrEnum):
    """Where an agent is."""

    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RESERVED = "reserved"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class AgentInput(StrEnum):
    """What moves an agent."""

    LOGIN_READY = "login_ready"
    LOGIN_PAUSED = "login_paused"
    LOGOUT = "logout"
    READY = "ready"
    PAUSE = "pause"
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    HANG_UP = "hang_up"
    WRAP_DONE = "wrap_done"


class IllegalTransition(RoutingError):
    """An input that the agent's current state does not allow."""

    def __init__(self, agent_id: str, state: AgentState, what: AgentInput) -> None:
        super().__init__(f"agent {agent_id!r} is {state.value}: cannot {what.value}")
        self.agent_id = agent_id
        self.state = state
        self.input = what


S, In = AgentState, AgentInput

TRANSITIONS: dict[AgentState, dict[AgentInput, AgentState]] = {
    S.LOGGED_OUT: {
        In.LOGIN_READY: S.AVAILABLE,
        In.LOGIN_PAUSED: S.PAUSED,
        In.LOGOUT: S.LOGGED_OUT,
    },
    S.AVAILABLE: {
        In.OFFER: S.RESERVED,
        In.PAUSE: S.PAUSED,
        In.READY: S.AVAILABLE,
        In.LOGOUT: S.LOGGED_OUT,
    },
    S.RESERVED: {
        In.ACCEPT: S.BUSY,
        In.DECLINE: S.AVAILABLE,
        In.PAUSE: S.RESERVED,
        In.READY: S.RESERVED,
        In.LOGOUT: S.RESERVED,
        # Only with capacity > 1 or ring-all offers:
        In.OFFER: S.RESERVED,
    },
    S.BUSY: {
        In.HANG_UP: S.WRAP_UP,
        In.PAUSE: S.BUSY,
        In.READY: S.BUSY,
        In.LOGOUT: S.BUSY,
        # Only with capacity > 1 (several chats or emails at once):
        In.OFFER: S.BUSY,
        In.ACCEPT: S.BUSY,
        In.DECLINE: S.BUSY,
        In.WRAP_DONE: S.BUSY,
    },
    S.WRAP_UP: {
        In.WRAP_DONE: S.AVAILABLE,
        In.PAUSE: S.WRAP_UP,
        In.READY: S.WRAP_UP,
        In.LOGOUT: S.WRAP_UP,
        # Only with capacity > 1:
        In.OFFER: S.WRAP_UP,
        In.ACCEPT: S.BUSY,
        In.DECLINE: S.WRAP_UP,
    },
    S.PAUSED: {
        In.READY: S.AVAILABLE,
        In.PAUSE: S.PAUSED,
        In.LOGOUT: S.LOGGED_OUT,
    },
}


def check(agent_id: str, state: AgentState, what: AgentInput) -> AgentState:
    """The table's next state for the capacity-1 case; raises if `what` is illegal."""
    nxt = TRANSITIONS[state].get(what)
    if nxt is None:
        raise IllegalTransition(agent_id, state, what)
    return nxt


def derive_state(
    logged_in: bool, paused: bool, offers: int, connected: int, wrapping: int
) -> AgentState:
    """The state for an agent's work counts (agrees with the table at capacity 1)."""
    if not logged_in:
        return S.LOGGED_OUT
    if connected:
        return S.BUSY
    if wrapping:
        return S.WRAP_UP
    if offers:
        return S.RESERVED
    return S.PAUSED if paused else S.AVAILABLE
