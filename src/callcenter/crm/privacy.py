"""GDPR: everything held on one customer as JSON, erasing a customer, and the retention
rules that remove each kind of personal data after its time.

- `export_customer`: the customer, numbers, the interactions linked to them (by
  `interactions.customer_id` when that column exists, else by caller number) with their
  notes, those calls' recordings (metadata, not audio), the audit entries about the
  customer, and the rows of **every table with a `customer_id` column** (addresses and
  their history, consent, cases, orders, script runs, surveys...), found in the
  SQLAlchemy metadata, so a table added later is exported without a change here, with
  the rows of the tables that point at those by a foreign key (case notes, events and
  links, script answers).
- `erase_customer`: personal data removed, statistics kept. The customer row stays
  (other rows link to its id) with its name replaced by `ERASED`, every other personal
  field blanked and `erased_at` set; its numbers are deleted; rows of the `customer_*`
  tables (addresses, identities, consent, custom field values) are deleted; in the other
  tables with a `customer_id` the free-text columns (`PERSONAL_COLUMNS`) are blanked and
  the rows kept, and so in the tables that point at those rows by a foreign key (a
  case's notes, a script run's answers); linked interactions keep their times, queue,
  agent, outcome and disposition but lose caller number and notes; their recordings'
  files are deleted and the rows marked (`erased_at`, path and caller blanked); the
  earlier audit entries about the customer keep who did what when, without their
  before/after snapshots.
- `run_retention`: each enabled rule in `retention_rules` removes its kind older than
  its days before `now` (`KINDS`); kinds whose table does not exist are skipped.
  `retention_forever` is the server's scheduled job; `callcenter retention run` the
  command line's.

Functions over a `Session`; they flush but never commit. Each writes its audit row
(`store.audit.audit`), naming who (`actor`, None for the scheduled job) and what.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import FromClause, Table, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.store.audit import audit
from callcenter.store.errors import NotFound
from callcenter.store.models import (
    AuditRow,
    Base,
    CustomerRow,
    InteractionRow,
    LeadRow,
    RecordingRow,
    RetentionRuleRow,
)

log = logging.getLogger(__name__)

ERASED = "(erased)"
"""The name an erased customer keeps."""

PERSONAL_COLUMNS = frozenset({
    "name", "first_name", "last_name", "email", "address", "street", "line1", "line2",
    "city", "postcode", "postal_code", "region", "phone", "number", "caller_number",
    "notes", "note", "body", "text", "comment", "description", "subject", "title",
    "value", "values", "fields", "comment_path", "voice_comment", "recipient"})
"""Columns blanked on erasure in the tables with a `customer_id` whose rows are kept."""

KINDS: dict[str, str] = {
    "recordings": "recording files and their rows' caller, by start time",
    "interaction_notes": "interactions' wrap-up notes and caller number, by arrival",
    "closed_cases": "closed cases (with their notes), by last change",
    "survey_answers": "script and survey answers, by answer time",
    "audit": "audit entries, by time",
    "leads": "finished outbound leads, by last attempt",
}
"""The kinds of data a retention rule can name, and what it removes."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _row(table: FromClause, values: Any) -> dict[str, Any]:
    return {c.name: _jsonable(values[c.name]) for c in table.columns}


def linked_tables() -> list[Table]:
    """Every table with a `customer_id` column, but `customer_numbers` and
    `interactions` (exported on their own), by name."""
    return sorted((t for t in Base.metadata.tables.values()
                   if "customer_id" in t.columns
                   and t.name not in ("customer_numbers", "interactions")),
                  key=lambda t: t.name)


def child_tables(parent: Table) -> list[tuple[Table, Any, Any]]:
    """(table, its column, `parent`'s column) of every table with a foreign key to
    `parent` and no `customer_id` of its own (a case's notes, a script run's answers),
    by name."""
    found = [(t, fk.parent, fk.column) for t in Base.metadata.tables.values()
             if "customer_id" not in t.columns for fk in t.foreign_keys
             if fk.column.table is parent]
    return sorted(found, key=lambda x: x[0].name)


def _customer(session: Session, customer_id: int) -> CustomerRow:
    row = session.get(CustomerRow, customer_id)
    if row is None:
        raise NotFound(f"no customer {customer_id}")
    return row


