"""Campaign configuration is checked when built: `ConfigError` names the bad field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

import pytest

from callcenter.campaigns.public_holidays import PublicHolidays
from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import (
    DEFAULT_RETRY_RULES,
    CallingWindow,
    CallOutcome,
    Campaign,
    DialMode,
    Disposition,
    DispositionCategory,
    RetryRule,
)
from tests.dialer.leadkit import campaign

BAD: list[tuple[Callable[[], object], str]] = [
    (lambda: campaign(name=""), "name"),
    (lambda: campaign(caller_id="030 123"), "caller_id"),
    (lambda: campaign(dial_mode=DialMode.PREDICTIVE), "information_message"),
    (lambda: campaign(dial_mode=DialMode.AGENTLESS), "information_message"),
    (lambda: campaign(default_region="Germany"), "default_region"),
    (lambda: campaign(timezone="Mars/Olympus"), "timezone"),
    (lambda: CallingWindow(7, time(9), time(17)), "weekday"),
    (lambda: CallingWindow(0, time(17), time(9)), "not after start"),
    (lambda: campaign(windows=(CallingWindow(0, time(9), time(13)),
                               CallingWindow(0, time(12), time(17)))), "overlap"),
    (lambda: campaign(holiday_country="Deutschland"), "holiday_country"),
    (lambda: campaign(holiday_subdivision="BY"), "holiday_subdivision"),
    (lambda: campaign(dispositions=(Disposition("x", DispositionCategory.SUCCESS),
                                    Disposition("x", DispositionCategory.CONTACT))),
     "appears twice"),
    (lambda: Disposition("", DispositionCategory.CONTACT), "code"),
    (lambda: Disposition("sale", DispositionCategory.SUCCESS, retry_after=60), "retry_after"),
    (lambda: Disposition("later", DispositionCategory.CONTACT, retry_after=-1), "retry_after"),
    (lambda: RetryRule(CallOutcome.ANSWERED, (60.0,)), "outcome"),
    (lambda: RetryRule(CallOutcome.BUSY, ()), "delay"),
    (lambda: RetryRule(CallOutcome.BUSY, (-1.0,)), "delays"),
    (lambda: RetryRule(CallOutcome.BUSY, (60.0,), max_tries=0), "max_tries"),
    (lambda: campaign(retry_rules=(*DEFAULT_RETRY_RULES, RetryRule(CallOutcome.BUSY, (1.0,)))),
     "appears twice"),
    (lambda: campaign(max_attempts=0), "max_attempts"),
    (lambda: campaign(max_attempts_per_day=0), "max_attempts_per_day"),
    (lambda: campaign(drop_cap=0.0), "drop_cap"),
    (lambda: campaign(drop_cap=1.5), "drop_cap"),
    (lambda: campaign(drop_hold=-1.0), "drop_hold"),
    (lambda: campaign().disposition("nope"), "disposition"),
    (lambda: campaign(dial_mode=DialMode.AGENTLESS, information_message="Sorry"), "flow"),
    (lambda: campaign(preview_timeout=0.0), "preview_timeout"),
    (lambda: campaign(skip_delay=-1.0), "skip_delay"),
    (lambda: campaign(max_lines=0), "max_lines"),
]


@pytest.mark.parametrize(("build", "field"), BAD)
def test_bad_campaign_value_raises_config_error_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    """A bad campaign setting raises ConfigError whose message names the field."""
    with pytest.raises(ConfigError, match=field):
        build()


def test_defaults_are_a_valid_progressive_campaign_with_a_3_percent_drop_cap() -> None:
    """The defaults: progressive, 3% drop cap, 72 h drop hold, a rule per retry outcome."""
    c = Campaign("c", caller_id="+4930123456")
    assert (c.dial_mode, c.drop_cap, c.drop_hold) == (DialMode.PROGRESSIVE, 0.03, 72 * 3600.0)
    assert all(c.retry_rule(o) is not None for o in (
        CallOutcome.BUSY, CallOutcome.NO_ANSWER, CallOutcome.ANSWERING_MACHINE,
        CallOutcome.FAILED, CallOutcome.DROPPED))


def test_retry_delays_escalate_then_repeat_the_last() -> None:
    """The k-th busy waits delays[k-1]; past the list the last delay repeats."""
    rule = RetryRule(CallOutcome.BUSY, (60.0, 600.0))
    assert [rule.delay(k) for k in (1, 2, 3, 9)] == [60.0, 600.0, 600.0, 600.0]


def test_predictive_campaign_with_information_message_is_valid() -> None:
    """Predictive mode is accepted once the information message is set."""
    c = campaign(dial_mode=DialMode.PREDICTIVE, information_message="prompts/info.wav")
    assert c.dial_mode is DialMode.PREDICTIVE


def test_unknown_holiday_country_is_named_by_the_holiday_lookup() -> None:
    """The holiday adapter's check names holiday_country / holiday_subdivision."""
    cal = PublicHolidays()
    cal.check("DE", "BY")
    with pytest.raises(ConfigError, match="holiday_country"):
        cal.check("XX")
    with pytest.raises(ConfigError, match="holiday_subdivision"):
        cal.check("DE", "ZZ")
