"""Cases over the store: create one (its due times from its SLA policy), move it
through the workflow (`core.case_state`), assign it, add notes and links, read its
timeline, list cases with filters, and sweep for SLA warnings and breaches.

Every function takes the session of the caller's transaction and the instant `now`
(engine seconds since the epoch); none commits. Validation of names (type, category,
priority) happens here and raises `ConfigError` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from callcenter.core.business_time import NeverOpen
from callcenter.core.case_sla import SlaPolicy, TargetState, target
from callcenter.core.case_state import (
    OPEN_STATUSES,
    CaseAction,
    CaseStatus,
    is_first_response,
    transition,
)
from callcenter.core.config import Calendar, ConfigError
from callcenter.core.repeat_contacts import Contact
from callcenter.store.configs import get_calendar
from callcenter.store.errors import NotFound
from callcenter.store.models import (
    CaseCategoryRow,
    CaseEventRow,
    CaseLinkRow,
    CaseNoteRow,
    CaseRow,
    CaseTypeRow,
    InteractionRow,
    SlaPolicyRow,
)
from callcenter.store.models.cases import PRIORITIES

VISIBILITIES = ("internal", "customer")
OPEN = tuple(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True, slots=True)
class NewCase:
    """What a case is created with (validated at the API's edge for shape)."""

    type_id: str
    subject: str
    priority: str = "normal"
    category_id: str | None = None
    description: str = ""
    customer_id: int | None = None
    agent_id: str | None = None
    team: str | None = None
    interaction_id: str | None = None
    """The call the case comes from: linked at once."""


@dataclass(frozen=True, slots=True)
class SlaAlert:
    """A target of a case that reached its warning or was breached (sent once each)."""

    case_id: int
    target: str  # "first_response" | "resolution"
    level: str  # "warning" | "breached"
    due: float
    subject: str
    agent_id: str | None
    team: str | None
    priority: str


def policy_of(session: Session, type_id: str,
              priority: str) -> tuple[SlaPolicy, Calendar | None] | None:
    """The SLA policy of a type at a priority, with its calendar (None: no policy)."""
    row = session.scalar(select(SlaPolicyRow).where(SlaPolicyRow.type_id == type_id,
                                                    SlaPolicyRow.priority == priority))
    if row is None:
        return None
    calendar = None
    if row.calendar_id is not None:
        try:
            calendar = get_calendar(session, row.calendar_id)
        except NotFound:  # removed since: count every second rather than fail
            calendar = None
    return (SlaPolicy(row.first_response_seconds, row.resolution_seconds, row.warn_at),
            calendar)


def _check(session: Session, type_id: str, category_id: str | None, priority: str) -> None:
    kind = session.get(CaseTypeRow, type_id)
    if kind is None or not kind.active:
        raise ConfigError(f"type_id: no active case type {type_id!r}")
    if priority not in PRIORITIES:
        raise ConfigError(f"priority: {priority!r} is not one of {list(PRIORITIES)}")
    if category_id is not None:
        category = session.get(CaseCategoryRow, category_id)
        if category is None or category.type_id != type_id:
            raise ConfigError(f"category_id: no category {category_id!r} of type {type_id!r}")


def _event(session: Session, case: CaseRow, now: float, actor: str, kind: str,
           detail: str = "") -> None:
    session.add(CaseEventRow(case_id=case.id, at=now, actor=actor, kind=kind,
                             detail=detail[:300]))


def _set_due(session: Session, case: CaseRow) -> None:
    found = policy_of(session, case.type_id, case.priority)
    case.first_response_due = case.first_response_warn = None
    case.resolution_due = case.resolution_warn = None
    if found is None:
        return
    policy, calendar = found
    try:
        if policy.first_response is not None:
            t = target(calendar, case.created_at, policy.first_response, policy.warn_at,
                       None, case.created_at)
            case.first_response_due, case.first_response_warn = t.due, t.warn
        if policy.resolution is not None:
            t = target(calendar, case.created_at, policy.resolution, policy.warn_at, None,
                       case.created_at)
            case.resolution_due, case.resolution_warn = t.due, t.warn
    except NeverOpen:  # a calendar that never opens sets no due time
        pass


def create_case(session: Session, new: NewCase, actor: str, now: float) -> CaseRow:
    """Store a new case (status new) with its due times and, from a call, its link."""
    _check(session, new.type_id, new.category_id, new.priority)
    case = CaseRow(type_id=new.type_id, category_id=new.category_id, priority=new.priority,
                   status=CaseStatus.NEW.value, subject=new.subject,
                   description=new.description, customer_id=new.customer_id,
                   agent_id=new.agent_id, team=new.team, created_at=now, created_by=actor,
                   updated_at=now)
    _set_due(session, case)
    session.add(case)
    session.flush()
    _event(session, case, now, actor, "created", f"{new.type_id}, {new.priority}")
    if new.interaction_id is not None:
        link(session, case, new.interaction_id, actor, now)
    session.flush()
    return case


def get_case(session: Session, case_id: int) -> CaseRow:
    """The case `case_id`; `NotFound` if there is none."""
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def act(session: Session, case: CaseRow, action: CaseAction, actor: str, now: float) -> None:
    """Move `case` by `action` (`CaseTransitionError` if its status does not allow it)."""
    before = CaseStatus(case.status)
    after = transition(before, action)
    case.status = after.value
    case.updated_at = now
    if is_first_response(before) and case.first_response_at is None:
        case.first_response_at = now
    if after == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif after == CaseStatus.CLOSED:
        case.closed_at = now
    elif action == CaseAction.REOPEN:
        case.resolved_at = case.closed_at = None
    _event(session, case, now, actor, "status", f"{before.value} → {after.value}")
    session.flush()


def assign(session: Session, case: CaseRow, agent_id: str | None, team: str | None,
           actor: str, now: float) -> None:
    """Give the case to an agent and/or a team (None: nobody)."""
    case.agent_id, case.team, case.updated_at = agent_id, team, now
    _event(session, case, now, actor, "assigned",
           f"agent {agent_id or '-'}, team {team or '-'}")
    session.flush()


def add_note(session: Session, case: CaseRow, body: str, visibility: str, actor: str,
             now: float) -> CaseNoteRow:
    """Add a note; a customer-visible note on a new case is its first response."""
    if visibility not in VISIBILITIES:
        raise ConfigError(f"visibility: {visibility!r} is not one of {list(VISIBILITIES)}")
    note = CaseNoteRow(case_id=case.id, at=now, author=actor, visibility=visibility,
                       body=body)
    session.add(note)
    if visibility == "customer" and case.first_response_at is None:
        case.first_response_at = now
    case.updated_at = now
    session.flush()
    return note


def link(session: Session, case: CaseRow, interaction_id: str, actor: str,
         now: float) -> bool:
    """Link an interaction to the case; False if it was linked already."""
    if session.get(CaseLinkRow, (case.id, interaction_id)) is not None:
        return False
    session.add(CaseLinkRow(case_id=case.id, interaction_id=interaction_id, at=now,
                            linked_by=actor))
    case.updated_at = now
    session.flush()
    return True


def timeline(session: Session, case_id: int) -> list[dict[str, Any]]:
    """Events, notes and links of a case, oldest first (ties: events, notes, links)."""
    rows: list[tuple[float, int, int, dict[str, Any]]] = []
    for e in session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id)):
        rows.append((e.at, 0, e.id, {"at": e.at, "kind": e.kind, "actor": e.actor,
                                     "detail": e.detail}))
    for n in session.scalars(select(CaseNoteRow).where(CaseNoteRow.case_id == case_id)):
        rows.append((n.at, 1, n.id, {"at": n.at, "kind": "note", "actor": n.author,
                                     "detail": n.body, "visibility": n.visibility}))
    for k in session.scalars(select(CaseLinkRow).where(CaseLinkRow.case_id == case_id)):
        rows.append((k.at, 2, 0, {"at": k.at, "kind": "link", "actor": k.linked_by,
                                  "detail": k.interaction_id}))
    return [r[3] for r in sorted(rows, key=lambda r: r[:3])]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str | None = None
    type_id: str | None = None
    agent_id: str | None = None
    team: str | None = None
    customer_id: int | None = None
    open_only: bool = False
    breached: bool = False
    """Only cases with a target breached or missed at `now`."""
    limit: int = 200


