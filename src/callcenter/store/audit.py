"""The audit log: who changed what, when, with JSON snapshots before and after."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, func, select
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


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of audit entries, newest first, and how many match in all."""

    items: tuple[AuditRow, ...]
    total: int


def search_audit(session: Session, *, actor: str | None = None, entity: str | None = None,
                 entity_id: str | None = None, since: datetime | None = None,
                 until: datetime | None = None, offset: int = 0,
                 limit: int = 100) -> AuditPage:
    """The audit entries made by `actor`, about `entity` / `entity_id`, at or after
    `since` and before `until` (each only when given): `limit` of them from `offset`,
    newest first (the later id first at the same instant), and the number matching."""
    query: Select[Any] = select(AuditRow)
    for column, value in ((AuditRow.actor, actor), (AuditRow.entity, entity),
                          (AuditRow.entity_id, entity_id)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if until is not None:
        query = query.where(AuditRow.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditRow.at.desc(), AuditRow.id.desc())
                           .offset(offset).limit(limit))
    return AuditPage(tuple(rows), total)


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
