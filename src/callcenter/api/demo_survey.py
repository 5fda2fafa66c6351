"""The demo's survey: campaign `ebike-study` running the example questionnaire
`ebike_study` (examples/scripts/market-research.yaml) over 60 leads in four regions,
with 36 completed interviews, refusals, a break-off, an under-age screen-out, leads that
were not reached and leads never dialed, and population shares by region to weight
the results to, so /surveys/ebike-study shows quotas, AAPOR rates and weighted results.

The answers follow a fixed pattern (no randomness): the same demo every time.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from callcenter.core.dialer.campaign import Campaign, Purpose
from callcenter.core.dialer.leads import Lead, LeadResult, LeadState
from callcenter.core.survey_results import Variable
from callcenter.store.leads import add_campaign, add_leads
from callcenter.store.models import LeadRow, ScriptAnswerRow, ScriptRunRow
from callcenter.store.scripts import set_campaign_script
from callcenter.store.surveys import save_weights

__all__ = ["DEMO_SURVEY", "seed_survey"]

DEMO_SURVEY = "ebike-study"
REGIONS = ("north", "east", "south", "west")
POPULATION = {"north": 0.30, "east": 0.20, "south": 0.30, "west": 0.20}
"""The population's shares by region the demo's results are weighted to."""


def _answers(i: int, region: str) -> dict[str, object]:
    age = 18 + (i * 7) % 60
    transport = [("car", "bike", "transit")[i % 3], *(["ebike"] if i % 5 == 0 else [])]
    out: dict[str, object] = {"intro": True, "consent": "agree", "age": age,
                              "region": region, "transport": transport}
    if "ebike" not in transport:
        intent = 1 + (i * 3 + REGIONS.index(region)) % 5
        out["intent"] = intent
        if intent >= 4:
            out["budget"] = 1500 + 250 * (i % 6)
    return out


def seed_survey(session: Session) -> None:
    """The demo survey (see the module): needs the example scripts stored."""
    add_campaign(session, Campaign(DEMO_SURVEY, caller_id="+4930123450",
                                   purpose=Purpose.RESEARCH))
    leads = [Lead(f"e{i:02d}", f"+49301239{i:03d}", "Europe/Berlin",
                  fields={"first_name": f"Person {i}", "region": REGIONS[i % 4]})
             for i in range(60)]
    add_leads(session, DEMO_SURVEY, leads)
    set_campaign_script(session, DEMO_SURVEY, "survey", "ebike_study")
    ends: dict[str, tuple[str, str | None, str | None]] = {}
    for i, lead in enumerate(leads):
        region = lead.fields["region"]
        if i < 36:
            outcome = "complete"
        elif i < 40:
            outcome = "refusal"
        elif i == 40:
            outcome = "break_off"
        elif i == 41:
            outcome = "ineligible"
        else:
            outcome = ""
        if outcome:
            run = ScriptRunRow(script="ebike_study", script_version=1, campaign=DEMO_SURVEY,
                               lead_id=lead.id, status="ended", outcome=outcome,
                               fields={"first_name": lead.fields["first_name"]})
            session.add(run)
            session.flush()
            answers = (_answers(i, region) if outcome == "complete"
                       else {"intro": True, "consent": "decline"} if outcome == "refusal"
                       else {"intro": True, "consent": "agree", "age": 16}
                       if outcome == "ineligible" else {"intro": True, "consent": "agree"})
            session.add_all(ScriptAnswerRow(run_id=run.id, question_id=q, value=v)
                            for q, v in answers.items())
            ends[lead.id] = ("done", "completed", "not-interested")
        elif i < 52:  # called, never reached
            ends[lead.id] = ("scheduled", None, ("no-answer", "busy")[i % 2])
    for lead_id, (state, result, last) in ends.items():
        row = session.get(LeadRow, (DEMO_SURVEY, lead_id))
        if row is not None:
            row.state = LeadState(state).value
            row.result = None if result is None else LeadResult(result).value
            row.last_outcome = last
            row.attempts = 1
    save_weights(session, DEMO_SURVEY, Variable("lead", "region"), POPULATION)
    session.flush()
