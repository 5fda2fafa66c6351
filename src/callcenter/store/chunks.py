"""Long writes in short transactions: a list written a chunk at a time, each chunk its own
committed transaction, with a pause between them.

    written = write_in_chunks(sessions, leads, 2000, write_some, pause=0.15)

A lead or customer import of 400,000 rows in one transaction held SQLite's write lock
for 35 s, and the engine's writes, waiting at most the busy timeout (5 s), failed. In
chunks, the engine's writes wait at most one chunk; the pause lets a writer that
waits in SQLite's busy handler (which retries every 0.1 s at most) take its turn
before the next chunk begins. A chunk that fails rolls back alone: the chunks before
it stay stored, and `PartlyStored` says how many items they held.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
log = logging.getLogger("callcenter.store")


class PartlyStored(Exception):
    """A chunk failed: the first `stored` items are stored (in committed chunks), the
    rest are not."""

    def __init__(self, stored: int, cause: BaseException) -> None:
        super().__init__(f"stored the first {stored} items, then: {cause}")
        self.stored = stored
        self.cause = cause
        self.result: Any = None
        """What the stored chunks did, where the caller keeps count (`store_leads`)."""


def write_in_chunks(sessions: sessionmaker[Session], items: Sequence[T], size: int,
                    write: Callable[[Session, Sequence[T]], None], *, pause: float = 0.0,
                    done: Callable[[int], None] | None = None, what: str = "rows") -> float:
    """`write(session, chunk)` for each `size` items of `items` in order, each chunk in a
    transaction of its own; `done(n)` after each commit (n items stored so far), then
    `pause` seconds before the next chunk. Returns the longest transaction in seconds;
    `PartlyStored` when a chunk fails (its cause chained)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    longest = 0.0
    for start in range(0, len(items), size):
        began = time.perf_counter()
        try:
            with sessions.begin() as session:
                write(session, items[start:start + size])
        except Exception as exc:
            raise PartlyStored(start, exc) from exc
        took = time.perf_counter() - began
        longest = max(longest, took)
        log.debug("stored %s %d to %d in %.3f s", what, start + 1,
                  min(start + size, len(items)), took)
        stored = min(start + size, len(items))
        if done is not None:
            done(stored)
        if pause > 0 and stored < len(items):
            time.sleep(pause)
    log.info("stored %d %s in %d transactions, the longest %.3f s", len(items), what,
             -(-len(items) // size), longest)
    return longest
