"""Survey weighting in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from callcenter.core.aapor import Code
from callcenter.core.survey_results import Variable
from callcenter.store.leads import add_campaign, add_leads
from callcenter.store.models import CampaignScriptRow, ScriptAnswerRow, ScriptRow, ScriptRunRow
from callcenter.store.surveys import (
    campaign_script,
    clear_weights,
    load_weights,
    outcome_cases,
    quota_counts,
    respondents,
    save_weights,
)
from tests.dialer.leadkit import campaign, lead

REGION = Variable("lead", "region")


@pytest.fixture
def survey(session: Session) -> Session:
    """A session with the campaign `spring-sale` stored."""
    add_campaign(session, campaign())
    session.flush()
    return session


def test_weights_round_trip(survey: Session) -> None:
    """The variable and shares come back as saved."""
    save_weights(survey, "spring-sale", REGION, {"north": 0.4, "south": 0.6})
    survey.commit()
    assert load_weights(survey, "spring-sale") == (REGION, {"north": 0.4, "south": 0.6})


def test_saving_replaces_the_weighting(survey: Session) -> None:
    """A new variable replaces the old one's values entirely."""
    save_weights(survey, "spring-sale", REGION, {"north": 0.4, "south": 0.6})
    save_weights(survey, "spring-sale", Variable("answer", "age_band"), {"18-34": 1.0})
    assert load_weights(survey, "spring-sale") == (Variable("answer", "age_band"),
                                                   {"18-34": 1.0})
    clear_weights(survey, "spring-sale")
    assert load_weights(survey, "spring-sale") is None


@pytest.mark.parametrize("shares", [{}, {"a": -0.1}, {"a": 0.0}, {"a": float("nan")}])
def test_bad_shares_are_refused(survey: Session, shares: dict[str, float]) -> None:
    """Shares need at least one positive value and no negative or NaN one."""
    with pytest.raises(ValueError, match="shares"):
        save_weights(survey, "spring-sale", REGION, shares)


SCRIPT = """script: mini
purpose: survey
quotas:
  - grid:
      lead: {region: [north, south]}
    target: 2
steps:
  - id: intent
    single: Buy?
    options: {"yes": "Yes", "no": "No"}
  - id: done
    close: complete
"""


def _stored(session: Session) -> None:
    """Leads L1-L6 (north, north, south, south, south, north), the script, runs:
    L1 complete yes, L2 complete no, L3 complete yes, L4 refusal, L5 quota_full, L6 an
    open run; L4 had an earlier partial run."""
    regions = ["north", "north", "south", "south", "south", "north"]
    add_leads(session, "spring-sale",
              [lead(i + 1, fields={"region": r}) for i, r in enumerate(regions)])
    session.add(ScriptRow(name="mini", version=1, title="mini", purpose="survey",
                          text=SCRIPT))
    session.add(CampaignScriptRow(campaign="spring-sale", purpose="survey", script="mini"))
    runs = [("L1", "complete", "yes"), ("L2", "complete", "no"), ("L4", "partial", None),
            ("L3", "complete", "yes"), ("L4", "refusal", None), ("L5", "quota_full", "yes")]
    for lid, outcome, answer in runs:
        run = ScriptRunRow(script="mini", script_version=1, campaign="spring-sale",
                           lead_id=lid, outcome=outcome, status="ended", fields={})
        session.add(run)
        session.flush()
        if answer is not None:
            session.add(ScriptAnswerRow(run_id=run.id, question_id="intent", value=answer))
    session.add(ScriptRunRow(script="mini", script_version=1, campaign="spring-sale",
                             lead_id="L6", status="open", fields={}))
    session.flush()


def test_respondents_are_the_completed_runs_with_answers_and_lead_fields(
        survey: Session) -> None:
    """Three completes, each with its answer and its lead's region."""
    _stored(survey)
    got = [(r.answers, r.lead["region"]) for r in respondents(survey, "spring-sale")]
    assert got == [({"intent": "yes"}, "north"), ({"intent": "no"}, "north"),
                   ({"intent": "yes"}, "south")]


def test_quota_counts_come_from_completed_interviews(survey: Session) -> None:
    """North has 2 completes (full at 2), south 1 (the quota_full run does not count)."""
    _stored(survey)
    found = campaign_script(survey, "spring-sale")
    assert found is not None and (found.name, found.version) == ("mini", 1)
    assert quota_counts(survey, "spring-sale", found.script.quota) == {
        "region=north": 2, "region=south": 1}


def test_outcome_cases_by_lead(survey: Session) -> None:
    """L4's last run (refusal) decides; L6 (open run, never dialed) is unknown."""
    _stored(survey)
    codes = {c.lead_id: c.code for c in outcome_cases(survey, "spring-sale")}
    assert codes == {"L1": Code.COMPLETE, "L2": Code.COMPLETE, "L3": Code.COMPLETE,
                     "L4": Code.REFUSAL, "L5": Code.INELIGIBLE, "L6": Code.UNKNOWN}
