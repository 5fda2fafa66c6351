"""Campaigns, leads and do-not-call numbers round-trip through the store, on both databases."""

from __future__ import annotations

import dataclasses
from datetime import time

import pytest
from sqlalchemy.orm import Session

from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import (
    CallingWindow,
    CallOutcome,
    Campaign,
    DialMode,
    DncScope,
    PreviewTimeout,
    RetryRule,
)
from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import Lead
from callcenter.core.dialer.windows import NO_HOLIDAYS
from callcenter.store import Conflict, NotFound
from callcenter.store.leads import (
    add_campaign,
    add_dnc,
    add_leads,
    campaign_from_json,
    campaign_to_json,
    get_campaign,
    import_national_dnc,
    load_dnc,
    load_leads,
    save_leads,
)

SALE = Campaign(
    "sale", dial_mode=DialMode.PREDICTIVE, caller_id="+4930123456",
    information_message="info.wav", default_region="DE", timezone="Europe/Berlin",
    windows=(CallingWindow(0, time(9), time(12, 30)), CallingWindow(0, time(14), time(20))),
    holiday_country="DE", holiday_subdivision="BY",
    retry_rules=(RetryRule(CallOutcome.BUSY, (60.0, 120.0), 3),), max_attempts=4,
    dnc_scope=DncScope.CAMPAIGN,
)


def lead(n: int, **changes: object) -> Lead:
    """Lead `L<n>` in Berlin."""
    return Lead(f"L{n}", f"+49301234{n:03d}", "Europe/Berlin", **changes)  # type: ignore[arg-type]


def test_campaign_round_trips(session: Session) -> None:
    """A stored campaign reads back equal to the one stored."""
    add_campaign(session, SALE)
    assert get_campaign(session, "sale") == SALE
    with pytest.raises(Conflict):
        add_campaign(session, SALE)
    with pytest.raises(NotFound):
        get_campaign(session, "nope")


def test_unreadable_campaign_json_names_the_problem() -> None:
    """Stored JSON with a bad value raises ConfigError naming the field or the campaign."""
    data = campaign_to_json(SALE)
    with pytest.raises(ConfigError, match="caller_id"):
        campaign_from_json("sale", {**data, "caller_id": "12"})
    with pytest.raises(ConfigError, match="unreadable"):
        campaign_from_json("sale", {**data, "dial_mode": "telepathic"})


def test_campaign_stored_before_the_preview_and_agentless_settings_reads_with_defaults() -> None:
    """JSON without the later settings (preview timeout, flow, lines) reads back with their
    defaults; JSON with them keeps them."""
    data = campaign_to_json(SALE)
    for key in ("preview_timeout", "preview_timeout_action", "skip_delay", "flow", "max_lines"):
        del data[key]
    assert campaign_from_json("sale", data) == SALE
    survey = dataclasses.replace(SALE, dial_mode=DialMode.AGENTLESS, information_message="Bye",
                                 flow="survey", max_lines=3, preview_timeout=30.0,
                                 preview_timeout_action=PreviewTimeout.DIAL, skip_delay=5.0)
    assert campaign_from_json("sale", campaign_to_json(survey)) == survey


def test_leads_are_added_once_per_number_and_id(session: Session) -> None:
    """A second import skips numbers and ids already in the campaign, saying why."""
    add_campaign(session, SALE)
    first = add_leads(session, "sale", [lead(1, fields={"name": "Anna"}), lead(2)])
    again = add_leads(session, "sale", [lead(1), Lead("L2", "+49309999999", "Europe/Berlin"),
                                        lead(3)])
    assert (first.added, again.added) == (2, 1)
    assert [(x.id, why.split(" ")[0]) for x, why in again.present] == [("L1", "number"),
                                                                       ("L2", "id")]
    assert {x.id: x.fields for x in load_leads(session, "sale")} == {
        "L1": {"name": "Anna"}, "L2": {}, "L3": {}}


def test_queue_changes_are_saved_and_reload_the_same(session: Session) -> None:
    """Leads the queue changed are written back and load as the queue left them."""
    add_campaign(session, SALE)
    add_leads(session, "sale", [lead(1), lead(2, priority=3)])
    queue = LeadQueue(SALE, load_dnc(session), NO_HOLIDAYS)
    queue.extend(load_leads(session, "sale"))
    monday_10 = 1_781_510_400.0  # Monday 15 Jun 2026, 10:00 in Berlin
    got = queue.next_lead(monday_10)
    assert got is not None and got.id == "L2"
    queue.record_outcome("L2", CallOutcome.BUSY, monday_10)
    assert save_leads(session, "sale", queue.take_changes()) == 1
    session.expire_all()
    assert {x.id: x for x in load_leads(session, "sale")}["L2"] == queue.get("L2")


def test_do_not_call_lists_round_trip(session: Session) -> None:
    """Global, per-campaign and national entries load into the registry the dialer checks."""
    add_dnc(session, "+49301234001")
    add_dnc(session, "+49301234001")
    add_dnc(session, "+49301234002", "sale")
    import_national_dnc(session, "DE", ["+49301234003", "+49301234004"])
    assert import_national_dnc(session, "DE", ["+49301234004"]) == 1
    registry = load_dnc(session)
    assert [registry.block_reason(f"+49301234{n:03d}", "sale") for n in (1, 2, 3, 4)] == [
        "global", "campaign", None, "national:DE"]
    assert not registry.is_blocked("+49301234002", "other")
