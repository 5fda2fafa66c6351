"""A number on a do-not-call list that applies is never dialed, even if added mid-campaign."""

from __future__ import annotations

import pytest

from callcenter.core.config import ConfigError
from callcenter.core.dialer.campaign import CallOutcome, DncScope
from callcenter.core.dialer.dnc import DncRegistry
from callcenter.core.dialer.leads import LeadResult, LeadState
from tests.dialer.leadkit import ALWAYS, at, campaign, lead, queue

NOW = at("America/New_York", 2026, 6, 10, 12)


def test_global_list_blocks_every_campaign() -> None:
    """The global internal list blocks a number for any campaign."""
    dnc = DncRegistry()
    dnc.add("+12125550001")
    assert dnc.is_blocked("+12125550001", "a") and dnc.is_blocked("+12125550001", "b")
    assert dnc.block_reason("+12125550001", "a") == "global"


def test_campaign_list_blocks_only_that_campaign() -> None:
    """A per-campaign entry blocks the number there and nowhere else."""
    dnc = DncRegistry()
    dnc.add("+12125550001", campaign="a")
    assert dnc.block_reason("+12125550001", "a") == "campaign"
    assert not dnc.is_blocked("+12125550001", "b")


def test_national_list_blocks_all_campaigns_and_is_replaced_on_import() -> None:
    """An imported national list blocks everywhere; a new import replaces it."""
    dnc = DncRegistry()
    assert dnc.import_national("US", ["+12125550001", "+12125550002"]) == 2
    assert dnc.block_reason("+12125550002", "x") == "national:US"
    dnc.import_national("US", ["+12125550003"])
    assert not dnc.is_blocked("+12125550002", "x")
    assert dnc.sizes()["national:US"] == 1


def test_lifting_an_internal_block() -> None:
    """`remove` lifts a global or per-campaign entry."""
    dnc = DncRegistry()
    dnc.add("+12125550001")
    dnc.add("+12125550001", "a")
    dnc.remove("+12125550001")
    assert dnc.block_reason("+12125550001", "a") == "campaign"
    dnc.remove("+12125550001", "a")
    assert not dnc.is_blocked("+12125550001", "a")


def test_non_e164_numbers_are_refused() -> None:
    """DNC entries must be E.164, so lookups by normalized number cannot miss."""
    with pytest.raises(ConfigError, match=r"E\.164"):
        DncRegistry().add("212 555 0001")
    with pytest.raises(ConfigError, match=r"E\.164"):
        DncRegistry().import_national("US", ["5550001"])


def test_blocked_number_is_never_handed_out() -> None:
    """A queued lead whose number is blocked ends as dnc; the next lead is dialed instead."""
    dnc = DncRegistry()
    dnc.add(lead(1).number)
    q = queue(leads=[lead(1, priority=9), lead(2)], dnc=dnc)
    got = q.next_lead(NOW)
    assert got is not None and got.id == "L2"
    assert q.get("L1").state is LeadState.DONE and q.get("L1").result is LeadResult.DNC


def test_number_added_mid_campaign_skips_the_queued_lead() -> None:
    """A lead queued for a retry is skipped once its number is blocked mid-campaign."""
    dnc = DncRegistry()
    q = queue(leads=[lead(1), lead(2)], dnc=dnc)
    first = q.next_lead(NOW)
    assert first is not None and first.id == "L1"
    q.record_outcome("L1", CallOutcome.BUSY, NOW)
    dnc.add(lead(1).number, campaign="spring-sale")
    second = q.next_lead(NOW + 1)
    assert second is not None and second.id == "L2"
    q.record_outcome("L2", CallOutcome.BUSY, NOW + 1)
    assert q.next_lead(NOW + 86_400) is not None
    assert q.get("L1").result is LeadResult.DNC


def test_do_not_call_disposition_blocks_the_number_at_once_everywhere() -> None:
    """A do-not-call disposition adds the number to the global list before the next hand-out."""
    dnc = DncRegistry()
    q = queue(leads=[lead(1)], dnc=dnc)
    other = queue(c=campaign(name="autumn", windows=ALWAYS), leads=[lead(1)], dnc=dnc)
    assert q.next_lead(NOW) is not None
    done = q.dispose("L1", "do-not-call", NOW)
    assert done.result is LeadResult.DNC
    assert dnc.block_reason(lead(1).number, "autumn") == "global"
    assert other.next_lead(NOW) is None
    assert other.get("L1").result is LeadResult.DNC


def test_campaign_scoped_do_not_call_disposition_blocks_only_that_campaign() -> None:
    """With dnc_scope=campaign the disposition lands on the campaign's own list."""
    dnc = DncRegistry()
    q = queue(c=campaign(windows=ALWAYS, dnc_scope=DncScope.CAMPAIGN), leads=[lead(1)], dnc=dnc)
    q.next_lead(NOW)
    q.dispose("L1", "do-not-call", NOW)
    assert dnc.block_reason(lead(1).number, "spring-sale") == "campaign"
    assert not dnc.is_blocked(lead(1).number, "autumn")


def test_callbacks_are_blocked_too() -> None:
    """A callback for a number blocked since it was agreed is not handed out."""
    dnc = DncRegistry()
    q = queue(leads=[lead(1)], dnc=dnc)
    q.schedule_callback("L1", NOW + 60)
    dnc.add(lead(1).number)
    assert q.next_lead(NOW + 120) is None
    assert q.get("L1").result is LeadResult.DNC
