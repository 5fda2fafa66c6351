"""The survey results routes (`/api/surveys/{name}`) over stored script runs, on SQLite
and PostgreSQL; figures worked out by hand from the stored interviews."""

from __future__ import annotations

import csv
import io

import pytest

from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.leads import Lead
from callcenter.store.leads import add_campaign, add_leads
from callcenter.store.models import CampaignScriptRow, ScriptAnswerRow, ScriptRow, ScriptRunRow
from tests.api.conftest import Harness

SCRIPT = """script: intent
purpose: survey
quotas:
  - grid:
      lead: {region: [north, south]}
    target: 3
steps:
  - id: intent
    single: Would you buy one?
    options: {"yes": "Yes", "no": "No"}
  - id: media
    multiple: Which do you use?
    options: {tv: TV, web: Web}
    required: false
  - id: done
    close: complete
"""

# 4 north (yes, yes, no, no), 2 south (yes, yes); a refusal in the south; one lead never
# dialed. Population: half north, half south.
PEOPLE = [("n1", "north", "yes", ["tv", "web"]), ("n2", "north", "yes", ["tv"]),
          ("n3", "north", "no", None), ("n4", "north", "no", None),
          ("s1", "south", "yes", None), ("s2", "south", "yes", None)]


def _store(h: Harness) -> None:
    with h.server.sessions.begin() as session:
        add_campaign(session, Campaign("poll", caller_id="+4930123456"))
        leads = [Lead(lid, f"+493055500{i:02d}", "Europe/Berlin", fields={"region": r})
                 for i, (lid, r, _, _) in enumerate(PEOPLE)]
        leads += [Lead("s3", "+4930555077", "Europe/Berlin", fields={"region": "south"}),
                  Lead("x1", "+4930555078", "Europe/Berlin", fields={"region": "east"})]
        add_leads(session, "poll", leads)
        session.add(ScriptRow(name="intent", version=1, title="Intent", purpose="survey",
                              text=SCRIPT))
        session.add(CampaignScriptRow(campaign="poll", purpose="survey", script="intent"))
        for lid, _, intent, media in PEOPLE:
            run = ScriptRunRow(script="intent", script_version=1, campaign="poll",
                               lead_id=lid, status="ended", outcome="complete", fields={})
            session.add(run)
            session.flush()
            session.add(ScriptAnswerRow(run_id=run.id, question_id="intent", value=intent))
            if media is not None:
                session.add(ScriptAnswerRow(run_id=run.id, question_id="media", value=media))
        session.add(ScriptRunRow(script="intent", script_version=1, campaign="poll",
                                 lead_id="s3", status="ended", outcome="refusal", fields={}))


@pytest.fixture
def poll(harness: Harness) -> Harness:
    """The campaign `poll` with its script and interviews stored."""
    _store(harness)
    return harness


def test_quotas_outcomes_and_rates(poll: Harness) -> None:
    """North 4/3 full, south 2/3; I = 6, R = 1, U = 1, NE = 0: RR1 = 6/8, COOP1 = 6/7,
    e = 7/7 = 1 so RR3 = 6/(7 + 1) too, RR5 = 6/7."""
    s = poll.get("/api/surveys/poll", headers=poll.auth("root")).json()
    assert [(c["id"], c["count"], c["target"], c["full"]) for c in s["quotas"]] == [
        ("region=north", 4, 3, True), ("region=south", 2, 3, False)]
    assert s["outcomes"]["complete"] == 6 and s["outcomes"]["refusal"] == 1
    assert s["outcomes"]["unknown"] == 1
    assert s["rates"]["RR1"] == pytest.approx(6 / 8)
    assert s["rates"]["COOP1"] == pytest.approx(6 / 7)
    assert s["rates"]["e"] == 1.0 and s["rates"]["RR3"] == pytest.approx(6 / 8)
    assert s["rates"]["RR5"] == pytest.approx(6 / 7)


def test_weighted_and_unweighted_shares(poll: Harness) -> None:
    """Yes is 4/6 unweighted; weighted half north, half south it is 0.75."""
    r = poll.request("PUT", "/api/surveys/poll/weights", headers=poll.auth("root"),
                     json={"variable": "lead:region", "shares": {"north": 1, "south": 1}})
    assert r.status_code == 200, r.text
    assert r.json()["shares"] == {"north": 0.5, "south": 0.5}
    s = poll.get("/api/surveys/poll", headers=poll.auth("sup")).json()
    yes = next(v for v in s["values"] if v["question"] == "intent" and v["value"] == "yes")
    assert yes["count"] == 4 and yes["share"] == pytest.approx(4 / 6)
    assert yes["weighted_share"] == pytest.approx(0.75)
    assert s["weighting"]["variable"] == "lead:region"
    r = poll.request("DELETE", "/api/surveys/poll/weights", headers=poll.auth("root"))
    assert r.status_code == 204
    assert poll.get("/api/surveys/poll", headers=poll.auth("root")).json()["weighting"] is None


def test_a_crosstab_of_intent_by_region(poll: Harness) -> None:
    """North 2 yes 2 no, south 2 yes: yes is half of north and all of south."""
    t = poll.get("/api/surveys/poll/crosstab", headers=poll.auth("root"),
                 params={"rows": "answer:intent", "columns": "lead:region"}).json()
    assert (t["rows"], t["columns"]) == (["yes", "no"], ["north", "south"])
    assert t["counts"] == [[2, 2], [2, 0]]
    assert t["column_shares"] == [[0.5, 1.0], [0.5, 0.0]]


def test_the_answers_csv_has_one_row_per_run(poll: Harness) -> None:
    """Seven ended runs, a column per question, a multiple choice as a JSON list."""
    r = poll.get("/api/surveys/poll/answers", headers=poll.auth("root"),
                 params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["run_id", "outcome", "lead:region", "intent", "media"]
    assert len(rows) == 8
    assert rows[1][1:] == ["complete", "north", "yes", '["tv", "web"]']
    assert rows[7][1:] == ["refusal", "south", "", ""]


def test_each_table_is_csv(poll: Harness) -> None:
    """The quota table as CSV: a header and one line per cell."""
    r = poll.get("/api/surveys/poll", headers=poll.auth("root"),
                 params={"format": "csv", "table": "quotas"})
    assert r.text.splitlines() == ["cell,label,target,count,full",
                                   "region=north,region=north,3,4,true",
                                   "region=south,region=south,3,2,false"]


def test_a_bad_variable_names_the_field(poll: Harness) -> None:
    """A variable that is neither answer: nor lead: is a 422 naming it."""
    r = poll.request("PUT", "/api/surveys/poll/weights", headers=poll.auth("root"),
                     json={"variable": "age", "shares": {"a": 1}})
    assert r.status_code == 422 and "variable" in r.text


def test_an_unknown_campaign_is_404(poll: Harness) -> None:
    """No campaign, no survey."""
    assert poll.get("/api/surveys/nope", headers=poll.auth("root")).status_code == 404
