"""Scripts and questionnaires: the admin's uploads (`/api/admin/scripts`), campaigns'
purposes and scripts (`/api/campaigns/{name}/script`), the scripts agents may choose
(`/api/scripts`), and runs during calls (`/api/agents/{agent_id}/script-runs`).

- Admins check a script's text (`POST /api/admin/scripts/validate`: every mistake with
  its line), store it as the next version of its script (`POST /api/admin/scripts`;
  every version is kept), read versions, retire a script, and set a campaign's purpose
  and script. Staff read them.
- An agent (on itself; a supervisor on its teams' agents; an admin on anyone) starts
  or resumes the run of a call it holds: the campaign's script for an outbound call,
  the one chosen for an inbound call. Merge fields come from the customer the call
  found and the lead. Each answer is stored as it is given; `finish` records the
  outcome at the closing step, `stop` ends a run whose call ended first.
- Every change is one transaction; admin changes and run endings write an audit row.

The format is in docs/reference/scripts.md; the service is `callcenter.crm.scripts`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import Admin, in_transaction, record
from callcenter.api.auth import Principal
from callcenter.api.deps import AgentOrStaff, AnyUser, ServerDep, Staff
from callcenter.api.errors import InvalidField, errors
from callcenter.api.state import Server
from callcenter.core.dialer.queue import campaign_of_queue
from callcenter.core.scripts import PURPOSES, AnswerError, ScriptError, parse_script
from callcenter.crm import scripts as crm
from callcenter.store.customers import find_customer
from callcenter.store.errors import NotFound
from callcenter.store.models import CustomerRow, ScriptRow
from callcenter.store.scripts import (
    campaign_script,
    newest_scripts,
    retire_script,
    run_row,
    save_script,
    script_for_campaign,
    script_row,
    script_versions,
)

router = APIRouter(prefix="/api", tags=["scripts"],
                   responses=errors(401, 403, 404, 409, 422, 503))

MAX_TEXT = 200_000
Name = Annotated[str, Path(min_length=1, max_length=100)]
RunId = Annotated[int, Path(ge=1, le=2 ** 31 - 1)]
StepId = Annotated[str, Path(min_length=1, max_length=100)]
Purpose = Literal["sales", "survey", "satisfaction", "reactivation", "address_update"]
assert set(PURPOSES) == set(Purpose.__args__)  # type: ignore[attr-defined]


class ScriptText(BaseModel):
    """A script's YAML text (docs/reference/scripts.md)."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)


class ProblemView(BaseModel):
    """One mistake in a script's text."""

    line: int | None
    path: str
    message: str


class ScriptCheck(BaseModel):
    """What the check of a script's text found: its id, title, purpose and steps when
    valid, else every mistake with its line."""

    valid: bool
    script: str | None = None
    title: str | None = None
    purpose: str | None = None
    steps: int = 0
    questions: int = 0
    problems: list[ProblemView] = []


class ScriptSummary(BaseModel):
    """A script's newest version."""

    name: str
    version: int
    title: str
    purpose: str
    retired: bool
    created_at: datetime
    created_by: str | None


class ScriptDetail(ScriptSummary):
    """A version of a script with its text, and every version of it (newest first)."""

    text: str
    versions: list[int]


class ScriptList(BaseModel):
    scripts: list[ScriptSummary]


class Retired(BaseModel):
    retired: bool


class CampaignScriptIn(BaseModel):
    """A campaign's purpose and script (null: the purpose's default, the newest script
    of that purpose)."""

    purpose: Purpose
    script: str | None = Field(default=None, min_length=1, max_length=100)


class CampaignScriptView(BaseModel):
    """A campaign's purpose and script, and the script its calls run now."""

    campaign: str
    purpose: str | None
    script: str | None = Field(description="The script named (null: the purpose's default)")
    runs: str | None = Field(description="The script its calls run now (null: none)")
    outcomes: list[str] = Field(description="The outcome codes of its purpose")


class RunStart(BaseModel):
    """Start (or resume) the script of a call the agent holds."""

    interaction_id: str = Field(min_length=1, max_length=100)
    script: str | None = Field(default=None, min_length=1, max_length=100,
                               description="The script to run (null: the campaign's)")