def _interactions(session: Session, customer_id: int, numbers: list[str]) -> list[InteractionRow]:
    table = InteractionRow.__table__
    clauses = []
    if "customer_id" in table.columns:
        clauses.append(table.c.customer_id == customer_id)
    if numbers:
        clauses.append(InteractionRow.caller_number.in_(numbers))
    if not clauses:
        return []
    return list(session.scalars(select(InteractionRow).where(or_(*clauses))
                                .order_by(InteractionRow.arrived_at,
                                          InteractionRow.interaction_id)))


def export_customer(session: Session, customer_id: int, *, actor: str | None) -> dict[str, Any]:
    """Everything held on the customer (see the module's docstring), JSON-ready; audited
    as `export`. `NotFound` if there is no such customer."""
    row = _customer(session, customer_id)
    customers = CustomerRow.__table__
    numbers = [n.number for n in row.numbers]
    interactions = _interactions(session, customer_id, numbers)
    ids = [i.interaction_id for i in interactions]
    recordings = list(session.scalars(select(RecordingRow).where(
        RecordingRow.interaction_id.in_(ids)).order_by(RecordingRow.id))) if ids else []
    linked: dict[str, list[dict[str, Any]]] = {}
    for table in linked_tables():
        order = list(table.primary_key.columns) or list(table.columns)
        linked[table.name] = [_row(table, r._mapping) for r in session.execute(
            select(table).where(table.c.customer_id == customer_id).order_by(*order))]
        for child, column, parent in child_tables(table):
            keys = [row[parent.name] for row in linked[table.name]]
            if not keys:
                continue
            order = list(child.primary_key.columns) or list(child.columns)
            linked.setdefault(child.name, []).extend(
                _row(child, r._mapping) for r in session.execute(
                    select(child).where(column.in_(keys)).order_by(*order)))
    audited = session.scalars(select(AuditRow).where(
        AuditRow.entity == "customer", AuditRow.entity_id == str(customer_id))
        .order_by(AuditRow.id))
    document = {
        "customer": {c.name: _jsonable(getattr(row, c.key)) for c in customers.columns},
        "numbers": numbers,
        "interactions": [_row(InteractionRow.__table__, {
            c.name: getattr(i, c.key) for c in InteractionRow.__table__.columns})
            for i in interactions],
        "recordings": [{"id": r.id, "interaction_id": r.interaction_id, "kind": r.kind,
                        "started_at": _jsonable(r.started_at),
                        "ended_at": _jsonable(r.ended_at), "seconds": r.seconds,
                        "paused_seconds": r.paused_seconds,
                        "erased_at": _jsonable(r.erased_at)} for r in recordings],
        "linked": linked,
        "audit": [{"at": _jsonable(a.at), "actor": a.actor, "action": a.action,
                   "before": a.before, "after": a.after} for a in audited],
    }
    audit(session, actor=actor, action="export", entity="customer",
          entity_id=str(customer_id),
          after={"interactions": len(interactions), "recordings": len(recordings),
                 "linked": {name: len(rows) for name, rows in linked.items() if rows}})
    return document


