"""The simulator's side of IVR flows: the `CallCenter` as the environment's engine.

With an `[ivr]` table the simulation drives a `CallCenter` (engine + IVR) instead of
the bare `Engine`. `FlowBrain` keeps the environment's view unchanged: engine
events in, engine commands out (for the roster and the callers in queues), while
the IVR's commands of each step go to `on_ivr` as they come, before the engine's
(so a caller the flow queues is known before its offer is dispatched).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

from callcenter.core.center import CallCenter, CenterCommand
from callcenter.core.commands import Command
from callcenter.core.engine import Engine
from callcenter.core.events import Event
from callcenter.core.ivr import (
    IvrCommand,
    IvrEvent,
    IvrRunner,
)
from callcenter.core.ivr_flow import Flow
from callcenter.scenario.ivr_callers import IVR_COMMANDS, Cancel, IvrCallers
from callcenter.scenario.spec import IvrModel
from callcenter.sim.environment import Environment

__all__ = ["FlowBrain", "flow_callers"]



class FlowBrain:
    """An `Engine` and an `IvrRunner` in a `CallCenter`, shaped like the engine for the
    simulation's `Environment` (see the module's docstring)."""

    def __init__(self, engine: Engine, flows: Mapping[str, Flow],
                 on_ivr: Callable[[list[IvrCommand]], None]) -> None:
        self.engine = engine
        self.ivr = IvrRunner(flows, status=lambda c: (engine.position(c),
                                                      engine.expected_wait(c)))
        self.center = CallCenter(engine, self.ivr)
        self._on_ivr = on_ivr

    def handle(self, event: Event | IvrEvent, now: float) -> list[Command]:
        """Apply one event; hand the IVR's commands to `on_ivr`, return the engine's."""
        return self._split(self.center.handle(event, now))

    def next_deadline(self) -> float | None:
        """The earlier of the engine's and the IVR's deadlines."""
        return self.center.next_deadline()

    def expected_wait(self, interaction_id: str) -> float | None:
        """The engine's expected wait of a queued interaction."""
        return self.engine.expected_wait(interaction_id)

    def _split(self, commands: Sequence[CenterCommand]) -> list[Command]:
        ivr: list[IvrCommand] = []
        engine: list[Command] = []
        for c in commands:
            if isinstance(c, IVR_COMMANDS):
                ivr.append(c)
            else:
                engine.append(c)
        if ivr:
            self._on_ivr(ivr)
        return engine


def flow_callers(env: Environment, brain: FlowBrain,
                 dispatch: Callable[[list[Command]], None], model: IvrModel,
                 seed: Sequence[int]) -> IvrCallers:
    """IVR callers on the environment's clock: what they do reaches `brain` at once,
    and the engine commands that follow go to `dispatch`."""

    def schedule(at: float, action: Callable[[], None]) -> Cancel:
        return partial(Environment.cancel, env.call_at(at, action))

    def report(event: Event | IvrEvent) -> None:
        commands = brain.handle(event, env.now)
        if commands:
            dispatch(commands)

    return IvrCallers(model, seed, schedule, report)
