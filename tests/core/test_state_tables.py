"""The agent and interaction transition tables: every (state, input) pair, checked.

Each pair is checked against the hand-written expectations of `expected_tables` (what a
call center user expects), not against the code's own `TRANSITIONS`.
"""

from __future__ import annotations

import itertools

import pytest

from callcenter.core import agent_state as ags
from callcenter.core import interaction_state as its
from callcenter.core.agent_state import AgentInput, AgentState, IllegalTransition, derive_state
from callcenter.core.interaction_state import (
    FINAL,
    WAITING,
    IllegalInteractionTransition,
    InteractionInput,
    InteractionState,
)
from tests.core.expected_tables import (
    AGENT_EXPECTED,
    AGENT_MULTI_SLOT_ONLY,
    INTERACTION_EXPECTED,
    INTERACTION_MULTI_SLOT_ONLY,
)

AGENT_PAIRS = list(itertools.product(AgentState, AgentInput))
IX_PAIRS = list(itertools.product(InteractionState, InteractionInput))


def _id(pair: tuple[object, object]) -> str:
    return f"{pair[0]}-{pair[1]}"


# ---------------------------------------------------------------- agent table


def test_the_expectations_cover_every_pair_once() -> None:
    """The hand-written grids give one cell for every (state, input) pair, no more."""
    assert set(AGENT_EXPECTED) == set(AGENT_PAIRS)
    assert set(INTERACTION_EXPECTED) == set(IX_PAIRS)
    assert len(AGENT_EXPECTED) == 60 and len(INTERACTION_EXPECTED) == 168
    assert not INTERACTION_MULTI_SLOT_ONLY


def test_agent_table_has_every_state() -> None:
    """Every agent state has a row, and every target is an agent state."""
    assert set(ags.TRANSITIONS) == set(AgentState)
    assert all(isinstance(t, AgentState) for row in ags.TRANSITIONS.values() for t in row.values())


@pytest.mark.parametrize("pair", AGENT_PAIRS, ids=[_id(p) for p in AGENT_PAIRS])
def test_agent_check_gives_what_a_user_expects(pair: tuple[AgentState, AgentInput]) -> None:
    """check() allows exactly the hand-written expected inputs, with the expected next state;
    any other raises naming the state."""
    state, what = pair
    expected = AGENT_EXPECTED[pair]
    if expected is not None:
        assert ags.check("a1", state, what) is expected
        return
    with pytest.raises(IllegalTransition, match=f"'a1' is {state.value}: cannot {what.value}") \
            as info:
        ags.check("a1", state, what)
    assert (info.value.state, info.value.input, info.value.agent_id) == (state, what, "a1")


def test_every_agent_state_is_reachable_from_logged_out() -> None:
    """Following the table from LOGGED_OUT reaches every agent state."""
    seen = {AgentState.LOGGED_OUT}
    frontier = [AgentState.LOGGED_OUT]
    while frontier:
        for nxt in ags.TRANSITIONS[frontier.pop()].values():
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(AgentState)


Counts = tuple[bool, bool, int, int, int]  # logged_in, paused, offers, connected, wrapping


def capacity_one_counts(pause_pending: bool = False) -> list[Counts]:
    """The work counts of a capacity-1 agent in each state (a pause pending, if asked)."""
    out: list[Counts] = [(False, False, 0, 0, 0), (True, False, 0, 0, 0), (True, True, 0, 0, 0)]
    out += [(True, pause_pending, *work) for work in ((1, 0, 0), (0, 1, 0), (0, 0, 1))]
    return out


def apply(counts: Counts, what: AgentInput) -> Counts | None:
    """The counts after `what` at capacity 1; None if it needs a capacity above 1."""
    logged_in, paused, offers, connected, wrapping = counts
    busy = offers + connected + wrapping > 0
    match what:
        case AgentInput.LOGIN_READY:
            logged_in, paused = True, False
        case AgentInput.LOGIN_PAUSED:
            logged_in, paused = True, True
        case AgentInput.LOGOUT:
            if not busy:  # with work, the logout waits until it is done
                logged_in, paused = False, False
        case AgentInput.READY:
            paused = False
        case AgentInput.PAUSE:
            paused = True
        case AgentInput.OFFER:
            offers += 1
        case AgentInput.ACCEPT:
            offers, connected = offers - 1, connected + 1
        case AgentInput.DECLINE:
            offers -= 1
        case AgentInput.HANG_UP:
            connected, wrapping = connected - 1, wrapping + 1
        case AgentInput.WRAP_DONE:
            wrapping -= 1
    if min(offers, connected, wrapping) < 0 or offers + connected + wrapping > 1:
        return None
    return (logged_in, paused, offers, connected, wrapping)


def legal_capacity_one_steps(pause_pending: bool = False) -> list[tuple[Counts, AgentInput]]:
    return [(c, w) for c in capacity_one_counts(pause_pending)
            for w in ags.TRANSITIONS[derive_state(*c)]]


CAPACITY_ONE_STEPS = [(c, w) for c, w in legal_capacity_one_steps() if apply(c, w) is not None]


@pytest.mark.parametrize("step", CAPACITY_ONE_STEPS,
                         ids=[f"{derive_state(*c)}-{w}" for c, w in CAPACITY_ONE_STEPS])
