"""Real database faults for tests: each has `start()` (the fault begins) and `stop()`
(the database is back).

- `SqliteLocked`: another connection holds SQLite's write lock (`BEGIN EXCLUSIVE`);
  the server's writes fail after its busy timeout with "database is locked".
- `SqliteFull`: the server's connections may not grow the file (`PRAGMA
  max_page_count` at its current size, set at the start of each of their
  transactions); a write that needs a page fails with "database or disk is full".
- `PostgresLocked`: another connection holds `LOCK TABLE ... ACCESS EXCLUSIVE` on the
  tables the server writes; its statements fail after its `lock_timeout`.
- `TcpProxy` between the server and PostgreSQL: `start()` cuts every connection and
  refuses new ones (the database unreachable), `stop()` lets them through again.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL

from callcenter.store import create_engine_for


class SqliteLocked:
    """Another connection holding the write lock of the SQLite file at `path`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def start(self) -> None:
        """Take the write lock and keep it."""
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._conn.execute("BEGIN EXCLUSIVE")

    def stop(self) -> None:
        """Let it go."""
        assert self._conn is not None
        self._conn.execute("ROLLBACK")
        self._conn.close()
        self._conn = None


class SqliteFull:
    """The server's connections (`database`) may not grow the file while started."""

    NO_LIMIT = 1_073_741_823

    def __init__(self, database: Engine) -> None:
        self._database = database
        self._limit: int | None = None
        event.listen(database, "begin", self._on_begin)

    def _on_begin(self, conn: Any) -> None:
        limit = self.NO_LIMIT if self._limit is None else self._limit
        conn.exec_driver_sql(f"PRAGMA max_page_count = {limit}")

    def start(self) -> None:
        """From the next transaction on, no page may be added to the file."""
        with self._database.connect() as conn:
            self._limit = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())

    def stop(self) -> None:
        """Space again."""
        self._limit = None


class PostgresLocked:
    """Another connection holding ACCESS EXCLUSIVE locks on `tables` of the database at
    `url` (its search path included)."""

    def __init__(self, url: URL, tables: tuple[str, ...]) -> None:
        self._engine = create_engine_for(url)
        self._tables = tables
        self._conn: Any = None
        self._tx: Any = None

    def start(self) -> None:
        """Lock the tables and keep the locks."""
        self._conn = self._engine.connect()
        self._tx = self._conn.begin()
        for table in self._tables:
            self._conn.execute(text(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE'))

    def stop(self) -> None:
        """Release them."""
        self._tx.rollback()
        self._conn.close()
        self._engine.dispose()


class TcpProxy:
    """A loopback TCP proxy to `target` (host, port) that the test can cut."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._cut = False
        self._live: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut:
                client.close()  # unreachable: the connection ends at once
                continue
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._live.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
                with self._lock:
                    self._live.discard(s)

    def start(self) -> None:
        """Cut every connection and refuse new ones."""
        self._cut = True
        with self._lock:
            live = list(self._live)
        for s in live:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Let connections through again."""
        self._cut = False

    def close(self) -> None:
        """Stop listening and cut everything."""
        self.start()
        self._running = False
        self._listener.close()
        self._thread.join(timeout=5)
