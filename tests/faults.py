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
- `PostgresFull`: the server's tables live in a tablespace on a small tmpfs of its own
  (`tmpfs_tablespace`); another connection fills it with a table of its own until
  PostgreSQL answers "could not extend file" (SQLSTATE 53100, disk full), so the
  server's writes fail the same way; `stop()` drops that table and the space is back.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError

from callcenter.store import create_engine_for
from tests.postgres import admin_engine


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


class Unavailable(Exception):
    """This machine cannot stage the fault (the reason is the message)."""


DISK_FULL = "53100"
"""PostgreSQL's SQLSTATE for "could not extend file": no space left on the device."""


@contextlib.contextmanager
def tmpfs_tablespace(server: URL, size: str = "8m") -> Iterator[str]:
    """A tablespace (its name) on a tmpfs of `size` mounted for it, owned by the OS user
    the PostgreSQL server at `server` runs as; dropped and unmounted afterwards. Raises
    `Unavailable` when that cannot be done here: not root, or the server not on this
    machine, or no tmpfs mount allowed."""
    if os.geteuid() != 0:
        raise Unavailable("mounting a tmpfs for a PostgreSQL tablespace needs root")
    admin = admin_engine(server)
    try:
        with admin.connect() as conn:
            data = str(conn.execute(text("SHOW data_directory")).scalar_one())
        try:
            owner = os.stat(data)
        except OSError as exc:
            raise Unavailable(f"the PostgreSQL server's data directory {data} is not on "
                              f"this machine ({exc.strerror}): a tablespace here would "
                              "not be its") from exc
        where = tempfile.mkdtemp(prefix="pgfull-")
        try:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700",
                                      "tmpfs", where], capture_output=True, text=True,
                                     check=False)
            if mounted.returncode != 0:
                raise Unavailable(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
            try:
                os.chown(where, owner.st_uid, owner.st_gid)
                name = f"faults_full_{secrets.token_hex(4)}"
                with admin.connect() as conn:
                    try:
                        conn.execute(text(f"CREATE TABLESPACE \"{name}\" LOCATION '{where}'"))
                    except OperationalError as exc:
                        if not isinstance(exc.orig, psycopg.errors.UndefinedFile):
                            raise
                        raise Unavailable(
                            f"the PostgreSQL server does not see {where}: it runs on another "
                            "file system (another machine, container or chroot)") from exc
                try:
                    yield name
                finally:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP TABLESPACE IF EXISTS "{name}"'))
            finally:
                subprocess.run(["umount", where], check=True)
        finally:
            os.rmdir(where)
    finally:
        admin.dispose()


class PostgresFull:
    """Another connection to the database at `url` filling `tablespace` (where the
    server's tables are) with a table of its own until it is full. Meanwhile a third
    holds a transaction open, so no space freed by the server's own updates is
    reclaimed in its pages (pruning keeps rows that transaction may still see): once a
    write needs a page, its retries do too, until `stop()`."""

    def __init__(self, url: URL, tablespace: str) -> None:
        self._engine = create_engine_for(url).execution_options(isolation_level="AUTOCOMMIT")
        self._tablespace = tablespace
        self._holder: Any = None

    def start(self) -> None:
        """Hold back reclaiming, then fill the tablespace: insert about 1 MB at a time
        until PostgreSQL answers that the disk is full."""
        self._holder = self._engine.connect()
        self._holder.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ")
        self._holder.exec_driver_sql("SELECT txid_current()")
        with self._engine.connect() as conn:
            conn.execute(text(f'CREATE TABLE filler (pad text) TABLESPACE "{self._tablespace}"'))
            for _ in range(10_000):
                try:
                    conn.execute(text("INSERT INTO filler SELECT repeat('x', 1800) "
                                      "FROM generate_series(1, 500)"))
                except DBAPIError as exc:
                    if getattr(exc.orig, "sqlstate", None) != DISK_FULL:
                        raise
                    return
        raise AssertionError("the tablespace never filled up")

    def stop(self) -> None:
        """Drop the filler table: its space is free again."""
        self._holder.exec_driver_sql("COMMIT")
        self._holder.close()
        with self._engine.connect() as conn:
            conn.execute(text("DROP TABLE filler"))
        self._engine.dispose()
