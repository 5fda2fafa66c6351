"""Script files: the examples parse, and each mistake is named with its line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.scripts import ScriptError, parse_script

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"

SMALL = """\
script: s
purpose: survey
steps:
  - id: age
    number: "How old are you, {first_name}?"
    min: 0
  - id: region
    single: Where?
    options: [north, south]
    when: age >= 18
  - id: done
    close: complete
"""


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_script_parses(path: Path) -> None:
    """Each example in examples/scripts is a valid script."""
    script = parse_script(path.read_text(), path.name)
    assert script.steps


def test_a_script_parses_into_its_steps() -> None:
    """The small script gives its three steps with their kinds, options and limits."""
    script = parse_script(SMALL)
    assert [(s.id, s.kind) for s in script.steps] == [
        ("age", "number"), ("region", "single"), ("done", "close")]
    assert [o.value for o in script.step("region").options] == ["north", "south"]
    assert script.step("age").minimum == 0
    assert script.step("done").outcome == "complete"


def _problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(ScriptError) as caught:
        parse_script(text)
    return [(p.line, p.path) for p in caught.value.problems]


def test_an_unknown_merge_field_is_named_with_its_line() -> None:
    """`{frist_name}` is an error on the line of the step's text."""
    text = SMALL.replace("{first_name}", "{frist_name}")
    with pytest.raises(ScriptError, match=r"unknown merge field \{frist_name\}") as caught:
        parse_script(text)
    assert [(p.line, p.path) for p in caught.value.problems] == [(5, "steps[0].number")]


def test_a_declared_field_may_be_merged() -> None:
    """A lead field listed under `fields` may be merged."""
    text = SMALL.replace("{first_name}", "{tariff}").replace("purpose: survey",
                                                             "purpose: survey\nfields: [tariff]")
    assert parse_script(text).fields == {"tariff"}


def test_a_condition_on_a_later_question_is_refused() -> None:
    """`when` may read only questions before its step."""
    text = SMALL.replace("when: age >= 18", "when: region == 'north'")
    assert _problems(text) == [(10, "steps[1].when")]


def test_a_route_backwards_is_refused() -> None:
    """Routes go forward only, so a walk always ends."""
    text = SMALL.replace("    when: age >= 18\n", "    next: age\n")
    assert _problems(text) == [(10, "steps[1].next")]


def test_a_route_to_an_unknown_step_is_refused() -> None:
    """A `goto` names a step of the script (or `end`)."""
    text = SMALL.replace("    when: age >= 18\n", "    next:\n      - if: age > 3\n"
                                                  "        goto: nowhere\n")
    with pytest.raises(ScriptError, match="no step 'nowhere'") as caught:
        parse_script(text)
    assert caught.value.problems[0].line == 12


def test_every_mistake_is_listed_in_line_order() -> None:
    """Two mistakes in two steps are both reported, first line first."""
    text = SMALL.replace("min: 0", "min: zero").replace("close: complete", "close: sold")
    assert _problems(text) == [(6, "steps[0].min"), (12, "steps[2].close")]


def test_an_outcome_must_belong_to_the_purpose() -> None:
    """A survey cannot close with `sale`."""
    with pytest.raises(ScriptError, match="not an outcome of a survey script"):
        parse_script(SMALL.replace("close: complete", "close: sale"))


def test_unquoted_yes_as_an_option_is_explained() -> None:
    """YAML's `yes` (read as true) as an option is refused with the advice to quote it."""
    with pytest.raises(ScriptError, match="put the text in quotes"):
        parse_script(SMALL.replace("[north, south]", "[yes, no]"))


def test_a_scale_needs_both_ends() -> None:
    """A scale without max is refused at its step."""
    text = SMALL.replace("number: \"How old are you, {first_name}?\"\n    min: 0",
                         "scale: How much?\n    min: 1")
    assert _problems(text) == [(4, "steps[0]")]


def test_quotas_are_read_with_their_lines() -> None:
    """The `quotas:` value is kept as written, with the line of each key path, and read
    into cells by the quotas module."""
    script = parse_script(SMALL + "quotas:\n  - answers: {region: north}\n    target: 5\n")
    assert script.quotas == [{"answers": {"region": "north"}, "target": 5}]
    assert dict(script.quota_lines)["quotas[0].target"] == 15
    assert [c.target for c in script.quota.cells] == [5]


def test_a_quota_mistake_is_named_with_its_line() -> None:
    """A quota on a question the script lacks is a problem of the script, on its line."""
    with pytest.raises(ScriptError) as caught:
        parse_script(SMALL + "quotas:\n  - answers: {colour: red}\n    target: 5\n")
    assert [p.line for p in caught.value.problems] == [14]


def test_not_yaml_names_its_line() -> None:
    """Broken YAML is a `ScriptError` with the line YAML gives."""
    with pytest.raises(ScriptError) as caught:
        parse_script("script: s\nsteps: [\n")
    assert caught.value.line == 3


@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused_cleanly(text: str) -> None:
    """Arbitrary text gives a script or a `ScriptError`; nothing else escapes."""
    try:
        parse_script(text)
    except ScriptError as exc:
        assert exc.problems


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["script", "steps", "id", "say", "single",
                                                       "options", "next", "when", "close",
                                                       "min", "max", "if", "goto", "purpose"]),
                                      inner, max_size=4),
                    max_leaves=20))
def test_any_structure_parses_or_is_refused_cleanly(data: object) -> None:
    """Any YAML structure built of the format's own keys gives a script or a
    `ScriptError` (never a TypeError or KeyError from a wrong shape)."""
    import yaml
    try:
        parse_script(yaml.safe_dump(data))
    except ScriptError as exc:
        assert exc.problems
