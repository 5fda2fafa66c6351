"""Customer lookup by number at a million customers, on SQLite and on PostgreSQL.

The IVR's `Lookup` and the desktop's screen pop find the caller by number through
`crm.directory.StoreDirectory.find` (normalise the number to E.164, then
`store.customers` in a worker thread). This loads 1,000,000 customers (one number
each; `--quick`: 100,000) into a fresh migrated database, bulk (SQLite `executemany`,
PostgreSQL `COPY`), and asks both sides for the same random numbers (one in ten
unknown):

- ours: `StoreDirectory.find(number, "number")`, awaited one after another;
- peer: what a developer would write by hand for the same job, the raw driver
  (`sqlite3`, `psycopg` with a server-side prepared statement) on one open connection,
  one indexed query joining the number to its customer, giving the same fields
  (`core.customers.lookup_fields`) from the same normalised number.

Every answer of both sides is compared before the timing counts (the run fails if one
differs). Figures: lookups a second and the 99th percentile of one lookup's time, the
medians of the rounds, ours against the peer's in the same round.

    python bench/customers.py            # 1,000,000 customers, 5 rounds of 4,000
    python bench/customers.py --quick    # 100,000 customers, 3 rounds of 1,000, < 30 s
    python bench/customers.py --json     # one JSON object

PostgreSQL is `$CALLCENTER_BENCH_POSTGRES_URL` (default the local `test` database),
in a scratch schema dropped afterwards; when nothing answers there the PostgreSQL half
is left out, saying so.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from _results import Comparison, compare, record
from callcenter.core.customers import Customer, caller_number, lookup_fields
from callcenter.crm.directory import StoreDirectory
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.engine import database_url

REGION = "US"
PG_URL = os.environ.get("CALLCENTER_BENCH_POSTGRES_URL",
                        "postgresql://postgres@127.0.0.1:5432/test")
Fields = tuple[tuple[str, str], ...]
SEGMENTS = ("", "gold", "vip", "silver")


def number_of(i: int) -> str:
    """Customer `i`'s number: +1 212 2xx xxxx, valid and distinct for i < 1,000,000."""
    return f"+1212{2_000_000 + i:07d}"


