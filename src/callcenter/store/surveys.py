"""Survey results in the store: the population shares a campaign's results are weighted
to (`survey_weights`), and the campaign's completed interviews read from the script
runs (`script_runs`, `script_answers`) as `core.survey_results.Respondent`s."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from callcenter.core.survey_results import Variable
from callcenter.store.models import SurveyWeightRow

__all__ = ["MAX_WEIGHT_CELLS", "clear_weights", "load_weights", "save_weights"]

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
