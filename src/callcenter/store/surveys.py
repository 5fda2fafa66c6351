"""Survey results in the store: the population shares a campaign's results are weighted
to (`survey_weights`), and the campaign's completed interviews read from the script
runs (`script_runs`, `script_answers`) as `core.survey_results.Respondent`s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callcenter.core import aapor
from callcenter.core.scripts import Script, ScriptError, parse_script
from callcenter.core.scripts.quotas import Quota, count_cells
from callcenter.core.survey_results import Respondent, Variable
from callcenter.store.leads import get_campaign
from callcenter.store.models import (
    CampaignScriptRow,
    LeadRow,
    ScriptAnswerRow,
    ScriptRow,
    ScriptRunRow,
    SurveyWeightRow,
)

__all__ = ["MAX_WEIGHT_CELLS", "CampaignScript", "Case", "campaign_script", "clear_weights",
           "ended_runs", "load_weights", "outcome_cases", "quota_counts", "respondents",
           "save_weights"]

COMPLETE = "complete"

MAX_WEIGHT_CELLS = 200
"""Most values a weighting variable may list."""


def save_weights(session: Session, campaign: str, by: Variable,
                 shares: Mapping[str, float]) -> None:
    """Replace the campaign's weighting: variable `by`, population `shares` per value
    (each >= 0, at least one > 0; they need not add up to 1: they are normalised)."""
    if not shares or len(shares) > MAX_WEIGHT_CELLS:
        raise ValueError(f"shares: 1 to {MAX_WEIGHT_CELLS} values")
    if any(not s >= 0 for s in shares.values()) or not any(s > 0 for s in shares.values()):
        raise ValueError("shares: each at least 0, one above 0")
    session.execute(delete(SurveyWeightRow).where(SurveyWeightRow.campaign == campaign))
    session.add_all(SurveyWeightRow(campaign=campaign, value=value, source=by.source,
                                    name=by.name, share=float(share))
                    for value, share in shares.items())
    session.flush()


def clear_weights(session: Session, campaign: str) -> None:
    """The campaign's results are no longer weighted."""
    session.execute(delete(SurveyWeightRow).where(SurveyWeightRow.campaign == campaign))


def load_weights(session: Session, campaign: str) -> tuple[Variable, dict[str, float]] | None:
    """The campaign's weighting variable and population shares (None: unweighted)."""
    rows = session.scalars(select(SurveyWeightRow)
                           .where(SurveyWeightRow.campaign == campaign)
                           .order_by(SurveyWeightRow.value)).all()
    if not rows:
        return None
    return Variable(rows[0].source, rows[0].name), {r.value: r.share for r in rows}


@dataclass(frozen=True, slots=True)
class CampaignScript:
    """The script a campaign runs: its name, newest version and what it parsed to."""

    name: str
    version: int
    script: Script


def campaign_script(session: Session, campaign: str) -> CampaignScript | None:
    """The campaign's script (the newest version of the one `campaign_scripts` names);
    None when it names none or the stored text no longer parses."""
    name = session.scalar(select(CampaignScriptRow.script)
                          .where(CampaignScriptRow.campaign == campaign))
    if name is None:
        return None
    row = session.scalars(select(ScriptRow).where(ScriptRow.name == name)
                          .order_by(ScriptRow.version.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        return CampaignScript(row.name, row.version, parse_script(row.text, row.name))
    except ScriptError:
        return None


def respondents(session: Session, campaign: str) -> list[Respondent]:
    """The campaign's completed interviews (ended runs with outcome `complete`), oldest
    first, with their answers and the lead's fields (the run's merge fields over the
    lead's stored ones)."""
    return [r for r, _ in ended_runs(session, campaign, COMPLETE)]


def ended_runs(session: Session, campaign: str, outcome: str | None = None,
               ) -> list[tuple[Respondent, str | None]]:
    """The campaign's ended script runs (with `outcome`; None: every outcome), oldest
    first, as respondents with their outcome."""
    q = (select(ScriptRunRow).where(ScriptRunRow.campaign == campaign,
                                    ScriptRunRow.status == "ended")
         .order_by(ScriptRunRow.id))
    if outcome is not None:
        q = q.where(ScriptRunRow.outcome == outcome)
    runs = session.scalars(q).all()
    if not runs:
        return []
    ids = [r.id for r in runs]
    answers: dict[int, dict[str, object]] = {i: {} for i in ids}
    for part in range(0, len(ids), 500):
        for a in session.scalars(select(ScriptAnswerRow)
                                 .where(ScriptAnswerRow.run_id.in_(ids[part:part + 500]))):
            answers[a.run_id][a.question_id] = a.value
    lead_ids = sorted({r.lead_id for r in runs if r.lead_id is not None})
    lead_fields: dict[str, dict[str, str]] = {}
    for part in range(0, len(lead_ids), 500):
        for lid, fields in session.execute(
                select(LeadRow.lead_id, LeadRow.fields)
                .where(LeadRow.campaign == campaign,
                       LeadRow.lead_id.in_(lead_ids[part:part + 500]))):
            lead_fields[lid] = {str(k): str(v) for k, v in (fields or {}).items()}
    out: list[tuple[Respondent, str | None]] = []
    for r in runs:
        lead = dict(lead_fields.get(r.lead_id or "", {}))
        lead.update({str(k): str(v) for k, v in (r.fields or {}).items() if v is not None})
        out.append((Respondent(r.id, answers[r.id], lead), r.outcome))
    return out


def quota_counts(session: Session, campaign: str, quota: Quota) -> dict[str, int]:
    """Completed interviews of the campaign in each of `quota`'s cells."""
    return count_cells(quota, ((r.answers, r.lead) for r in respondents(session, campaign)))


@dataclass(frozen=True, slots=True)
class Case:
    """One lead of a campaign with its AAPOR final code."""

    lead_id: str
    code: aapor.Code


def outcome_cases(session: Session, campaign: str, known_eligible: bool = True,
                  ) -> list[Case]:
    """Every lead of the campaign with its final code (`core.aapor.code_for_lead`): from
    its last ended script run when it has one, else from its dialer state and the
    category of its last disposition."""
    c = get_campaign(session, campaign)
    categories = {d.code: d.category.value for d in c.dispositions}
    last_run: dict[str, str | None] = {}
    for lid, outcome in session.execute(
            select(ScriptRunRow.lead_id, ScriptRunRow.outcome)
            .where(ScriptRunRow.campaign == campaign, ScriptRunRow.status == "ended",
                   ScriptRunRow.lead_id.is_not(None))
            .order_by(ScriptRunRow.id)):
        if lid is not None:
            last_run[lid] = outcome
    cases: list[Case] = []
    for lid, result, last in session.execute(
            select(LeadRow.lead_id, LeadRow.result, LeadRow.last_outcome)
            .where(LeadRow.campaign == campaign).order_by(LeadRow.lead_id)):
        cases.append(Case(lid, aapor.code_for_lead(result, last, categories,
                                                   last_run.get(lid), known_eligible)))
    return cases
