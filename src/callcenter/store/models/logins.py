"""Open logins (sessions): the SHA-256 digest of each token, never the token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import ID, Base, UTCDateTime, utcnow


class LoginRow(Base):
    """One open login: who, as which role and agent, until when (Unix seconds).

    Plain names, not foreign keys: a login is ended explicitly when its user or
    agent changes (`store.logins.end_logins`)."""

    __tablename__ = "logins"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    agent_id: Mapped[str | None] = mapped_column(ID, index=True)
    expires_at: Mapped[float] = mapped_column(Double(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
