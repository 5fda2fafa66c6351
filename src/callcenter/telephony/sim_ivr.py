"""The sim adapter's callers in IVR flows (the adapter's side of `scenario/ivr_callers.py`).

With a runtime that runs flows (a `CallCenter`), the sim adapter starts the
callers of `flow` streams in their flow and lets the modelled callers of
`callcenter.scenario.ivr_callers.IvrCallers` answer prompts, menus and lookups on the
runtime's clock, exactly as the simulator does (caller n of seed s makes the same
choices in both). Customer lookups are the runtime's (its directory answers
them), not the caller model's. A caller the flow puts into a queue is the adapter's like any
other from then on: it waits up to the queue's patience and talks for the queue's
handle time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from callcenter.clock import Clock
from callcenter.core.events import Event
from callcenter.core.ivr import EnterQueue, IvrCommand, IvrEvent
from callcenter.scenario.ivr_callers import Cancel, IvrCallers
from callcenter.scenario.models import Sampler
from callcenter.scenario.spec import IvrModel, Scenario

__all__ = ["SimFlows"]


class SimFlows:
    """IVR callers for the sim adapter (see the module's docstring)."""

    def __init__(self, scenario: Scenario, model: IvrModel, seed: int, clock: Clock,
                 schedule: Callable[[float, Callable[[], None]], Cancel],
                 send: Callable[[Event | IvrEvent], None], rng: np.random.Generator) -> None:
        missing = sorted({s.flow for s in scenario.arrivals if s.flow is not None}
                         - set(model.flows))
        if missing:
            raise ValueError(f"the scenario's callers start in flow(s) {', '.join(missing)}, "
                             f"which the runtime does not run (flows: "
                             f"{', '.join(sorted(model.flows))})")
        self._clock = clock
        self.callers = IvrCallers(model, (seed, 0), schedule, send, answer_lookups=False)
        queues = scenario.queues
        h_rngs, p_rngs = rng.spawn(len(queues)), rng.spawn(len(queues))
        self._handle = {q.id: Sampler(scenario.caller_model(q.id).handle_time, r)
                        for q, r in zip(queues, h_rngs, strict=True)}
        self._patience = {q.id: Sampler(scenario.caller_model(q.id).patience, r)
                          for q, r in zip(queues, p_rngs, strict=True)}

    def arrive(self, call_id: str, flow: str, number: int, caller: str = "") -> None:
        """Caller number `number` calls into `flow` now, from the phone number `caller`."""
        self.callers.enter(call_id, flow, number, self._clock.time(), caller=caller)

    def execute(self, command: IvrCommand) -> None:
        """The caller answers an IVR command."""
        self.callers.execute(command, self._clock.time())

    def queued(self, command: EnterQueue) -> tuple[Callable[[], float], float]:
        """The handle-time sampler and the patience (seconds, maybe infinite) of a caller
        the flow put into `command.queue_id`."""
        return self._handle[command.queue_id], self._patience[command.queue_id]()

    def left(self, call_id: str) -> None:
        """The call is over (its interaction row): the caller plans nothing more."""
        self.callers.left(call_id)
