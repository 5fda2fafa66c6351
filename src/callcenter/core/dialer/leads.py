"""Leads and their state machine: the whole table and the retry rules, in this one file.

Rule 1: every state a lead can be in, and every input that moves it, lives here;
`LeadQueue` (lead_queue.py) only chooses *which* lead and *when*, and calls
the functions below to move it.
Rule 2: an input missing from `TRANSITIONS[state]` is illegal in that state and
raises `IllegalLeadTransition` naming the lead and the state.
Rule 3: a lead ends in DONE with a `LeadResult`: success, completed (a contact
that needs no more calls), exhausted (retries or caps used up), dnc, invalid.
Only an exhausted lead is recycled back to NEW.
Rule 4: caps are hard. A dial counts one attempt; no lead is dialed when it has
`max_attempts` attempts, nor more than `max_attempts_per_day` times on one local
day of the callee. A dropped lead is not due again within `drop_hold` (72 h)
unless an agent is reserved for it (`agent_reserved`, or an agent-only callback).
Rule 5: the retry delay after an outcome is the campaign's rule for it; an
outcome without a rule, or past its rule's `max_tries`, exhausts the lead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callcenter.core.dialer.campaign import (
    E164,
    RETRY_OUTCOMES,
    CallOutcome,
    Campaign,
    DispositionCategory,
)
from callcenter.core.dialer.windows import local_day, start_of_next_day
from callcenter.core.enums import StrEnum
from callcenter.core.errors import RoutingError


class LeadState(StrEnum):
    """Where a lead is."""

    NEW = "new"  # never dialed: due at once
    SCHEDULED = "scheduled"  # a retry, due at `due`
    CALLBACK = "callback"  # an agreed callback at `due`, for one agent or for anyone
    DIALING = "dialing"  # handed out: being dialed, talking, or in wrap-up
    DONE = "done"  # never dialed again (unless recycled); see `result`


class LeadResult(StrEnum):
    """Why a lead is done."""

    SUCCESS = "success"
    COMPLETED = "completed"
    EXHAUSTED = "exhausted"
    DNC = "dnc"
    INVALID = "invalid"


class LeadInput(StrEnum):
    """What moves a lead."""

    DIAL = "dial"
    SKIP = "skip"  # preview: the agent passed it on without dialing
    RETRY = "retry"
    CALLBACK = "callback"
    SUCCEED = "succeed"
    COMPLETE = "complete"
    EXHAUST = "exhaust"
    BLOCK = "block"
    INVALIDATE = "invalidate"
    RECYCLE = "recycle"


class LeadError(RoutingError):
    """A lead was misused (unknown id, action not allowed now, caps used up)."""


class InvalidLead(ValueError):
    """A lead's data is invalid; the message names the field."""


class IllegalLeadTransition(LeadError):
    """An input that the lead's current state does not allow."""

    def __init__(self, lead_id: str, state: LeadState, what: LeadInput) -> None:
        super().__init__(f"lead {lead_id!r} is {state.value}: cannot {what.value}")
        self.lead_id = lead_id
        self.state = state
        self.input = what


S, In, R = LeadState, LeadInput, LeadResult
_QUEUED_ENDINGS = {In.BLOCK: S.DONE, In.EXHAUST: S.DONE, In.INVALIDATE: S.DONE}

TRANSITIONS: dict[LeadState, dict[LeadInput, LeadState]] = {
    S.NEW: {In.DIAL: S.DIALING, In.CALLBACK: S.CALLBACK, **_QUEUED_ENDINGS},
    S.SCHEDULED: {In.DIAL: S.DIALING, In.CALLBACK: S.CALLBACK, **_QUEUED_ENDINGS},
    S.CALLBACK: {In.DIAL: S.DIALING, In.CALLBACK: S.CALLBACK, In.RETRY: S.SCHEDULED,
                 **_QUEUED_ENDINGS},
    S.DIALING: {
        In.SKIP: S.SCHEDULED,
        In.RETRY: S.SCHEDULED,
        In.CALLBACK: S.CALLBACK,
        In.SUCCEED: S.DONE,
        In.COMPLETE: S.DONE,
        **_QUEUED_ENDINGS,
    },
    S.DONE: {In.RECYCLE: S.NEW, In.BLOCK: S.DONE},
}

