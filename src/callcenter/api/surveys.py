"""Survey results of a campaign (`/api/surveys/{name}`): quota cells filled against
their targets, AAPOR outcome codes and rates, counts and shares per question (weighted
to the campaign's population shares beside the unweighted figures), cross-tabs of two
variables, and the answers one row per interview. Staff read; admins set the weighting.

The figures are `callcenter.core.survey_results`' and `callcenter.core.aapor`'s
(docs/reference/surveys.md, metrics.md "Survey outcome rates"). Every table is also CSV
(`?format=csv`, with `table=` for the summary's tables).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from callcenter.api.admin.common import NO_CONTENT, Admin, in_transaction, record
from callcenter.api.deps import ServerDep, Staff
from callcenter.api.errors import InvalidField, errors
from callcenter.api.routes_reports import Format, FormatQ
from callcenter.api.state import Server
from callcenter.core import aapor
from callcenter.core.survey_results import (
    Respondent,
    Variable,
    crosstab,
    frequencies,
    poststratify,
)
from callcenter.store.leads import get_campaign
from callcenter.store.surveys import (
    MAX_WEIGHT_CELLS,
    campaign_script,
    clear_weights,
    ended_runs,
    load_weights,
    outcome_cases,
    quota_counts,
    respondents,
    save_weights,
)

router = APIRouter(prefix="/api/surveys", tags=["surveys"], responses=errors(401, 403, 404))

_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv"}}
_VAR = r"^(answer|lead):[A-Za-z_][A-Za-z0-9_]{0,63}$"


class Table(StrEnum):
    """Which of the summary's tables `?format=csv` gives."""

    QUESTIONS = "questions"
    QUOTAS = "quotas"
    RATES = "rates"


class QuotaCell(BaseModel):
    """One quota cell: completed interviews in it against its target."""

    id: str
    label: str
    target: int
    count: int
    full: bool
    lead_only: bool = Field(description="true: the dialer holds back its leads when full")


class ValueRow(BaseModel):
    """One value of a question: unweighted and weighted count and share."""

    question: str
    value: str
    count: int
    share: float
    weighted: float
    weighted_share: float


class Weighting(BaseModel):
    """The post-stratification in use."""

    variable: str = Field(description="answer:<question> or lead:<field>")
    shares: dict[str, float] = Field(description="population shares, normalised over "
                                                 "the cells with respondents")
    empty: list[str] = Field(description="cells with a share and no respondent")
    unweighted: int = Field(description="respondents outside the listed cells (weight 0)")


class Survey(BaseModel):
    """A campaign's survey results."""

    campaign: str
    script: str | None
    script_version: int | None
    completes: int = Field(description="completed interviews (the results' base)")
    questions: list[str]
    quotas: list[QuotaCell]
    outcomes: dict[str, int] = Field(description="cases per AAPOR final code")
    rates: dict[str, float | None] = Field(
        description="RR1-RR6, COOP1-4, REF1-3, CON1-3 and e (metrics.md)")
    weighting: Weighting | None
    values: list[ValueRow]


class WeightsIn(BaseModel):
    """Population shares of one variable's values."""

    variable: str = Field(pattern=_VAR, description="answer:<question> or lead:<field>")
    shares: dict[Annotated[str, Field(min_length=1, max_length=200)],
                 Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)]] = Field(
        min_length=1, max_length=MAX_WEIGHT_CELLS)


class Crosstab(BaseModel):
    """Counts of `rows` by `columns`, unweighted and weighted, with column shares."""

    rows_variable: str
    columns_variable: str
    rows: list[str]
    columns: list[str]
    counts: list[list[int]]
    weighted: list[list[float]]
    column_shares: list[list[float]]
    weighted_column_shares: list[list[float]]


def _variable(text: str, field: str) -> Variable:
    source, _, name = text.partition(":")
    if source not in ("answer", "lead") or not name:
        raise InvalidField(field, f"{field}: answer:<question> or lead:<field>")
    return Variable(source, name)


def _name(v: Variable) -> str:
    return f"{v.source}:{v.name}"


