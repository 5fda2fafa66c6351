"""Post-call satisfaction surveys (`csat_ratings`): one row per survey offered.

Plain ids, not foreign keys, like the history tables: a rating outlives the queue and
agent it names. `customer_id` is the customer the call's flow found (nullable).
"""

from __future__ import annotations

from sqlalchemy import Double, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base


class CsatRatingRow(Base):
    """A post-call survey (`core.csat.SurveyResult`): `rating` 1-5, None when the caller
    gave none; `comment_box` the voicemail box of the caller's voice comment (the
    recording is that box's voicemail of the interaction), None without one."""

    __tablename__ = "csat_ratings"
    __table_args__ = (Index("ix_csat_ratings_offered_at", "offered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(ID, index=True, unique=True)
    queue_id: Mapped[str] = mapped_column(ID, index=True)
    agent_id: Mapped[str | None] = mapped_column(ID, index=True)
    customer_id: Mapped[int | None] = mapped_column(index=True)
    flow_id: Mapped[str] = mapped_column(ID)
    offered_at: Mapped[float] = mapped_column(Double())
    ended_at: Mapped[float] = mapped_column(Double())
    rating: Mapped[int | None] = mapped_column(SmallInteger())
    comment_box: Mapped[str | None] = mapped_column(String(100))
