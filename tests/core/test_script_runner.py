"""The pure script runner: the next step from the answers so far, skip logic, answer
checks, merges and outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.scripts import (
    AnswerError,
    Route,
    Script,
    Step,
    break_off,
    check_answer,
    parse_condition,
    parse_script,
    position,
    render,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"


def example(name: str) -> Script:
    return parse_script((EXAMPLES / f"{name}.yaml").read_text())


def test_a_new_run_stands_at_the_first_step() -> None:
    """With no answers the current step is the first, and nothing is passed."""
    pos = position(example("market-research"), {}, {})
    assert pos.current is not None and pos.current.id == "intro"
    assert pos.path == () and pos.outcome is None


def test_skip_logic_passes_over_a_step_whose_condition_is_false() -> None:
    """An e-bike owner is asked since when (not the intent, which is for non-owners)."""
    answers = {"intro": True, "consent": "agree", "age": 40, "region": "north",
               "transport": ["ebike"]}
    pos = position(example("market-research"), {}, answers)
    assert pos.current is not None and pos.current.id == "ebike_since"
    answers["ebike_since"] = None
    pos = position(example("market-research"), {}, answers)
    assert pos.current is not None and pos.current.id == "comment"


def test_a_route_jumps_forward_and_closes() -> None:
    """An under-age respondent goes straight to the ineligible close."""
    answers = {"intro": True, "consent": "agree", "age": 15}
    pos = position(example("market-research"), {}, answers)
    assert pos.ended and pos.outcome is not None
    assert pos.outcome.code == "ineligible"
    assert pos.path == ("intro", "consent", "age")


def test_answers_left_off_the_path_are_not_read() -> None:
    """After a changed answer re-routes the run, answers of the old branch stay stored
    but no condition reads them: the path holds only the steps walked."""
    answers = {"intro": True, "consent": "decline", "age": 40}
    pos = position(example("market-research"), {}, answers)
    assert pos.outcome is not None and pos.outcome.code == "refusal"
    assert pos.path == ("intro", "consent")


def test_a_sale_close_resolves_its_figures_from_the_answers() -> None:
    """The telesales close with the router orders the router at 39.90 EUR."""
    answers = {"greet": True, "time_ok": "ok", "pitch": True, "interest": 4,
               "router": "new", "months": 24, "decide": "yes_book"}
    pos = position(example("telesales"), {}, answers)
    assert pos.outcome is not None
    assert (pos.outcome.code, pos.outcome.product, pos.outcome.quantity,
            pos.outcome.amount, pos.outcome.currency) == (
        "sale", "ROUTER-FB250", 1.0, 39.9, "EUR")


def test_an_address_close_carries_the_new_address() -> None:
    """A corrected address comes out part by part from the answers."""
    answers = {"greet": True, "same": "moved", "new_street": "Hauptstr. 5",
               "new_postal_code": "10115", "new_city": "Berlin"}
    pos = position(example("address-update"), {}, answers)
    assert pos.outcome is not None and pos.outcome.code == "address_corrected"
    assert dict(pos.outcome.address) == {"street": "Hauptstr. 5", "postal_code": "10115",
                                         "city": "Berlin"}


def test_walking_off_the_end_gives_the_purpose_default() -> None:
    """A survey without a closing step reached ends `complete`."""
    script = parse_script("script: s\nsteps:\n  - id: a\n    text: Say something\n")
    pos = position(script, {}, {"a": "hi"})
    assert pos.current is None and pos.outcome is not None
    assert pos.outcome.code == "complete"


def test_a_break_off_follows_the_purpose() -> None:
    """A survey ended early is a break-off; a sales call a no-sale."""
    assert break_off(example("market-research")).code == "break_off"
    assert break_off(example("telesales")).code == "no_sale"


def test_render_merges_fields_and_earlier_answers() -> None:
    """The address close reads the new address and the customer's first name."""
    script = example("address-update")
    text, _ = render(script.step("corrected"), {"first_name": "Ann"},
                     {"new_street": "Hauptstr. 5", "new_postal_code": "10115",
                      "new_city": "Berlin"})
    assert text == "Thank you: Hauptstr. 5, 10115 Berlin is noted from today."


