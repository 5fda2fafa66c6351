"""The cost of `synchronous=FULL` on SQLite (WAL): the store sink's commits, FULL against NORMAL.

The server stores every batch of engine commands in one transaction, and a change
is acknowledged only after its commit. With WAL, `synchronous=NORMAL` syncs the
log only at checkpoints, so a power cut can undo acknowledged commits;
`synchronous=FULL` syncs it at every commit. This measures what that costs on
this disk: the same batches (one call each: arrival, answer, completion, two
agent spans, presence) written through `StoreSink.write` to a fresh SQLite file
in each mode, the two modes' rounds alternating (the order swapped each round) so
that both see the same load. "Ours" is FULL (what the server runs), the peer is
NORMAL; the rounds are kept as paired repeats through `bench/_results.py`.

    python bench/sqlite_sync.py            # 400 commits per round
    python bench/sqlite_sync.py --quick    # 100 commits per round, under 30 s
    python bench/sqlite_sync.py --json     # one JSON object: ours, peer, ratio
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import event

from _results import compare, record
from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    InteractionStateChanged,
    RecordAgentSpan,
    RecordInteraction,
)
from callcenter.core.records import AgentSpan, InteractionRecord
from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.sink import StoreSink

ROUNDS = 5
T0 = 1_700_000_000.0


def _batch(i: int) -> list[Command]:
    at = T0 + 100 * i
    iid = f"c{i}"
    return [
        InteractionStateChanged(iid, "queued", "q", None, at),
        InteractionStateChanged(iid, "connected", "q", "a1", at + 5),
        RecordInteraction(InteractionRecord(iid, "voice", "q", "q", 0, at, at + 5, at + 60,
                                            at + 70, "completed", agent_id="a1")),
        RecordAgentSpan(AgentSpan("a1", "available", at - 10, at + 5)),
        RecordAgentSpan(AgentSpan("a1", "busy", at + 5, at + 70)),
        AgentStateChanged("a1", "available", "", at + 70),
    ]


def commits_per_second(folder: Path, mode: str, commits: int) -> float:
    """Commits a second of `commits` one-call batches on a fresh file with `mode`."""
    url = f"sqlite:///{folder / f'{mode}-{time.monotonic_ns()}.db'}"
    migrate(url)
    database = create_engine_for(url)

    def set_mode(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA synchronous={mode}")  # type: ignore[attr-defined]

    event.listen(database, "connect", set_mode)  # after the store's own pragmas
    try:
        sink = StoreSink(session_factory(database), lambda _q: "voice")
        sink.write(_batch(-1), {"q": "voice"})  # warm up: connection and statements
        start = time.perf_counter()
        for i in range(commits):
            sink.write(_batch(i), {"q": "voice"})
        return commits / (time.perf_counter() - start)
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer commits per round")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    commits = 100 if args.quick else 400
    rates: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    with tempfile.TemporaryDirectory() as folder:
        for index in range(ROUNDS):
            for mode in (("FULL", "NORMAL") if index % 2 == 0 else ("NORMAL", "FULL")):
                rates[mode].append(commits_per_second(Path(folder), mode, commits))
    ours, peer = statistics.median(rates["FULL"]), statistics.median(rates["NORMAL"])
    record("sqlite_sync", [compare("store-sink commits, synchronous=FULL", "commits/s",
                                   rates["FULL"], rates["NORMAL"],
                                   peer_name="synchronous=NORMAL", higher_is_better=True)],
           quick=args.quick, details={"commits_per_round": commits, "rounds": ROUNDS})
    if args.json:
        print(json.dumps({"commits": commits, "rounds": ROUNDS,
                          "ours": {"synchronous": "FULL", "commits_per_s": round(ours, 1)},
                          "peer": {"synchronous": "NORMAL", "commits_per_s": round(peer, 1)},
                          "ratio": round(ours / peer, 3)}))
        return
    table = Table(title=f"SQLite WAL: store-sink commits a second (median of {ROUNDS} "
                        f"rounds of {commits})")
    for column in ("synchronous", "commits/s", "ms/commit", "vs NORMAL"):
        table.add_column(column, justify="right")
    for mode, rate in (("FULL", ours), ("NORMAL", peer)):
        table.add_row(mode, f"{rate:,.0f}", f"{1000 / rate:.2f}", f"{rate / peer:.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
