"""The store, not the scenario, decides the routing after the first start."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from anyio.from_thread import start_blocking_portal

from callcenter.api import ServerSettings, create_app
from callcenter.core.config import QueueConfig
from callcenter.core.engine import Engine
from callcenter.store import create_engine_for, session_factory
from callcenter.store.configs import save_queue
from callcenter.telephony.base import FakeTelephony
from tests.api.conftest import MONDAY_9AM


@contextmanager
def _running(url: str) -> Iterator[Engine]:
    """The app's lifespan on `url`; yields its routing engine."""
    app = create_app(ServerSettings(database_url=url, start=MONDAY_9AM, bots=False),
                     telephony=FakeTelephony())
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        stack.enter_context(portal.wrap_async_context_manager(app.router.lifespan_context(app)))
        yield app.state.server.runtime.engine


def test_the_first_start_seeds_the_store_and_later_starts_run_what_it_holds(
        tmp_path: Path) -> None:
    """A queue added to the store between starts is routed after the restart, and the
    scenario's queues are not put back."""
    url = f"sqlite:///{tmp_path / 'cfg.db'}"
    with _running(url) as engine:
        first = set(engine.queue_ids())
    assert first  # the hotline example's queues, now stored
    database = create_engine_for(url)
    try:
        with session_factory(database).begin() as session:
            save_queue(session, QueueConfig("complaints", wrap_up=45.0))
    finally:
        database.dispose()
    with _running(url) as engine:
        assert set(engine.queue_ids()) == first | {"complaints"}
        assert engine.queue("complaints").wrap_up == 45.0
