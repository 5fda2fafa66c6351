"""The audit log: who changed what, when, with JSON snapshots before and after."""

from __future__ import annotations

import enum
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.store.models import AuditRow, utcnow


def snapshot(value: object) -> Any:
    """A JSON-ready copy of a config value (dataclasses, enums, tuples, dates)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: snapshot(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted((snapshot(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [snapshot(v) for v in value]
    if isinstance(value, dict):
        return {str(k): snapshot(v) for k, v in value.items()}
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def audit(session: Session, *, actor: str | None, action: str, entity: str, entity_id: str,
          before: object = None, after: object = None,
          at: datetime | None = None) -> AuditRow:
    """Append an audit entry (`actor` None: the system). `before`/`after` go through
    `snapshot`, so config values can be passed as they are."""
    row = AuditRow(at=at or utcnow(), actor=actor, action=action, entity=entity,
                   entity_id=entity_id, before=snapshot(before), after=snapshot(after))
    session.add(row)
    session.flush()
    return row


def audit_entries(session: Session, *, entity: str | None = None,
                  entity_id: str | None = None, actor: str | None = None,
                  limit: int = 100) -> list[AuditRow]:
    """Audit entries, newest first, filtered by every argument given."""
    query = select(AuditRow)
    if entity is not None:
        query = query.where(AuditRow.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRow.entity_id == entity_id)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    query = query.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    return list(session.scalars(query))