def _delete_file(path: str) -> bool:
    """Delete a recording's file; False when it was already gone."""
    if not path:
        return False
    try:
        os.remove(path)
    except FileNotFoundError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasing one customer changed."""

    customer_id: int
    numbers: int
    interactions: int
    recordings: int
    files: int
    rows: dict[str, int]


_NO_BLANK = object()


def _blank(column: Any) -> Any:
    """The empty value of a column (None when nullable, else '', {} or [] by type), or
    `_NO_BLANK` when it has none (a number that may not be null)."""
    if column.nullable:
        return None
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return _NO_BLANK
    return {str: "", dict: {}, list: []}.get(kind, _NO_BLANK)


def erase_customer(session: Session, customer_id: int, *, actor: str | None,
                   now: datetime) -> Erasure:
    """Erase the customer's personal data, keeping statistics (see the module's
    docstring); audited as `erase` with the counts, never the erased values."""
    row = _customer(session, customer_id)
    numbers = [n.number for n in row.numbers]
    interactions = _interactions(session, customer_id, numbers)
    ids = [i.interaction_id for i in interactions]
    for interaction in interactions:
        interaction.caller_number = None
        interaction.notes = ""
    files = 0
    recordings = list(session.scalars(select(RecordingRow).where(
        RecordingRow.interaction_id.in_(ids)))) if ids else []
    for recording in recordings:
        files += _delete_file(recording.path)
        recording.path, recording.caller, recording.erased_at = "", "", now
    changed: dict[str, int] = {}
    for table in linked_tables():
        if table.name == "customers":
            continue
        where = table.c.customer_id == customer_id
        gone = table.name.startswith("customer_")  # rows deleted, not blanked
        for child, column, parent in child_tables(table):
            owned = column.in_(select(parent).where(where).scalar_subquery())
            blanks = {c.name: _blank(c) for c in child.columns
                      if c.name in PERSONAL_COLUMNS and not c.primary_key
                      and not c.foreign_keys and _blank(c) is not _NO_BLANK}
            if gone:
                done = session.execute(delete(child).where(owned))
            elif blanks:
                done = session.execute(update(child).where(owned).values(**blanks))
            else:
                continue
            if done.rowcount:  # type: ignore[attr-defined]
                changed[child.name] = int(done.rowcount)  # type: ignore[attr-defined]
        if gone:
            result = session.execute(delete(table).where(where))
        else:
            blanks = {c.name: _blank(c) for c in table.columns
                      if c.name in PERSONAL_COLUMNS and not c.primary_key
                      and _blank(c) is not _NO_BLANK}
            if not blanks:
                continue
            result = session.execute(update(table).where(where).values(**blanks))
        if result.rowcount:  # type: ignore[attr-defined]
            changed[table.name] = int(result.rowcount)  # type: ignore[attr-defined]
    scrubbed = session.execute(update(AuditRow).where(
        AuditRow.entity == "customer", AuditRow.entity_id == str(customer_id))
        .values(before=None, after=None))
    if scrubbed.rowcount:  # type: ignore[attr-defined]
        changed["audit"] = int(scrubbed.rowcount)  # type: ignore[attr-defined]
    row.numbers.clear()
    row.name, row.account, row.segment, row.language = ERASED, None, "", None
    row.notes, row.fields, row.erased_at = "", {}, now
    for column in CustomerRow.__table__.columns:  # columns others add (e-mail, external id)
        if column.name in PERSONAL_COLUMNS and column.name != "name" and \
                _blank(column) is not _NO_BLANK:
            setattr(row, column.key, _blank(column))
    session.flush()
    erasure = Erasure(customer_id, len(numbers), len(interactions), len(recordings), files,
                      changed)
    audit(session, actor=actor, action="erase", entity="customer", entity_id=str(customer_id),
          after={"numbers": erasure.numbers, "interactions": erasure.interactions,
                 "recordings": erasure.recordings, "files": files, "rows": changed})
    return erasure


def retention_rules(session: Session) -> list[RetentionRuleRow]:
    """The rules, by kind."""
    return list(session.scalars(select(RetentionRuleRow).order_by(RetentionRuleRow.kind)))


def set_retention_rule(session: Session, kind: str, days: int, enabled: bool, *,
                       actor: str | None) -> RetentionRuleRow:
    """Set (or add) the rule of `kind`; audited. `ValueError` for an unknown kind or days
    below 1."""
    if kind not in KINDS:
        raise ValueError(f"kind: one of {', '.join(sorted(KINDS))}, got {kind!r}")
    if days < 1:
        raise ValueError(f"days: at least 1, got {days}")
    row = session.get(RetentionRuleRow, kind)
    before = None if row is None else {"days": row.days, "enabled": row.enabled}
    if row is None:
        row = RetentionRuleRow(kind=kind)
        session.add(row)
    row.days, row.enabled, row.updated_by = days, enabled, actor
    session.flush()
    audit(session, actor=actor, action="update", entity="retention_rule", entity_id=kind,
          before=before, after={"days": days, "enabled": enabled})
    return row


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def _before(column: Any, cutoff: datetime) -> Any:
    """`column < cutoff`, the cutoff as epoch seconds when the column holds numbers."""
    try:
        numeric = column.type.python_type in (float, int)
    except NotImplementedError:
        numeric = False
    return column < (cutoff.timestamp() if numeric else cutoff)


def _remove_recordings(session: Session, cutoff: datetime, now: datetime) -> int:
    rows = list(session.scalars(select(RecordingRow).where(
        RecordingRow.started_at < cutoff, RecordingRow.erased_at.is_(None))))
    for recording in rows:
        _delete_file(recording.path)
        recording.path, recording.caller, recording.erased_at = "", "", now
    return len(rows)


def _remove_notes(session: Session, cutoff: datetime, now: datetime) -> int:
    result = session.execute(update(InteractionRow).where(
        InteractionRow.arrived_at < cutoff.timestamp(),
        or_(InteractionRow.notes != "", InteractionRow.caller_number.is_not(None)))
        .values(notes="", caller_number=None))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _remove_closed_cases(session: Session, cutoff: datetime, now: datetime) -> int:
    cases = _table("cases")
    if cases is None or "status" not in cases.columns:
        return 0
    when = next((cases.c[n] for n in ("closed_at", "updated_at") if n in cases.columns), None)
    if when is None:
        return 0
    ids = [i for (i,) in session.execute(select(cases.c.id).where(
        cases.c.status == "closed", _before(when, cutoff)))]
    if not ids:
        return 0
    for table in Base.metadata.sorted_tables:  # notes, links... first
        if "case_id" in table.columns and table is not cases:
            session.execute(delete(table).where(table.c.case_id.in_(ids)))
    session.execute(delete(cases).where(cases.c.id.in_(ids)))
    return len(ids)


def _remove_answers(session: Session, cutoff: datetime, now: datetime) -> int:
    answers = _table("script_answers")
    if answers is None or "answered_at" not in answers.columns:
        return 0
    result = session.execute(delete(answers).where(_before(answers.c.answered_at, cutoff)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _remove_audit(session: Session, cutoff: datetime, now: datetime) -> int:
    result = session.execute(delete(AuditRow).where(AuditRow.at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _remove_leads(session: Session, cutoff: datetime, now: datetime) -> int:
    result = session.execute(delete(LeadRow).where(
        LeadRow.state == "done", LeadRow.last_attempt_at < cutoff.timestamp()))
    return int(result.rowcount)  # type: ignore[attr-defined]


_REMOVERS: dict[str, Callable[[Session, datetime, datetime], int]] = {
    "recordings": _remove_recordings, "interaction_notes": _remove_notes,
    "closed_cases": _remove_closed_cases, "survey_answers": _remove_answers,
    "audit": _remove_audit, "leads": _remove_leads}


def run_retention(session: Session, now: datetime, *, actor: str | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Apply each enabled rule: remove its kind older than `days` before `now`; how many
    of each were removed (audited as one `retention` entry). `progress` is told each
    kind when it is done."""
    removed: dict[str, int] = {}
    for rule in retention_rules(session):
        remover = _REMOVERS.get(rule.kind)
        if remover is None or not rule.enabled:
            continue
        removed[rule.kind] = remover(session, now - timedelta(days=rule.days), now)
        if progress is not None:
            progress(rule.kind)
    session.flush()
    audit(session, actor=actor, action="retention", entity="retention_rule", entity_id="*",
          after=removed, at=now)
    return removed


def run_retention_now(sessions: sessionmaker[Session], now: datetime) -> dict[str, int]:
    """`run_retention` by the system (actor None) in one committed transaction."""
    with sessions.begin() as session:
        return run_retention(session, now)


async def retention_forever(sessions: sessionmaker[Session], every: float,
                            now: Callable[[], datetime],
                            sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """The server's scheduled job: every `every` seconds (the first `every` after the
    start), `run_retention` at `now()` in a worker thread, until cancelled; a failed run
    is logged and the next one tries again; never when `every` is 0."""
    if every <= 0:
        return
    while True:
        with contextlib.suppress(TimeoutError):
            await sleep(every)
        try:
            removed = await asyncio.to_thread(run_retention_now, sessions, now())
            log.info("retention removed %s", removed)
        except Exception:  # the database may be away for a while
            log.warning("the retention job failed; trying again in %s s", every,
                        exc_info=True)
