"""Simulated callers in IVR flows, shared by the simulator and the `sim` adapter.

The IVR interpreter (`callcenter.core.ivr.IvrRunner`, inside a `CallCenter`) tells
the telephony side what to play; here a modelled caller answers, on whatever clock
the host runs:

- `PlayPrompts`: hears it to the end, then `PromptFinished` after the prompts'
  length; at a menu or collect prompt it answers after its think time, as the
  `IvrModel` gives for that node: a key (`DigitPressed`), digits a key gap apart
  (and the terminator when short of `max_digits`), nothing (`timeout`), or it hangs
  up (`CallerHungUp`);
- `LookupCustomer`: the directory answers `LookupAnswered` after `lookup_delay`,
  found with probability `lookup_found` (no fields); in a runtime its customer
  directory answers instead (`answer_lookups=False`);
- `RecordVoicemail`: the caller leaves the message and hangs up;
- `FlowEnded`: the IVR patience stops (the flow handed the call on or ended it);
- `SurveyStarted`: the agent hung up and the caller stays for the post-call survey:
  it answers that flow's prompts from now on (a `survey` node as the model gives for
  it: a key 1-5, another key, `timeout` or `hangup`; without a model, no answer);
- `ReleaseCall`, `TransferOut`: the call is over for the caller.

Every caller draws from a generator of its own, seeded by the run's seed and the
caller's arrival number (`seed + (n,)`), so caller number n makes the same choices
in the simulator and in the sim adapter whatever else happens in between.

The host brings the clock: `schedule(at, action)` runs `action` at engine time `at`
and returns a function that cancels it; `report(event)` hands an event to the
`CallCenter` at the time it is called. The host tells `left(call_id)` when the call
is over on its side (its interaction row), so no timer outlives it.
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from callcenter.core.csat import RecordSurvey, SurveyStarted
from callcenter.core.events import CallerHungUp, Event
from callcenter.core.ivr import (
    CallEntered,
    DigitPressed,
    EnterQueue,
    FlowEnded,
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
    Callback,
    Collect,
    Flow,
    Hangup,
    Menu,
    Play,
    Prompt,
    Survey,
    ToQueue,
    Voicemail,
)
from callcenter.scenario.spec import HANGUP, TIMEOUT, IvrModel

__all__ = ["Cancel", "IvrCallers", "Schedule", "prompt_files", "prompt_length", "wav_seconds"]

Cancel = Callable[[], None]
Schedule = Callable[[float, Callable[[], None]], Cancel]
"""`schedule(at, action)`: run `action()` at engine time `at`; returns its cancel."""


IVR_COMMANDS = (PlayPrompts, StopPrompts, StartMusic, LookupCustomer, EnterQueue,
                RequestCallback, RecordVoicemail, TransferOut, ReleaseCall, FlowEnded,
                SurveyStarted, RecordSurvey)
"""The IVR's commands, as the callers' side (the simulator, the `sim` adapter) sorts
them out of a command list."""


def wav_seconds(path: Path) -> float:
    """The playing time of a WAV file, from its header (ValueError naming the file)."""
    try:
        with wave.open(str(path), "rb") as w:
            rate = w.getframerate()
            frames = w.getnframes()
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"cannot read the WAV prompt {path}: {exc}") from None
    if rate <= 0:
        raise ValueError(f"the WAV prompt {path} has no sample rate")
    return frames / rate


def prompt_files(flows: Mapping[str, Flow]) -> Iterator[str]:
    """Every WAV file the flows' prompts name (with repeats)."""
    for flow in flows.values():
        for node in flow.nodes.values():
            groups: tuple[tuple[Prompt, ...], ...] = ()
            if isinstance(node, Play | Hangup | Callback | Voicemail):
                groups = (node.prompts,)
            elif isinstance(node, Menu | Collect):
                groups = (node.prompts, node.invalid, node.no_input)
            elif isinstance(node, Survey):
                groups = (node.prompts, node.invalid)
            elif isinstance(node, ToQueue):
                t = node.treatment
                groups = (t.consent, t.announcement, t.callback_confirmation)
            for prompts in groups:
                yield from (p.file for p in prompts if p.file is not None)


def prompt_length(model: IvrModel, prompts: Sequence[Prompt]) -> float:
    """Seconds the prompts play: a file's length, or the text's words at the model's
    speaking rate."""
    total = 0.0
    for p in prompts:
        if p.file is not None:
            total += model.prompt_seconds.get(p.file, 0.0)
        elif p.text is not None:
            total += len(p.text.split()) * 60.0 / model.words_per_minute
    return total


class _Caller:
    __slots__ = ("call_id", "flow", "patience", "rng", "timers")

    def __init__(self, call_id: str, flow: Flow, rng: np.random.Generator) -> None:
        self.call_id = call_id
        self.flow = flow
        self.rng = rng
        self.patience: Cancel | None = None
        self.timers: list[Cancel] = []