RESULTS: dict[LeadInput, LeadResult] = {
    In.SUCCEED: R.SUCCESS,
    In.COMPLETE: R.COMPLETED,
    In.EXHAUST: R.EXHAUSTED,
    In.BLOCK: R.DNC,
    In.INVALIDATE: R.INVALID,
}
"""The result a lead gets when an input moves it to DONE."""


@dataclass(frozen=True, slots=True)
class Lead:
    """One person to call, and where they are in the campaign.

    `zone` is the callee's IANA time zone; `country` (ISO 3166 alpha-2, from the
    number) picks the public holidays; a higher `priority` is dialed first.
    `counts` holds how often each retry outcome happened, in `RETRY_OUTCOMES` order.
    """

    id: str
    number: str
    zone: str
    priority: int = 0
    fields: Mapping[str, str] = field(default_factory=dict)
    country: str | None = None
    agent_reserved: bool = False
    state: LeadState = LeadState.NEW
    result: LeadResult | None = None
    due: float = 0.0
    attempts: int = 0
    day: int = -1
    attempts_on_day: int = 0
    counts: tuple[int, ...] = (0,) * len(RETRY_OUTCOMES)
    last_outcome: str | None = None
    last_attempt_at: float | None = None
    dropped_at: float | None = None
    callback_at: float | None = None
    callback_agent: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidLead("id: a lead needs an id")
        if not E164.match(self.number):
            raise InvalidLead(f"number: not an E.164 number: {self.number!r}")
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidLead(f"zone: unknown time zone {self.zone!r}") from exc
        if len(self.counts) != len(RETRY_OUTCOMES):
            raise InvalidLead(f"counts: needs {len(RETRY_OUTCOMES)} entries")

    def count(self, outcome: CallOutcome) -> int:
        """How often `outcome` happened to this lead."""
        return self.counts[RETRY_OUTCOMES.index(outcome)]

    @property
    def drop_exempt(self) -> bool:
        """True when an agent is reserved for the next call, so the 72 h rule does not hold it."""
        return self.agent_reserved or self.callback_agent is not None


def move(lead: Lead, what: LeadInput, **changes: object) -> Lead:
    """Apply `what` by the table (raises if illegal), with the other field changes."""
    nxt = TRANSITIONS[lead.state].get(what)
    if nxt is None:
        raise IllegalLeadTransition(lead.id, lead.state, what)
    result = RESULTS.get(what, lead.result if nxt is S.DONE else None)
    return dataclasses.replace(lead, state=nxt, result=result, **changes)  # type: ignore[arg-type]


def day_full(lead: Lead, campaign: Campaign, at: float) -> bool:
    """True when the lead has used its attempts for the callee's local day at `at`."""
    return (
        lead.attempts_on_day >= campaign.max_attempts_per_day
        and lead.day == local_day(lead.zone, at)
    )


def earliest_due(lead: Lead, campaign: Campaign, at: float) -> float:
    """`at`, moved past the drop hold and past a local day whose attempts are used up."""
    due = at
    if lead.dropped_at is not None and not lead.drop_exempt:
        due = max(due, lead.dropped_at + campaign.drop_hold)
    if day_full(lead, campaign, due):
        due = start_of_next_day(lead.zone, due)
    return due


def dial(lead: Lead, now: float) -> Lead:
    """The lead is handed out to be dialed at `now`: one attempt more."""
    today = local_day(lead.zone, now)
    on_day = lead.attempts_on_day + 1 if lead.day == today else 1
    return move(lead, In.DIAL, attempts=lead.attempts + 1, day=today,
                attempts_on_day=on_day, last_attempt_at=now)


def skip(lead: Lead) -> Lead:
    """Preview: the agent passed the lead on; the attempt did not happen."""
    undo = {"attempts": lead.attempts - 1, "attempts_on_day": lead.attempts_on_day - 1}
    if lead.callback_at is not None:
        return move(lead, In.CALLBACK, **undo)
    return move(lead, In.SKIP, **undo)


