"""Scripts during calls: start (or resume) a run for a call, show where it stands with
its text merged, take answers, and finish it with its outcome (a sale or contract, a
survey outcome, a confirmed or corrected address).

Functions over a `Session` (they flush, the caller commits), on top of
`callcenter.store.scripts` and the pure runner `callcenter.core.scripts`. Answers are
stored as they are given, so a reloaded desktop finds the run where it was. A survey
with quotas ends an interview whose answers put it in a full cell (`quota_full`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from callcenter.core.customer_profile import Address
from callcenter.core.scripts import (
    AnswerError,
    Option,
    Position,
    Script,
    Step,
    break_off,
    check_answer,
    position,
    render,
)
from callcenter.core.scripts.quotas import count_cells, screen_out
from callcenter.crm import orders
from callcenter.store import customer_profile as profile
from callcenter.store.audit import audit
from callcenter.store.errors import Conflict, NotFound
from callcenter.store.models import CustomerRow, ScriptRow, ScriptRunRow, utcnow
from callcenter.store.scripts import (
    OPEN,
    answers_of,
    completed_answers,
    end_run,
    open_run,
    run_row,
    save_answer,
    script_for_campaign,
    script_of,
    script_row,
    start_run,
)

__all__ = ["AnswerError", "RunView", "StepView", "answer", "begin", "finish", "merge_fields",
           "stop", "view"]


@dataclass(frozen=True, slots=True)
class StepView:
    """A step as the agent sees it: text and option labels merged, and its answer."""

    id: str
    kind: str
    text: str
    options: tuple[Option, ...]
    minimum: float | None
    maximum: float | None
    required: bool
    answer: Any = None
    answered: bool = False
    outcome: str | None = None


@dataclass(frozen=True, slots=True)
class RunView:
    """A run: which script, for which call, the steps passed (`path`, with their
    answers), the `current` step (None once ended or walked off the end), and how it
    ended or will end (`outcome`: the closing step's code while it is shown)."""

    run_id: int
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
    path: tuple[StepView, ...]
    current: StepView | None
    outcome: str | None
    detail: dict[str, Any] | None


def merge_fields(customer: CustomerRow | None, lead: Mapping[str, str] | None = None,
                 agent_name: str | None = None, campaign: str | None = None,
                 number: str | None = None) -> dict[str, str]:
    """The merge fields of a call: the lead's fields, then the customer's (name split
    into first and last name unless given, account, segment, language, its custom
    fields), the agent's name and the campaign."""
    fields: dict[str, str] = {k: str(v) for k, v in (lead or {}).items()}
    if number:
        fields.setdefault("number", number)
    if customer is not None:
        fields.update({k: str(v) for k, v in (customer.fields or {}).items()})
        first, _, last = customer.name.partition(" ")
        fields["name"] = customer.name
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
        for key in ("account", "segment", "language"):
            value = getattr(customer, key)
            if value:
                fields[key] = str(value)
    elif "name" in fields:
        first, _, last = fields["name"].partition(" ")
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
    if agent_name:
        fields["agent_name"] = agent_name
    if campaign:
        fields["campaign"] = campaign
    return fields


def begin(session: Session, *, interaction_id: str, agent_id: str | None,
          script: str | None = None, campaign: str | None = None,
          lead_id: str | None = None, customer_id: int | None = None,
          fields: Mapping[str, str] | None = None, at: datetime | None = None
          ) -> ScriptRunRow:
    """The agent's open run of the call (of `script` when named), or a new one: of
    `script` (newest version), else of the campaign's script. `NotFound` when no script
    is named and the campaign has none; `Conflict` when the named script is retired.
    Runs of other scripts on the call stay as they are."""
    found = open_run(session, interaction_id, agent_id, script)
    if found is not None:
        return found
    row: ScriptRow | None
    if script is not None:
        row = script_row(session, script)
        if row.retired:
            raise Conflict(f"script {script!r} is retired")
    else:
        row = script_for_campaign(session, campaign) if campaign else None
        if row is None:
            raise NotFound("no script for this call: choose one"
                           + (f" (campaign {campaign!r} has none)" if campaign else ""))
    return start_run(session, row, interaction_id=interaction_id, agent_id=agent_id,
                     campaign=campaign, lead_id=lead_id, customer_id=customer_id,
                     fields=fields, at=at)


def _script(session: Session, run: ScriptRunRow) -> tuple[ScriptRow, Script]:
    row = script_row(session, run.script, run.script_version)
    return row, script_of(row)


def _step_view(step: Step, fields: Mapping[str, Any], answers: Mapping[str, Any],
               known: Mapping[str, Any]) -> StepView:
    text, options = render(step, fields, known)
    return StepView(step.id, step.kind, text, options, step.minimum, step.maximum,
                    step.required, answers.get(step.id), step.id in answers, step.outcome)


def _view(run: ScriptRunRow, row: ScriptRow, script: Script, answers: Mapping[str, Any],
          pos: Position) -> RunView:
    fields = dict(run.fields)
    known = {sid: answers[sid] for sid in pos.path}
    path = tuple(_step_view(script.step(sid), fields, answers, known) for sid in pos.path)
    current = None
    if run.status == OPEN and pos.current is not None:
        current = _step_view(pos.current, fields, answers, known)
    outcome = run.outcome if run.status != OPEN else (
        pos.outcome.code if pos.outcome is not None else None)
    return RunView(run.id, run.script, run.script_version, row.title, row.purpose,
                   run.status, run.interaction_id, run.campaign, run.lead_id, run.customer_id,
                   run.agent_id, path, current, outcome, run.detail)


def view(session: Session, run: ScriptRunRow) -> RunView:
    """Where the run stands."""
    row, script = _script(session, run)
    answers = answers_of(session, run.id)
    return _view(run, row, script, answers, position(script, run.fields, answers))


def answer(session: Session, run_id: int, step_id: str, value: object,
           at: datetime | None = None) -> RunView:
    """Answer the current step, or change the answer of a step already passed (which may
    re-route the run). `AnswerError` when the answer does not fit; `Conflict` when the
    run has ended or the step is not the current one or a passed one."""
    run = run_row(session, run_id)
    if run.status != OPEN:
        raise Conflict(f"script run {run.id} has ended")
    row, script = _script(session, run)
    answers = answers_of(session, run.id)
    pos = position(script, run.fields, answers)
    reachable = set(pos.path) | ({pos.current.id} if pos.current is not None else set())
    if step_id not in reachable or script.step(step_id).kind == "close":
        raise Conflict(f"step {step_id!r} is not the current step or one already passed")
    stored = check_answer(script.step(step_id), value)
    save_answer(session, run, step_id, stored, at)
    answers[step_id] = stored
    pos = position(script, run.fields, answers)
    if script.quota.cells and pos.current is not None and pos.current.kind != "close":
        counts = count_cells(script.quota, ((a, {k: str(v) for k, v in f.items()})
                                            for a, f in completed_answers(session, run.script)))
        cell = screen_out(script.quota, counts, {sid: answers[sid] for sid in pos.path},
                          {k: str(v) for k, v in run.fields.items()})
        if cell is not None:
            end_run(session, run, "quota_full", {"cell": cell.id}, at)
    return _view(run, row, script, answers, pos)


def finish(session: Session, run_id: int, by: str | None, at: datetime | None = None
           ) -> RunView:
    """End the run at its closing step (or its end) with the outcome: a sale's figures
    (with a draft order of its product for the customer and call) or a corrected address
    (written to the customer's address history, naming the interaction). `Conflict`
    while the script has steps left. A run that has ended is given as it ended."""
    run = run_row(session, run_id)
    if run.status != OPEN:
        return view(session, run)
    row, script = _script(session, run)
    answers = answers_of(session, run.id)
    pos = position(script, run.fields, answers)
    if not pos.ended or pos.outcome is None:
        assert pos.current is not None
        raise Conflict(f"the script is not at its end: step {pos.current.id!r} is next")
    outcome = pos.outcome
    detail: dict[str, Any] = {}
    if outcome.is_sale:
        detail.update(product=outcome.product, quantity=outcome.quantity,
                      amount=outcome.amount, currency=outcome.currency)
        if outcome.product is not None:
            detail.update(_draft_order(session, run, outcome.product, outcome.quantity, by,
                                       at or utcnow()))
    if outcome.address:
        detail["address"] = dict(outcome.address)
        detail["address_written"] = _write_address(session, run, dict(outcome.address), by,
                                                   at or utcnow())
    end_run(session, run, outcome.code, detail or None, at)
    audit(session, actor=by, action="finish", entity="script_run", entity_id=str(run.id),
          after={"outcome": outcome.code, **detail}, at=at)
    return _view(run, row, script, answers, pos)


def stop(session: Session, run_id: int, by: str | None, at: datetime | None = None
         ) -> RunView:
    """End the run before its script did (the call ended first): the purpose's break-off
    outcome (a survey's `break_off`). A run that has ended is given as it ended."""
    run = run_row(session, run_id)
    if run.status != OPEN:
        return view(session, run)
    _, script = _script(session, run)
    code = break_off(script).code
    end_run(session, run, code, None, at)
    audit(session, actor=by, action="stop", entity="script_run", entity_id=str(run.id),
          after={"outcome": code}, at=at)
    return view(session, run)


def _draft_order(session: Session, run: ScriptRunRow, sku: str, quantity: float | None,
                 by: str | None, at: datetime) -> dict[str, Any]:
    """A draft order of the sold product for the run's customer and call (the agent
    places it from the orders panel, taking payment there): `{"order_id"}`, or
    `{"order_error"}` when the catalog refuses it (the sale stays on the run)."""
    count = int(quantity) if quantity is not None and float(quantity).is_integer() else 1
    try:
        order = orders.create_order(
            session, orders.NewOrder((orders.NewLine(sku, count),), run.customer_id,
                                     run.interaction_id), run.agent_id, by or "script",
            at.timestamp())
    except orders.OrderError as exc:
        return {"order_error": str(exc)}
    return {"order_id": order.id}


def _write_address(session: Session, run: ScriptRunRow, parts: dict[str, str],
                   by: str | None, at: datetime) -> bool:
    """Write a corrected address as the customer's home address, with its history row
    naming the interaction and who changed it; False when the run has no customer (the
    address stays in the run's detail only)."""
    if run.customer_id is None:
        return False
    current = {r.kind: profile.address_values(r)
               for r in profile.addresses(session, run.customer_id)}
    values = {**current.get("home", {}), **parts}
    address = Address(kind="home", **{k: values.get(k, "") for k in (
        "street", "postal_code", "city", "region", "country")})
    profile.set_address(session, run.customer_id, "home", address, changed_by=by or "script",
                        at=at, interaction_id=run.interaction_id)
    return True
