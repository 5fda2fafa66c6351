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
call's treatment runs).

A post-call survey (a `queue` node's `survey_flow: <flow>`, carried by `EnterQueue`):
when the agent hangs up (`Disconnect` `agent_hung_up`), the `Disconnect` says
`survey` instead (the adapter ends only the agent's leg), `SurveyStarted` follows and
the caller enters the survey flow in the IVR; the engine's `RecordInteraction` then
leaves it there. When the survey flow ends (`FlowEnded`, also when the caller hangs
up in it), `RecordSurvey` carries one `SurveyResult` linked to the interaction, its
queue, the agent and the customer the flow found (`customer.customer_id`).

If the engine refuses an `EnterQueue` (an unknown queue),
the call is released with reason `queue_refused` instead of hanging in the air.
Both sides' commands come out in the order they were produced; the adapter acts
on IVR commands (prompts, music, lookups) and engine commands (offers, connects).
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.commands import Command, Connect, Disconnect, ExitQueue, RecordInteraction
from callcenter.core.csat import RecordSurvey, SurveyResult, SurveyStarted, rating_of
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
    RATING,
    CallEntered,
    CallLeft,
    DigitPressed,
    EnterQueue,
    FlowEnded,
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


@dataclass(slots=True)
class _Survey:
    """A call whose queue asked for a post-call survey."""

    flow_id: str
    queue_id: str
    caller: str
    customer_id: int | None
    agent_id: str | None = None
    offered_at: float | None = None  # set when the survey flow started


def _customer_id(variables: tuple[tuple[str, str], ...]) -> int | None:
    raw = dict(variables).get("customer.customer_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


class CallCenter:
    """An `Engine` and an `IvrRunner` behind one `handle` (see the module's docstring)."""

    def __init__(self, engine: Engine, ivr: IvrRunner) -> None:
        self.engine = engine
        self.ivr = ivr
        self._surveys: dict[str, _Survey] = {}

    def in_survey(self, call_id: str) -> bool:
        """Whether the caller is in its post-call survey now."""
        s = self._surveys.get(call_id)
        return s is not None and s.offered_at is not None

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
            surveyed = self.in_survey(event.interaction_id)
            if held:
                self._from_ivr(self.ivr.handle(CallLeft(event.interaction_id), now), now, out)
            if surveyed:  # the engine is done with it (the agent hung up)
                return out
            if not held or self.engine.interaction_state(event.interaction_id) is not None:
                self._from_engine(self.engine.handle(event, now), now, out)
        else:
            self._from_engine(self.engine.handle(event, now), now, out)
        return out

    def _from_ivr(self, commands: list[IvrCommand], now: float,
                  out: list[CenterCommand]) -> None:
        for c in commands:
            if isinstance(c, FlowEnded) and self.in_survey(c.call_id):
                out.append(c)
                out.append(self._survey_ended(c))
                continue
            out.append(c)
            if isinstance(c, EnterQueue):
                if c.survey is not None:
                    self._surveys[c.call_id] = _Survey(c.survey, c.queue_id, c.caller,
                                                       _customer_id(c.variables))
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
            if isinstance(c, Disconnect) and c.interaction_id in self._surveys:
                self._after_talk(c, now, out)
                continue
            out.append(c)
            if isinstance(c, _LEAVES_IVR):
                call_id = c.record.interaction_id if isinstance(c, RecordInteraction) \
                    else c.interaction_id
                if isinstance(c, Connect) and call_id in self._surveys:
                    self._surveys[call_id].agent_id = c.agent_id
                if self.in_survey(call_id):
                    continue  # the caller is in the survey flow now
                if isinstance(c, RecordInteraction):
                    self._surveys.pop(call_id, None)
                if call_id in self.ivr:
                    out.extend(self.ivr.handle(CallLeft(call_id), now))

    def _after_talk(self, c: Disconnect, now: float, out: list[CenterCommand]) -> None:
        """The conversation of a call with a survey ended: the agent hung up starts the
        survey, anything else (the caller hung up, a transfer) goes on as without."""
        s = self._surveys[c.interaction_id]
        if c.reason != "agent_hung_up" or s.flow_id not in self.ivr.flows:
            if c.reason != "transferred":
                del self._surveys[c.interaction_id]
            out.append(c)
            return
        out.append(Disconnect(c.interaction_id, c.agent_id, "survey"))
        s.agent_id = c.agent_id
        s.offered_at = now
        out.append(SurveyStarted(c.interaction_id, s.flow_id))
        self._from_ivr(self.ivr.handle(CallEntered(c.interaction_id, s.flow_id,
                                                   caller=s.caller), now), now, out)

    def _survey_ended(self, c: FlowEnded) -> RecordSurvey:
        s = self._surveys.pop(c.call_id)
        assert s.offered_at is not None
        variables = dict(c.variables)
        box = c.outcome.partition(":")[2] if c.outcome.startswith("voicemail:") else None
        return RecordSurvey(SurveyResult(
            c.call_id, s.queue_id, s.agent_id, s.flow_id, s.offered_at, c.ended,
            rating_of(variables.get(RATING)), box, s.customer_id))
