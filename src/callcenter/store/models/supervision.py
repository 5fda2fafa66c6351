"""Supervision settings: the wallboard's thresholds per queue."""

from __future__ import annotations

from sqlalchemy import Double
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base


class QueueThresholdRow(Base):
    """When a queue's wallboard tile turns amber and red (None: that level is not set).

    `queue_id` is a plain id, not a foreign key, like history's: the thresholds of a
    queue removed from the routing config stay until it comes back or they are set
    again, and harm nothing meanwhile.
    """

    __tablename__ = "queue_thresholds"

    queue_id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_level_amber: Mapped[float | None] = mapped_column(Double())
    """Amber when today's service level is below this percentage."""
    service_level_red: Mapped[float | None] = mapped_column(Double())
    longest_wait_amber: Mapped[float | None] = mapped_column(Double())
    """Amber when the longest wait is above this many seconds."""
    longest_wait_red: Mapped[float | None] = mapped_column(Double())
    waiting_amber: Mapped[int | None]
    """Amber when more than this many interactions wait."""
    waiting_red: Mapped[int | None]
