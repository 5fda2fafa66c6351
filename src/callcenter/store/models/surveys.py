"""Survey weighting (`survey_weights`): the known population shares of one variable of
a survey campaign (an answer or a lead field), to which its results are weighted by
post-stratification (`callcenter.core.survey_results.poststratify`).

Quotas are not stored here: they are written in the script (its `quotas:` key), and
their counts come from the campaign's completed script runs.
"""

from __future__ import annotations

from sqlalchemy import Double, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base


class SurveyWeightRow(Base):
    """The population share of one value of the campaign's weighting variable (`source`
    answer or lead, `name` the question id or lead field: the same on every row of a
    campaign)."""

    __tablename__ = "survey_weights"

    campaign: Mapped[str] = mapped_column(
        ForeignKey("campaigns.name", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(ID)
    share: Mapped[float] = mapped_column(Double())