class IvrCallers:
    """The modelled callers of one run (see the module's docstring)."""

    def __init__(self, model: IvrModel, seed: Sequence[int], schedule: Schedule,
                 report: Callable[[Event | IvrEvent], None], *,
                 answer_lookups: bool = True) -> None:
        self.model = model
        self._lookups = answer_lookups
        self._seed = tuple(seed)
        self._schedule = schedule
        self._report = report
        self._callers: dict[str, _Caller] = {}

    def __len__(self) -> int:
        return len(self._callers)

    def __contains__(self, call_id: str) -> bool:
        return call_id in self._callers

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._callers))

    def enter(self, call_id: str, flow_id: str, number: int, now: float,
              caller: str = "") -> None:
        """Caller number `number` (from 1) calls into `flow_id` at `now`."""
        flow = self.model.flows.get(flow_id)
        if flow is None:
            raise ValueError(f"no IVR flow {flow_id!r}")
        rng = np.random.default_rng([*self._seed, number])
        c = self._callers[call_id] = _Caller(call_id, flow, rng)
        patience = float(self.model.patience.sample(rng, 1)[0])
        if patience != float("inf"):
            c.patience = self._schedule(now + patience,
                                        lambda: self._report(CallerHungUp(call_id)))
        self._report(CallEntered(call_id, flow_id, caller=caller))

    def survey(self, call_id: str, flow_id: str) -> None:
        """The agent hung up and the caller stays for the post-call survey `flow_id`: from
        now on it answers that flow's prompts (its generator goes on)."""
        c = self._callers.get(call_id)
        flow = self.model.flows.get(flow_id)
        if c is not None and flow is not None:
            c.flow = flow

    def left(self, call_id: str) -> None:
        """The call is over: cancel what the caller still had planned."""
        c = self._callers.pop(call_id, None)
        if c is not None:
            if c.patience is not None:
                c.patience()
            for cancel in c.timers:
                cancel()

    def execute(self, command: IvrCommand, now: float) -> None:
        """Act on one IVR command (others are ignored)."""
        if isinstance(command, RecordSurvey):
            return
        if isinstance(command, SurveyStarted):
            self.survey(command.call_id, command.flow_id)
            return
        c = self._callers.get(command.call_id)
        if c is None:
            return
        if isinstance(command, PlayPrompts):
            self._listen(c, command, now)
        elif isinstance(command, LookupCustomer) and self._lookups:
            found = bool(c.rng.random() < self.model.lookup_found)
            self._at(c, now + self.model.lookup_delay,
                     LookupAnswered(c.call_id, found))
        elif isinstance(command, RecordVoicemail):
            call_id = c.call_id

            def leave_message() -> None:
                self._report(CallerHungUp(call_id))
                self.left(call_id)

            c.timers.append(self._schedule(now, leave_message))
        elif isinstance(command, FlowEnded):
            if c.patience is not None:
                c.patience()
                c.patience = None
            if command.outcome == "abandoned":
                self.left(c.call_id)
        elif isinstance(command, ReleaseCall | TransferOut):
            self.left(c.call_id)

    # ------------------------------------------------------------------ the caller

    def _at(self, c: _Caller, at: float, event: Event | IvrEvent) -> None:
        report = self._report
        c.timers.append(self._schedule(at, lambda: report(event)))

    def _listen(self, c: _Caller, play: PlayPrompts, now: float) -> None:
        end = now + prompt_length(self.model, play.prompts)
        self._at(c, end, PromptFinished(c.call_id, play.play))
        if not play.barge_in:
            return
        node = c.flow.nodes.get(play.node)
        if not isinstance(node, Menu | Collect | Survey):
            return
        answer = self._answer(c, play.node, node)
        if answer == TIMEOUT:
            return
        at = end + float(self.model.think_time.sample(c.rng, 1)[0])
        if answer == HANGUP:
            self._at(c, at, CallerHungUp(c.call_id))
            return
        keys = list(answer)
        if isinstance(node, Collect) and node.terminator and len(keys) < node.max_digits:
            keys.append(node.terminator)
        gap = self.model.key_gap
        for i, key in enumerate(keys):
            self._at(c, at + i * gap, DigitPressed(c.call_id, key))

    def _answer(self, c: _Caller, name: str, node: Menu | Collect | Survey) -> str:
        model = self.model.nodes.get(name)
        if model is None:  # a menu: any of its choices alike; a collect or survey: nothing
            if isinstance(node, Collect | Survey):
                return TIMEOUT
            keys = [k for k, _ in node.choices]
            return keys[int(c.rng.integers(len(keys)))]
        u = c.rng.random()
        total = 0.0
        for answer, p in model.answers:
            total += p
            if u < total:
                return answer
        return model.answers[-1][0]
