"""Campaign configuration: frozen values, validated on creation.

A campaign says what may be called, when and how often: the dial mode, the caller
ID, the calling windows (in the callee's local time), the holiday country, the
dispositions an agent may choose, the retry rule per call outcome and the caps.
Bad configuration raises `ConfigError` naming the field, like `callcenter.core.config`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callcenter.core.config import ConfigError
from callcenter.core.enums import StrEnum

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
"""An E.164 number: a plus, a country code and at most 15 digits in all."""

_REGION = re.compile(r"^[A-Z]{2}$")
DAY = 86_400.0
DROP_HOLD = 72 * 3600.0
"""A dropped number is not called again within 72 h unless an agent is reserved."""


class DialMode(StrEnum):
    """How calls are placed."""

    PREVIEW = "preview"  # the agent sees the lead first, then dials or skips
    PROGRESSIVE = "progressive"  # one call per free agent
    PREDICTIVE = "predictive"  # pacing dials ahead of free agents
    AGENTLESS = "agentless"  # the answered call goes to an IVR or recorded survey


class PreviewTimeout(StrEnum):
    """What happens to a lead an agent previewed longer than `Campaign.preview_timeout`."""

    DIAL = "dial"  # dialed as if the agent had pressed Dial
    RELEASE = "release"  # back to the queue; the agent is paused (reason preview-timeout)


class Purpose(StrEnum):
    """What a campaign is for (for reports; rules do not depend on it)."""

    SALES = "sales"
    RESEARCH = "research"
    PRE_SALE = "pre-sale"
    AFTER_SALE = "after-sale"
    REACTIVATION = "reactivation"
    ADDRESS_UPDATE = "address-update"
    OTHER = "other"


class DispositionCategory(StrEnum):
    """What an agent's disposition means for the lead."""

    CONTACT = "contact"  # spoke to the person; the lead is completed unless retry_after
    NON_CONTACT = "non-contact"  # no useful contact; retried like a no-answer
    SUCCESS = "success"  # the goal was reached (sale, completed survey)
    DO_NOT_CALL = "do-not-call"  # the person asked not to be called: number blocked at once


class CallOutcome(StrEnum):
    """What the network said about one dial attempt."""

    ANSWERED = "answered"  # a live person, connected to an agent (a disposition follows)
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    ANSWERING_MACHINE = "answering-machine"
    FAILED = "failed"  # congestion, network error, rejected
    DROPPED = "dropped"  # a live answer that got no agent in time (the information message)
    INVALID = "invalid"  # number not in service: never dialed again


RETRY_OUTCOMES: tuple[CallOutcome, ...] = (
    CallOutcome.BUSY,
    CallOutcome.NO_ANSWER,
    CallOutcome.ANSWERING_MACHINE,
    CallOutcome.FAILED,
    CallOutcome.DROPPED,
)
"""The outcomes a retry rule can be written for."""


