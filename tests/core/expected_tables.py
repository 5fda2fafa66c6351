"""The agent and interaction transitions as a call center user expects them, by hand.

Written from the states a user sees (DESIGN.md, docs/reference/routing.md), not from
`core/agent_state.py` or `core/interaction_state.py`: every cell of each grid is spelled
out, so a wrong entry in the code's table shows as a disagreement with this one.
Reviewed cell by cell; the reason for each row is beside it. "-" is illegal (the engine
refuses it naming the state); a cell marked "+" after its state is allowed only with
several slots (chats or emails at once), never for a capacity-1 voice agent.
"""

from __future__ import annotations

from typing import TypeVar

from callcenter.core.agent_state import AgentInput, AgentState
from callcenter.core.interaction_state import InteractionInput, InteractionState

S = TypeVar("S")
In = TypeVar("In")

A = {"out": AgentState.LOGGED_OUT, "avail": AgentState.AVAILABLE,
     "resv": AgentState.RESERVED, "busy": AgentState.BUSY, "wrap": AgentState.WRAP_UP,
     "paus": AgentState.PAUSED}

# Columns: login_ready login_paused logout ready pause offer accept decline hang_up wrap_done
AGENT_GRID = """
out    avail  paus   out    -      -      -      -      -      -      -
avail  -      -      out    avail  paus   resv   -      -      -      -
resv   -      -      resv   resv   resv   resv+  busy   avail  -      -
busy   -      -      busy   busy   busy   busy+  busy+  busy+  wrap   busy+
wrap   -      -      wrap   wrap   wrap   wrap+  busy+  wrap+  -      avail
paus   -      -      out    avail  paus   -      -      -      -      -
"""
# Why, row by row:
# out:   logging in (ready or paused) is all a logged-out agent can do; logging out again
#        is harmless; a logged-out agent is never offered anything and holds no work.
# avail: no second login; ready again is harmless; pause and logout take effect at once;
#        an offer makes it ring (reserved); nothing rings or talks, so nothing to accept,
#        decline, hang up or wrap up.
# resv:  the phone rings: it is answered (busy) or declined / unanswered (available again);
#        a pause, ready or logout asked meanwhile waits until the work is done (state
#        stays); a second offer only with several chat slots; no talk to end yet.
# busy:  talking: hanging up starts wrap-up; pause/ready/logout wait; with several slots
#        another chat may ring, be answered, be declined or be wrapped up beside it.
# wrap:  after-call work: done makes it available (a voice agent in wrap-up is never
#        offered a call); pause/ready/logout wait; with several slots another chat may
#        ring, be answered (busy) or declined; nothing is connected, so no hang-up.
# paus:  a paused agent gets no offers; ready ends the pause; pause again is harmless;
#        it may log out; no login while logged in.
AGENT_COLUMNS = (AgentInput.LOGIN_READY, AgentInput.LOGIN_PAUSED, AgentInput.LOGOUT,
                 AgentInput.READY, AgentInput.PAUSE, AgentInput.OFFER, AgentInput.ACCEPT,
                 AgentInput.DECLINE, AgentInput.HANG_UP, AgentInput.WRAP_DONE)

IX = {"arr": InteractionState.ARRIVED, "que": InteractionState.QUEUED,
     "cbk": InteractionState.CALLBACK_REQUESTED, "off": InteractionState.OFFERED,
     "conn": InteractionState.CONNECTED, "wrap": InteractionState.WRAP_UP,
     "xfer": InteractionState.TRANSFERRED, "done": InteractionState.COMPLETED,
     "aband": InteractionState.ABANDONED, "lost": InteractionState.LOST,
     "tmo": InteractionState.TIMED_OUT, "rej": InteractionState.REJECTED}

# Columns: admit reject offer decl_q decl_cb accept abandon lose req_cb time_out transfer
#          requeue hang_up wrap_done
INTERACTION_GRID = """
arr   que  rej  -    -    -    -    aband lost -    -    -    -    -    -
que   -    -    off  -    -    -    aband lost cbk  tmo  xfer -    -    -
cbk   -    -    off  -    -    -    -     -    -    -    xfer -    -    -
off   -    -    off  que  cbk  conn aband lost -    -    -    -    -    -
conn  -    -    -    -    -    -    -     -    -    -    xfer -    wrap -
wrap  -    -    -    -    -    -    -     -    -    -    -    -    -    done
xfer  -    rej  off  -    -    -    -     -    -    -    -    que  -    -
done  -    -    -    -    -    -    -     -    -    -    -    -    -    -
aband -    -    -    -    -    -    -     -    -    -    -    -    -    -
lost  -    -    -    -    -    -    -     -    -    -    -    -    -    -
tmo   -    -    -    -    -    -    -     -    -    -    -    -    -    -
rej   -    -    -    -    -    -    -     -    -    -    -    -    -    -
"""
# Why, row by row:
# arr:  on arrival a call is admitted to the queue or turned away (closed, full, no
#       agents); the caller may hang up or the line drop before that; it is queued
#       before any agent is offered it, and has not waited, so it cannot time out.
# que:  waiting: an agent is offered it; the caller hangs up (abandoned) or the line is
#       lost; the caller leaves a callback; max wait passes (timed out); it is moved to
#       another queue (exit action `queue`); nobody talks to it yet.
# cbk:  a callback keeps its place with the caller off the line: it can only be offered
#       to an agent or moved to another queue; it neither abandons nor times out.
# off:  ringing: accepted (connected), rejected or unanswered (back where it waited:
#       queue or callback), rung at another agent too (ring-all), or the caller abandons
#       / the line drops; max wait does not cut a ringing call; no transfer before talk.
# conn: talking: a hang-up (either side) starts wrap-up; a blind transfer moves it on.
# wrap: after-call work only ends it (completed); it cannot be transferred any more.
# xfer: passed through on the way to another queue (requeued), another agent (offered),
#       or turned away there (rejected).
# final states (completed, abandoned, lost, timed out, rejected) never move again.
INTERACTION_COLUMNS = (
    InteractionInput.ADMIT, InteractionInput.REJECT, InteractionInput.OFFER,
    InteractionInput.DECLINE_TO_QUEUE, InteractionInput.DECLINE_TO_CALLBACK,
    InteractionInput.ACCEPT, InteractionInput.ABANDON, InteractionInput.LOSE,
    InteractionInput.REQUEST_CALLBACK, InteractionInput.TIME_OUT, InteractionInput.TRANSFER,
    InteractionInput.REQUEUE, InteractionInput.HANG_UP, InteractionInput.WRAP_DONE,
)


def _parse(grid: str, names: dict[str, S], columns: tuple[In, ...]
           ) -> tuple[dict[tuple[S, In], S | None], set[tuple[S, In]]]:
    """Each (state, input) cell: the expected next state or None; and the multi-slot cells."""
    table: dict[tuple[S, In], S | None] = {}
    multi: set[tuple[S, In]] = set()
    for line in grid.strip().splitlines():
        state, *cells = line.split()
        assert len(cells) == len(columns), line
        for what, cell in zip(columns, cells, strict=True):
            key = (names[state], what)
            table[key] = None if cell == "-" else names[cell.rstrip("+")]
            if cell.endswith("+"):
                multi.add(key)
    return table, multi


AGENT_EXPECTED, AGENT_MULTI_SLOT_ONLY = _parse(AGENT_GRID, A, AGENT_COLUMNS)
INTERACTION_EXPECTED, INTERACTION_MULTI_SLOT_ONLY = _parse(INTERACTION_GRID, IX,
                                                           INTERACTION_COLUMNS)