SCALE = Step("s", "scale", minimum=1, maximum=5)


@pytest.mark.parametrize(("step", "value", "stored"), [
    (SCALE, 3, 3),
    (Step("n", "number", minimum=0, maximum=10), 2.5, 2.5),
    (Step("d", "date"), "2027-03-01", "2027-03-01"),
    (Step("t", "text"), "  fine  ", "fine"),
    (Step("t", "text", required=False), "", None),
    (Step("m", "multiple", options=example("market-research").step("transport").options),
     ["walk", "car"], ["car", "walk"]),
    (Step("g", "say"), None, True),
])
def test_a_valid_answer_is_stored_in_its_form(step: Step, value: object,
                                              stored: object) -> None:
    """Each valid answer is kept as its question stores it (multiple choices in option
    order, text trimmed, a skipped optional question as null)."""
    assert check_answer(step, value) == stored


@pytest.mark.parametrize(("step", "value", "why"), [
    (SCALE, 6, "at most 5"),
    (SCALE, 2.5, "whole number"),
    (SCALE, True, "expected a number"),
    (SCALE, None, "required"),
    (Step("d", "date"), "1 March", "YYYY-MM-DD"),
    (Step("q", "single", options=example("telesales").step("router").options), "maybe",
     "not one of the options: new, own"),
    (Step("m", "multiple", options=example("market-research").step("transport").options),
     ["car", "car"], "each option once"),
])
def test_an_invalid_answer_says_why(step: Step, value: object, why: str) -> None:
    """An answer that does not fit is refused with the reason."""
    with pytest.raises(AnswerError, match=why):
        check_answer(step, value)


KINDS = ["say", "single", "number", "text", "close"]
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["a", "b"]),
                   st.lists(st.sampled_from(["a", "b"]), max_size=2))


@st.composite
def scripts_and_answers(draw: st.DrawFn) -> tuple[Script, dict[str, object]]:
    """A valid script of forward routes and conditions over earlier questions, with any
    answers (to any of its steps, valid or not)."""
    n = draw(st.integers(1, 8))
    steps = []
    for i in range(n):
        kind = draw(st.sampled_from(KINDS))
        earlier = [s.id for s in steps if s.kind not in ("say", "close")]
        routes = []
        for _ in range(draw(st.integers(0, 2))):
            goto = draw(st.sampled_from([f"s{j}" for j in range(i + 1, n)] + ["end"]))
            cond = None
            if earlier and draw(st.booleans()):
                cond = parse_condition(f"{draw(st.sampled_from(earlier))} == 'a'")
            routes.append(Route(goto, cond))
        when = None
        if earlier and draw(st.booleans()):
            when = parse_condition(f"{draw(st.sampled_from(earlier))} > 0")
        steps.append(Step(f"s{i}", kind, when=when,
                          routes=() if kind == "close" else tuple(routes),
                          outcome="complete" if kind == "close" else None))
    answers = draw(st.dictionaries(st.sampled_from([f"s{i}" for i in range(n)]), VALUES))
    return Script("p", "p", "survey", tuple(steps)), answers


@given(scripts_and_answers())
def test_the_runner_never_reaches_an_unknown_step(case: tuple[Script, dict[str, object]]
                                                  ) -> None:
    """For any script and answers, the run stands at one of its steps or has ended with
    an outcome, and its path is steps of the script in their order."""
    script, answers = case
    pos = position(script, {}, answers)
    ids = [s.id for s in script.steps]
    assert pos.current is None or pos.current in script.steps
    assert pos.ended == (pos.outcome is not None)
    order = [ids.index(sid) for sid in pos.path]
    assert order == sorted(set(order))
    assert all(sid in answers for sid in pos.path)