def _retry(lead: Lead, campaign: Campaign, delay: float, now: float, **changes: object) -> Lead:
    """Schedule the next attempt `delay` seconds after `now`, or exhaust at the cap."""
    cleared = {"callback_at": None, "callback_agent": None, **changes}
    if lead.attempts >= campaign.max_attempts:
        return move(lead, In.EXHAUST, **cleared)
    probe = dataclasses.replace(lead, **cleared)  # type: ignore[arg-type]
    return move(lead, In.RETRY, due=earliest_due(probe, campaign, now + delay), **cleared)


def record_outcome(lead: Lead, campaign: Campaign, outcome: CallOutcome, now: float) -> Lead:
    """Apply a no-contact outcome of the current attempt: retry rule and caps (Rules 4, 5)."""
    if outcome is CallOutcome.ANSWERED:
        raise LeadError(f"lead {lead.id!r}: an answered call ends with a disposition")
    if lead.state is not S.DIALING:
        raise IllegalLeadTransition(lead.id, lead.state, In.RETRY)
    if outcome is CallOutcome.INVALID:
        return move(lead, In.INVALIDATE, last_outcome=outcome.value)
    i = RETRY_OUTCOMES.index(outcome)
    counts = (*lead.counts[:i], lead.counts[i] + 1, *lead.counts[i + 1:])
    changes: dict[str, object] = {"counts": counts, "last_outcome": outcome.value}
    if outcome is CallOutcome.DROPPED:
        changes["dropped_at"] = now
    rule = campaign.retry_rule(outcome)
    if rule is None or (rule.max_tries is not None and counts[i] >= rule.max_tries):
        return move(lead, In.EXHAUST, callback_at=None, callback_agent=None, **changes)
    return _retry(lead, campaign, rule.delay(counts[i]), now, **changes)


def dispose(lead: Lead, campaign: Campaign, code: str, now: float) -> Lead:
    """Apply an agent's disposition after a connected call.

    Success ends the lead; do-not-call ends it as dnc (the caller adds the number
    to the do-not-call registry); a contact completes it unless the disposition
    asks for a retry; a non-contact without its own delay counts as a no-answer.
    """
    d = campaign.disposition(code)
    if lead.state is not S.DIALING:
        raise IllegalLeadTransition(lead.id, lead.state, In.COMPLETE)
    cleared = {"callback_at": None, "callback_agent": None, "last_outcome": code}
    if d.category is DispositionCategory.SUCCESS:
        return move(lead, In.SUCCEED, **cleared)
    if d.category is DispositionCategory.DO_NOT_CALL:
        return move(lead, In.BLOCK, **cleared)
    if d.retry_after is not None:
        return _retry(lead, campaign, d.retry_after, now, last_outcome=code)
    if d.category is DispositionCategory.CONTACT:
        return move(lead, In.COMPLETE, **cleared)
    return dataclasses.replace(
        record_outcome(lead, campaign, CallOutcome.NO_ANSWER, now), last_outcome=code
    )


def schedule_callback(
    lead: Lead, campaign: Campaign, at: float, agent_id: str | None = None
) -> Lead:
    """Call back at `at`: for `agent_id` only, or for anyone (None).

    Caps still hold: a lead with no attempts left cannot get a callback, and a
    callback on a local day already used up moves to the next day.
    """
    if lead.attempts >= campaign.max_attempts:
        raise LeadError(
            f"lead {lead.id!r}: all {campaign.max_attempts} attempts are used; no callback"
        )
    probe = dataclasses.replace(lead, callback_agent=agent_id)
    return move(lead, In.CALLBACK, due=earliest_due(probe, campaign, at),
                callback_at=at, callback_agent=agent_id)


def recycle(lead: Lead, now: float) -> Lead:
    """An exhausted lead starts over: attempts and outcome counts back to zero.

    The drop time and the day's attempts stay, so the 72 h rule and the per-day
    cap still hold across a recycle.
    """
    if lead.result is not R.EXHAUSTED:
        raise LeadError(f"lead {lead.id!r} is {lead.result}: only exhausted leads recycle")
    return move(lead, In.RECYCLE, due=now, attempts=0, counts=(0,) * len(RETRY_OUTCOMES),
                callback_at=None, callback_agent=None)