class AnswerIn(BaseModel):
    """An answer: an option's value, a list of them, a number, text, a YYYY-MM-DD date,
    or null (a question that is not required; anything for a `say` step)."""

    value: str | float | list[str] | bool | None = None


class OptionView(BaseModel):
    value: str
    label: str


class StepOut(BaseModel):
    """A step as the agent sees it, text merged, with its answer so far."""

    id: str
    kind: str
    text: str
    options: list[OptionView]
    min: float | None
    max: float | None
    required: bool
    answer: Any = None
    answered: bool
    outcome: str | None


class RunOut(BaseModel):
    """A run of a script: the steps passed with their answers, the current step (null
    once ended), its status (`open`, `ended`) and outcome."""

    id: int
    script: str
    version: int
    title: str
    purpose: str
    status: str
    interaction_id: str | None
    campaign: str | None
    lead_id: str | None
    customer_id: int | None
    agent_id: str | None
    path: list[StepOut]
    current: StepOut | None
    outcome: str | None
    detail: dict[str, Any] | None


def _now(server: Server) -> datetime:
    """The engine's time (as interactions and cases keep it)."""
    return datetime.fromtimestamp(server.runtime.clock.time(), UTC)


def _summary(row: ScriptRow) -> ScriptSummary:
    return ScriptSummary(name=row.name, version=row.version, title=row.title,
                         purpose=row.purpose, retired=row.retired, created_at=row.created_at,
                         created_by=row.created_by)


def _step(s: crm.StepView) -> StepOut:
    return StepOut(id=s.id, kind=s.kind, text=s.text,
                   options=[OptionView(value=o.value, label=o.label) for o in s.options],
                   min=s.minimum, max=s.maximum, required=s.required, answer=s.answer,
                   answered=s.answered, outcome=s.outcome)


def _run(v: crm.RunView) -> RunOut:
    return RunOut(id=v.run_id, script=v.script, version=v.version, title=v.title,
                  purpose=v.purpose, status=v.status, interaction_id=v.interaction_id,
                  campaign=v.campaign, lead_id=v.lead_id, customer_id=v.customer_id,
                  agent_id=v.agent_id, path=[_step(s) for s in v.path],
                  current=None if v.current is None else _step(v.current),
                  outcome=v.outcome, detail=v.detail)


# ---------------------------------------------------------------- administration

@router.post("/admin/scripts/validate", response_model=ScriptCheck)
async def validate_script(body: ScriptText, _user: Admin) -> ScriptCheck:
    """Check a script's text without storing it: its summary, or every mistake with its
    line and key path."""
    try:
        script = parse_script(body.text)
    except ScriptError as exc:
        return ScriptCheck(valid=False, problems=[
            ProblemView(line=p.line, path=p.path, message=p.message) for p in exc.problems])
    return ScriptCheck(valid=True, script=script.id, title=script.title,
                       purpose=script.purpose, steps=len(script.steps),
                       questions=len(script.questions))


@router.get("/admin/scripts", response_model=ScriptList)
async def list_scripts(server: ServerDep, _user: Staff) -> ScriptList:
    """The newest version of every script, retired ones too."""
    def work(session: Session) -> ScriptList:
        return ScriptList(scripts=[_summary(r) for r in newest_scripts(session)])
    return await in_transaction(server, work)


@router.post("/admin/scripts", response_model=ScriptDetail,
             status_code=status.HTTP_201_CREATED)
async def upload_script(body: ScriptText, server: ServerDep, user: Admin) -> ScriptDetail:
    """Store a script's text as the next version of the script it names (the first for
    a new name); a 422 names the first mistake's line (`validate` lists them all)."""
    def work(session: Session) -> ScriptDetail:
        try:
            row = save_script(session, body.text, user.username)
        except ScriptError as exc:
            raise InvalidField("text", f"text: {exc}") from None
        record(session, user, "create", "script", f"{row.name}:{row.version}",
               after={"name": row.name, "version": row.version, "purpose": row.purpose})
        return _detail(session, row)
    return await in_transaction(server, work)


