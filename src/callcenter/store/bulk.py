"""Batched writes of the history tables: many rows per statement (executemany).

The persistence sink (`callcenter.api.persist`) works out, for one batch of engine
commands, the final values of every row the batch touches; these functions write
them with SQLAlchemy Core statements on the session's connection, in its
transaction, without loading ORM objects. Rows are plain dicts of column values;
rows that set different columns go in separate statements, so a column left out
keeps its default (on insert) or its stored value (on update). Like the rest of
the store they never commit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from callcenter.core.records import AgentSpan
from callcenter.store.configs import check_id
from callcenter.store.models import AgentPresenceRow, AgentSpanRow, Base, InteractionRow

Row = dict[str, Any]

_INTERACTIONS = Base.metadata.tables[InteractionRow.__tablename__]
_SPANS = Base.metadata.tables[AgentSpanRow.__tablename__]
_PRESENCE = Base.metadata.tables[AgentPresenceRow.__tablename__]
_CHUNK = 500
"""Ids per `IN (...)` (well under SQLite's limit of bound parameters)."""


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    items = sorted(ids)
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _by_columns(rows: Iterable[Row]) -> dict[tuple[str, ...], list[Row]]:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


def open_flags(session: Session, interaction_ids: Collection[str]) -> dict[str, bool]:
    """For each stored interaction among `interaction_ids`: is its row still open?"""
    found: dict[str, bool] = {}
    if not interaction_ids:
        return found
    conn = session.connection()
    ix = _INTERACTIONS.c
    for chunk in _chunks(interaction_ids):
        found.update(conn.execute(select(ix.interaction_id, ix.open)
                                  .where(ix.interaction_id.in_(chunk))).all())
    return found


def insert_interactions(session: Session, rows: list[Row]) -> None:
    """Insert interaction rows (each with `interaction_id`); columns left out get their
    defaults."""
    for row in rows:
        check_id("interaction", "interaction_id", row["interaction_id"])
    conn = session.connection()
    for group in _by_columns(rows).values():
        conn.execute(insert(_INTERACTIONS), group)


def update_interactions(session: Session, changes: dict[str, Row]) -> None:
    """Set the given columns of stored interaction rows, by interaction id."""
    conn = session.connection()
    ix = _INTERACTIONS.c
    groups = _by_columns([{"_id": iid, **row} for iid, row in changes.items()])
    for columns, group in groups.items():
        statement = (update(_INTERACTIONS).where(ix.interaction_id == bindparam("_id"))
                     .values({c: bindparam(c) for c in columns if c != "_id"}))
        conn.execute(statement, group)


def insert_spans(session: Session, spans: list[AgentSpan]) -> None:
    """Append closed agent-state spans, in order."""
    if not spans:
        return
    for span in spans:
        check_id("span", "agent_id", span.agent_id)
    session.connection().execute(insert(_SPANS), [
        {"agent_id": s.agent_id, "state": s.state, "reason": s.reason, "start": s.start,
         "end": s.end} for s in spans])


def stored_presence(session: Session, agent_ids: Collection[str]) -> set[str]:
    """The agents among `agent_ids` that have a presence row."""
    found: set[str] = set()
    if not agent_ids:
        return found
    conn = session.connection()
    pc = _PRESENCE.c
    for chunk in _chunks(agent_ids):
        found.update(conn.scalars(select(pc.agent_id).where(pc.agent_id.in_(chunk))))
    return found


def put_presence(session: Session, rows: dict[str, Row], stored: Collection[str]) -> None:
    """Write presence rows (`state`, `reason`, `since` by agent id): update the agents in
    `stored` (those that have a row), insert the others."""
    new = [{"agent_id": a, **row} for a, row in rows.items() if a not in stored]
    for row in new:
        check_id("presence", "agent_id", row["agent_id"])
    conn = session.connection()
    if new:
        conn.execute(insert(_PRESENCE), new)
    changed = [{"_id": a, **row} for a, row in rows.items() if a in stored]
    if changed:
        pc = _PRESENCE.c
        conn.execute(update(_PRESENCE).where(pc.agent_id == bindparam("_id"))
                     .values(state=bindparam("state"), reason=bindparam("reason"),
                             since=bindparam("since")), changed)
