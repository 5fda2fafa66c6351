"""Survey results from completed interviews: counts and shares per question, cross-tabs
of two variables, post-stratification weights to known population shares. Pure.

A variable is an answer (`Variable("answer", question_id)`) or a lead field
(`Variable("lead", field)`). A respondent's value of a variable is read as text; a
multiple-choice answer gives each of its choices (so a question's shares can add up to
more than 1). A respondent without a value is left out of that variable's table.

Post-stratification (one weighting variable): with the population shares P_c of its
values c and the sample shares s_c = n_c / n of the respondents whose value is listed,
a respondent in c weighs w = P_c / s_c, so the weighted shares of the variable equal
the population's. Shares are normalised over the listed values that have respondents
(an empty cell cannot be weighted up; it is reported). Respondents whose value is not
listed weigh 0 and are counted as `unweighted`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Crosstab", "Frequency", "Respondent", "Variable", "Weighting", "crosstab",
           "frequencies", "poststratify", "values_of"]


@dataclass(frozen=True, slots=True)
class Variable:
    """An answer (`source` "answer", `name` the question id) or a lead field
    (`source` "lead")."""

    source: str
    name: str

    def __post_init__(self) -> None:
        if self.source not in ("answer", "lead"):
            raise ValueError(f"a variable is an answer or a lead field, not {self.source!r}")


@dataclass(frozen=True, slots=True)
class Respondent:
    """One completed interview: its run id, answers (question id -> answer) and the
    lead's fields."""

    run_id: int
    answers: Mapping[str, object] = field(default_factory=dict)
    lead: Mapping[str, str] = field(default_factory=dict)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def values_of(r: Respondent, v: Variable) -> tuple[str, ...]:
    """The respondent's values of `v` as text (none when unanswered or empty)."""
    raw = r.answers.get(v.name) if v.source == "answer" else r.lead.get(v.name)
    if raw is None or raw == "":
        return ()
    if isinstance(raw, list | tuple):
        return tuple(dict.fromkeys(_text(x) for x in raw if x is not None and x != ""))
    return (_text(raw),)


@dataclass(frozen=True, slots=True)
class Weighting:
    """Post-stratification weights per run id, the shares used (normalised), the cells
    with a population share and no respondent (`empty`), and how many respondents got
    weight 0 (`unweighted`)."""

    weights: Mapping[int, float]
    shares: Mapping[str, float]
    empty: tuple[str, ...] = ()
    unweighted: int = 0


def poststratify(respondents: Sequence[Respondent], by: Variable,
                 shares: Mapping[str, float]) -> Weighting:
    """Weights making the weighted shares of `by` equal the population `shares`."""
    if any(s < 0 for s in shares.values()):
        raise ValueError("population shares are not negative")
    cell_of: dict[int, str] = {}
    counts: dict[str, int] = {}
    for r in respondents:
        vals = values_of(r, by)
        if len(vals) == 1 and vals[0] in shares:
            cell_of[r.run_id] = vals[0]
            counts[vals[0]] = counts.get(vals[0], 0) + 1
    present = {c: s for c, s in shares.items() if counts.get(c) and s > 0}
    total_share = sum(present.values())
    n = sum(counts[c] for c in present)
    used = {c: s / total_share for c, s in present.items()} if total_share else {}
    weights: dict[int, float] = {}
    unweighted = 0
    for r in respondents:
        c = cell_of.get(r.run_id)
        if c is None or c not in used:
            weights[r.run_id] = 0.0
            unweighted += 1
        else:
            weights[r.run_id] = used[c] / (counts[c] / n)
    empty = tuple(c for c, s in shares.items() if not counts.get(c) and s > 0)
    return Weighting(weights, used, empty, unweighted)


@dataclass(frozen=True, slots=True)
class Frequency:
    """One value of a variable: how many respondents gave it and their share of the
    respondents with a value, unweighted and weighted."""

    value: str
    count: int
    share: float
    weighted: float
    weighted_share: float


def frequencies(respondents: Iterable[Respondent], v: Variable,
                weights: Mapping[int, float] | None = None,
                order: Sequence[str] = ()) -> tuple[Frequency, ...]:
    """Counts and shares of each value of `v` (values in `order` first, then the others
    by count); weights default to 1."""
    counts: dict[str, int] = {}
    wsum: dict[str, float] = {}
    base = 0
    wbase = 0.0
    for r in respondents:
        vals = values_of(r, v)
        if not vals:
            continue
        w = 1.0 if weights is None else weights.get(r.run_id, 0.0)
        base += 1
        wbase += w
        for x in vals:
            counts[x] = counts.get(x, 0) + 1
            wsum[x] = wsum.get(x, 0.0) + w
    keys = [x for x in order if x in counts]
    keys += sorted((x for x in counts if x not in keys), key=lambda x: (-counts[x], x))
    return tuple(Frequency(x, counts[x], counts[x] / base, wsum[x],
                           wsum[x] / wbase if wbase else 0.0) for x in keys)


@dataclass(frozen=True, slots=True)
class Crosstab:
    """Counts of `rows` by `columns`: `counts[i][j]` and `weighted[i][j]` for row value
    i and column value j; column shares are a cell over its column's total."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    weighted: tuple[tuple[float, ...], ...]

    def column_shares(self, weighted: bool = False) -> tuple[tuple[float, ...], ...]:
        table: Sequence[Sequence[float]] = self.weighted if weighted else self.counts
        totals = [sum(row[j] for row in table) for j in range(len(self.columns))]
        return tuple(tuple(row[j] / totals[j] if totals[j] else 0.0
                           for j in range(len(self.columns))) for row in table)


def crosstab(respondents: Iterable[Respondent], rows: Variable, columns: Variable,
             weights: Mapping[int, float] | None = None) -> Crosstab:
    """The cross-tab of two variables over the respondents with values of both."""
    counts: dict[tuple[str, str], int] = {}
    wsum: dict[tuple[str, str], float] = {}
    rset: dict[str, int] = {}
    cset: dict[str, int] = {}
    for r in respondents:
        rv, cv = values_of(r, rows), values_of(r, columns)
        if not rv or not cv:
            continue
        w = 1.0 if weights is None else weights.get(r.run_id, 0.0)
        for a in rv:
            for b in cv:
                counts[(a, b)] = counts.get((a, b), 0) + 1
                wsum[(a, b)] = wsum.get((a, b), 0.0) + w
                rset[a] = rset.get(a, 0) + 1
                cset[b] = cset.get(b, 0) + 1
    rk = tuple(sorted(rset, key=lambda x: (-rset[x], x)))
    ck = tuple(sorted(cset, key=lambda x: (-cset[x], x)))
    return Crosstab(rk, ck,
                    tuple(tuple(counts.get((a, b), 0) for b in ck) for a in rk),
                    tuple(tuple(wsum.get((a, b), 0.0) for b in ck) for a in rk))
