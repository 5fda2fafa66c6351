"""The PostgreSQL the tests use when none answers: a throwaway server of the session's own.

These start real servers from the machine's binaries (Debian's postgresql package).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from callcenter.store import database_url
from tests import postgres
from tests.pg_throwaway import Throwaway

pytestmark = pytest.mark.requires_tool("initdb")


def _refused_port() -> int:
    """A loopback TCP port with nothing listening on it (bound, never listened)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`tests.postgres` as a new session sees it, configured for a port where nothing
    listens; whatever it starts is stopped afterwards."""
    monkeypatch.setattr(postgres, "POSTGRES_URL",
                        f"postgresql://postgres@127.0.0.1:{_refused_port()}/test")
    monkeypatch.setattr(postgres, "_server", None)
    monkeypatch.setattr(postgres, "_throwaway", None)
    try:
        yield
    finally:
        postgres.stop_throwaway()


def test_a_session_with_no_server_starts_its_own(fresh_session: None) -> None:
    """Nothing answering at the configured URL, the session starts a throwaway server,
    its scratch databases work there, and stopping it removes its files."""
    found = postgres.server()
    assert found.url is not None and found.url.port != database_url(postgres.POSTGRES_URL).port
    assert "started a throwaway server" in found.note
    throwaway = postgres._throwaway
    assert throwaway is not None and throwaway.root.is_dir()
    with postgres.scratch_database("throwaway") as url:
        engine = postgres.admin_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_database()")).scalar() == url.database
        engine.dispose()
    assert postgres.server() is found  # asked again: the same server, not a second one
    postgres.stop_throwaway()
    assert not throwaway.root.exists()


def test_a_stopped_throwaway_refuses_connections() -> None:
    """A throwaway server answers while it runs and not after `stop()`."""
    server = Throwaway.start()
    try:
        assert postgres._answers(server.url) is None
    finally:
        server.stop()
    assert postgres._answers(server.url) is not None


def test_without_any_server_the_tests_skip_or_fail_under_ci(
        fresh_session: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """No server answering and no binaries to start one: a skip naming what to install,
    and a failure under CI."""
    monkeypatch.setattr("tests.pg_throwaway.bin_dir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        postgres.server_url()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI the PostgreSQL tests must run"):
        postgres.server_url()
