"""Satisfaction after the call (CSAT): the survey's rows and the figures made of them.

A queue node of a flow opts in with `survey_flow: <flow>`: when the agent hangs up, the
`CallCenter` keeps the caller on the line and starts that flow (`SurveyStarted`),
whose `survey` node asks for a rating 1-5 (docs/reference/ivr.md). When the survey
flow ends, one `SurveyResult` row is recorded (`RecordSurvey`) whatever happened: a
rating, or none (no key, two wrong keys, the caller hung up). The figures are
defined in docs/reference/metrics.md ("Satisfaction (CSAT)"); every report computes
them with these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["RATINGS", "SATISFIED", "CsatFigures", "RecordSurvey", "SurveyResult",
           "SurveyStarted", "csat_figures", "figures_from_counts", "rating_of"]

RATINGS = (1, 2, 3, 4, 5)
"""The ratings a caller can give (1 = very dissatisfied, 5 = very satisfied)."""

SATISFIED = 4
"""Ratings of at least this count as satisfied (the top two boxes)."""


def rating_of(text: str | None) -> int | None:
    """A rating from the survey variable's text ('1'..'5'), else None."""
    return int(text) if text is not None and text in ("1", "2", "3", "4", "5") else None


@dataclass(frozen=True, slots=True)
class SurveyResult:
    """One post-call survey offered to a caller: `rating` None when not answered;
    `comment` True when the caller went on to record a voice comment (the recording
    is the voicemail of `interaction_id` in box `comment_box`)."""

    interaction_id: str
    queue_id: str
    agent_id: str | None
    flow_id: str
    offered_at: float
    ended_at: float
    rating: int | None = None
    comment_box: str | None = None
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class SurveyStarted:
    """The agent hung up and the caller stays on the line for the survey `flow_id`:
    the adapter hangs up only the agent's leg (the `Disconnect` before it says
    `survey`), and the caller now hears the survey flow's prompts."""

    call_id: str
    flow_id: str


@dataclass(frozen=True, slots=True)
class RecordSurvey:
    """Store this survey row (the survey flow ended)."""

    result: SurveyResult


@dataclass(frozen=True, slots=True)
class CsatFigures:
    """The CSAT figures of a group of survey rows (see metrics.md).

    `offered`: surveys started; `answered`: those with a rating; `satisfied`: ratings
    4 or 5; `csat` = satisfied / answered; `mean` = mean rating of the answered;
    `response_rate` = answered / offered (None when their denominator is 0);
    `counts`: answered rows per rating 1..5; `comments`: voice comments recorded."""

    offered: int
    answered: int
    satisfied: int
    csat: float | None
    mean: float | None
    response_rate: float | None
    counts: tuple[int, int, int, int, int]
    comments: int


def csat_figures(ratings: Iterable[int | None], comments: int = 0) -> CsatFigures:
    """The figures of surveys given as their ratings (None: offered, not answered)."""
    counts = [0, 0, 0, 0, 0]
    offered = 0
    for r in ratings:
        offered += 1
        if r is not None:
            counts[r - 1] += 1
    return figures_from_counts(offered, dict(zip(RATINGS, counts, strict=True)), comments)


def figures_from_counts(offered: int, counts: Mapping[int, int],
                        comments: int = 0) -> CsatFigures:
    """The figures from `offered` and the answered rows counted per rating (a store's
    GROUP BY gives these)."""
    c = tuple(int(counts.get(r, 0)) for r in RATINGS)
    answered = sum(c)
    satisfied = sum(n for r, n in zip(RATINGS, c, strict=True) if r >= SATISFIED)
    total = sum(r * n for r, n in zip(RATINGS, c, strict=True))
    return CsatFigures(
        offered=offered, answered=answered, satisfied=satisfied,
        csat=satisfied / answered if answered else None,
        mean=total / answered if answered else None,
        response_rate=answered / offered if offered else None,
        counts=(c[0], c[1], c[2], c[3], c[4]), comments=comments)