def test_derive_state_agrees_with_the_table_at_capacity_one(
    step: tuple[Counts, AgentInput]
) -> None:
    """For a capacity-1 agent, derive_state after a legal input is the table's next state."""
    counts, what = step
    after = apply(counts, what)
    assert after is not None
    assert derive_state(*after) is ags.TRANSITIONS[derive_state(*counts)][what]


def test_only_the_marked_transitions_need_capacity_above_one() -> None:
    """The legal inputs a capacity-1 agent cannot make are exactly the multi-slot ones."""
    needs_more = {(derive_state(*c), w) for c, w in legal_capacity_one_steps()
                  if apply(c, w) is None}
    assert needs_more == AGENT_MULTI_SLOT_ONLY


def test_a_pending_pause_applies_the_table_then_pause() -> None:
    """With a pause pending (Rule 4), the state is the table's next state, then PAUSE once free."""
    checked = 0
    for counts, what in legal_capacity_one_steps(pause_pending=True):
        after = apply(counts, what)
        if after is None or sum(counts[2:]) == 0:
            continue  # a pause is pending only while the agent holds work
        nxt = ags.TRANSITIONS[derive_state(*counts)][what]
        if nxt is AgentState.AVAILABLE and what is not AgentInput.READY:
            nxt = ags.TRANSITIONS[nxt][AgentInput.PAUSE]
        assert derive_state(*after) is nxt, (counts, what)
        checked += 1
    assert checked > 10


def test_derive_state_puts_work_before_pause() -> None:
    """An agent with work shows that work's state even when a pause is pending."""
    assert derive_state(True, True, 0, 1, 0) is AgentState.BUSY
    assert derive_state(True, True, 0, 0, 1) is AgentState.WRAP_UP
    assert derive_state(True, True, 1, 0, 0) is AgentState.RESERVED
    assert derive_state(True, True, 0, 0, 0) is AgentState.PAUSED


def test_derive_state_with_several_chats_is_busy_while_one_is_connected() -> None:
    """With several slots, any connected interaction makes the agent busy."""
    assert derive_state(True, False, 1, 1, 1) is AgentState.BUSY
    assert derive_state(True, False, 1, 0, 1) is AgentState.WRAP_UP


# ---------------------------------------------------------------- interaction table


def test_interaction_table_has_every_state() -> None:
    """Every interaction state has a row, and every target is an interaction state."""
    assert set(its.TRANSITIONS) == set(InteractionState)
    assert all(isinstance(t, InteractionState)
               for row in its.TRANSITIONS.values() for t in row.values())


@pytest.mark.parametrize("pair", IX_PAIRS, ids=[_id(p) for p in IX_PAIRS])
def test_interaction_step_gives_what_a_user_expects(
    pair: tuple[InteractionState, InteractionInput]
) -> None:
    """step() allows exactly the hand-written expected inputs, with the expected next state;
    any other raises naming the state."""
    state, what = pair
    expected = INTERACTION_EXPECTED[pair]
    if expected is not None:
        assert its.step("i1", state, what) is expected
        return
    with pytest.raises(IllegalInteractionTransition,
                       match=f"'i1' is {state.value}: cannot {what.value}") as info:
        its.step("i1", state, what)
    assert (info.value.state, info.value.input, info.value.interaction_id) == (state, what, "i1")


def test_final_states_have_no_exits() -> None:
    """Completed, abandoned, lost, timed-out and rejected interactions cannot move."""
    assert {InteractionState.COMPLETED, InteractionState.ABANDONED, InteractionState.LOST,
            InteractionState.TIMED_OUT, InteractionState.REJECTED} == FINAL
    for state in FINAL:
        assert its.TRANSITIONS[state] == {}


def test_every_other_state_has_an_exit() -> None:
    """Every state that is not final can move somewhere."""
    for state in set(InteractionState) - FINAL:
        assert its.TRANSITIONS[state], state


def test_every_interaction_state_is_reachable_from_arrived() -> None:
    """Following the table from ARRIVED reaches every interaction state."""
    seen = {InteractionState.ARRIVED}
    frontier = [InteractionState.ARRIVED]
    while frontier:
        for nxt in its.TRANSITIONS[frontier.pop()].values():
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(InteractionState)


def test_every_state_can_reach_a_final_state() -> None:
    """No state is a dead end: from each, some path leads to a final state."""
    for start in InteractionState:
        seen = {start}
        frontier = [start]
        while frontier:
            for nxt in its.TRANSITIONS[frontier.pop()].values():
                if nxt not in seen:
                    seen.add(nxt)
                    frontier.append(nxt)
        assert seen & FINAL, start


def test_waiting_states_return_from_a_declined_offer() -> None:
    """An offer declined goes back to where the interaction waited (queued or callback)."""
    assert {InteractionState.QUEUED, InteractionState.CALLBACK_REQUESTED} == WAITING
    row = its.TRANSITIONS[InteractionState.OFFERED]
    assert row[InteractionInput.DECLINE_TO_QUEUE] is InteractionState.QUEUED
    assert row[InteractionInput.DECLINE_TO_CALLBACK] is InteractionState.CALLBACK_REQUESTED
