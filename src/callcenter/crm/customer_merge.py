"""Merge two customers into one, keeping every link and the history.

`merge_customers(session, keep, gone)` moves everything that points at `gone` to `keep`
and deletes `gone`:

- every column named `customer_id` of every table in `Base.metadata` (interactions,
  numbers, e-mail addresses, addresses and their history, and the tables later parts
  add: cases, orders, script runs, ratings...) is set from `gone` to `keep`; the
  tables are found in the metadata, so a new table with a `customer_id` column is
  covered without a change here;
- an address of a kind `keep` already has is dropped (its values stay in the history,
  which moves), numbers and e-mail addresses follow `keep`'s own;
- values `keep` lacks are taken from `gone`: account, external id, language, segment,
  a consent never asked, custom fields; the notes are joined; the higher priority wins.

One transaction's work: the caller commits (and writes the audit row).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from callcenter.store.customer_profile import CONSENTS, addresses, drop_addresses
from callcenter.store.customers import get_customer
from callcenter.store.errors import Conflict
from callcenter.store.models import Base, CustomerEmailRow, CustomerNumberRow, CustomerRow

COLUMN = "customer_id"


@dataclass(frozen=True, slots=True)
class MergeReport:
    """What a merge moved: rows per table (tables with none left out), and the kinds of
    address dropped because `keep` had its own."""

    keep: int
    gone: int
    moved: dict[str, int]
    dropped_addresses: tuple[str, ...]


def linked_tables() -> list[Table]:
    """Every table with a `customer_id` column, by name."""
    return sorted((t for t in Base.metadata.tables.values() if COLUMN in t.c
                   and t.name != CustomerRow.__tablename__), key=lambda t: t.name)


def _take_values(keep: CustomerRow, gone: CustomerRow, account: str | None,
                 external_id: str | None) -> None:
    if keep.account is None and account is not None:
        keep.account = account
    if keep.external_id is None and external_id is not None:
        keep.external_id = external_id
    keep.language = keep.language or gone.language
    keep.segment = keep.segment or gone.segment
    keep.priority = max(keep.priority, gone.priority)
    if gone.notes and gone.notes not in keep.notes:
        keep.notes = f"{keep.notes}\n{gone.notes}".strip()[:10_000]
    keep.fields = {**gone.fields, **keep.fields}
    for consent in CONSENTS:
        if getattr(keep, f"{consent}_consent") is None:
            setattr(keep, f"{consent}_consent", getattr(gone, f"{consent}_consent"))
            setattr(keep, f"{consent}_consent_at", getattr(gone, f"{consent}_consent_at"))


def _after_positions(session: Session, keep: int, gone: int) -> None:
    """Number `gone`'s numbers and e-mail addresses after `keep`'s."""
    for table in (CustomerNumberRow, CustomerEmailRow):
        last = session.scalar(select(func.max(table.position)).where(table.customer_id == keep))
        if last is not None:
            session.execute(update(table).where(table.customer_id == gone)
                            .values(position=table.position + last + 1)
                            .execution_options(synchronize_session=False))


def merge_customers(session: Session, keep_id: int, gone_id: int) -> MergeReport:
    """Merge customer `gone_id` into `keep_id` (see the module); `NotFound` if either is
    missing, `Conflict` if they are the same."""
    if keep_id == gone_id:
        raise Conflict(f"customer {keep_id} cannot be merged into itself")
    keep, gone = get_customer(session, keep_id), get_customer(session, gone_id)
    clashes = sorted({a.kind for a in addresses(session, keep_id)}
                     & {a.kind for a in addresses(session, gone_id)})
    drop_addresses(session, gone_id, clashes)
    _after_positions(session, keep_id, gone_id)
    account, external_id = gone.account, gone.external_id
    gone.account = gone.external_id = None  # unique: free them before keep takes them
    session.flush()
    _take_values(keep, gone, account, external_id)
    session.flush()
    session.expunge(gone)  # deleted below, once nothing points at it
    moved: dict[str, int] = {}
    for table in linked_tables():
        result = session.execute(update(table).where(table.c[COLUMN] == gone_id)
                                 .values({COLUMN: keep_id}))
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            moved[table.name] = count
    session.execute(delete(CustomerRow).where(CustomerRow.id == gone_id))
    session.flush()
    session.expire(keep)
    return MergeReport(keep_id, gone_id, moved, tuple(clashes))