def _weights(session: Session, name: str, people: Sequence[Respondent],
             ) -> tuple[dict[int, float] | None, Weighting | None]:
    found = load_weights(session, name)
    if found is None:
        return None, None
    by, shares = found
    w = poststratify(people, by, shares)
    return dict(w.weights), Weighting(variable=_name(by), shares=dict(w.shares),
                                      empty=list(w.empty), unweighted=w.unweighted)


def _survey(server: Server, name: str, known_eligible: bool) -> Survey:
    with server.sessions() as session:
        get_campaign(session, name)
        found = campaign_script(session, name)
        people = respondents(session, name)
        weights, weighting = _weights(session, name, people)
        cells: list[QuotaCell] = []
        questions: list[str] = []
        if found is not None:
            quota = found.script.quota
            counts = quota_counts(session, name, quota)
            cells = [QuotaCell(id=c.id, label=c.label, target=c.target, count=counts[c.id],
                               full=counts[c.id] >= c.target, lead_only=c.lead_only)
                     for c in quota.cells]
            questions = [s.id for s in found.script.questions]
        else:
            questions = sorted({q for p in people for q in p.answers})
        cases = outcome_cases(session, name, known_eligible)
    t = aapor.tally(c.code for c in cases)
    outcomes = {code.value: 0 for code in aapor.Code}
    for c in cases:
        outcomes[c.code.value] += 1
    options = ({s.id: [o.value for o in s.options] for s in found.script.questions}
               if found is not None else {})
    values = [ValueRow(question=q, value=f.value, count=f.count, share=f.share,
                       weighted=f.weighted, weighted_share=f.weighted_share)
              for q in questions
              for f in frequencies(people, Variable("answer", q), weights,
                                   options.get(q, ()))]
    return Survey(campaign=name, script=None if found is None else found.name,
                  script_version=None if found is None else found.version,
                  completes=len(people), questions=questions, quotas=cells,
                  outcomes=outcomes, rates=aapor.rates(t), weighting=weighting,
                  values=values)


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> Response:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else _cell(v) for v in row])
    return Response(out.getvalue(), media_type="text/csv")


def _cell(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False) \
        if isinstance(value, list | dict | bool) else str(value)
    # a cell a spreadsheet would read as a formula is quoted as text
    return "'" + text if text[:1] in ("=", "+", "-", "@") and isinstance(value, str) else text


@router.get("/{name}", response_model=Survey, responses=_CSV)
async def survey_results(
        name: str, server: ServerDep, _user: Staff,
        known_eligible: Annotated[bool, Query(
            description="true (default): the leads are known eligible people, so calls "
                        "that reached no one are non-contacts; false: unknown eligibility")]
        = True,
        format: FormatQ = Format.JSON,
        table: Annotated[Table, Query(description="the table ?format=csv gives")]
        = Table.QUESTIONS) -> Survey | Response:
    """The campaign's survey: quota cells (count of completed interviews / target),
    cases per AAPOR code and the outcome rates, and counts and shares per question,
    weighted and unweighted."""
    s = await asyncio.to_thread(_survey, server, name, known_eligible)
    if format is Format.JSON:
        return s
    if table is Table.QUOTAS:
        return _csv(["cell", "label", "target", "count", "full"],
                    [[c.id, c.label, c.target, c.count, c.full] for c in s.quotas])
    if table is Table.RATES:
        return _csv(["measure", "value"],
                    [*([k, v] for k, v in s.outcomes.items()),
                     *([k, v] for k, v in s.rates.items())])
    return _csv(["question", "value", "count", "share", "weighted", "weighted_share"],
                [[v.question, v.value, v.count, v.share, v.weighted, v.weighted_share]
                 for v in s.values])


def _crosstab(server: Server, name: str, rows: Variable, columns: Variable) -> Crosstab:
    with server.sessions() as session:
        get_campaign(session, name)
        people = respondents(session, name)
        weights, _ = _weights(session, name, people)
    t = crosstab(people, rows, columns, weights)
    return Crosstab(rows_variable=_name(rows), columns_variable=_name(columns),
                    rows=list(t.rows), columns=list(t.columns),
                    counts=[list(r) for r in t.counts], weighted=[list(r) for r in t.weighted],
                    column_shares=[list(r) for r in t.column_shares()],
                    weighted_column_shares=[list(r) for r in t.column_shares(True)])