def _breached(now: float) -> Any:
    open_ = CaseRow.status.in_(OPEN)
    return or_(
        and_(CaseRow.first_response_due.is_not(None), or_(
            and_(CaseRow.first_response_at.is_(None), CaseRow.first_response_due <= now),
            CaseRow.first_response_at > CaseRow.first_response_due)),
        and_(CaseRow.resolution_due.is_not(None), or_(
            and_(open_, CaseRow.resolution_due <= now),
            CaseRow.resolved_at > CaseRow.resolution_due)))


def list_cases(session: Session, f: CaseFilter, now: float) -> list[CaseRow]:
    """Cases matching `f`, newest first."""
    q: Select[tuple[CaseRow]] = select(CaseRow)
    if f.status is not None:
        q = q.where(CaseRow.status == f.status)
    if f.open_only:
        q = q.where(CaseRow.status.in_(OPEN))
    if f.type_id is not None:
        q = q.where(CaseRow.type_id == f.type_id)
    if f.agent_id is not None:
        q = q.where(CaseRow.agent_id == f.agent_id)
    if f.team is not None:
        q = q.where(CaseRow.team == f.team)
    if f.customer_id is not None:
        q = q.where(CaseRow.customer_id == f.customer_id)
    if f.breached:
        q = q.where(_breached(now))
    return list(session.scalars(q.order_by(CaseRow.id.desc()).limit(f.limit)))


