"""The `[ivr]` table and flow arrivals of scenario files: what they accept, and errors
that name the key."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.ivr_flow import Collect, Menu, Prompt
from callcenter.scenario.errors import ScenarioError
from callcenter.scenario.ivr_load import node_answers
from callcenter.scenario.load import load_scenario
from callcenter.scenario.spec import Constant
from tests.sim.ivr_files import write

MENU = Menu((Prompt(text="pick"),), (("1", "a"), ("2", "b")), "a")
COLLECT = Collect((Prompt(text="digits"),), "n", "a", "a")
PATH = ("ivr", "nodes", "menu")


def error_of(tmp_path: Path, ivr: str = "", replace: tuple[str, str] = ("", "")) -> str:
    path = write(tmp_path, ivr)
    path.write_text(path.read_text().replace(*replace))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    return str(err.value)


def test_the_ivr_table_is_read_with_its_defaults(tmp_path: Path) -> None:
    """Flows, node models, speaking rate and think time come from [ivr]; the rest default."""
    sc = load_scenario(write(tmp_path, '[ivr.nodes.menu]\nchoices = { "1" = 0.25, "2" = 0.75 }'))
    assert sc.ivr is not None
    assert set(sc.ivr.flows) == {"main"}
    assert sc.ivr.nodes["menu"].answers == (("1", 0.25), ("2", 0.75))
    assert sc.ivr.words_per_minute == 60 and sc.ivr.think_time == Constant(0.0)
    assert sc.ivr.lookup_found == 0.0 and sc.ivr.key_gap == 0.5
    assert sc.arrivals[0].flow == "main" and sc.arrivals[0].queue_id == ""


@pytest.mark.parametrize(("ivr", "replace", "key", "words"), [
    ('[ivr.nodes.menu]\nchoices = { "1" = 0.5, "2" = 0.4 }', ("", ""),
     "ivr.nodes.menu.choices", "sum to 1"),
    ('[ivr.nodes.menu]\nchoices = { "12" = 1.0 }', ("", ""),
     "ivr.nodes.menu.choices.12", "one key"),
    ('[ivr.nodes.number]\ndigits = "12a4"', ("", ""), "ivr.nodes.number.digits.12a4",
     "digits 0-9"),
    ('[ivr.nodes.menu]\ndigits = "1"', ("", ""), "ivr.nodes.menu.digits", "takes 'choices'"),
    ('[ivr.nodes.nowhere]\nchoices = { "1" = 1.0 }', ("", ""), "ivr.nodes.nowhere",
     "no menu, collect or survey node"),
    ('[ivr.nodes.menu]\nchoices = { "1" = -1.0, "2" = 2.0 }', ("", ""),
     "ivr.nodes.menu.choices.1", ">= 0"),
    ("", ('flow = "main"', 'flow = "other"'), "arrivals[0].flow", "no flow 'other'"),
    ("", ('flow = "main"', 'flow = "main"\nqueue = "A"'), "arrivals[0].flow", "not both"),
    ("", ('flow = "main"', 'flow = "main"\npriority = 2'), "arrivals[0].priority",
     "from the flow"),
    ("", ('flows = "flows.yaml"', 'flows = "missing.yaml"'), "ivr.flows", "cannot read"),
    ("", ("[queues.B]", ""), "ivr.flows", "no queue 'B'"),
    ("lookup_found = 2", ("", ""), "ivr.lookup_found", "0..1"),
    ("", ("words_per_minute = 60", "words_per_minute = 0"), "ivr.words_per_minute", "> 0"),
    ("thinking = 1", ("", ""), "ivr.thinking", "unknown key"),
])
def test_bad_ivr_settings_name_the_key(tmp_path: Path, ivr: str, replace: tuple[str, str],
                                       key: str, words: str) -> None:
    """Each mistake in [ivr] or a flow arrival is an error naming its key."""
    message = error_of(tmp_path, ivr, replace)
    assert f"{key}:" in message and words in message


def test_a_flow_arrival_without_an_ivr_table_is_an_error(tmp_path: Path) -> None:
    """A stream naming a flow in a scenario without [ivr] says what is missing."""
    path = write(tmp_path)
    text = path.read_text()
    path.write_text(text[:text.index("[ivr]")] + text[text.index("[[arrivals]]"):])
    with pytest.raises(ScenarioError, match=r"arrivals\[0\]\.flow: a flow needs an \[ivr\]"):
        load_scenario(path)


def test_a_missing_wav_prompt_is_an_error_naming_the_prompt_dir(tmp_path: Path) -> None:
    """A flow's WAV prompt that cannot be read stops loading, naming ivr.prompt_dir."""
    path = write(tmp_path)
    flows = (tmp_path / "flows.yaml").read_text()
    (tmp_path / "flows.yaml").write_text(flows.replace('"Goodbye"', "{ file: bye.wav }"))
    with pytest.raises(ScenarioError, match=r"ivr\.prompt_dir: cannot read the WAV prompt"):
        load_scenario(path)


KEYS = st.sampled_from(["0", "1", "2", "3", "9", "*", "#", "timeout", "hangup"])


@given(st.dictionaries(KEYS, st.integers(0, 100), min_size=1).filter(lambda d: sum(d.values())))
def test_menu_answers_that_sum_to_1_are_kept_as_given(weights: dict[str, int]) -> None:
    """Any menu keys (and timeout, hangup) with probabilities summing to 1 parse to the
    same answers and probabilities, in order."""
    total = sum(weights.values())
    table = {k: v / total for k, v in weights.items()}
    got = node_answers({"choices": table}, PATH, MENU)
    assert [a for a, _ in got.answers] == list(table)
    assert math.isclose(sum(p for _, p in got.answers), 1.0)
    assert dict(got.answers) == table


@given(st.dictionaries(KEYS, st.floats(0, 10), min_size=1))
def test_menu_answers_that_do_not_sum_to_1_are_refused(weights: dict[str, float]) -> None:
    """Probabilities whose sum is off 1 are refused with the key named."""
    if abs(sum(weights.values()) - 1) <= 1e-6:
        return
    with pytest.raises(ScenarioError, match="sum to 1") as err:
        node_answers({"choices": weights}, PATH, MENU)
    assert err.value.path == (*PATH, "choices")


@given(st.text(min_size=1, max_size=8).filter(
    lambda k: k not in ("timeout", "hangup") and not (len(k) == 1 and k in "0123456789*#")))
def test_anything_but_a_key_timeout_or_hangup_is_refused_at_a_menu(key: str) -> None:
    """A menu answer that is not one DTMF key, timeout or hangup names itself."""
    with pytest.raises(ScenarioError, match="one key of 0-9") as err:
        node_answers({"choices": {key: 1.0}}, PATH, MENU)
    assert err.value.path == (*PATH, "choices", key)


@given(st.from_regex(r"[0-9]{1,64}", fullmatch=True))
def test_a_string_of_digits_is_a_collect_answer_for_sure(digits: str) -> None:
    """`digits = "1234"` is that answer with probability 1."""
    assert node_answers({"digits": digits}, PATH, COLLECT).answers == ((digits, 1.0),)