def _detail(session: Session, row: ScriptRow) -> ScriptDetail:
    return ScriptDetail(**_summary(row).model_dump(), text=row.text,
                        versions=[r.version for r in script_versions(session, row.name)])


@router.get("/admin/scripts/{name}", response_model=ScriptDetail)
async def read_script(name: Name, server: ServerDep, _user: Staff) -> ScriptDetail:
    """A script's newest version with its text, and the numbers of all its versions."""
    return await in_transaction(server, lambda s: _detail(s, script_row(s, name)))


@router.get("/admin/scripts/{name}/versions/{version}", response_model=ScriptDetail)
async def read_script_version(name: Name, version: Annotated[int, Path(ge=1, le=10 ** 6)],
                              server: ServerDep, _user: Staff) -> ScriptDetail:
    """One version of a script with its text."""
    return await in_transaction(server, lambda s: _detail(s, script_row(s, name, version)))


@router.put("/admin/scripts/{name}/retired", response_model=ScriptSummary)
async def set_retired(name: Name, body: Retired, server: ServerDep,
                      user: Admin) -> ScriptSummary:
    """Retire a script (no new run uses it; its runs and versions stay), or bring it
    back."""
    def work(session: Session) -> ScriptSummary:
        row = retire_script(session, name, body.retired)
        record(session, user, "retire" if body.retired else "restore", "script", name)
        return _summary(row)
    return await in_transaction(server, work)


def _campaign_view(session: Session, campaign: str) -> CampaignScriptView:
    from callcenter.core.scripts import OUTCOMES
    from callcenter.store.campaigns import campaign_row
    campaign_row(session, campaign)
    link = campaign_script(session, campaign)
    runs = script_for_campaign(session, campaign)
    purpose = None if link is None else link.purpose
    return CampaignScriptView(campaign=campaign, purpose=purpose,
                              script=None if link is None else link.script,
                              runs=None if runs is None else runs.name,
                              outcomes=list(OUTCOMES[purpose]) if purpose else [])


@router.get("/campaigns/{name}/script", response_model=CampaignScriptView)
async def read_campaign_script(name: Name, server: ServerDep,
                               _user: Staff) -> CampaignScriptView:
    """A campaign's purpose, its script, and the script its calls run now."""
    return await in_transaction(server, lambda s: _campaign_view(s, name))


@router.put("/campaigns/{name}/script", response_model=CampaignScriptView)
async def put_campaign_script(name: Name, body: CampaignScriptIn, server: ServerDep,
                              user: Admin) -> CampaignScriptView:
    """Set a campaign's purpose and script (null: the newest script of the purpose).
    A 409 when the script is for another purpose."""
    from callcenter.store.scripts import set_campaign_script

    def work(session: Session) -> CampaignScriptView:
        before = campaign_script(session, name)
        old = None if before is None else {"purpose": before.purpose, "script": before.script}
        set_campaign_script(session, name, body.purpose, body.script)
        record(session, user, "update", "campaign_script", name, before=old,
               after=body.model_dump())
        return _campaign_view(session, name)
    return await in_transaction(server, work)


@router.get("/scripts", response_model=ScriptList)
async def scripts_to_run(server: ServerDep, _user: AnyUser) -> ScriptList:
    """The scripts an agent may choose for a call (newest versions, none retired)."""
    def work(session: Session) -> ScriptList:
        return ScriptList(scripts=[_summary(r) for r in
                                   newest_scripts(session, include_retired=False)])
    return await in_transaction(server, work)


# ---------------------------------------------------------------- runs during calls

def _call_of(server: Server, agent_id: str, interaction_id: str
             ) -> tuple[str | None, str | None, dict[str, str], str | None, str | None]:
    """(campaign, lead id, lead fields, caller number, customer id) of a call the agent
    holds; 409 when it holds no such call."""
    engine = server.runtime.engine
    held = {w.interaction_id: w for w in engine.work(agent_id)}
    work = held.get(interaction_id)
    if work is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"agent {agent_id!r} holds no call {interaction_id!r}")
    campaign, lead_id, lead_fields, number = campaign_of_queue(work.queue_id), None, {}, \
        work.caller or None
    dialer = server.runtime.dialer
    found = None if dialer is None else dialer.call_lead(interaction_id)
    if found is not None:
        campaign, lead = found
        lead_id, lead_fields, number = lead.id, dict(lead.fields), lead.number
    lookups = server.runtime.lookups
    card = None if lookups is None else lookups.customer(interaction_id)
    return campaign, lead_id, lead_fields, number, None if card is None else \
        card.get("customer_id")


