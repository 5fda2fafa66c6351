"""Open logins kept across restarts: one row per token, keyed by the token's SHA-256
digest (a stolen database gives no token back).

Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from callcenter.store.models.logins import LoginRow


def add_login(session: Session, digest: str, username: str, role: str,
              agent_id: str | None, expires_at: float) -> None:
    """Store an open login."""
    session.add(LoginRow(digest=digest, username=username, role=role, agent_id=agent_id,
                         expires_at=expires_at))
    session.flush()


def live_logins(session: Session, now: float) -> list[LoginRow]:
    """The logins not expired at `now` (the expired ones are deleted)."""
    drop_expired(session, now)
    return list(session.scalars(select(LoginRow).order_by(LoginRow.expires_at)))


def drop_expired(session: Session, now: float) -> int:
    """Delete the logins expired at `now`; how many."""
    result = session.execute(delete(LoginRow).where(LoginRow.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def end_logins(session: Session, *, digests: Collection[str] = (),
               usernames: Collection[str] = (), agent_ids: Collection[str] = ()) -> int:
    """Delete the logins of these digests, of these users or acting as these agents."""
    conditions = [column.in_(sorted(values)) for column, values in (
        (LoginRow.digest, digests), (LoginRow.username, usernames),
        (LoginRow.agent_id, agent_ids)) if values]
    if not conditions:
        return 0
    result = session.execute(delete(LoginRow).where(or_(*conditions)))
    return int(getattr(result, "rowcount", 0) or 0)
