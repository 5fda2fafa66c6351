"""The IVR interpreter: calls walk through `Flow`s, driven by events and a clock.

Like the routing `Engine`, the runner is pure: `IvrRunner.handle(event, now)`
returns commands for the telephony adapter, and `next_deadline()` says when to
wake it with `TimerExpired`. The `sip` adapter plays its prompts through the media
server, the `sim` adapter and the simulator answer them with modelled callers:
all run this same code.

    runner = IvrRunner({"main": flow}, status=lambda call_id: (3, 120.0))
    runner.handle(CallEntered("c1", "main", caller="+4930123"), now)
    # -> [PlayPrompts("c1", (Prompt(text="Welcome..."),), barge_in=False, ...)]

A call's path ends in a queue (`EnterQueue`, after which the runner keeps playing
its waiting treatment until `CallLeft`), a callback request, voicemail, a transfer
or a hang-up; `FlowEnded` reports it once, with the nodes visited. Events for a call
the runner no longer holds (a key pressed as the caller hung up) are ignored: those
races are normal on a phone line.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Callable, Mapping

from callcenter.core.config import SkillRequirement
from callcenter.core.errors import RoutingError
from callcenter.core.events import TimerExpired
from callcenter.core.ivr_events import (
    CallEntered,
    CallLeft,
    DigitPressed,
    EnterQueue,
    FlowEnded,
    FlowsReplaced,
    IvrCommand,
    IvrEvent,
    LookupAnswered,
    LookupCustomer,
    PlayPrompts,
    PromptFinished,
    RecordVoicemail,
    ReleaseCall,
    RequestCallback,
    StartMusic,
    StopPrompts,
    TransferOut,
)
from callcenter.core.ivr_flow import (
    SURVEY_KEYS,
    Callback,
    Collect,
    Flow,
    Hangup,
    Hours,
    Lookup,
    Menu,
    Node,
    Play,
    Prompt,
    QueueTreatment,
    SetValues,
    Survey,
    Switch,
    ToQueue,
    Transfer,
    Voicemail,
)

__all__ = [
    "MAX_PATH",
    "RATING",
    "CallEntered",
    "CallLeft",
    "DigitPressed",
    "DuplicateCall",
    "EnterQueue",
    "FlowEnded",
    "FlowsReplaced",
    "IvrCommand",
    "IvrEvent",
    "IvrRunner",
    "LookupAnswered",
    "LookupCustomer",
    "PlayPrompts",
    "PromptFinished",
    "QueueStatus",
    "RecordVoicemail",
    "ReleaseCall",
    "RequestCallback",
    "StartMusic",
    "StopPrompts",
    "TransferOut",
    "UnknownFlow",
]
"""The events and commands are defined in `callcenter.core.ivr_events`, and re-exported
here with the runner."""


class UnknownFlow(RoutingError):
    """A call was to start a flow the runner does not have."""


class DuplicateCall(RoutingError):
    """A call id that is already in the IVR entered again."""


def _boost(fields: tuple[tuple[str, str], ...]) -> int:
    """A found customer's priority boost (its `priority` field; 0 if none or no number)."""
    raw = dict(fields).get("priority", "")
    return int(raw) if re.fullmatch(r"-?[0-9]{1,6}", raw) else 0


QueueStatus = Callable[[str], tuple[int | None, float | None]]
"""Position (1 = next) and expected wait in seconds of a queued call, if known."""

RATING = "survey.rating"
"""The variable a `survey` node keeps the caller's rating in (a key 1-5)."""

MAX_PATH = 1000
"""Nodes a call may visit; a caller looping in menus is released after this many."""

# ------------------------------------------------------------------------- sessions

_PLAYING = "playing"      # a Play node: waits for PromptFinished
_PROMPT = "prompt"        # a Menu / Collect prompt, keys barge in
_WAIT = "wait"            # a Menu / Collect waits for keys (deadline armed)
_LOOKUP = "lookup"        # waits for LookupAnswered (deadline armed)
_QUEUED = "queued"        # in a queue: treatment until CallLeft
_CLOSING = "closing"      # last prompts, then the closing command
_RECORDING = "recording"  # voicemail: until CallLeft
_VOICEMAIL = "voicemail"  # voicemail greeting, then RecordVoicemail


