"""Survey results: counts and shares, cross-tabs and post-stratification weights,
checked against values worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.survey_results import (
    Respondent,
    Variable,
    crosstab,
    frequencies,
    poststratify,
)

REGION = Variable("lead", "region")
INTENT = Variable("answer", "intent")
MEDIA = Variable("answer", "media")

# 4 north (2 yes, 2 no), 2 south (2 yes); population half north, half south
PEOPLE = [
    Respondent(1, {"intent": "yes", "media": ["tv", "web"]}, {"region": "north"}),
    Respondent(2, {"intent": "yes", "media": ["tv"]}, {"region": "north"}),
    Respondent(3, {"intent": "no"}, {"region": "north"}),
    Respondent(4, {"intent": "no"}, {"region": "north"}),
    Respondent(5, {"intent": "yes"}, {"region": "south"}),
    Respondent(6, {"intent": "yes", "media": []}, {"region": "south"}),
]


def test_post_stratification_weights_by_hand() -> None:
    """North weighs 0.5/(4/6) = 0.75, south 0.5/(2/6) = 1.5."""
    w = poststratify(PEOPLE, REGION, {"north": 0.5, "south": 0.5})
    assert w.weights == pytest.approx({1: 0.75, 2: 0.75, 3: 0.75, 4: 0.75, 5: 1.5, 6: 1.5})
    assert w.unweighted == 0 and w.empty == ()


def test_weighted_and_unweighted_shares() -> None:
    """Yes is 4/6 unweighted and (2*0.75 + 2*1.5)/6 = 0.75 weighted."""
    w = poststratify(PEOPLE, REGION, {"north": 0.5, "south": 0.5})
    yes, no = frequencies(PEOPLE, INTENT, w.weights)
    assert (yes.value, yes.count, no.count) == ("yes", 4, 2)
    assert yes.share == pytest.approx(4 / 6)
    assert yes.weighted == pytest.approx(4.5)
    assert yes.weighted_share == pytest.approx(0.75)


def test_multiple_choice_shares_are_of_respondents_who_answered() -> None:
    """tv is in 2 of the 2 non-empty media answers, web in 1 of them."""
    freq = {f.value: f.share for f in frequencies(PEOPLE, MEDIA)}
    assert freq == {"tv": 1.0, "web": 0.5}


def test_a_crosstab_of_an_answer_by_a_lead_field() -> None:
    """Intent by region: north 2 yes 2 no, south 2 yes; yes is 1/2 of north, all of south."""
    t = crosstab(PEOPLE, INTENT, REGION)
    assert (t.rows, t.columns) == (("yes", "no"), ("north", "south"))
    assert t.counts == ((2, 2), (2, 0))
    assert t.column_shares() == ((0.5, 1.0), (0.5, 0.0))


def test_unlisted_values_weigh_nothing_and_empty_cells_are_reported() -> None:
    """A west respondent gets weight 0; the east share with no respondent is dropped."""
    people = [*PEOPLE, Respondent(7, {"intent": "no"}, {"region": "west"})]
    w = poststratify(people, REGION, {"north": 0.25, "south": 0.25, "east": 0.5})
    assert w.empty == ("east",) and w.unweighted == 1
    assert w.weights[7] == 0.0
    assert w.shares == pytest.approx({"north": 0.5, "south": 0.5})


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"])),
                min_size=1, max_size=40),
       st.floats(min_value=0.05, max_value=1), st.floats(min_value=0.05, max_value=1))
def test_weighted_shares_equal_the_population_shares(
        rows: list[tuple[str, str]], pa: float, pb: float) -> None:
    """After weighting, the weighting variable's weighted shares are the population's."""
    people = [Respondent(i, {"q": q}, {"g": g}) for i, (g, q) in enumerate(rows)]
    g = Variable("lead", "g")
    w = poststratify(people, g, {"a": pa, "b": pb})
    for f in frequencies([p for p in people if w.weights[p.run_id] > 0], g, w.weights):
        assert f.weighted_share == pytest.approx(w.shares[f.value])
    assert sum(w.weights.values()) == pytest.approx(
        sum(1 for p in people if p.lead["g"] in w.shares))
