"""Survey quotas: the `quotas:` key's parser (errors naming the line), which cells an
interview or a lead falls into, and when a cell is full."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.scripts.quotas import (
    Quota,
    QuotaError,
    cells_of,
    count_cells,
    full_cells,
    lead_blocked,
    parse_quotas,
    screen_out,
)

GRID = [{"grid": {"answers": {"age_band": ["18-34", "35+"]},
                  "lead": {"region": ["north", "south"]}},
         "target": 2, "targets": {"age_band=35+,region=south": 1}}]


def _lines(text: str) -> dict[str, int]:
    """Key path -> line, the way the script parser records them."""
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                sub = f"{path}.{k.value}" if path else str(k.value)
                lines[sub] = k.start_mark.line + 1
                walk(v, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, f"{path}[{i}]")

    walk(yaml.compose(text), "")
    return lines


def test_no_quotas_is_an_empty_quota() -> None:
    """A script without `quotas:` has no cells."""
    assert parse_quotas(None) == Quota()


def test_a_grid_makes_one_cell_per_combination() -> None:
    """Two age bands by two regions are four cells with their targets."""
    q = parse_quotas(GRID)
    assert [(c.id, c.target) for c in q.cells] == [
        ("age_band=18-34,region=north", 2), ("age_band=18-34,region=south", 2),
        ("age_band=35+,region=north", 2), ("age_band=35+,region=south", 1)]


def test_an_interview_falls_into_the_cell_of_its_answer_and_lead() -> None:
    """Age band 35+ in the south is that cell only."""
    q = parse_quotas(GRID)
    cells = cells_of(q, {"age_band": "35+"}, {"region": "south"})
    assert [c.id for c in cells] == ["age_band=35+,region=south"]


def test_ranges_lists_and_multiple_choice_answers() -> None:
    """A number in a range, a value in a list, and a multiple answer holding one choice."""
    q = parse_quotas([{"id": "young", "target": 5, "answers": {"age": {"min": 18, "max": 34}}},
                      {"id": "tv", "target": 5, "answers": {"media": ["tv", "radio"]}}])
    assert [c.id for c in cells_of(q, {"age": 34, "media": ["web", "tv"]})] == ["young", "tv"]
    assert [c.id for c in cells_of(q, {"age": 35, "media": ["web"]})] == []
    assert cells_of(q, {}) == ()  # unanswered holds nothing


def test_lead_fields_are_text_and_numbers_compare_as_numbers() -> None:
    """A lead field `age: '40'` meets a range; `zip: 1010` written as a number meets '1010'."""
    q = parse_quotas([{"id": "a", "target": 1, "lead": {"age": {"min": 35}}},
                      {"id": "z", "target": 1, "lead": {"zip": 1010}}])
    assert [c.id for c in cells_of(q, {}, {"age": "40", "zip": "1010"})] == ["a", "z"]
    assert cells_of(q, {}, {"age": "old", "zip": "1011"}) == ()


def test_counts_come_from_completed_interviews_and_fill_cells() -> None:
    """Two completes in the 35+/south cell (target 1) fill it; others stay open."""
    q = parse_quotas(GRID)
    counts = count_cells(q, [({"age_band": "35+"}, {"region": "south"}),
                             ({"age_band": "35+"}, {"region": "south"}),
                             ({"age_band": "18-34"}, {"region": "north"})])
    assert counts == {"age_band=18-34,region=north": 1, "age_band=18-34,region=south": 0,
                      "age_band=35+,region=north": 0, "age_band=35+,region=south": 2}
    assert [c.id for c in full_cells(q, counts)] == ["age_band=35+,region=south"]


def test_an_interview_in_a_full_cell_is_screened_out() -> None:
    """Once the age answer puts the interview in a full cell, it ends; before, it goes on."""
    q = parse_quotas(GRID)
    counts = {"age_band=35+,region=south": 1}
    assert screen_out(q, counts, {}, {"region": "south"}) is None
    cell = screen_out(q, counts, {"age_band": "35+"}, {"region": "south"})
    assert cell is not None and cell.id == "age_band=35+,region=south"
    assert screen_out(q, counts, {"age_band": "18-34"}, {"region": "south"}) is None


def test_only_a_full_lead_only_cell_blocks_a_lead() -> None:
    """A full region cell blocks its leads; a full answer cell blocks none before the call."""
    q = parse_quotas([{"id": "north", "target": 1, "lead": {"region": "north"}},
                      {"id": "young", "target": 1, "answers": {"age": {"max": 34}}}])
    counts = {"north": 1, "young": 1}
    blocked = lead_blocked(q, counts, {"region": "north"})
    assert blocked is not None and blocked.id == "north"
    assert lead_blocked(q, counts, {"region": "south"}) is None
    assert lead_blocked(q, {"north": 0, "young": 1}, {"region": "north"}) is None


def test_errors_name_the_line() -> None:
    """Each mistake is reported with the line of its key in the script."""
    text = ("script: s\n"
            "quotas:\n"
            "  - id: a\n"
            "    target: -3\n"
            "    lead: {region: north}\n"
            "  - id: b\n"
            "    target: 2\n"
            "    answers: {nope: 1}\n")
    data = yaml.safe_load(text)
    with pytest.raises(QuotaError) as caught:
        parse_quotas(data["quotas"], _lines(text), questions={"age"})
    assert [(p.line, p.path) for p in caught.value.problems] == [
        (4, "quotas[0].target"), (8, "quotas[1].answers.nope")]
    assert "no question 'nope'" in str(caught.value)


@pytest.mark.parametrize(("raw", "message"), [
    ({"a": 1}, "expected a list of cells"),
    ([{"id": "a", "target": 1}], "at least one condition"),
    ([{"id": "a", "target": 1.5, "lead": {"r": "x"}}], "whole number"),
    ([{"id": "a", "target": 1, "lead": {"r": []}}], "empty list"),
    ([{"id": "a", "target": 1, "answers": {"x": {"min": 5, "max": 1}}}], "above max"),
    ([{"id": "a", "target": 1, "lead": {"r": "x"}}, {"id": "a", "target": 1, "lead": {"r": "y"}}],
     "defined twice"),
    ([{"grid": {"lead": {"r": ["x"]}}}], "has no target"),
    ([{"grid": {"lead": {"r": ["x"]}}, "targets": {"r=y": 1}, "target": 1}], "no cell 'r=y'"),
    ([{"grid": {"lead": {"r": list(range(30)), "s": list(range(30))}}, "target": 1}],
     "more than 500"),
])
def test_bad_quotas_are_refused(raw: object, message: str) -> None:
    """Malformed quotas raise QuotaError saying what is wrong."""
    with pytest.raises(QuotaError, match=message):
        parse_quotas(raw)


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "target", "grid", "answers", "lead", "min",
                                       "max", "region", "age", "targets", "x"]), inner,
                      max_size=4),
    max_leaves=20)


@given(_yaml_values)
def test_the_parser_accepts_or_refuses_any_value_cleanly(raw: object) -> None:
    """Any YAML value is either read into cells or refused with QuotaError, nothing else."""
    try:
        q = parse_quotas(raw)
    except QuotaError as exc:
        assert exc.problems
    else:
        assert len({c.id for c in q.cells}) == len(q.cells)


@given(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True),
       st.lists(st.sampled_from(["n", "s"]), min_size=1, max_size=2, unique=True),
       st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["n", "s", "w"]))
def test_a_grid_cell_holds_exactly_the_matching_combination(
        bands: list[str], regions: list[str], band: str, region: str) -> None:
    """In a grid an interview is in one cell when both its values are listed, else in none."""
    q = parse_quotas([{"grid": {"answers": {"band": bands}, "lead": {"region": regions}},
                       "target": 1}])
    cells = cells_of(q, {"band": band}, {"region": region})
    if band in bands and region in regions:
        assert [c.id for c in cells] == [f"band={band},region={region}"]
    else:
        assert cells == ()


@given(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=6))
def test_a_cell_is_full_when_its_count_reaches_the_target(target: int, done: int) -> None:
    """Full exactly when completes >= target."""
    q = parse_quotas([{"id": "c", "target": target, "lead": {"r": "x"}}])
    counts = count_cells(q, [({}, {"r": "x"})] * done)
    assert (lead_blocked(q, counts, {"r": "x"}) is not None) == (done >= target)
