"""The customer lookup benchmark (bench/customers.py): its bulk load gives what the store
would find, its raw-driver peer answers as the product's lookup does, and the same-work
check fails the run when the peer does not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rich.progress import Progress

from callcenter.store import create_engine_for, migrate, session_factory
from callcenter.store.customers import find_customer

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # its `_results` import
    spec = importlib.util.spec_from_file_location("bench_customers", BENCH / "customers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_customers"] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


def test_the_bulk_load_is_what_the_store_reads(tmp_path: Path) -> None:
    """Customer 7 loaded by executemany is found by its number through the store, with
    the name, account and custom field the loader gave it."""
    path = tmp_path / "c.db"
    migrate(f"sqlite:///{path}")
    bench.load_sqlite(path, 50)
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with session_factory(engine)() as session:
            row = find_customer(session, number="+12122000007")
            assert row is not None
            assert (row.id, row.name, row.account, row.fields) == \
                (7, "Customer 7", "A0000007", {"region": "r0"})
    finally:
        engine.dispose()


def test_the_run_fails_when_the_peer_answers_otherwise(tmp_path: Path) -> None:
    """A peer that drops the custom fields is caught by the same-work check."""
    path = tmp_path / "c.db"
    migrate(f"sqlite:///{path}")
    bench.load_sqlite(path, 200)
    engine = create_engine_for(f"sqlite:///{path}")
    peer = bench.SqlitePeer(path)

    def wrong(value: str) -> object:
        found = peer.find(value)
        return None if found is None else tuple(f for f in found if f[0] != "custom.region")
    try:
        with Progress(disable=True) as progress:
            side = bench.run("SQLite", engine, peer.find, 200, 1, 50, 0.0, progress)
            assert len(side.ours) == len(side.peer) == 1
            with pytest.raises(SystemExit, match="the sides differ"):
                bench.run("SQLite", engine, wrong, 200, 1, 50, 0.0, progress)
    finally:
        peer.close()
        engine.dispose()
