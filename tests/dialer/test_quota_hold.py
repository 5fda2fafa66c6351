"""The dialer and full survey quota cells: a lead of a full cell is not dialed while
the others are, and is dialed again once the cell opens."""

from __future__ import annotations

from callcenter.core.dialer.lead_queue import LeadQueue
from callcenter.core.dialer.leads import LeadState
from callcenter.core.scripts.quotas import lead_hold, parse_quotas
from tests.dialer.leadkit import HOUR, NY, at, lead, queue

QUOTA = parse_quotas([{"grid": {"lead": {"region": ["north", "south"]}}, "target": 1},
                      {"id": "young", "target": 1, "answers": {"age": {"max": 34}}}])
NOW = at(NY, 2026, 3, 2, 10)


def _queue() -> LeadQueue:
    return queue(leads=[lead(1, fields={"region": "north"}, priority=2),
                        lead(2, fields={"region": "south"}, priority=1),
                        lead(3, fields={"region": "north"})])


def test_a_lead_of_a_full_cell_is_not_dialed_while_others_are() -> None:
    """North is full: the south lead is dialed, both north leads are held back."""
    q = _queue()
    held = lead_hold(QUOTA, {"region=north": 1, "region=south": 0})
    assert held is not None
    q.hold(lambda ld: held(ld.fields))
    first = q.next_lead(NOW)
    assert first is not None and first.id == "L2"
    assert q.next_lead(NOW) is None
    assert q.get("L1").state is LeadState.NEW and q.get("L1").attempts == 0
    assert q.get("L1").due > NOW


def test_a_held_lead_is_dialed_once_the_cell_opens() -> None:
    """With the hold lifted (target raised), the held lead is dialed when it comes due."""
    q = _queue()
    held = lead_hold(QUOTA, {"region=north": 1, "region=south": 1})
    assert held is not None
    q.hold(lambda ld: held(ld.fields))
    assert q.next_lead(NOW) is None
    q.hold(None)
    got = q.next_lead(NOW + HOUR)
    assert got is not None and got.id == "L1"


def test_a_full_answer_cell_holds_no_lead() -> None:
    """Only lead-only cells are known before the call: a full age cell stops nothing."""
    assert lead_hold(QUOTA, {"young": 5}) is None
    q = _queue()
    q.hold(None)
    got = q.next_lead(NOW)
    assert got is not None and got.id == "L1"
