"""The real engine against the hand-written agent grid, for random sequences of events.

A small model follows a capacity-1 voice agent with `expected_tables.AGENT_EXPECTED` (plus
the documented rules around it: a pause or logout asked during work waits until the work is
done, only a ready cancels it; a free agent is offered the oldest call it has not declined) and
predicts, for each event, whether the engine takes it and the agent's state afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.agent_state import AgentInput, AgentState
from callcenter.core.config import EngineSettings, QueueConfig
from callcenter.core.errors import RoutingError
from callcenter.core.events import (
    AgentHungUp,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    Event,
    OfferAccepted,
    OfferRejected,
    WrapUpDone,
)
from tests.core.conftest import Harness, agent
from tests.core.expected_tables import AGENT_EXPECTED, AGENT_MULTI_SLOT_ONLY

S, In = AgentState, AgentInput
NEVER = 1e9  # no ring, wrap-up or retry timer fires within a sequence
ACTIONS = ("arrive", In.LOGIN_READY, In.LOGIN_PAUSED, In.LOGOUT, In.READY, In.PAUSE,
           In.ACCEPT, In.DECLINE, In.HANG_UP, In.WRAP_DONE)


@dataclass
class Model:
    """What a user expects of agent `a`: its state, a deferred pause/logout, the line."""

    state: AgentState = S.LOGGED_OUT
    pending: AgentInput | None = None
    work: str | None = None  # the call it rings, talks to or wraps up
    waiting: list[str] = field(default_factory=list)  # calls it has not declined, oldest first

    def allowed(self, what: AgentInput) -> AgentState | None:
        """The grid's next state, None if illegal for a capacity-1 agent."""
        if (self.state, what) in AGENT_MULTI_SLOT_ONLY:
            return None
        return AGENT_EXPECTED[(self.state, what)]

    def move(self, what: AgentInput) -> None:
        """Apply a legal input, then the deferred request and the next offer if now free."""
        nxt = self.allowed(what)
        assert nxt is not None
        if self.state in (S.RESERVED, S.BUSY, S.WRAP_UP) and nxt is self.state:
            if what is In.LOGOUT or (what is In.PAUSE and self.pending is None):
                self.pending = what  # waits until the work is done; only ready calls off
                # a logout (a pause asked after it does not)
            elif what is In.READY:
                self.pending = None  # changed its mind
        self.state = nxt
        if what in (In.DECLINE, In.WRAP_DONE):
            self.work = None
        if self.state is S.AVAILABLE and self.pending is not None:
            later, self.pending = self.pending, None
            self.state = AGENT_EXPECTED[(S.AVAILABLE, later)] or self.state
        self.offer()

    def offer(self) -> None:
        """A free agent is rung with the oldest call it has not declined."""
        if self.state is S.AVAILABLE and self.waiting:
            self.work = self.waiting.pop(0)
            self.state = S.RESERVED


def event_for(what: AgentInput, work: str) -> Event:
    """The engine event a user's action on agent `a` sends."""
    match what:
        case In.LOGIN_READY | In.LOGIN_PAUSED:
            return AgentLogin("a", ready=what is In.LOGIN_READY)
        case In.LOGOUT:
            return AgentLogout("a")
        case In.READY:
            return AgentReady("a")
        case In.PAUSE:
            return AgentPause("a", "break")
        case In.ACCEPT:
            return OfferAccepted("a", work)
        case In.DECLINE:
            return OfferRejected("a", work)
        case In.HANG_UP:
            return AgentHungUp("a", work)
        case _:
            return WrapUpDone("a", work)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_the_engine_moves_a_voice_agent_as_the_grid_says(data: st.DataObject) -> None:
    """For any sequence of logins, pauses, calls, answers, declines, hang-ups and wrap-ups,
    the engine takes exactly the events the hand-written grid allows and the agent ends up
    in the state it predicts (refused events change nothing)."""
    h = Harness([QueueConfig("q", wrap_up=NEVER, offer_timeout=NEVER, retry_after=NEVER)],
                [agent("a", "q")], settings=EngineSettings(max_missed_offers=10**6))
    model = Model()
    actions: list[object] = []
    for n in range(1, data.draw(st.integers(0, 40), "steps") + 1):
        legal = [x for x in ACTIONS if x == "arrive" or model.allowed(x) is not None]
        # mostly what the grid allows (so the walk goes deep), sometimes anything
        pool = data.draw(st.sampled_from((legal, legal, legal, ACTIONS)), "pool")
        action = data.draw(st.sampled_from(pool))
        actions.append(action)
        if action == "arrive":
            h.arrive(f"i{n}", "q", at=n)
            model.waiting.append(f"i{n}")
            model.offer()
        else:
            assert isinstance(action, AgentInput)
            event = event_for(action, model.work or "i0")
            if model.allowed(action) is None:
                try:
                    h.send(event, at=n)
                except RoutingError:
                    pass
                else:
                    raise AssertionError(f"{model.state} took {action}, the grid forbids it")
            else:
                h.send(event, at=n)
                model.move(action)
        assert h.state("a") is model.state, (actions, model)
