"""The routing engine and the IVR as one pure unit, for adapters that carry real calls.

    center = CallCenter(engine, IvrRunner(flows, status=...))
    center.handle(CallEntered("c1", "main", caller="+4930..."), now)   # the IVR starts
    center.handle(DigitPressed("c1", "1"), now)   # ... EnterQueue -> InteractionArrived
    center.handle(CallerHungUp("c1"), now)        # ends it wherever it is

One `handle(event, now)` and one `next_deadline()`, like the `Engine`'s, so the
runtime's driver runs it unchanged. The seams are crossed inside the same step:

| IVR command | becomes, for the engine |
|---|---|
| `EnterQueue` | `InteractionArrived` (queue, priority, skills, caller) |
| `RequestCallback` | `CallbackRequested` |

| engine command | becomes, for the IVR (if it still holds the call) |
|---|---|
| `Connect` (answered), `ExitQueue`, `RecordInteraction` | `CallLeft`: treatment stops |

`CallerHungUp` goes to whichever of the two holds the call (both, while a queued
call's treatment runs). If the engine refuses an `EnterQueue` (an unknown queue),
the call is released with reason `queue_refused` instead of hanging in the air.
Both sides' commands come out in the order they were produced; the adapter acts
on IVR commands (prompts, music, lookups) and engine commands (offers, connects).
"""

from __future__ import annotations

from callcenter.core.commands import Command, Connect, ExitQueue, RecordInteraction
from callcenter.core.engine import Engine
from callcenter.core.errors import RoutingError
from callcenter.core.events import (
    CallbackRequested,
    CallerHungUp,
    Event,
    InteractionArrived,
    TimerExpired,
)
from callcenter.core.ivr import (
    CallEntered,
    CallLeft,
    DigitPressed,
    EnterQueue,
    FlowsReplaced,
    IvrCommand,
    IvrEvent,
    IvrRunner,
    LookupAnswered,
    PromptFinished,
    ReleaseCall,
    RequestCallback,
)

CenterEvent = Event | IvrEvent
CenterCommand = Command | IvrCommand

_IVR_ONLY = (CallEntered, DigitPressed, PromptFinished, LookupAnswered, CallLeft, FlowsReplaced)
_LEAVES_IVR = (Connect, ExitQueue, RecordInteraction)


class CallCenter:
    """An `Engine` and an `IvrRunner` behind one `handle` (see the module's docstring)."""

    def __init__(self, engine: Engine, ivr: IvrRunner) -> None:
        self.engine = engine
        self.ivr = ivr

    def next_deadline(self) -> float | None:
        """The earlier of the engine's and the IVR's deadlines."""
        a, b = self.engine.next_deadline(), self.ivr.next_deadline()
        if a is None:
            return b
        return a if b is None else min(a, b)

    def handle(self, event: CenterEvent, now: float) -> list[CenterCommand]:
        """Apply one event; the commands of both sides, in order. Raises the engine's
        `RoutingError` for an engine event it refuses (nothing changed)."""
        out: list[CenterCommand] = []
        if isinstance(event, TimerExpired):
            self._from_ivr(self.ivr.handle(event, now), now, out)
            self._from_engine(self.engine.handle(event, now), now, out)
        elif isinstance(event, _IVR_ONLY):
            self._from_ivr(self.ivr.handle(event, now), now, out)
        elif isinstance(event, CallerHungUp):
            held = event.interaction_id in self.ivr
            if held:
                self._from_ivr(self.ivr.handle(CallLeft(event.interaction_id), now), now, out)
            if not held or self.engine.interaction_state(event.interaction_id) is not None:
                self._from_engine(self.engine.handle(event, now), now, out)
        else:
            self._from_engine(self.engine.handle(event, now), now, out)
        return out

    def _from_ivr(self, commands: list[IvrCommand], now: float,
                  out: list[CenterCommand]) -> None:
        for c in commands:
            out.append(c)
            if isinstance(c, EnterQueue):
                arrived = InteractionArrived(c.call_id, c.queue_id, c.priority, c.skills,
                                             c.caller)
                try:
                    engine_out = self.engine.handle(arrived, now)
                except RoutingError:
                    out.append(ReleaseCall(c.call_id, "queue_refused"))
                    self._from_ivr(self.ivr.handle(CallLeft(c.call_id), now), now, out)
                    continue
                self._from_engine(engine_out, now, out)
            elif isinstance(c, RequestCallback) and \
                    self.engine.interaction_state(c.call_id) is not None:
                self._from_engine(self.engine.handle(CallbackRequested(c.call_id), now),
                                  now, out)

    def _from_engine(self, commands: list[Command], now: float,
                     out: list[CenterCommand]) -> None:
        for c in commands:
            out.append(c)
            if isinstance(c, _LEAVES_IVR):
                call_id = c.record.interaction_id if isinstance(c, RecordInteraction) \
                    else c.interaction_id
                if call_id in self.ivr:
                    out.extend(self.ivr.handle(CallLeft(call_id), now))
