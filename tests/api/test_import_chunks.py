"""A long lead import on SQLite while the server takes calls: the import writes in
chunks of its own transactions, and the engine's persistence batches are stored in
between, none failing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from callcenter.core.events import InteractionArrived
from tests.api.conftest import Harness, start

ADMIN = "root"
CHUNK = 25
LEADS = 300


def test_the_engines_writes_go_through_between_the_chunks_of_an_import(tmp_path: Path) -> None:
    """After each chunk of a 300-lead import commits, another connection may write at
    once, and a call arriving then is stored by the engine's sink; every lead and every
    call is stored, and the sink never failed."""
    path = tmp_path / "api.db"
    for h in start(f"sqlite:///{path}", settings={"import_chunk": CHUNK, "import_pause": 0}):
        _import_while_calls_arrive(h, path)


def _import_while_calls_arrive(h: Harness, path: Path) -> None:
    """The import, a call arriving after each commit, and what was stored."""
    auth = h.auth(ADMIN)
    assert h.post("/api/campaigns", headers=auth, json={
        "name": "big", "caller_id": "+4930123456", "default_region": "DE"}).status_code == 201
    csv = "number\n" + "".join(f"+4930{2000000 + i}\n" for i in range(LEADS))
    calls: list[str] = []
    main = threading.current_thread()

    def between(_session: Any) -> None:
        if threading.current_thread() is main or not importing.is_set():
            return
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:  # fails at once ("database is locked") if a transaction holds the lock
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        finally:
            probe.close()
        call = f"during-{len(calls)}"
        h.portal.call(h._inject, InteractionArrived(call, "hotline"))
        calls.append(call)

    importing = threading.Event()
    event.listen(h.server.sessions, "after_commit", between)
    importing.set()
    try:
        r = h.post("/api/campaigns/big/leads", content=csv.encode(),
                   headers={**auth, "Content-Type": "text/csv"})
    finally:
        importing.clear()
        event.remove(h.server.sessions, "after_commit", between)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == LEADS
    assert len(calls) >= LEADS // CHUNK  # a call after each chunk at least
    with h.server.database.connect() as connection:
        stored = set(connection.scalars(text(
            "SELECT interaction_id FROM interactions WHERE interaction_id LIKE 'during-%'")))
        leads = connection.scalar(text("SELECT count(*) FROM leads WHERE campaign = 'big'"))
    assert stored == set(calls)
    assert leads == LEADS
    durable = h.server.durable
    assert durable is None or (not durable.degraded and durable.stats.failures == 0)


def test_a_failed_chunk_answers_which_leads_are_stored(tmp_path: Path) -> None:
    """The database fails after the second chunk: 503 naming the 50 stored leads and the
    last stored line, no SQL in the body; the same file imported again stores the rest."""
    path = tmp_path / "api.db"
    for h in start(f"sqlite:///{path}", settings={"import_chunk": CHUNK, "import_pause": 0}):
        auth = h.auth(ADMIN)
        assert h.post("/api/campaigns", headers=auth, json={
            "name": "big", "caller_id": "+4930123456", "default_region": "DE"}).status_code == 201
        csv = ("number\n" + "".join(f"+4930{2000000 + i}\n" for i in range(100))).encode()
        chunks = 0

        def break_after_two(_session: Any) -> None:
            nonlocal chunks
            if threading.current_thread() is threading.main_thread():
                return
            count = sqlite3.connect(path)
            try:
                chunks = count.execute("SELECT count(*) FROM leads").fetchone()[0] // CHUNK
                if chunks == 2:  # the table goes away: the next chunk fails
                    count.execute("ALTER TABLE leads RENAME TO leads_away")
            finally:
                count.close()

        event.listen(h.server.sessions, "after_commit", break_after_two)
        try:
            r = h.post("/api/campaigns/big/leads", content=csv,
                       headers={**auth, "Content-Type": "text/csv"})
        finally:
            event.remove(h.server.sessions, "after_commit", break_after_two)
        back = sqlite3.connect(path)
        back.execute("ALTER TABLE leads_away RENAME TO leads")
        back.close()
        assert r.status_code == 503, r.text
        body = r.json()
        assert (body["stored"], body["last_stored_line"]) == (50, 51)
        assert "INSERT" not in r.text and "leads_away" not in r.text
        again = h.post("/api/campaigns/big/leads", content=csv,
                       headers={**auth, "Content-Type": "text/csv"})
        assert again.status_code == 200, again.text
        assert (again.json()["stored"], len(again.json()["skipped"])) == (50, 50)


def test_a_nul_in_a_csv_cell_names_its_line_and_column(tmp_path: Path) -> None:
    """A customer row with a NUL in a cell is rejected naming the line and the column;
    nothing is stored."""
    for h in start(f"sqlite:///{tmp_path / 'api.db'}"):
        r = h.post("/api/admin/customers/import", headers={**h.auth(ADMIN),
                                                           "Content-Type": "text/csv"},
                   content=b"name,segment\nAda,gold\nBob,si\x00lver\n")
        assert r.status_code == 422, r.text
        assert r.json()["rejected"] == [{
            "line": 3, "reason": "column 'segment': contains a NUL character (U+0000), "
                                 "which cannot be stored"}]
        listed = h.get("/api/admin/customers", headers=h.auth(ADMIN)).json()
        assert listed["total"] == 0


def test_a_nul_in_the_header_makes_the_file_unusable(tmp_path: Path) -> None:
    """A NUL in a header cell is a 422 on `body` naming line 1 and the column."""
    for h in start(f"sqlite:///{tmp_path / 'api.db'}"):
        r = h.post("/api/admin/customers/import", headers={**h.auth(ADMIN),
                                                           "Content-Type": "text/csv"},
                   content=b"name,seg\x00ment\nAda,gold\n")
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "body"
        assert "line 1: the header's column 'seg\\x00ment' contains a NUL" in r.json()["detail"]