@router.get("/{name}/crosstab", response_model=Crosstab, responses=_CSV)
async def survey_crosstab(
        name: str, server: ServerDep, _user: Staff,
        rows: Annotated[str, Query(pattern=_VAR, description="answer:<question> or "
                                                             "lead:<field>")],
        columns: Annotated[str, Query(pattern=_VAR, description="answer:<question> or "
                                                                "lead:<field>")],
        format: FormatQ = Format.JSON) -> Crosstab | Response:
    """A cross-tab of two answers, or of an answer by a lead field, over the completed
    interviews: counts and column shares, unweighted and weighted."""
    t = await asyncio.to_thread(_crosstab, server, name, _variable(rows, "rows"),
                                _variable(columns, "columns"))
    if format is Format.JSON:
        return t
    return _csv([t.rows_variable, *(f"{c} count" for c in t.columns),
                 *(f"{c} weighted" for c in t.columns)],
                [[r, *t.counts[i], *t.weighted[i]] for i, r in enumerate(t.rows)])


class AnswerRow(BaseModel):
    """One ended interview: its run, lead, outcome and answers."""

    run_id: int
    outcome: str | None
    lead: dict[str, str]
    answers: dict[str, Any]


def _answers(server: Server, name: str) -> tuple[list[str], list[AnswerRow]]:
    with server.sessions() as session:
        get_campaign(session, name)
        found = campaign_script(session, name)
        runs = ended_runs(session, name)
    questions = ([s.id for s in found.script.questions] if found is not None
                 else sorted({q for p, _ in runs for q in p.answers}))
    return questions, [AnswerRow(run_id=p.run_id, outcome=o, lead=dict(p.lead),
                                 answers=dict(p.answers)) for p, o in runs]


@router.get("/{name}/answers", response_model=list[AnswerRow], responses=_CSV)
async def survey_answers(name: str, server: ServerDep, _user: Staff,
                         format: FormatQ = Format.JSON) -> list[AnswerRow] | Response:
    """Every ended interview of the campaign, one row per run: outcome, lead fields and
    answers (CSV: one column per question, a multiple choice as a JSON list)."""
    questions, rows = await asyncio.to_thread(_answers, server, name)
    if format is Format.JSON:
        return rows
    fields = sorted({k for r in rows for k in r.lead})
    return _csv(["run_id", "outcome", *(f"lead:{f}" for f in fields), *questions],
                [[r.run_id, r.outcome, *(r.lead.get(f) for f in fields),
                  *(r.answers.get(q) for q in questions)] for r in rows])


@router.put("/{name}/weights", response_model=Weighting)
async def set_survey_weights(name: str, body: WeightsIn, server: ServerDep,
                             user: Admin) -> Weighting:
    """Weight the campaign's results to these population shares of one variable
    (post-stratification; replaces the weighting in use)."""
    by = _variable(body.variable, "variable")
    if not any(s > 0 for s in body.shares.values()):
        raise InvalidField("shares", "shares: at least one above 0")

    def work(session: Session) -> Weighting:
        get_campaign(session, name)
        before = load_weights(session, name)
        save_weights(session, name, by, body.shares)
        _, out = _weights(session, name, respondents(session, name))
        assert out is not None
        record(session, user, "update", "survey_weights", name,
               None if before is None else {"variable": _name(before[0]),
                                            "shares": before[1]},
               {"variable": body.variable, "shares": body.shares})
        return out

    return await in_transaction(server, work)


@router.delete("/{name}/weights", **NO_CONTENT)
async def clear_survey_weights(name: str, server: ServerDep, user: Admin) -> None:
    """The campaign's results are shown unweighted."""

    def work(session: Session) -> None:
        get_campaign(session, name)
        before = load_weights(session, name)
        clear_weights(session, name)
        record(session, user, "delete", "survey_weights", name,
               None if before is None else {"variable": _name(before[0]),
                                            "shares": before[1]})

    await in_transaction(server, work)
