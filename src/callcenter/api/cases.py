"""Cases (`/api/cases`, `/api/case-types`), their SLA alerts, and the first-contact
resolution report (`/api/reports/fcr`).

- Anyone logged in reads the case types (with categories and priorities), lists and
  reads cases, creates one (from a call: `interaction_id` links it at once), moves it
  through the workflow (`core.case_state`: open, pend, resolve, close, reopen), and
  adds notes (internal or customer-visible) and links to interactions. An agent
  works cases on the desktop; staff on the cases page.
- Staff assign a case to an agent or a team, list the SLA warnings and breaches
  (`/api/cases/sla`), and read the FCR report.
- Every change is one transaction with its audit row (entity `case`). Times are the
  engine's clock (`runtime.clock`), as on interactions.

SLA alerts: `sweep` marks each target's warning and breach once and publishes it on
`Server.case_alerts`; the staff sockets of `/api/ws` send it as a `CaseAlert`
message (see `routes_ws`). The lifespan runs `sweep` every `case_sweep_seconds`
(`ServerSettings`, 15 s by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.api.admin.common import in_transaction, record
from callcenter.api.auth import Principal
from callcenter.api.deps import AnyUser, ServerDep, Staff, in_scope, scope_of
from callcenter.api.errors import InvalidField, errors, named_field
from callcenter.api.state import Server
from callcenter.core.case_state import (
    CaseAction,
    CaseStatus,
    CaseTransitionError,
    allowed_actions,
)
from callcenter.core.repeat_contacts import WEEK, fcr_rows, repeated
from callcenter.crm import cases as crm
from callcenter.store.errors import Conflict
from callcenter.store.models import CaseCategoryRow, CaseRow, CaseTypeRow
from callcenter.store.models.cases import PRIORITIES

MAX_ID = 2 ** 31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api", tags=["cases"],
                   responses=errors(401, 403, 404, 409, 422, 503))
log = logging.getLogger("callcenter.api")

SWEEP_SECONDS = 15.0
"""How often (real seconds) the lifespan looks for new SLA warnings and breaches."""

Id = Field(min_length=1, max_length=100)
Priority = Literal["low", "normal", "high", "urgent"]


class CaseCategoryChoice(BaseModel):
    id: str
    label: str


class CaseTypeChoice(BaseModel):
    """An active case type with its active categories."""

    id: str
    label: str
    categories: list[CaseCategoryChoice]


class CaseTypes(BaseModel):
    types: list[CaseTypeChoice]
    priorities: list[str]


class CaseIn(BaseModel):
    """A new case; `interaction_id` links the call it comes from."""

    model_config = ConfigDict(extra="forbid")

    type_id: str = Id
    subject: str = Field(min_length=1, max_length=300)
    priority: Priority = "normal"
    category_id: str | None = Field(default=None, min_length=1, max_length=100)
    description: str = Field(default="", max_length=10_000)
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    agent_id: str | None = Field(default=None, min_length=1, max_length=100)
    team: str | None = Field(default=None, min_length=1, max_length=100)
    interaction_id: str | None = Field(default=None, min_length=1, max_length=100)


class SlaTargetView(BaseModel):
    due: float
    state: str


class CaseView(BaseModel):
    """A case with its targets' states now (`first_response`, `resolution`: None
    where its SLA policy sets no such target)."""

    id: int
    type_id: str
    category_id: str | None
    priority: str
    status: str
    subject: str
    description: str
    customer_id: int | None
    agent_id: str | None
    team: str | None
    created_at: float
    created_by: str
    updated_at: float
    first_response_at: float | None
    resolved_at: float | None
    closed_at: float | None
    first_response: SlaTargetView | None
    resolution: SlaTargetView | None
    actions: list[str]


class CaseTimelineEntry(BaseModel):
    at: float
    kind: str
    actor: str
    detail: str
    visibility: str | None = None


class CaseDetail(CaseView):
    timeline: list[CaseTimelineEntry]
    interactions: list[str]


class CaseActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: CaseAction


class CaseAssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: str | None = Field(default=None, min_length=1, max_length=100)
    team: str | None = Field(default=None, min_length=1, max_length=100)


class CaseNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=10_000)
    visibility: Literal["internal", "customer"] = "internal"


class CaseLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interaction_id: str = Id


class SlaAlertView(BaseModel):
    """A target of a case in warning or breached now."""

    case_id: int
    subject: str
    priority: str
    agent_id: str | None
    team: str | None
    target: str
    state: str
    due: float


class FcrView(BaseModel):
    """Contacts about cases by one key, how many were repeated, and FCR in percent."""

    key: str
    contacts: int
    repeated: int
    fcr: float | None


def _target(due: float | None, warn: float | None, done: float | None,
            now: float) -> SlaTargetView | None:
    state = crm.target_state(due, warn, done, now)
    return None if state is None or due is None else SlaTargetView(due=due, state=state)


def case_view(case: CaseRow, now: float) -> CaseView:
    """The view of a stored case at `now`."""
    return CaseView(
        id=case.id, type_id=case.type_id, category_id=case.category_id,
        priority=case.priority, status=case.status, subject=case.subject,
        description=case.description, customer_id=case.customer_id, agent_id=case.agent_id,
        team=case.team, created_at=case.created_at, created_by=case.created_by,
        updated_at=case.updated_at, first_response_at=case.first_response_at,
        resolved_at=case.resolved_at, closed_at=case.closed_at,
        first_response=_target(case.first_response_due, case.first_response_warn,
                               case.first_response_at, now),
        resolution=_target(case.resolution_due, case.resolution_warn, case.resolved_at, now),
        actions=[a.value for a in allowed_actions(CaseStatus(case.status))])


def _detail(session: Session, case: CaseRow, now: float) -> CaseDetail:
    entries = [CaseTimelineEntry(**e) for e in crm.timeline(session, case.id)]
    links = [e.detail for e in entries if e.kind == "link"]
    return CaseDetail(**case_view(case, now).model_dump(), timeline=entries,
                      interactions=links)


def _now(server: Server) -> float:
    return server.runtime.clock.time()


def _audit(session: Session, user: Principal, action: str, case: CaseRow,
           after: object = None, before: object = None) -> None:
    record(session, user, action, "case", str(case.id), before, after)


@router.get("/case-types", response_model=CaseTypes)
async def case_types(server: ServerDep, _user: AnyUser) -> CaseTypes:
    """The active case types with their active categories, and the priorities."""
    def work(session: Session) -> CaseTypes:
        cats = list(session.scalars(select(CaseCategoryRow).where(CaseCategoryRow.active)
                                    .order_by(CaseCategoryRow.id)))
        return CaseTypes(priorities=list(PRIORITIES), types=[
            CaseTypeChoice(id=t.id, label=t.label, categories=[
                CaseCategoryChoice(id=c.id, label=c.label) for c in cats if c.type_id == t.id])
            for t in session.scalars(select(CaseTypeRow).where(CaseTypeRow.active)
                                     .order_by(CaseTypeRow.id))])
    return await in_transaction(server, work)


@router.get("/cases", response_model=list[CaseView])
async def list_cases(
        server: ServerDep, _user: AnyUser,
        status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
        type_id: Annotated[str | None, Query(max_length=100)] = None,
        agent: Annotated[str | None, Query(max_length=100)] = None,
        team: Annotated[str | None, Query(max_length=100)] = None,
        customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
        open_only: Annotated[bool, Query(alias="open")] = False,
        breached: bool = False,
        limit: Annotated[int, Query(ge=1, le=500)] = 200) -> list[CaseView]:
    """Cases, newest first, filtered by status, type, assignee (agent, team), customer,
    open (new, open or pending) and breached (a target breached or missed)."""
    now = _now(server)
    f = crm.CaseFilter(None if status_ is None else status_.value, type_id, agent, team,
                       customer_id, open_only, breached, limit)
    return await in_transaction(server, lambda s: [case_view(c, now) for c in
                                                   crm.list_cases(s, f, now)])


@router.post("/cases", response_model=CaseDetail, status_code=status.HTTP_201_CREATED)
async def create_case(body: CaseIn, server: ServerDep, user: AnyUser) -> CaseDetail:
    """Create a case (status new), with its due times from the SLA policy of its type
    and priority; from a call when `interaction_id` is given (linked at once)."""
    now = _now(server)

    def work(session: Session) -> CaseDetail:
        new = crm.NewCase(**body.model_dump())
        case = named_field(["type_id", "category_id", "priority"],
                           lambda: crm.create_case(session, new, user.username, now))
        _audit(session, user, "create", case, body.model_dump())
        return _detail(session, case, now)
    return await in_transaction(server, work)


@router.get("/cases/sla", response_model=list[SlaAlertView])
async def sla_alerts(server: ServerDep, user: Staff) -> list[SlaAlertView]:
    """The targets of cases still needing work that are in warning or breached now,
    the soonest due first; a supervisor's: those of cases of its teams' agents or of no
    agent (as its `CaseAlert`s)."""
    now = _now(server)
    scope = await scope_of(server, user)

    def work(session: Session) -> list[SlaAlertView]:
        found: list[SlaAlertView] = []
        for case in crm.list_cases(session, crm.CaseFilter(open_only=True, limit=500), now):
            if case.agent_id is not None and not in_scope(scope, case.agent_id):
                continue
            view = case_view(case, now)
            for name in ("first_response", "resolution"):
                t: SlaTargetView | None = getattr(view, name)
                if t is not None and t.state in ("warning", "breached"):
                    found.append(SlaAlertView(case_id=case.id, subject=case.subject,
                                           priority=case.priority, agent_id=case.agent_id,
                                           team=case.team, target=name, state=t.state,
                                           due=t.due))
        return sorted(found, key=lambda a: (a.due, a.case_id))
    return await in_transaction(server, work)


@router.get("/cases/{case_id}", response_model=CaseDetail)
async def read_case(case_id: RowId, server: ServerDep, _user: AnyUser) -> CaseDetail:
    """A case with its timeline (events, notes, links) and linked interactions."""
    now = _now(server)
    return await in_transaction(server, lambda s: _detail(s, crm.get_case(s, case_id), now))


@router.post("/cases/{case_id}/actions", response_model=CaseDetail)
async def case_action(case_id: RowId, body: CaseActionIn, server: ServerDep,
                      user: AnyUser) -> CaseDetail:
    """Move the case through its workflow; 409 if its status does not allow it."""
    now = _now(server)

    def work(session: Session) -> CaseDetail:
        case = crm.get_case(session, case_id)
        before = case.status
        try:
            crm.act(session, case, body.action, user.username, now)
        except CaseTransitionError as exc:
            raise Conflict(str(exc)) from None
        _audit(session, user, body.action.value, case, {"status": case.status},
               {"status": before})
        return _detail(session, case, now)
    return await in_transaction(server, work)


@router.put("/cases/{case_id}/assignee", response_model=CaseDetail)
async def assign_case(case_id: RowId, body: CaseAssignIn, server: ServerDep,
                      user: Staff) -> CaseDetail:
    """Assign the case to an agent and/or a team (null: nobody)."""
    now = _now(server)

    def work(session: Session) -> CaseDetail:
        case = crm.get_case(session, case_id)
        before = {"agent_id": case.agent_id, "team": case.team}
        crm.assign(session, case, body.agent_id, body.team, user.username, now)
        _audit(session, user, "assign", case, body.model_dump(), before)
        return _detail(session, case, now)
    return await in_transaction(server, work)


@router.post("/cases/{case_id}/notes", response_model=CaseDetail,
             status_code=status.HTTP_201_CREATED)
async def add_note(case_id: RowId, body: CaseNoteIn, server: ServerDep,
                   user: AnyUser) -> CaseDetail:
    """Add a note: internal (staff only) or customer-visible (the first one is the
    case's first response, if it had none)."""
    now = _now(server)

    def work(session: Session) -> CaseDetail:
        case = crm.get_case(session, case_id)
        crm.add_note(session, case, body.body, body.visibility, user.username, now)
        _audit(session, user, "note", case, {"visibility": body.visibility})
        return _detail(session, case, now)
    return await in_transaction(server, work)


@router.post("/cases/{case_id}/links", response_model=CaseDetail,
             status_code=status.HTTP_201_CREATED)
async def add_link(case_id: RowId, body: CaseLinkIn, server: ServerDep,
                   user: AnyUser) -> CaseDetail:
    """Link an interaction to the case (linking it twice changes nothing)."""
    now = _now(server)

    def work(session: Session) -> CaseDetail:
        case = crm.get_case(session, case_id)
        if crm.link(session, case, body.interaction_id, user.username, now):
            _audit(session, user, "link", case, body.model_dump())
        return _detail(session, case, now)
    return await in_transaction(server, work)


FcrBy = Literal["queue", "agent", "category"]


@router.get("/reports/fcr", response_model=list[FcrView])
async def fcr_report(
        server: ServerDep, _user: Staff,
        since: Annotated[datetime, Query(description="Start (ISO 8601; UTC without zone)")],
        until: Annotated[datetime, Query(description="End (exclusive)")],
        by: FcrBy = "queue",
        window_days: Annotated[float, Query(gt=0, le=90)] = WEEK / 86400) -> list[FcrView]:
    """First-contact resolution and repeat contacts of the contacts in [since, until),
    by queue, agent or category (docs/reference/metrics.md); a contact is judged on the
    contacts up to `window_days` after `until` too."""
    from callcenter.api.routes_reports import _epoch
    lo, hi = _epoch(since), _epoch(until)
    if hi <= lo:
        raise InvalidField("until", "until must be after since")
    window = window_days * 86400

    def work(session: Session) -> list[FcrView]:
        every = crm.contacts(session, lo, hi + window)
        repeats = repeated(every, window)
        period = [c for c in every if c.at < hi]
        keys = {"queue": lambda c: [c.queue_id], "agent": lambda c: [c.agent_id],
                "category": lambda c: sorted(c.categories)}[by]
        return [FcrView(key=r.key, contacts=r.contacts, repeated=r.repeated, fcr=r.fcr)
                for r in fcr_rows(period, repeats, keys)]
    return await in_transaction(server, work)


def _sweep(server: Server) -> list[crm.SlaAlert]:
    with server.sessions.begin() as session:
        return crm.sla_sweep(session, _now(server))


async def sweep(server: Server) -> list[crm.SlaAlert]:
    """Mark and publish the SLA warnings and breaches reached since the last sweep."""
    alerts = await asyncio.to_thread(_sweep, server)
    for alert in alerts:
        server.case_alerts.publish({"type": "CaseAlert", **asdict(alert)})
    return alerts


async def sweep_forever(server: Server, every: float = SWEEP_SECONDS) -> None:
    """`sweep` every `every` seconds until cancelled (a failed sweep is logged and the
    next one tries again); never when `every` is 0."""
    if every <= 0:
        return
    while True:
        try:
            await sweep(server)
        except Exception:  # the database may be away for a while
            log.warning("the SLA sweep failed; trying again in %s s", every, exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.sleep(every)