class _Session:
    __slots__ = ("call_id", "caller", "closing", "digits", "due", "ended", "flow", "language",
                 "mode", "node", "path", "plays", "priority", "skills", "started", "token",
                 "tries", "variables")

    def __init__(self, call_id: str, flow: Flow, caller: str, dialed: str, now: float) -> None:
        self.call_id = call_id
        self.flow = flow
        self.caller = caller
        self.node = flow.start
        self.mode = ""
        self.tries = 0
        self.digits = ""
        self.due = math.inf
        self.token = 0
        self.plays = 0
        self.language = flow.language
        self.skills: list[SkillRequirement] = []
        self.priority = 0
        self.variables: dict[str, str] = {"caller": caller, "dialed": dialed}
        self.path: list[str] = []
        self.started = now
        self.ended = False
        self.closing: IvrCommand | None = None


class IvrRunner:
    """Every call in the IVR; see the module's docstring."""

    def __init__(self, flows: Mapping[str, Flow], *, status: QueueStatus | None = None) -> None:
        self.flows = dict(flows)
        self._status = status
        self._calls: dict[str, _Session] = {}
        self._timers: list[tuple[float, int, str, int]] = []
        self._seq = itertools.count()

    # ------------------------------------------------------------------ queries

    def __contains__(self, call_id: str) -> bool:
        return call_id in self._calls

    def __len__(self) -> int:
        return len(self._calls)

    def variables(self, call_id: str) -> dict[str, str]:
        """The call's variables (caller, dialed, collected digits, customer fields)."""
        return dict(self._calls[call_id].variables)

    def next_deadline(self) -> float | None:
        """When the runner next needs `TimerExpired`, or None."""
        timers = self._timers
        while timers:
            due, _, call_id, token = timers[0]
            s = self._calls.get(call_id)
            if s is not None and s.token == token and s.due == due:
                return due
            heapq.heappop(timers)
        return None

    # ------------------------------------------------------------------ events

    def handle(self, event: IvrEvent, now: float) -> list[IvrCommand]:
        """Apply one event at time `now`; the commands for the adapter, in order."""
        out: list[IvrCommand] = []
        if isinstance(event, TimerExpired):
            self._expire(now, out)
            return out
        if isinstance(event, CallEntered):
            self._enter(event, now, out)
            return out
        if isinstance(event, FlowsReplaced):  # the sessions keep the flows they started in
            self.flows = {flow.id: flow for flow in event.flows}
            return out
        s = self._calls.get(event.call_id)
        if s is None:
            return out
        if isinstance(event, CallLeft):
            self._end(s, "abandoned", now, out)
            self._drop(s)
        elif isinstance(event, DigitPressed):
            self._digit(s, event.digit, now, out)
        elif isinstance(event, PromptFinished):
            if event.play is None or event.play == s.plays:
                self._prompt_done(s, now, out)
        elif isinstance(event, LookupAnswered):
            node = s.flow.nodes[s.node]
            if s.mode == _LOOKUP and isinstance(node, Lookup):
                s.variables.update((f"customer.{k}", v) for k, v in event.fields)
                if event.found:
                    s.priority += _boost(event.fields)
                self._disarm(s)
                self._go(s, node.found if event.found else node.missing, now, out)
        return out

    def _enter(self, e: CallEntered, now: float, out: list[IvrCommand]) -> None:
        flow = self.flows.get(e.flow_id)
        if flow is None:
            raise UnknownFlow(f"no IVR flow {e.flow_id!r}")
        if e.call_id in self._calls:
            raise DuplicateCall(f"call {e.call_id!r} is already in the IVR")
        s = self._calls[e.call_id] = _Session(e.call_id, flow, e.caller, e.dialed, now)
        self._go(s, flow.start, now, out)

    def _drop(self, s: _Session) -> None:
        self._calls.pop(s.call_id, None)
        s.token += 1

    # ------------------------------------------------------------------ timers

    def _arm(self, s: _Session, due: float) -> None:
        s.token += 1
        s.due = due
        heapq.heappush(self._timers, (due, next(self._seq), s.call_id, s.token))

    def _disarm(self, s: _Session) -> None:
        s.token += 1
        s.due = math.inf

    def _expire(self, now: float, out: list[IvrCommand]) -> None:
        timers = self._timers
        while timers and timers[0][0] <= now:
            due, _, call_id, token = heapq.heappop(timers)
            s = self._calls.get(call_id)
            if s is None or s.token != token or s.due != due:
                continue
            s.due = math.inf
            self._timeout(s, now, out)

    def _timeout(self, s: _Session, now: float, out: list[IvrCommand]) -> None:
        node = s.flow.nodes[s.node]
        if s.mode == _LOOKUP and isinstance(node, Lookup):
            self._go(s, node.missing, now, out)
        elif s.mode == _WAIT and isinstance(node, Collect) and s.digits:
            self._finish_digits(s, node, now, out)
        elif s.mode == _WAIT and isinstance(node, Menu | Collect):
            self._retry(s, node, node.no_input, now, out)
        elif s.mode == _WAIT and isinstance(node, Survey):
            self._go(s, node.fail, now, out)  # no answer: no rating
        elif s.mode == _QUEUED and isinstance(node, ToQueue):
            self._announce(s, node.treatment, now, out)

    # ------------------------------------------------------------------ walking

    def _play(self, s: _Session, prompts: tuple[Prompt, ...], barge_in: bool,
              out: list[IvrCommand]) -> None:
        values = s.variables
        s.plays += 1
        out.append(PlayPrompts(s.call_id, tuple(p.render(values) for p in prompts),
                               barge_in, s.language, s.plays, s.node))

    def _go(self, s: _Session, name: str, now: float, out: list[IvrCommand]) -> None:
        """Enter node `name`, then any instant nodes after it, until one waits or ends."""
        while True:
            if len(s.path) >= MAX_PATH:
                out.append(ReleaseCall(s.call_id, "flow_too_long"))
                self._end(s, "hangup", now, out)
                self._drop(s)
                return
            s.node = name
            s.path.append(name)
            s.tries = 0
            s.digits = ""
            node = s.flow.nodes[name]
            if isinstance(node, Hours):
                name = node.open if node.calendar.is_open(now) else node.closed
                continue
            if isinstance(node, SetValues):
                self._set(s, node)
                name = node.next
                continue
            if isinstance(node, Switch):
                name = dict(node.cases).get(s.variables.get(node.variable, ""), node.default)
                continue
            if isinstance(node, Lookup):
                number = s.caller if node.by == "caller" else s.variables.get(node.by, "")
                if not number:
                    name = node.missing
                    continue
                s.mode = _LOOKUP
                out.append(LookupCustomer(s.call_id, number, node.match))
                self._arm(s, now + node.timeout)
                return
            self._enter_waiting(s, node, now, out)
            return

    def _set(self, s: _Session, node: SetValues) -> None:
        if node.language is not None:
            s.language = node.language
        if node.priority is not None:
            s.priority = node.priority
        if node.skills:
            given = {r.skill for r in node.skills}
            s.skills = [r for r in s.skills if r.skill not in given] + list(node.skills)
        s.variables.update(node.variables)

    def _enter_waiting(self, s: _Session, node: Node, now: float,
                       out: list[IvrCommand]) -> None:
        if isinstance(node, Play):
            s.mode = _PLAYING
            self._play(s, node.prompts, False, out)
        elif isinstance(node, Menu | Collect | Survey):
            s.mode = _PROMPT
            self._play(s, node.prompts, True, out)
        elif isinstance(node, ToQueue):
            self._queue(s, node, now, out)
        elif isinstance(node, Callback):
            out.append(self._enter_queue(s, node.queue_id))
            out.append(RequestCallback(s.call_id))
            self._end(s, f"callback:{node.queue_id}", now, out)
            self._close(s, node.prompts, ReleaseCall(s.call_id, "callback"), out)
        elif isinstance(node, Voicemail):
            self._end(s, f"voicemail:{node.box}", now, out)
            record = RecordVoicemail(s.call_id, node.box, node.max_seconds)
            if node.prompts:
                s.mode = _VOICEMAIL
                s.closing = record
                self._play(s, node.prompts, False, out)
            else:
                s.mode = _RECORDING
                out.append(record)
        elif isinstance(node, Transfer):
            out.append(TransferOut(s.call_id, node.number))
            self._end(s, "transfer", now, out)
            self._drop(s)
        elif isinstance(node, Hangup):
            self._end(s, "hangup", now, out)
            self._close(s, node.prompts, ReleaseCall(s.call_id, "hangup"), out)

    def _close(self, s: _Session, prompts: tuple[Prompt, ...], last: IvrCommand,
               out: list[IvrCommand]) -> None:
        """Play `prompts`, then carry out `last` and forget the call."""
        if prompts:
            s.mode = _CLOSING
            s.closing = last
            self._play(s, prompts, False, out)
        else:
            out.append(last)
            self._drop(s)

    def _enter_queue(self, s: _Session, queue_id: str) -> EnterQueue:
        node = s.flow.nodes[s.node]
        return EnterQueue(s.call_id, queue_id, s.priority, tuple(s.skills), s.caller,
                          s.language, tuple(sorted(s.variables.items())),
                          node.survey if isinstance(node, ToQueue) else None)

    def _queue(self, s: _Session, node: ToQueue, now: float, out: list[IvrCommand]) -> None:
        t = node.treatment
        s.mode = _QUEUED
        out.append(self._enter_queue(s, node.queue_id))
        self._end(s, f"queue:{node.queue_id}", now, out)
        if t.consent:
            self._play(s, t.consent, False, out)
        out.append(StartMusic(s.call_id, t.music))
        if t.announce_every is not None:
            self._arm(s, now + t.announce_every)

    def _announce(self, s: _Session, t: QueueTreatment, now: float,
                  out: list[IvrCommand]) -> None:
        assert t.announce_every is not None
        position, wait = self._status(s.call_id) if self._status is not None else (None, None)
        if position is not None:
            values: dict[str, object] = dict(s.variables)
            values["position"] = position
            minutes = None if wait is None else max(1, round(wait / 60))
            values["wait_minutes"] = "" if minutes is None else minutes
            values["wait"] = ("not known" if wait is None else "less than a minute"
                              if wait < 60 else "about 1 minute" if minutes == 1
                              else f"about {minutes} minutes")
            s.plays += 1
            out.append(PlayPrompts(s.call_id, tuple(p.render(values) for p in t.announcement),
                                   False, s.language, s.plays, s.node))
        self._arm(s, now + t.announce_every)

    # ------------------------------------------------------------------ caller input

    def _prompt_done(self, s: _Session, now: float, out: list[IvrCommand]) -> None:
        node = s.flow.nodes[s.node]
        if s.mode == _PLAYING and isinstance(node, Play):
            self._go(s, node.next, now, out)
        elif s.mode == _PROMPT and isinstance(node, Menu | Collect | Survey):
            s.mode = _WAIT
            self._arm(s, now + node.timeout)
        elif s.mode == _CLOSING:
            assert s.closing is not None
            out.append(s.closing)
            self._drop(s)
        elif s.mode == _VOICEMAIL:
            assert s.closing is not None
            s.mode = _RECORDING
            out.append(s.closing)

    def _digit(self, s: _Session, digit: str, now: float, out: list[IvrCommand]) -> None:
        node = s.flow.nodes[s.node]
        if s.mode == _QUEUED and isinstance(node, ToQueue):
            t = node.treatment
            if t.callback_key is not None and digit == t.callback_key:
                out.append(RequestCallback(s.call_id))
                self._disarm(s)
                self._close(s, t.callback_confirmation, ReleaseCall(s.call_id, "callback"),
                            out)
            return
        if s.mode not in (_PROMPT, _WAIT) or not isinstance(node, Menu | Collect | Survey):
            return  # type-ahead during plain prompts, lookups and closings is dropped
        if s.mode == _PROMPT:
            out.append(StopPrompts(s.call_id))
            s.mode = _WAIT
        if isinstance(node, Survey):
            self._disarm(s)
            if digit in SURVEY_KEYS:
                s.variables[RATING] = digit
                self._go(s, node.next, now, out)
            elif s.tries >= 1:  # asked once more already: no rating
                self._go(s, node.fail, now, out)
            else:
                s.tries += 1
                s.mode = _PROMPT
                self._play(s, node.invalid + node.prompts, True, out)
            return
        if isinstance(node, Menu):
            self._disarm(s)
            target = dict(node.choices).get(digit)
            if target is None:
                self._retry(s, node, node.invalid, now, out)
            else:
                self._go(s, target, now, out)
            return
        if digit == node.terminator and node.terminator:
            self._finish_digits(s, node, now, out)
            return
        s.digits += digit
        if len(s.digits) >= node.max_digits:
            self._finish_digits(s, node, now, out)
        else:
            self._arm(s, now + node.inter_digit)

    def _finish_digits(self, s: _Session, node: Collect, now: float,
                       out: list[IvrCommand]) -> None:
        self._disarm(s)
        got = s.digits
        ok = node.min_digits <= len(got) <= node.max_digits and got.isdigit() and (
            node.pattern is None or re.fullmatch(node.pattern, got) is not None)
        if ok:
            s.variables[node.variable] = got
            self._go(s, node.next, now, out)
        else:
            self._retry(s, node, node.invalid, now, out)

    def _retry(self, s: _Session, node: Menu | Collect, first: tuple[Prompt, ...], now: float,
               out: list[IvrCommand]) -> None:
        """Spend a try: play `first` and the node's prompt again, or go to `fail`."""
        s.digits = ""
        if s.tries >= node.retries:
            self._go(s, node.fail, now, out)
            return
        s.tries += 1
        s.mode = _PROMPT
        self._play(s, first + node.prompts, True, out)

    # ------------------------------------------------------------------ the end

    def _end(self, s: _Session, outcome: str, now: float, out: list[IvrCommand]) -> None:
        if s.ended:
            return
        s.ended = True
        out.append(FlowEnded(s.call_id, s.flow.id, outcome, tuple(s.path),
                             tuple(sorted(s.variables.items())), s.language, s.started, now))
