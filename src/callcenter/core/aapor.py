"""Survey outcome codes and rates in the style of AAPOR's Standard Definitions (Final
Dispositions of Case Codes and Outcome Rates for Surveys, American Association for
Public Opinion Research, 2023 edition): each case (a lead of a campaign) gets one final
code, and the response, cooperation, refusal and contact rates are ratios of their counts.

    I  complete interview            P  partial interview
    R  refusal and break-off         NC non-contact (eligible, never reached)
    O  other eligible non-interview  U  unknown eligibility (UH + UO)
    NE not eligible (not in any rate; e is estimated from it)

The formulas are written in docs/reference/metrics.md ("Survey outcome rates"). A rate
whose denominator is zero is None. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Code", "Tally", "code_for_lead", "code_for_run", "e_estimate", "rates", "tally"]


class Code(StrEnum):
    """A case's final disposition."""

    COMPLETE = "complete"  # I (AAPOR 1.1)
    PARTIAL = "partial"  # P (1.2)
    REFUSAL = "refusal"  # R (2.11: refused before the interview began)
    BREAK_OFF = "break_off"  # R (2.12: began and broke off below the partial threshold)
    NON_CONTACT = "non_contact"  # NC (2.20)
    OTHER = "other"  # O (2.30: eligible, contacted, no interview for another reason)
    INELIGIBLE = "ineligible"  # NE (4.0, including 4.80 quota filled)
    UNKNOWN = "unknown"  # UH / UO (3.0: not attempted, or eligibility never learned)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many cases have each kind of final code."""

    complete: int = 0  # I
    partial: int = 0  # P
    refusal: int = 0  # R (refusals and break-offs)
    non_contact: int = 0  # NC
    other: int = 0  # O
    unknown: int = 0  # UH + UO
    ineligible: int = 0  # NE

    @property
    def interviews(self) -> int:
        """I + P."""
        return self.complete + self.partial

    @property
    def eligible(self) -> int:
        """Cases known to be eligible: I + P + R + NC + O."""
        return self.interviews + self.refusal + self.non_contact + self.other

    @property
    def cases(self) -> int:
        return self.eligible + self.unknown + self.ineligible


_KEY = {Code.COMPLETE: "complete", Code.PARTIAL: "partial", Code.REFUSAL: "refusal",
        Code.BREAK_OFF: "refusal", Code.NON_CONTACT: "non_contact", Code.OTHER: "other",
        Code.UNKNOWN: "unknown", Code.INELIGIBLE: "ineligible"}


def tally(codes: Iterable[Code | str]) -> Tally:
    """Count final codes (refusals and break-offs together, as R)."""
    counts = dict.fromkeys(("complete", "partial", "refusal", "non_contact", "other",
                            "unknown", "ineligible"), 0)
    for code in codes:
        counts[_KEY[Code(code)]] += 1
    return Tally(**counts)


def e_estimate(t: Tally) -> float | None:
    """e, the share of unknown-eligibility cases taken to be eligible: the share of
    eligible cases among those whose eligibility was learned, (I+P+R+NC+O) / (I+P+R+NC+O
    + NE) (AAPOR's proportional allocation, the "CASRO" method); None when no case's
    eligibility is known."""
    known = t.eligible + t.ineligible
    return t.eligible / known if known else None


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def rates(t: Tally, e: float | None = None) -> dict[str, float | None]:
    """RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3 and the `e` used (estimated by
    `e_estimate` when not given; 0 when it cannot be, i.e. no case has a known
    eligibility)."""
    if e is None:
        e = e_estimate(t)
    if e is not None and not 0 <= e <= 1:
        raise ValueError(f"e must be between 0 and 1, got {e}")
    used = 0.0 if e is None else e
    i, ip = t.complete, t.interviews
    r, nc, o, u = t.refusal, t.non_contact, t.other, t.unknown
    all_ = ip + r + nc + o + u
    est = ip + r + nc + o + used * u
    known = ip + r + nc + o
    contacted = ip + r + o
    return {
        "RR1": _ratio(i, all_), "RR2": _ratio(ip, all_),
        "RR3": _ratio(i, est), "RR4": _ratio(ip, est),
        "RR5": _ratio(i, known), "RR6": _ratio(ip, known),
        "COOP1": _ratio(i, ip + r + o), "COOP2": _ratio(ip, ip + r + o),
        "COOP3": _ratio(i, ip + r), "COOP4": _ratio(ip, ip + r),
        "REF1": _ratio(r, all_), "REF2": _ratio(r, est), "REF3": _ratio(r, known),
        "CON1": _ratio(contacted, all_), "CON2": _ratio(contacted, est),
        "CON3": _ratio(contacted, known),
        "e": e,
    }


_RUN_CODES = {
    "complete": Code.COMPLETE, "partial": Code.PARTIAL, "refusal": Code.REFUSAL,
    "break_off": Code.BREAK_OFF, "ineligible": Code.INELIGIBLE,
    "quota_full": Code.INELIGIBLE,  # AAPOR 4.80 quota filled
}


def code_for_run(outcome: str | None) -> Code | None:
    """The code of a script run's survey outcome (None: not a survey outcome)."""
    return None if outcome is None else _RUN_CODES.get(outcome)


_NO_CONTACT_OUTCOMES = frozenset({"busy", "no-answer", "answering-machine", "failed",
                                  "dropped"})


def code_for_lead(result: str | None, last_outcome: str | None,
                  categories: Mapping[str, str], run_outcome: str | None = None,
                  known_eligible: bool = True) -> Code:
    """A lead's final code from its dialer state and its last script run.

    The run's outcome decides when it has a survey outcome. Otherwise, from the lead:
    never dialed (no last outcome) is unknown (AAPOR 3.11, not attempted); a number not
    in service (`invalid`) is ineligible (4.30); a last call that reached no one (busy,
    no answer, machine, failed, dropped) is a non-contact when the sample is a list of
    known eligible people (`known_eligible`, the default), else unknown (3.12, 3.13);
    the agent's disposition by its category (`categories`: code -> category): success is
    a complete, contact and do-not-call a refusal (spoke to the person, no interview),
    non-contact a non-contact. Anything else is unknown.
    """
    by_run = code_for_run(run_outcome)
    if by_run is not None:
        return by_run
    if result == "invalid" or last_outcome == "invalid":
        return Code.INELIGIBLE
    if last_outcome is None:
        return Code.UNKNOWN
    if last_outcome in _NO_CONTACT_OUTCOMES:
        return Code.NON_CONTACT if known_eligible else Code.UNKNOWN
    category = categories.get(last_outcome)
    if category == "success":
        return Code.COMPLETE
    if category in ("contact", "do-not-call"):
        return Code.REFUSAL
    if category == "non-contact":
        return Code.NON_CONTACT if known_eligible else Code.UNKNOWN
    return Code.UNKNOWN