def target_state(due: float | None, warn: float | None, done: float | None,
                 now: float) -> str | None:
    """A stored target's state at `now` (None: the case has no such target)."""
    if due is None or warn is None:
        return None
    if done is not None:
        return (TargetState.MET if done <= due else TargetState.MISSED).value
    if now >= due:
        return TargetState.BREACHED.value
    return (TargetState.WARNING if now >= warn else TargetState.RUNNING).value


def sla_sweep(session: Session, now: float) -> list[SlaAlert]:
    """The warnings and breaches reached since the last sweep, each marked as sent (so
    the next sweep does not send it again); only for cases that still need work."""
    alerts: list[SlaAlert] = []
    q = select(CaseRow).where(CaseRow.status.in_(OPEN), or_(
        and_(CaseRow.first_response_at.is_(None), CaseRow.first_response_warn <= now,
             or_(CaseRow.first_response_alert.is_(None),
                 and_(CaseRow.first_response_alert == "warning",
                      CaseRow.first_response_due <= now))),
        and_(CaseRow.resolution_warn <= now,
             or_(CaseRow.resolution_alert.is_(None),
                 and_(CaseRow.resolution_alert == "warning",
                      CaseRow.resolution_due <= now)))))
    for case in session.scalars(q.order_by(CaseRow.id)):
        for name in ("first_response", "resolution"):
            done = case.first_response_at if name == "first_response" else None
            state = target_state(getattr(case, f"{name}_due"), getattr(case, f"{name}_warn"),
                                 done, now)
            level = {"warning": "warning", "breached": "breached"}.get(state or "")
            sent = getattr(case, f"{name}_alert")
            if level is None or level == sent:
                continue
            setattr(case, f"{name}_alert", level)
            alerts.append(SlaAlert(case.id, name, level, getattr(case, f"{name}_due"),
                                   case.subject, case.agent_id, case.team, case.priority))
    session.flush()
    return alerts


def customer_cases(session: Session, customer_id: int) -> list[CaseRow]:
    """A customer's cases that still need work, newest first."""
    return list_cases(session, CaseFilter(customer_id=customer_id, open_only=True), 0.0)


def interaction_customer(session: Session, interaction_id: str) -> int | None:
    """The customer of an interaction, if the store knows one (None otherwise)."""
    column = getattr(InteractionRow, "customer_id", None)
    if column is None:
        return None
    found: int | None = session.scalar(
        select(column).where(InteractionRow.interaction_id == interaction_id))
    return found


def contacts(session: Session, since: float, until: float) -> list[Contact]:
    """The contacts (interactions linked to a case) that arrived in [since, until), one
    per interaction with all its cases and their categories; the customer is the
    interaction's, else its case's (contacts with neither are left out)."""
    own = getattr(InteractionRow, "customer_id", None)
    columns = [InteractionRow.interaction_id, InteractionRow.arrived_at,
               InteractionRow.queue_id, InteractionRow.agent_id, CaseRow.id,
               CaseRow.category_id, CaseRow.customer_id]
    q = (select(*columns, *([own] if own is not None else []))
         .join(CaseLinkRow, CaseLinkRow.interaction_id == InteractionRow.interaction_id)
         .join(CaseRow, CaseRow.id == CaseLinkRow.case_id)
         .where(InteractionRow.arrived_at >= since, InteractionRow.arrived_at < until))
    found: dict[str, dict[str, Any]] = {}
    for row in session.execute(q):
        ix, at, queue, agent, case_id, category, case_customer = row[:7]
        customer = (row[7] if own is not None else None) or case_customer
        if customer is None:
            continue
        c = found.setdefault(str(ix), {"customer": customer, "at": at, "queue": queue,
                                  "agent": agent, "cases": set(), "categories": set()})
        c["cases"].add(case_id)
        if category is not None:
            c["categories"].add(category)
    return [Contact(ix, c["customer"], c["at"], frozenset(c["cases"]),
                    frozenset(c["categories"]), c["queue"], c["agent"])
            for ix, c in sorted(found.items())]
