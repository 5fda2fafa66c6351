"""The status workflow of a case, as one transition table.

Rule 1: everything that decides a case's status lives in this file; the store and
the API ask `transition` and never compare statuses themselves.

The diagram in docs/reference/cases.md is drawn from `TRANSITIONS`
(`core.diagram.mermaid`).

- A case starts `new`. Work on it (`open`), waiting for the customer or a third
  party (`pend`), and solving it (`resolve`) move it between the working statuses.
- Only a resolved case is closed; a resolved or closed case is `reopen`ed to `open`.
- The first move out of `new` is the case's first response (`is_first_response`);
  `resolve` stops the resolution clock and `reopen` starts it again.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseAction(StrEnum):
    OPEN = "open"
    PEND = "pend"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


TRANSITIONS: dict[CaseStatus, dict[CaseAction, CaseStatus]] = {
    CaseStatus.NEW: {CaseAction.OPEN: CaseStatus.OPEN,
                     CaseAction.PEND: CaseStatus.PENDING,
                     CaseAction.RESOLVE: CaseStatus.RESOLVED},
    CaseStatus.OPEN: {CaseAction.PEND: CaseStatus.PENDING,
                      CaseAction.RESOLVE: CaseStatus.RESOLVED},
    CaseStatus.PENDING: {CaseAction.OPEN: CaseStatus.OPEN,
                         CaseAction.RESOLVE: CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseAction.CLOSE: CaseStatus.CLOSED,
                          CaseAction.REOPEN: CaseStatus.OPEN},
    CaseStatus.CLOSED: {CaseAction.REOPEN: CaseStatus.OPEN},
}

OPEN_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.PENDING})
"""Statuses in which the case still needs work (its resolution clock runs)."""


class CaseTransitionError(ValueError):
    """An action the case's status does not allow."""


def transition(status: CaseStatus, action: CaseAction) -> CaseStatus:
    """The status after `action`; raises `CaseTransitionError` if not allowed."""
    try:
        return TRANSITIONS[status][action]
    except KeyError:
        allowed = ", ".join(a.value for a in TRANSITIONS[status]) or "none"
        raise CaseTransitionError(
            f"a case that is {status.value} cannot {action.value} (allowed: {allowed})"
        ) from None


def allowed_actions(status: CaseStatus) -> tuple[CaseAction, ...]:
    """The actions `status` allows, in table order."""
    return tuple(TRANSITIONS[status])


def is_first_response(before: CaseStatus) -> bool:
    """True when a move from `before` is the case's first response (it leaves new)."""
    return before == CaseStatus.NEW
