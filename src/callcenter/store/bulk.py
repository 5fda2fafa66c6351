"""Batched writes of the history tables: many rows per statement (executemany).

The persistence sink (`callcenter.store.sink`) works out, for one batch of engine
commands, the final values of every row the batch touches; these functions write
them with SQLAlchemy Core statements (built once) on a connection, in its
transaction, without a session or ORM objects. Rows are plain dicts of column values;
rows that set different columns go in separate statements, so a column left out
keeps its default (on insert) or its stored value (on update). Like the rest of
the store they never commit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from functools import cache
from typing import Any

from sqlalchemy import Connection, Update, bindparam, insert, select, update

from callcenter.core.records import AgentSpan
from callcenter.store.configs import check_id
from callcenter.store.models import AgentPresenceRow, AgentSpanRow, Base, InteractionRow

Row = dict[str, Any]

_INTERACTIONS = Base.metadata.tables[InteractionRow.__tablename__]
_SPANS = Base.metadata.tables[AgentSpanRow.__tablename__]
_PRESENCE = Base.metadata.tables[AgentPresenceRow.__tablename__]
_CHUNK = 500
"""Ids per `IN (...)` (well under SQLite's limit of bound parameters)."""
_INSERT_INTERACTIONS = insert(_INTERACTIONS)
_INSERT_SPANS = insert(_SPANS)
_INSERT_PRESENCE = insert(_PRESENCE)
_OPEN_FLAGS = select(_INTERACTIONS.c.interaction_id, _INTERACTIONS.c.open).where(
    _INTERACTIONS.c.interaction_id.in_(bindparam("ids", expanding=True)))
_PRESENT = select(_PRESENCE.c.agent_id).where(
    _PRESENCE.c.agent_id.in_(bindparam("ids", expanding=True)))
_SPANS_SINCE = select(_SPANS.c.agent_id, _SPANS.c.state, _SPANS.c.reason, _SPANS.c.start,
                      _SPANS.c.end).where(
    _SPANS.c.agent_id.in_(bindparam("ids", expanding=True)), _SPANS.c.start >= bindparam("first"))
_UPDATE_PRESENCE = update(_PRESENCE).where(_PRESENCE.c.agent_id == bindparam("_id")).values(
    state=bindparam("state"), reason=bindparam("reason"), since=bindparam("since"))


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    items = sorted(ids)
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _by_columns(rows: Iterable[Row]) -> dict[tuple[str, ...], list[Row]]:
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


@cache
def _update_interactions(columns: tuple[str, ...]) -> Update:
    ix = _INTERACTIONS.c
    return (update(_INTERACTIONS).where(ix.interaction_id == bindparam("_id"))
            .values({c: bindparam(c) for c in columns if c != "_id"}))


def open_flags(conn: Connection, interaction_ids: Collection[str]) -> dict[str, bool]:
    """For each stored interaction among `interaction_ids`: is its row still open?"""
    found: dict[str, bool] = {}
    for chunk in _chunks(interaction_ids):
        found.update(conn.execute(_OPEN_FLAGS, {"ids": chunk}).all())
    return found


def insert_interactions(conn: Connection, rows: list[Row]) -> None:
    """Insert interaction rows (each with `interaction_id`); columns left out get their
    defaults."""
    for row in rows:
        check_id("interaction", "interaction_id", row["interaction_id"])
    for group in _by_columns(rows).values():
        conn.execute(_INSERT_INTERACTIONS, group)


def update_interactions(conn: Connection, changes: dict[str, Row]) -> None:
    """Set the given columns of stored interaction rows, by interaction id."""
    groups = _by_columns([{"_id": iid, **row} for iid, row in changes.items()])
    for columns, group in groups.items():
        conn.execute(_update_interactions(columns), group)


def insert_spans(conn: Connection, spans: list[AgentSpan]) -> None:
    """Append closed agent-state spans, in order."""
    if not spans:
        return
    for span in spans:
        check_id("span", "agent_id", span.agent_id)
    conn.execute(_INSERT_SPANS, [{"agent_id": s.agent_id, "state": s.state,
                                  "reason": s.reason, "start": s.start, "end": s.end}
                                 for s in spans])


def new_spans(conn: Connection, spans: list[AgentSpan]) -> list[AgentSpan]:
    """`spans` without those stored already (same agent, state, reason, start and end)."""
    if not spans:
        return spans
    first = min(s.start for s in spans)
    stored: set[tuple[str, str, str, float, float]] = set()
    for chunk in _chunks({s.agent_id for s in spans}):
        stored.update((a, st, r, b, e) for a, st, r, b, e in
                      conn.execute(_SPANS_SINCE, {"ids": chunk, "first": first}))
    return [s for s in spans if (s.agent_id, s.state, s.reason, s.start, s.end) not in stored]


def stored_presence(conn: Connection, agent_ids: Collection[str]) -> set[str]:
    """The agents among `agent_ids` that have a presence row."""
    found: set[str] = set()
    for chunk in _chunks(agent_ids):
        found.update(conn.scalars(_PRESENT, {"ids": chunk}))
    return found


def put_presence(conn: Connection, rows: dict[str, Row], stored: Collection[str]) -> None:
    """Write presence rows (`state`, `reason`, `since` by agent id): update the agents in
    `stored` (those that have a row), insert the others."""
    new = [{"agent_id": a, **row} for a, row in rows.items() if a not in stored]
    for row in new:
        check_id("presence", "agent_id", row["agent_id"])
    if new:
        conn.execute(_INSERT_PRESENCE, new)
    changed = [{"_id": a, **row} for a, row in rows.items() if a in stored]
    if changed:
        conn.execute(_UPDATE_PRESENCE, changed)