@router.post("/agents/{agent_id}/script-runs", response_model=RunOut)
async def start_run(agent_id: str, body: RunStart, server: ServerDep,
                    user: AgentOrStaff) -> RunOut:
    """Start the script of a call the agent holds, or resume its run (answers kept):
    `script`, else the campaign's. A 404 when no script is named and the call's
    campaign has none; a 409 when the agent holds no such call."""
    campaign, lead_id, lead_fields, number, card_id = _call_of(server, agent_id,
                                                               body.interaction_id)
    now = _now(server)

    def work(session: Session) -> RunOut:
        customer: CustomerRow | None = None
        if card_id is not None and card_id.isdigit():
            customer = session.get(CustomerRow, int(card_id))
        if customer is None and number:
            customer = find_customer(session, number=number)
        fields = crm.merge_fields(customer, lead_fields, agent_id, campaign, number)
        run = crm.begin(session, interaction_id=body.interaction_id, agent_id=agent_id,
                        script=body.script, campaign=campaign, lead_id=lead_id,
                        customer_id=None if customer is None else customer.id,
                        fields=fields, at=now)
        return _run(crm.view(session, run))
    return await in_transaction(server, work)


def _own_run(session: Session, agent_id: str, run_id: int) -> None:
    if run_row(session, run_id).agent_id != agent_id:
        raise NotFound(f"no script run {run_id} of agent {agent_id!r}")


@router.get("/agents/{agent_id}/script-runs/{run_id}", response_model=RunOut)
async def read_run(agent_id: str, run_id: RunId, server: ServerDep,
                   _user: AgentOrStaff) -> RunOut:
    """Where one of the agent's runs stands."""
    def work(session: Session) -> RunOut:
        _own_run(session, agent_id, run_id)
        return _run(crm.view(session, run_row(session, run_id)))
    return await in_transaction(server, work)


@router.put("/agents/{agent_id}/script-runs/{run_id}/answers/{step_id}",
            response_model=RunOut)
async def put_answer(agent_id: str, run_id: RunId, step_id: StepId, body: AnswerIn,
                     server: ServerDep, _user: AgentOrStaff) -> RunOut:
    """Answer the current step, or change the answer of a step passed (which may
    re-route the run). A 422 names `value` when the answer does not fit; a 409 when
    the run has ended or the step is neither current nor passed."""
    now = _now(server)

    def work(session: Session) -> RunOut:
        _own_run(session, agent_id, run_id)
        try:
            return _run(crm.answer(session, run_id, step_id, body.value, now))
        except AnswerError as exc:
            raise InvalidField("value", f"value: {exc}") from None
    return await in_transaction(server, work)


@router.post("/agents/{agent_id}/script-runs/{run_id}/finish", response_model=RunOut)
async def finish_run(agent_id: str, run_id: RunId, server: ServerDep,
                     user: AgentOrStaff) -> RunOut:
    """End the run at its closing step with its outcome (a sale or contract, a survey
    outcome, an address written to the customer's history); a 409 while steps are
    left."""
    return await _end(server, user, agent_id, run_id, crm.finish)


@router.post("/agents/{agent_id}/script-runs/{run_id}/stop", response_model=RunOut)
async def stop_run(agent_id: str, run_id: RunId, server: ServerDep,
                   user: AgentOrStaff) -> RunOut:
    """End the run before its script's end (the call ended first): the purpose's
    break-off outcome."""
    return await _end(server, user, agent_id, run_id, crm.stop)


async def _end(server: Server, user: Principal, agent_id: str, run_id: int,
               end: Any) -> RunOut:
    now = _now(server)

    def work(session: Session) -> RunOut:
        _own_run(session, agent_id, run_id)
        return _run(end(session, run_id, user.username, now))
    return await in_transaction(server, work)
