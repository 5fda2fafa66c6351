"""The condition language of scripts: parsing, evaluation, and refusal of what it is not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.scripts.conditions import (
    ConditionError,
    evaluate,
    names,
    parse_condition,
)


@pytest.mark.parametrize(("text", "values", "expected"), [
    ("age >= 18", {"age": 18}, True),
    ("age >= 18", {"age": 17}, False),
    ("age >= 18", {}, False),
    ("region in ['north', 'east']", {"region": "east"}, True),
    ("region not in ['north', 'east']", {"region": "east"}, False),
    ("'tv' in media", {"media": ["radio", "tv"]}, True),
    ("'tv' in media", {"media": ["radio"]}, False),
    ("not (a == 'x') or b", {"a": "x", "b": 0}, False),
    ("a == 'x' and b > 2.5", {"a": "x", "b": 3}, True),
    ("income != null", {"income": None}, False),
    ("consent == true", {"consent": True}, True),
    ("consent == true", {"consent": 1}, False),
    ("age < 'ten'", {"age": 5}, False),
    ("name", {"name": "Ann"}, True),
    ("a or b and c", {"a": 0, "b": 1, "c": 0}, False),
    ("a or b and c", {"a": 1, "b": 0, "c": 0}, True),
    ('x == "it\\"s"', {"x": 'it"s'}, True),
    ("n == -2", {"n": -2}, True),
])
def test_a_condition_evaluates_as_written(text: str, values: dict[str, object],
                                          expected: bool) -> None:
    """Each condition gives the truth value worked out by hand for its values."""
    assert evaluate(parse_condition(text), values) is expected


def test_names_lists_what_a_condition_reads() -> None:
    """`names` gives every answer or field a condition reads, and no keyword."""
    assert names(parse_condition("a > 1 and (b in [c, 2] or not d)")) == {"a", "b", "c", "d"}


@pytest.mark.parametrize(("text", "column"), [
    ("age >", 6), ("age >= 18 18", 11), ("__import__('os')", 11), ("a ; b", 3),
    ("(a == 1", 8), ("", 1), ("a + 1", 3),
])
def test_a_mistake_names_its_column(text: str, column: int) -> None:
    """What is not the language (calls, operators it lacks, unclosed brackets) is refused
    with the column where the mistake starts."""
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert caught.value.column == column


def test_deep_nesting_is_refused_not_a_crash() -> None:
    """Five hundred nested brackets are a `ConditionError`, not a RecursionError."""
    with pytest.raises(ConditionError, match="nested deeper"):
        parse_condition("(" * 500 + "a" + ")" * 500)


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    """Arbitrary text either parses to a condition that evaluates to a bool, or raises
    `ConditionError`; nothing else escapes."""
    try:
        tree = parse_condition(text)
    except ConditionError:
        return
    assert evaluate(tree, {}) in (True, False)