def customer_rows(n: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(customers, customer_numbers) rows for ids 1..n, as the tables' columns."""
    customers = [(i, f"Customer {i}", f"A{i:07d}", SEGMENTS[i % 4], "en" if i % 3 else None,
                  i % 5, "", json.dumps({"region": f"r{i % 7}"}))
                 for i in range(1, n + 1)]
    numbers = [(number_of(i), i, 0) for i in range(1, n + 1)]
    return customers, numbers


def load_sqlite(path: Path, n: int) -> None:
    """The migrated file at `path` with `n` customers, by `executemany`."""
    customers, numbers = customer_rows(n)
    when = "2026-01-01 00:00:00.000000"
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO customers (id, name, account, segment, language, priority, notes,"
                " fields, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((*row, when, when) for row in customers))
            connection.executemany(
                "INSERT INTO customer_numbers (number, customer_id, position) VALUES (?, ?, ?)",
                numbers)
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _copy_text(rows: Sequence[tuple[Any, ...]]) -> io.StringIO:
    out = io.StringIO()
    for row in rows:
        out.write("\t".join("\\N" if v is None else str(v) for v in row))
        out.write("\n")
    out.seek(0)
    return out


def load_postgres(url: URL, n: int) -> None:
    """The migrated schema at `url` with `n` customers, by `COPY`."""
    customers, numbers = customer_rows(n)
    when = "2026-01-01 00:00:00+00"
    with psycopg.connect(_libpq(url)) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY customers (id, name, account, segment, language, priority,"
                         " notes, fields, created_at, updated_at) FROM STDIN") as copy:
            copy.write(_copy_text([(*row, when, when) for row in customers]).getvalue())
        with cursor.copy("COPY customer_numbers (number, customer_id, position)"
                         " FROM STDIN") as copy:
            copy.write(_copy_text(numbers).getvalue())
        cursor.execute("SELECT setval(pg_get_serial_sequence('customers', 'id'), %s)", (n,))
        connection.commit()
        cursor.execute("ANALYZE customers")
        cursor.execute("ANALYZE customer_numbers")
        connection.commit()


def _libpq(url: URL) -> str:
    """`url` (SQLAlchemy's) as a libpq connection string, with its `options`."""
    plain = url.set(drivername="postgresql")
    return plain.render_as_string(hide_password=False)


PEER_SQL = ("SELECT c.id, c.name, c.account, c.segment, c.language, c.priority, c.fields"
            " FROM customer_numbers n JOIN customers c ON c.id = n.customer_id"
            " WHERE n.number = {p}")


def _fields(row: Sequence[Any] | None) -> Fields | None:
    if row is None:
        return None
    custom = row[6] if isinstance(row[6], dict) else json.loads(row[6])
    return lookup_fields(row[0], Customer(row[1], (), row[2], row[3], row[4], row[5], "",
                                          custom))


class SqlitePeer:
    """The raw `sqlite3` lookup on one connection (statements cached by the module)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.sql = PEER_SQL.format(p="?")

    def find(self, value: str) -> Fields | None:
        number = caller_number(value, REGION)
        if number is None:
            return None
        return _fields(self.connection.execute(self.sql, (number,)).fetchone())

    def close(self) -> None:
        self.connection.close()


class PostgresPeer:
    """The raw `psycopg` lookup on one connection, a server-side prepared statement."""

    def __init__(self, url: URL) -> None:
        self.connection = psycopg.connect(_libpq(url), autocommit=True)
        self.sql = PEER_SQL.format(p="%s")

    def find(self, value: str) -> Fields | None:
        number = caller_number(value, REGION)
        if number is None:
            return None
        return _fields(self.connection.execute(self.sql, (number,), prepare=True).fetchone())

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Round:
    """One side's timing of one round: lookups a second and the p99 in milliseconds."""

    per_second: float
    p99_ms: float


def _summary(times: list[float]) -> Round:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return Round(len(times) / sum(times), p99 * 1000)


async def time_ours(directory: StoreDirectory, values: Sequence[str]) -> Round:
    times = []
    for value in values:
        start = time.perf_counter()
        await directory.find(value, "number")
        times.append(time.perf_counter() - start)
    return _summary(times)


def time_peer(find: Callable[[str], Fields | None], values: Sequence[str]) -> Round:
    times = []
    for value in values:
        start = time.perf_counter()
        find(value)
        times.append(time.perf_counter() - start)
    return _summary(times)


def lookups(n: int, count: int, seed: int) -> list[str]:
    """`count` numbers to look up: random customers', one in ten nobody's."""
    rng = random.Random(seed)
    return [number_of(rng.randrange(n) + 1) if rng.random() >= 0.1
            else f"+1212{1_000_000 + rng.randrange(1_000_000):07d}"
            for _ in range(count)]


@dataclass
class Side:
    """Both sides' rounds on one database."""

    database: str
    ours: list[Round]
    peer: list[Round]
    load_seconds: float


def run(database: str, engine: Engine, peer_find: Callable[[str], Fields | None],
        n: int, rounds: int, per_round: int, load_seconds: float,
        progress: Progress) -> Side:
    """Check that both sides agree, then time them alternately."""
    directory = StoreDirectory(session_factory(engine), REGION)
    check = lookups(n, per_round, seed=0)
    task = progress.add_task(f"{database}: check and rounds", total=1 + rounds)

    async def answers() -> list[Fields | None]:
        return [await directory.find(v, "number") for v in check]

    ours_answers = asyncio.run(answers())
    peer_answers = [peer_find(v) for v in check]
    if ours_answers != peer_answers:
        wrong = next(i for i, (a, b) in enumerate(zip(ours_answers, peer_answers, strict=True))
                     if a != b)
        raise SystemExit(f"{database}: the sides differ at {check[wrong]}: "
                         f"{ours_answers[wrong]} against {peer_answers[wrong]}")
    found = sum(a is not None for a in ours_answers)
    if not 0.8 * per_round <= found < per_round:
        raise SystemExit(f"{database}: {found} of {per_round} found, expected about 90%")
    progress.advance(task)
    side = Side(database, [], [], load_seconds)
    for index in range(rounds):
        values = lookups(n, per_round, seed=index + 1)
        if index % 2 == 0:
            side.ours.append(asyncio.run(time_ours(directory, values)))
            side.peer.append(time_peer(peer_find, values))
        else:
            side.peer.append(time_peer(peer_find, values))
            side.ours.append(asyncio.run(time_ours(directory, values)))
        progress.advance(task)
    return side


def sqlite_side(n: int, rounds: int, per_round: int, progress: Progress) -> Side:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.db"
        migrate(f"sqlite:///{path}")
        start = time.perf_counter()
        load_sqlite(path, n)
        loaded = time.perf_counter() - start
        engine = create_engine_for(f"sqlite:///{path}")
        peer = SqlitePeer(path)
        try:
            return run("SQLite", engine, peer.find, n, rounds, per_round, loaded, progress)
        finally:
            peer.close()
            engine.dispose()


@contextmanager
def scratch_schema(database: URL) -> Iterator[URL]:
    """A fresh schema in `database` as the connections' search path; dropped afterwards."""
    name = f"bench_customers_{secrets.token_hex(4)}"
    admin = create_engine(database, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {name}"))
        try:
            yield database.update_query_dict({"options": f"-csearch_path={name}"})
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
    finally:
        admin.dispose()


def postgres_side(n: int, rounds: int, per_round: int, progress: Progress) -> Side | str:
    database = database_url(PG_URL)
    try:
        with scratch_schema(database) as url:
            migrate(url)
            start = time.perf_counter()
            load_postgres(url, n)
            loaded = time.perf_counter() - start
            engine = create_engine_for(url)
            peer = PostgresPeer(url)
            try:
                return run("PostgreSQL", engine, peer.find, n, rounds, per_round, loaded,
                           progress)
            finally:
                peer.close()
                engine.dispose()
    except OperationalError as error:
        return f"PostgreSQL left out: nothing answers at {database!r} ({error.orig})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 customers, fewer rounds")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    n, rounds, per_round = (100_000, 3, 1000) if args.quick else (1_000_000, 5, 4000)
    console = Console(stderr=args.json)
    sides: list[Side] = []
    notes: list[str] = []
    with Progress(console=console, transient=True) as progress:
        sides.append(sqlite_side(n, rounds, per_round, progress))
        pg = postgres_side(n, rounds, per_round, progress)
        if isinstance(pg, str):
            notes.append(pg)
        else:
            sides.append(pg)
    comparisons: list[Comparison] = []
    for side in sides:
        peer_name = "raw sqlite3" if side.database == "SQLite" else "raw psycopg, prepared"
        comparisons.append(compare(f"{side.database}: lookups by number", "lookups/s",
                                   [r.per_second for r in side.ours],
                                   [r.per_second for r in side.peer],
                                   peer_name=peer_name, higher_is_better=True))
        comparisons.append(compare(f"{side.database}: p99 of one lookup", "ms",
                                   [r.p99_ms for r in side.ours],
                                   [r.p99_ms for r in side.peer],
                                   peer_name=peer_name, higher_is_better=False))
    details: dict[str, object] = {
        "customers": n, "rounds": rounds, "lookups_per_round": per_round,
        "load_seconds": {s.database: round(s.load_seconds, 1) for s in sides}}
    if notes:
        details["notes"] = notes
    record("customers", comparisons, quick=args.quick, details=details)
    if args.json:
        print(json.dumps({**details, "comparisons": [
            {"name": c.name, "unit": c.unit, "ours": round(c.ours, 3),
             "peer": round(c.peer, 3), "peer_name": c.peer_name, "ratio": round(c.ratio, 3)}
            for c in comparisons]}))
        return
    table = Table(title=f"Lookup by number at {n:,} customers (median of {rounds} rounds "
                        f"of {per_round:,}; ratio above 1: ours better)")
    for column in ("database", "figure", "ours", "peer", "ratio"):
        table.add_column(column, justify="right")
    for c in comparisons:
        table.add_row(c.name.split(":")[0], f"{c.name.split(': ')[1]} ({c.unit})",
                      f"{c.ours:,.2f}", f"{c.peer:,.2f} ({c.peer_name})", f"{c.ratio:.2f}")
    console.print(table)
    for side in sides:
        console.print(f"{side.database}: {n:,} customers loaded in {side.load_seconds:.1f} s")
    for note in notes:
        console.print(note)


if __name__ == "__main__":
    main()
