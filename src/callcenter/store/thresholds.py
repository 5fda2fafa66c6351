"""The wallboard's thresholds per queue: read them all, set one queue's."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.store.models import QueueThresholdRow


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a queue's tile turns amber and red; None leaves that level unset.

    Service level in percent (below it), longest wait in seconds (above it), waiting
    count (above it).
    """

    service_level_amber: float | None = None
    service_level_red: float | None = None
    longest_wait_amber: float | None = None
    longest_wait_red: float | None = None
    waiting_amber: int | None = None
    waiting_red: int | None = None


def _value(row: QueueThresholdRow) -> Thresholds:
    return Thresholds(row.service_level_amber, row.service_level_red, row.longest_wait_amber,
                      row.longest_wait_red, row.waiting_amber, row.waiting_red)


def all_thresholds(session: Session) -> dict[str, Thresholds]:
    """The stored thresholds by queue id (queues without any are left out)."""
    return {row.queue_id: _value(row) for row in session.scalars(select(QueueThresholdRow))}


def save_thresholds(session: Session, queue_id: str, value: Thresholds) -> Thresholds:
    """Set a queue's thresholds (replacing what it had); the ones it had before."""
    row = session.get(QueueThresholdRow, queue_id)
    before = Thresholds() if row is None else _value(row)
    if row is None:
        row = QueueThresholdRow(queue_id=queue_id)
        session.add(row)
    for name, v in asdict(value).items():
        setattr(row, name, v)
    session.flush()
    return before
