"""The case workflow: new → open → pending → resolved → closed, with reopen.

Checked against what a case handler expects, written out here by hand, not against
the code's own table; a hypothesis state machine walks random action sequences.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from callcenter.core.case_state import (
    OPEN_STATUSES,
    TRANSITIONS,
    CaseAction,
    CaseStatus,
    CaseTransitionError,
    allowed_actions,
    is_first_response,
    transition,
)

N, OP, P, R, C = (CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.RESOLVED,
                 CaseStatus.CLOSED)
EXPECTED = {
    (N, "open"): OP, (N, "pend"): P, (N, "resolve"): R,
    (OP, "pend"): P, (OP, "resolve"): R,
    (P, "open"): OP, (P, "resolve"): R,
    (R, "close"): C, (R, "reopen"): OP,
    (C, "reopen"): OP,
}


@pytest.mark.parametrize("status", list(CaseStatus))
@pytest.mark.parametrize("action", list(CaseAction))
def test_each_move_is_the_expected_one(status: CaseStatus, action: CaseAction) -> None:
    """Every (status, action) pair leads where a case handler expects, or is refused."""
    expected = EXPECTED.get((status, action.value))
    if expected is None:
        with pytest.raises(CaseTransitionError, match=f"a case that is {status.value} cannot"):
            transition(status, action)
    else:
        assert transition(status, action) == expected


def test_the_refusal_names_the_allowed_actions() -> None:
    """A refused action says which ones the status allows."""
    with pytest.raises(CaseTransitionError, match=r"allowed: close, reopen"):
        transition(CaseStatus.RESOLVED, CaseAction.PEND)


def test_every_status_is_in_the_table() -> None:
    """The table has a row for each status and only statuses as targets."""
    assert set(TRANSITIONS) == set(CaseStatus)
    assert allowed_actions(CaseStatus.CLOSED) == (CaseAction.REOPEN,)


def test_only_leaving_new_is_a_first_response() -> None:
    """The first response is the move out of new, and only that one."""
    assert [s for s in CaseStatus if is_first_response(s)] == [CaseStatus.NEW]


class Workflow(RuleBasedStateMachine):
    """Random actions on one case: the status always follows the hand-written moves."""

    def __init__(self) -> None:
        super().__init__()
        self.status = CaseStatus.NEW
        self.was_resolved = False
        self.left_new = False

    @rule(action=st.sampled_from(list(CaseAction)))
    def act(self, action: CaseAction) -> None:
        expected = EXPECTED.get((self.status, action.value))
        if expected is None:
            with pytest.raises(CaseTransitionError):
                transition(self.status, action)
            return
        before = self.status
        self.status = transition(self.status, action)
        assert self.status == expected
        if before == CaseStatus.RESOLVED and action == CaseAction.CLOSE:
            assert self.was_resolved
        self.was_resolved = self.status == CaseStatus.RESOLVED
        self.left_new = True

    @invariant()
    def new_only_at_the_start(self) -> None:
        """No move ever leads back to new."""
        assert (self.status == CaseStatus.NEW) == (not self.left_new)

    @invariant()
    def open_statuses_need_work(self) -> None:
        """A case needs work exactly while new, open or pending."""
        assert (self.status in OPEN_STATUSES) == (self.status not in (R, C))


TestWorkflow = Workflow.TestCase