class DncScope(StrEnum):
    """Where a do-not-call disposition puts the number."""

    GLOBAL = "global"  # the internal list every campaign honours
    CAMPAIGN = "campaign"  # this campaign's own list


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """On `weekday` (0 = Monday), calls may start from `start` until before `end`.

    Times are the callee's local wall-clock time; a window ends before midnight.
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ConfigError(
                f"windows: weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday}"
            )
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ConfigError("windows: times are local wall-clock times, without tzinfo")
        if self.end <= self.start:
            raise ConfigError(
                f"windows: weekday {self.weekday}: end {self.end} is not after start {self.start}"
            )


def weekly(days: range | tuple[int, ...], start: time, end: time) -> tuple[CallingWindow, ...]:
    """The same window on each of `days`, e.g. `weekly(range(5), time(9), time(20))`."""
    return tuple(CallingWindow(d, start, end) for d in days)


DEFAULT_WINDOWS: tuple[CallingWindow, ...] = (
    *weekly(range(5), time(9), time(20)),
    CallingWindow(5, time(10), time(16)),
)
"""Monday to Friday 09:00-20:00, Saturday 10:00-16:00, no Sundays (callee's local time)."""


@dataclass(frozen=True, slots=True)
class Disposition:
    """A result an agent can choose after a connected call.

    `retry_after` (seconds) calls the lead again later: allowed for contact
    dispositions ("call again, wrong person"); a non-contact disposition without it
    is retried after the campaign's no-answer delay. Success and do-not-call end the lead.
    """

    code: str
    category: DispositionCategory
    label: str = ""
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if not self.code:
            raise ConfigError("dispositions: a disposition needs a code")
        if self.retry_after is not None:
            if self.category in (DispositionCategory.SUCCESS, DispositionCategory.DO_NOT_CALL):
                raise ConfigError(
                    f"dispositions: {self.code!r} ({self.category.value}) ends the lead: "
                    "no retry_after"
                )
            if self.retry_after < 0:
                raise ConfigError(f"dispositions: {self.code!r}: retry_after must be >= 0")


DEFAULT_DISPOSITIONS: tuple[Disposition, ...] = (
    Disposition("sale", DispositionCategory.SUCCESS, "Sale / goal reached"),
    Disposition("not-interested", DispositionCategory.CONTACT, "Not interested"),
    Disposition("call-again", DispositionCategory.CONTACT, "Call again later", retry_after=DAY),
    Disposition("wrong-number", DispositionCategory.NON_CONTACT, "Wrong person / no contact"),
    Disposition("do-not-call", DispositionCategory.DO_NOT_CALL, "Do not call again"),
)


@dataclass(frozen=True, slots=True)
class RetryRule:
    """After `outcome`, dial again after a delay; give up after `max_tries` such outcomes.

    `delays[k]` is the wait after the (k+1)-th time this outcome happened to the
    lead; later ones reuse the last delay. `max_tries` None: only the campaign's
    caps end the retries.
    """

    outcome: CallOutcome
    delays: tuple[float, ...]
    max_tries: int | None = None

    def __post_init__(self) -> None:
        where = f"retry_rules: {self.outcome.value}"
        if self.outcome not in RETRY_OUTCOMES:
            raise ConfigError(
                f"retry_rules: outcome must be one of {[o.value for o in RETRY_OUTCOMES]}, "
                f"got {self.outcome.value!r}"
            )
        if not self.delays:
            raise ConfigError(f"{where}: needs at least one delay")
        if any(d < 0 for d in self.delays):
            raise ConfigError(f"{where}: delays must be >= 0 seconds")
        if self.max_tries is not None and self.max_tries < 1:
            raise ConfigError(f"{where}: max_tries must be >= 1")

    def delay(self, times: int) -> float:
        """The wait after this outcome happened `times` times (1 = the first)."""
        return self.delays[min(times, len(self.delays)) - 1]


DEFAULT_RETRY_RULES: tuple[RetryRule, ...] = (
    RetryRule(CallOutcome.BUSY, (600.0, 1800.0), max_tries=5),
    RetryRule(CallOutcome.NO_ANSWER, (3 * 3600.0, 6 * 3600.0, DAY), max_tries=6),
    RetryRule(CallOutcome.ANSWERING_MACHINE, (4 * 3600.0, DAY), max_tries=4),
    RetryRule(CallOutcome.FAILED, (900.0, 3600.0), max_tries=3),
    RetryRule(CallOutcome.DROPPED, (DROP_HOLD,), max_tries=2),
)


@dataclass(frozen=True, slots=True)
class Campaign:
    """Every rule of one outbound campaign (what may be called, when, how often)."""

    name: str
    purpose: Purpose = Purpose.OTHER
    dial_mode: DialMode = DialMode.PROGRESSIVE
    caller_id: str = ""
    information_message: str = ""
    default_region: str = "US"
    timezone: str = "UTC"
    windows: tuple[CallingWindow, ...] = DEFAULT_WINDOWS
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    dispositions: tuple[Disposition, ...] = DEFAULT_DISPOSITIONS
    retry_rules: tuple[RetryRule, ...] = DEFAULT_RETRY_RULES
    max_attempts: int = 10
    max_attempts_per_day: int = 3
    drop_cap: float = 0.03
    drop_hold: float = DROP_HOLD
    dnc_scope: DncScope = DncScope.GLOBAL
    preview_timeout: float = 60.0
    """Preview: seconds an agent may look at a lead before `preview_timeout_action`."""
    preview_timeout_action: PreviewTimeout = PreviewTimeout.RELEASE
    skip_delay: float = 300.0
    """Preview: a skipped lead is due again this many seconds later."""
    flow: str = ""
    """Agentless: the IVR flow a live answer enters (a recorded survey, a message)."""
    max_lines: int = 10
    """Agentless: at most this many calls at once (ringing or in the flow)."""
    _by_code: dict[str, Disposition] = field(init=False, repr=False, compare=False)
    _by_outcome: dict[CallOutcome, RetryRule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigError("name: a campaign needs a name")
        if not E164.match(self.caller_id):
            raise ConfigError(
                f"caller_id: must be an E.164 number like +4930123456, got {self.caller_id!r}"
            )
        if self.dial_mode in (DialMode.PREDICTIVE, DialMode.AGENTLESS) and not (
            self.information_message
        ):
            raise ConfigError(
                f"information_message: required in {self.dial_mode.value} mode "
                "(played when a live answer finds no agent)"
            )
        if self.dial_mode is DialMode.AGENTLESS and not self.flow:
            raise ConfigError("flow: required in agentless mode (the IVR flow a live "
                              "answer enters)")
        if not self.preview_timeout > 0:
            raise ConfigError(f"preview_timeout: must be > 0 seconds, got {self.preview_timeout}")
        if self.skip_delay < 0:
            raise ConfigError(f"skip_delay: must be >= 0 seconds, got {self.skip_delay}")
        if self.max_lines < 1:
            raise ConfigError(f"max_lines: must be >= 1, got {self.max_lines}")
        if not _REGION.match(self.default_region):
            raise ConfigError(
                f"default_region: a two-letter country code like 'DE', got {self.default_region!r}"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"timezone: unknown time zone {self.timezone!r}") from exc
        self._check_windows()
        if self.holiday_country is not None and not _REGION.match(self.holiday_country):
            raise ConfigError(
                f"holiday_country: a two-letter country code like 'DE', "
                f"got {self.holiday_country!r}"
            )
        if self.holiday_subdivision and self.holiday_country is None:
            raise ConfigError("holiday_subdivision: needs holiday_country")
        by_code: dict[str, Disposition] = {}
        for d in self.dispositions:
            if d.code in by_code:
                raise ConfigError(f"dispositions: code {d.code!r} appears twice")
            by_code[d.code] = d
        by_outcome: dict[CallOutcome, RetryRule] = {}
        for r in self.retry_rules:
            if r.outcome in by_outcome:
                raise ConfigError(f"retry_rules: outcome {r.outcome.value!r} appears twice")
            by_outcome[r.outcome] = r
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts: must be >= 1, got {self.max_attempts}")
        if self.max_attempts_per_day < 1:
            raise ConfigError(
                f"max_attempts_per_day: must be >= 1, got {self.max_attempts_per_day}"
            )
        if not 0 < self.drop_cap < 1:
            raise ConfigError(f"drop_cap: a fraction in (0, 1), got {self.drop_cap}")
        if self.drop_hold < 0:
            raise ConfigError(f"drop_hold: must be >= 0 seconds, got {self.drop_hold}")
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_outcome", by_outcome)

    def _check_windows(self) -> None:
        per_day: dict[int, list[CallingWindow]] = {}
        for w in self.windows:
            per_day.setdefault(w.weekday, []).append(w)
        for day, ws in per_day.items():
            ws.sort(key=lambda w: w.start)
            for a, b in itertools.pairwise(ws):
                if b.start < a.end:
                    raise ConfigError(f"windows: weekday {day}: windows overlap")

    def disposition(self, code: str) -> Disposition:
        """The disposition with this code; `ConfigError` naming it when there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise ConfigError(f"disposition: campaign {self.name!r} has no {code!r}") from None

    def retry_rule(self, outcome: CallOutcome) -> RetryRule | None:
        """The retry rule for `outcome`; None: that outcome is not retried."""
        return self._by_outcome.get(outcome)
