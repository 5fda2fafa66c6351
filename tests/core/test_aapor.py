"""AAPOR outcome codes and rates, checked against values worked by hand from the
Standard Definitions formulas (docs/reference/metrics.md)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.aapor import Code, Tally, code_for_lead, code_for_run, e_estimate, rates, tally

# I=40 P=10 R=20 NC=15 O=5 U=20 NE=10 (120 cases)
T = Tally(complete=40, partial=10, refusal=20, non_contact=15, other=5, unknown=20,
          ineligible=10)


def test_tally_counts_refusals_and_break_offs_together() -> None:
    """A refusal and a break-off are both R."""
    t = tally([Code.COMPLETE, "refusal", "break_off", Code.UNKNOWN, "ineligible"])
    assert t == Tally(complete=1, refusal=2, unknown=1, ineligible=1)


def test_e_is_the_eligible_share_of_known_cases() -> None:
    """e = (I+P+R+NC+O)/(I+P+R+NC+O+NE) = 90/100."""
    assert e_estimate(T) == pytest.approx(0.9)


def test_response_rates_by_hand() -> None:
    """RR1 = 40/110, RR2 = 50/110, RR3 = 40/108, RR4 = 50/108, RR5 = 40/90, RR6 = 50/90."""
    r = rates(T)
    assert r["RR1"] == pytest.approx(40 / 110)
    assert r["RR2"] == pytest.approx(50 / 110)
    assert r["RR3"] == pytest.approx(40 / 108)  # 90 + 0.9 * 20
    assert r["RR4"] == pytest.approx(50 / 108)
    assert r["RR5"] == pytest.approx(40 / 90)
    assert r["RR6"] == pytest.approx(50 / 90)


def test_cooperation_refusal_contact_rates_by_hand() -> None:
    """COOP1 = 40/75, COOP3 = 40/70, REF1 = 20/110, REF2 = 20/108, CON1 = 75/110, CON3 = 75/90."""
    r = rates(T)
    assert r["COOP1"] == pytest.approx(40 / 75)
    assert r["COOP2"] == pytest.approx(50 / 75)
    assert r["COOP3"] == pytest.approx(40 / 70)
    assert r["COOP4"] == pytest.approx(50 / 70)
    assert r["REF1"] == pytest.approx(20 / 110)
    assert r["REF2"] == pytest.approx(20 / 108)
    assert r["REF3"] == pytest.approx(20 / 90)
    assert r["CON1"] == pytest.approx(75 / 110)
    assert r["CON2"] == pytest.approx(75 / 108)
    assert r["CON3"] == pytest.approx(75 / 90)


def test_a_given_e_is_used() -> None:
    """With e = 0.5, RR3 = 40/(90 + 10)."""
    r = rates(T, e=0.5)
    assert r["RR3"] == pytest.approx(0.4)
    assert r["e"] == 0.5


def test_rates_of_no_cases_are_none() -> None:
    """Zero denominators give None, not an error."""
    r = rates(Tally())
    assert r["RR1"] is None and r["COOP1"] is None and r["e"] is None


def test_an_e_out_of_range_is_refused() -> None:
    """e is a proportion."""
    with pytest.raises(ValueError, match="e must be"):
        rates(T, e=1.5)


@given(st.lists(st.sampled_from(list(Code)), max_size=60),
       st.floats(min_value=0, max_value=1))
def test_rates_are_ordered_as_the_definitions_imply(codes: list[Code], e: float) -> None:
    """RR1 <= RR3 <= RR5, RR1 <= RR2, and every rate lies in [0, 1]."""
    r = rates(tally(codes), e=e)
    for name, value in r.items():
        assert value is None or 0 <= value <= 1, name
    if r["RR1"] is not None and r["RR3"] is not None:
        assert r["RR1"] <= r["RR3"] + 1e-12
        assert r["RR1"] <= r["RR2"] + 1e-12  # type: ignore[operator]
    if r["RR3"] is not None and r["RR5"] is not None:
        assert r["RR3"] <= r["RR5"] + 1e-12


CATS = {"sale": "success", "not-interested": "contact", "do-not-call": "do-not-call",
        "wrong-number": "non-contact"}


@pytest.mark.parametrize(("result", "last", "run", "known", "expected"), [
    (None, None, None, True, Code.UNKNOWN),  # never dialed
    ("invalid", "invalid", None, True, Code.INELIGIBLE),
    (None, "no-answer", None, True, Code.NON_CONTACT),
    (None, "busy", None, False, Code.UNKNOWN),
    ("exhausted", "answering-machine", None, True, Code.NON_CONTACT),
    ("completed", "not-interested", None, True, Code.REFUSAL),
    ("dnc", "do-not-call", None, True, Code.REFUSAL),
    ("success", "sale", None, True, Code.COMPLETE),
    (None, "wrong-number", None, True, Code.NON_CONTACT),
    ("completed", "not-interested", "partial", True, Code.PARTIAL),
    ("completed", "sale", "quota_full", True, Code.INELIGIBLE),
])
def test_lead_codes(result: str | None, last: str | None, run: str | None, known: bool,
                    expected: Code) -> None:
    """Dialer states, dispositions and run outcomes map onto AAPOR codes."""
    assert code_for_lead(result, last, CATS, run, known_eligible=known) is expected


def test_a_sales_outcome_is_no_survey_code() -> None:
    """Only survey outcomes have a code of their own."""
    assert code_for_run("sale") is None
    assert code_for_run("break_off") is Code.BREAK_OFF
