"""Repeat contacts and FCR, on contacts laid out by hand (day = 86 400 s)."""

from __future__ import annotations

from callcenter.core.repeat_contacts import WEEK, Contact, FcrRow, fcr_rows, repeated

DAY = 86400.0


def c(ix: str, customer: int, day: float, case: int, category: str,
      queue: str = "hotline", agent: str = "a1") -> Contact:
    return Contact(ix, customer, day * DAY, frozenset({case}), frozenset({category}),
                   queue, agent)


def test_same_case_within_the_window_is_a_repeat() -> None:
    """Customer 1 calls about case 10 on day 0 and again on day 6: the first is repeated,
    the second is not (nothing follows it)."""
    assert repeated([c("i1", 1, 0, 10, "billing"), c("i2", 1, 6, 10, "billing")]) == {"i1"}


def test_after_the_window_it_is_not() -> None:
    """Again on day 8 (more than 7 days later): no repeat; exactly 7 days is one."""
    assert repeated([c("i1", 1, 0, 10, "billing"), c("i2", 1, 8, 10, "billing")]) == set()
    assert repeated([c("i1", 1, 0, 10, "billing"), c("i2", 1, 7, 10, "billing")]) == {"i1"}


def test_same_category_other_case_is_a_repeat() -> None:
    """A new case of the same category counts; another category does not."""
    assert repeated([c("i1", 1, 0, 10, "billing"), c("i2", 1, 1, 11, "billing")]) == {"i1"}
    assert repeated([c("i1", 1, 0, 10, "billing"), c("i2", 1, 1, 11, "fault")]) == set()


def test_another_customer_is_not_a_repeat() -> None:
    """Customer 2 on the same case is not customer 1 contacting again."""
    assert repeated([c("i1", 1, 0, 10, "billing"), c("i2", 2, 1, 10, "billing")]) == set()


def test_window_is_a_parameter() -> None:
    """With a 1-day window, a contact 2 days later is no repeat."""
    contacts = [c("i1", 1, 0, 10, "billing"), c("i2", 1, 2, 10, "billing")]
    assert repeated(contacts, window=DAY) == set()
    assert repeated(contacts, window=WEEK) == {"i1"}


def test_fcr_per_agent() -> None:
    """a1 takes i1 (repeated by i2) and i3; a2 takes i2: a1 has 2 contacts, 1 repeat,
    FCR 50 %; a2 1 contact, FCR 100 %."""
    contacts = [c("i1", 1, 0, 10, "billing", agent="a1"),
                c("i2", 1, 1, 10, "billing", agent="a2"),
                c("i3", 2, 0, 12, "fault", agent="a1")]
    rows = fcr_rows(contacts, repeated(contacts), lambda x: [x.agent_id])
    assert rows == [FcrRow("a1", 2, 1), FcrRow("a2", 1, 0)]
    assert [r.fcr for r in rows] == [50.0, 100.0]


def test_fcr_per_category_counts_a_contact_in_each_of_its_categories() -> None:
    """A contact about a billing and a fault case counts once under each; repeated by a
    billing contact two days later, it is a repeat under both."""
    both = Contact("i1", 1, 0.0, frozenset({10, 11}), frozenset({"billing", "fault"}))
    later = c("i2", 1, 2, 12, "billing")
    rows = fcr_rows([both, later], repeated([both, later]), lambda x: sorted(x.categories))
    assert rows == [FcrRow("billing", 2, 1), FcrRow("fault", 1, 1)]
