"""Helpers for runtime tests: a small engine on a fake clock behind a real driver."""

from __future__ import annotations

from callcenter.clock import FakeClock
from callcenter.core.commands import Command
from callcenter.core.config import AgentConfig, Membership, QueueConfig
from callcenter.core.engine import Engine
from callcenter.runtime.driver import EngineDriver, Sink
from callcenter.telephony.base import FakeTelephony

T0 = 1_700_000_000.0


def small_engine(agents: int = 1, **queue: object) -> Engine:
    """One queue `q` with `agents` members `a1`, `a2`, ..."""
    return Engine([QueueConfig("q", **queue)],  # type: ignore[arg-type]
                  [AgentConfig(f"a{i}", queues=(Membership("q"),)) for i in range(1, agents + 1)])


class Recorder:
    """A persistence sink that keeps every command list it was given."""

    def __init__(self) -> None:
        self.batches: list[list[Command]] = []

    async def __call__(self, commands: list[Command]) -> None:
        self.batches.append(list(commands))

    @property
    def commands(self) -> list[Command]:
        """Everything persisted, in order."""
        return [c for b in self.batches for c in b]


def make_driver(engine: Engine | None = None, persist: Sink | None = None,
                ) -> tuple[EngineDriver, FakeClock, FakeTelephony]:
    """A driver on a fake clock with a fake telephony sink (not started)."""
    clock = FakeClock(T0)
    driver = EngineDriver(engine or small_engine(), clock, persist)
    tel = FakeTelephony()
    driver.add_sink("telephony", tel.execute)
    return driver, clock, tel
