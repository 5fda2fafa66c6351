"""A started server driving the live dialer on a fake clock with the fake telephony
adapter (which records the calls placed), for the campaign API's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from callcenter.clock import FakeClock
from callcenter.core.dialer.leads import Lead
from callcenter.store.leads import add_leads
from callcenter.telephony.base import FakeTelephony
from tests.api.conftest import MONDAY_9AM, Harness, start


def advance_settled(h: Harness, clock: FakeClock, seconds: float) -> None:
    """Move the server's fake clock in quarter seconds, letting the dialer and the
    driver settle after each."""
    async def run() -> None:
        runtime = h.server.runtime
        assert runtime.dialer is not None
        for _ in range(round(seconds / 0.25)):
            clock.advance(0.25)
            await runtime.dialer.settled()
            await runtime.driver.settled()

    h.portal.call(run)


class Dialing:
    """A started server on a fake clock, and the fake telephony's dials."""

    def __init__(self, harness: Harness, clock: FakeClock) -> None:
        self.h = harness
        self.clock = clock

    @property
    def fake(self) -> FakeTelephony:
        return self.h.telephony

    def advance(self, seconds: float) -> None:
        """Move the server's clock in quarter seconds, letting everything settle."""
        advance_settled(self.h, self.clock, seconds)

    def dialed(self) -> list[str]:
        """The numbers called so far, in order."""
        return [number for number, _ in self.fake.dials.values()]

    def post(self, path: str, user: str = "root", **kwargs: Any) -> Any:
        return self.h.post(path, headers=self.h.auth(user), **kwargs)

    def get(self, path: str, user: str = "sup") -> Any:
        return self.h.get(path, headers=self.h.auth(user))


@contextmanager
def campaign_server(tmp_path: Path, campaign: dict[str, Any], leads: list[Lead],
                    **options: Any) -> Iterator[Dialing]:
    """The server on a SQLite file and a fake clock from MONDAY_9AM (`options`: more
    arguments of `create_app`), early-1 given the campaign's skill through the admin API,
    the campaign created (stopped) and its leads stored."""
    clock = FakeClock(MONDAY_9AM)
    with contextmanager(start)(f"sqlite:///{tmp_path / 'api.db'}", clock=clock,
                               **options) as harness:
        d = Dialing(harness, clock)
        agent = d.h.get("/api/admin/agents/early-1", headers=d.h.auth("root")).json()
        agent["skills"].append({"skill": f"campaign:{campaign['name']}", "level": 1})
        del agent["id"]
        r = d.h.request("PUT", "/api/admin/agents/early-1", headers=d.h.auth("root"),
                        json=agent)
        assert r.status_code == 200, r.text
        assert d.post("/api/campaigns", json=campaign).status_code == 201
        with harness.server.sessions.begin() as session:
            add_leads(session, campaign["name"], leads)
        yield d
