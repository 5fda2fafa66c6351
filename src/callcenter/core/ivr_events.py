"""What goes in and out of the IVR interpreter (`callcenter.core.ivr.IvrRunner`).

Events come from the telephony adapter (and `TimerExpired` from the driver);
commands go to it. All are frozen values; see docs/reference/ivr.md for who sends
what and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.core.config import SkillRequirement
from callcenter.core.csat import RecordSurvey, SurveyStarted
from callcenter.core.events import TimerExpired
from callcenter.core.ivr_flow import Flow, Prompt

# ---------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class CallEntered:
    """A call is answered by the IVR and starts `flow_id`."""

    call_id: str
    flow_id: str
    caller: str = ""
    dialed: str = ""


@dataclass(frozen=True, slots=True)
class DigitPressed:
    """The caller pressed a key (RFC 4733 event or in-band, as the adapter hears it)."""

    call_id: str
    digit: str


@dataclass(frozen=True, slots=True)
class PromptFinished:
    """The prompts of `PlayPrompts` number `play` have been played. A finish for an
    earlier play (its timer fired as a key stopped it) is ignored; `None` means the
    latest play (adapters that cannot race)."""

    call_id: str
    play: int | None = None


@dataclass(frozen=True, slots=True)
class LookupAnswered:
    """The customer directory's answer to `LookupCustomer`."""

    call_id: str
    found: bool
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CallLeft:
    """The call is out of the IVR's hands: the caller hung up, or an agent answered."""

    call_id: str


@dataclass(frozen=True, slots=True)
class FlowsReplaced:
    """From now on, new calls start in these flows (an admin stored a new flow file);
    a call already in a flow goes on in the flow it started in."""

    flows: tuple[Flow, ...]


IvrEvent = (CallEntered | DigitPressed | PromptFinished | LookupAnswered | CallLeft
            | FlowsReplaced | TimerExpired)

# -------------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class PlayPrompts:
    """Play these prompts in order (text in `language`); with `barge_in`, a key press
    may stop them. The adapter answers with `PromptFinished(call_id, play)`; `play`
    counts the plays of the call from 1; `node` is the flow node that plays them (a
    simulated caller answers a menu by its name; not part of equality)."""

    call_id: str
    prompts: tuple[Prompt, ...]
    barge_in: bool
    language: str | None
    play: int = 0
    node: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class StopPrompts:
    """Stop what is playing to the caller (a key barged in)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class StartMusic:
    """Play hold music (`None`: the default) whenever no prompt is playing."""

    call_id: str
    music: str | None


@dataclass(frozen=True, slots=True)
class LookupCustomer:
    """Look `number` up in the customer directory, among customers' phone numbers or,
    with `match="account"`, their account numbers; answer with `LookupAnswered`."""

    call_id: str
    number: str
    match: str = "number"


@dataclass(frozen=True, slots=True)
class EnterQueue:
    """Hand the call to the routing engine (`InteractionArrived`)."""

    call_id: str
    queue_id: str
    priority: int
    skills: tuple[SkillRequirement, ...]
    caller: str
    language: str | None
    variables: tuple[tuple[str, str], ...]
    survey: str | None = None
    """The flow the caller goes to when the agent hangs up (a post-call survey)."""


@dataclass(frozen=True, slots=True)
class RequestCallback:
    """The queued caller wants a callback and keeps its place (`CallbackRequested`)."""

    call_id: str


@dataclass(frozen=True, slots=True)
class RecordVoicemail:
    """Record the caller into `box` for at most `max_seconds`."""

    call_id: str
    box: str
    max_seconds: float


@dataclass(frozen=True, slots=True)
class TransferOut:
    """Transfer the call to an external number."""

    call_id: str
    number: str


@dataclass(frozen=True, slots=True)
class ReleaseCall:
    """Hang the call up (after what was played); `reason` for the record."""

    call_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class FlowEnded:
    """The flow part of a call is over: `outcome` is `queue:<id>`, `callback:<id>`,
    `voicemail:<box>`, `transfer`, `hangup` or `abandoned`; `path` the nodes visited."""

    call_id: str
    flow_id: str
    outcome: str
    path: tuple[str, ...]
    variables: tuple[tuple[str, str], ...]
    language: str | None
    started: float
    ended: float


IvrCommand = (PlayPrompts | StopPrompts | StartMusic | LookupCustomer | EnterQueue
              | RequestCallback | RecordVoicemail | TransferOut | ReleaseCall | FlowEnded
              | SurveyStarted | RecordSurvey)
"""`SurveyStarted` and `RecordSurvey` (callcenter.core.csat) come from the `CallCenter`
around the runner, for a post-call survey."""
