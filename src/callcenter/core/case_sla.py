"""A case's service targets: when its first response and its resolution are due, and
whether each is met, running, in warning or breached at a given instant.

A target of `seconds` is counted on the policy's calendar in business time
(`business_time`), or in plain seconds without a calendar, from the case's creation.
The warning comes when `warn_at` (a share, 0.8 by default) of the target has passed
(in the same time). A target is met when its event (first response, resolution) came
by the due time, missed when it came later; while it has not come, the target is
running, in warning, or breached once `now` reaches the due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.business_time import add_business_seconds
from callcenter.core.config import Calendar


class TargetState(StrEnum):
    RUNNING = "running"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Targets in seconds (None: no such target) and the share that warns."""

    first_response: float | None = None
    resolution: float | None = None
    warn_at: float = 0.8

    def __post_init__(self) -> None:
        for name in ("first_response", "resolution"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be > 0 seconds, got {value}")
        if not 0 < self.warn_at <= 1:
            raise ValueError(f"warn_at must be in (0, 1], got {self.warn_at}")


@dataclass(frozen=True, slots=True)
class Target:
    """One target of one case: due and warning instants, its state at `now`."""

    due: float
    warn: float
    state: TargetState


def _after(calendar: Calendar | None, start: float, seconds: float) -> float:
    return start + seconds if calendar is None else add_business_seconds(calendar, start,
                                                                         seconds)


def target(calendar: Calendar | None, start: float, seconds: float, warn_at: float,
           done: float | None, now: float) -> Target:
    """The target of `seconds` from `start`, met or missed at `done`, else seen at `now`."""
    due = _after(calendar, start, seconds)
    warn = _after(calendar, start, seconds * warn_at)
    if done is not None:
        state = TargetState.MET if done <= due else TargetState.MISSED
    elif now >= due:
        state = TargetState.BREACHED
    elif now >= warn:
        state = TargetState.WARNING
    else:
        state = TargetState.RUNNING
    return Target(due, warn, state)


@dataclass(frozen=True, slots=True)
class CaseTargets:
    first_response: Target | None
    resolution: Target | None


def case_targets(policy: SlaPolicy, calendar: Calendar | None, created: float,
                 first_response: float | None, resolved: float | None,
                 now: float) -> CaseTargets:
    """Both targets of a case created at `created` (None where the policy sets none)."""
    return CaseTargets(
        None if policy.first_response is None else target(
            calendar, created, policy.first_response, policy.warn_at, first_response, now),
        None if policy.resolution is None else target(
            calendar, created, policy.resolution, policy.warn_at, resolved, now))
