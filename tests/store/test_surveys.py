"""Survey weighting in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from callcenter.core.survey_results import Variable
from callcenter.store.leads import add_campaign
from callcenter.store.surveys import clear_weights, load_weights, save_weights
from tests.dialer.leadkit import campaign

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
