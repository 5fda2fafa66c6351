"""Retention rules: how long each kind of personal data is kept (`crm.privacy` applies
them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base, UTCDateTime, utcnow


class RetentionRuleRow(Base):
    """Data of `kind` older than `days` is removed by the retention job; `enabled`
    False keeps it."""

    __tablename__ = "retention_rules"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    days: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))
