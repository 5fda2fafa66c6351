"""Flow validation and the YAML flow files: clear errors with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.ivr_flow import Flow, FlowError, Menu, Play, Prompt, SetValues, ToQueue
from callcenter.flows import FlowFileError, load_flows, parse_flows

EXAMPLE = Path(__file__).parents[2] / "examples" / "flows" / "customer-service.yaml"
HI = (Prompt(text="hi"),)


def test_the_example_flow_loads() -> None:
    """The example is valid and starts with the business-hours check."""
    flows = load_flows(EXAMPLE)
    assert flows["main"].start == "hours" and flows["main"].language == "de"


def test_the_example_flow_ships_inside_the_package() -> None:
    """`callcenter.examples.flows` holds the same file, so an installed copy has it."""
    from importlib import resources
    shipped = resources.files("callcenter.examples.flows") / "customer-service.yaml"
    assert shipped.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_a_next_to_a_missing_node_is_named() -> None:
    """A `next` to a node that does not exist names the node and the field."""
    with pytest.raises(FlowError, match=r"nodes\.p\.next: no node 'nowhere'"):
        Flow("f", "p", {"p": Play(HI, "nowhere")})


def test_unreachable_nodes_are_refused() -> None:
    """Nodes the start cannot reach are listed."""
    with pytest.raises(FlowError, match="unreachable from 'p': lost"):
        Flow("f", "p", {"p": Play(HI, "q"), "q": ToQueue("x"), "lost": ToQueue("y")})


def test_a_loop_of_instant_nodes_is_refused() -> None:
    """Set nodes that lead back to each other would spin forever without input."""
    with pytest.raises(FlowError, match="loop without waiting"):
        Flow("f", "a", {"a": SetValues("b"), "b": SetValues("a")})


def test_a_loop_through_a_menu_is_allowed() -> None:
    """A menu that leads back to itself waits for the caller each time: valid."""
    flow = Flow("f", "m", {"m": Menu(HI, (("1", "m"), ("2", "q")), "m"), "q": ToQueue("x")})
    assert flow.start == "m"


@pytest.mark.parametrize(("choices", "message"), [
    ((), "at least one choice"),
    ((("12", "q"),), "one key"),
    ((("1", "q"), ("1", "q")), "twice"),
])
def test_bad_menu_choices_are_named(choices: tuple[tuple[str, str], ...], message: str) -> None:
    """Empty choices, multi-key choices and duplicates are refused."""
    with pytest.raises(FlowError, match=message):
        Flow("f", "m", {"m": Menu(HI, choices, "q"), "q": ToQueue("x")})


def test_yaml_errors_name_file_line_and_key(tmp_path: Path) -> None:
    """A broken reference in a file is reported with the file, its line and key path."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("flows:\n  main:\n    nodes:\n      a:\n        play: hi\n"
                   "        next: b\n")
    with pytest.raises(FlowFileError) as err:
        load_flows(bad)
    assert str(err.value) == f"{bad}:6: flows.main.nodes.a.next: no node 'b'"


def test_an_unknown_key_lists_the_known_ones() -> None:
    """A misspelt field is named with the fields its node kind knows."""
    text = "flows:\n  main:\n    nodes:\n      q:\n        queue: sales\n        musik: x.wav\n"
    with pytest.raises(FlowFileError, match=r"<flows>:6: flows.main.nodes.q.musik: unknown key "
                                            r"for queue \(known: announce_every"):
        parse_flows(text)


def test_a_node_must_have_exactly_one_kind() -> None:
    """A node with two kinds (or none) is refused naming the kinds."""
    text = "flows:\n  main:\n    nodes:\n      q:\n        queue: a\n        transfer: '1'\n"
    with pytest.raises(FlowFileError, match="exactly one of"):
        parse_flows(text)


def test_hours_need_a_known_calendar() -> None:
    """An hours node naming no defined calendar lists the known ones."""
    text = ("calendars:\n  office: {timezone: UTC, hours: {mon-fri: '08:00-18:00'}}\n"
            "flows:\n  main:\n    nodes:\n      h: {hours: shop, open: q, closed: q}\n"
            "      q: {queue: x}\n")
    with pytest.raises(FlowFileError,
                       match=r":6: flows.main.nodes.h.hours: no calendar 'shop' \(known: office\)"):
        parse_flows(text)


def test_bad_calendar_hours_are_named() -> None:
    """Opening hours not written HH:MM-HH:MM are refused with the weekday key."""
    text = ("calendars:\n  office: {hours: {mon-fri: '8 to 6'}}\n"
            "flows:\n  main:\n    nodes:\n      q: {queue: x}\n")
    with pytest.raises(FlowFileError, match=r"calendars.office.hours.mon-fri: hours are"):
        parse_flows(text)


def test_invalid_yaml_is_reported_with_its_line() -> None:
    """Broken YAML syntax names the line."""
    with pytest.raises(FlowFileError, match=r"<flows>:2: not valid YAML"):
        parse_flows("flows:\n\tmain: {}\n")


def test_a_prompt_must_be_a_wav_file_or_text() -> None:
    """A prompt file that is not a WAV file is refused naming the field."""
    text = "flows:\n  main:\n    nodes:\n      p: {play: {file: hello.mp3}, next: q}\n" \
           "      q: {queue: x}\n"
    with pytest.raises(FlowFileError, match=r"nodes.p.play: prompts are WAV files"):
        parse_flows(text)


QUEUED = """\
flows:
  main:
    start: ask
    nodes:
      ask:
        play: "One moment."
        next: wait
      wait:
        queue: sales
  back:
    nodes:
      later:
        callback: billing
"""


def test_the_error_carries_its_line() -> None:
    """The line of the key in the message is also the error's `line` (7: `next`)."""
    with pytest.raises(FlowFileError) as caught:
        parse_flows(QUEUED.replace("next: wait", "next: nowhere"))
    assert caught.value.line == 7
    assert str(caught.value).startswith("<flows>:7: flows.main.nodes.ask.next")


def test_a_yaml_error_carries_its_line() -> None:
    """A tab where YAML wants spaces (line 3) gives `line` 3."""
    with pytest.raises(FlowFileError) as caught:
        parse_flows(QUEUED.replace("    start: ask", "\tstart: ask"))
    assert caught.value.line == 3


def test_given_queues_every_queue_node_must_name_one() -> None:
    """With `queues`, a queue node (line 9) and a callback node (line 13) to a queue
    not among them are refused by line; without, both flows load."""
    assert set(parse_flows(QUEUED)) == {"main", "back"}
    with pytest.raises(FlowFileError) as caught:
        parse_flows(QUEUED, queues={"billing"})
    assert (caught.value.line, str(caught.value)) == (
        9, "<flows>:9: flows.main.nodes.wait.queue: no queue 'sales' (queues: billing)")
    with pytest.raises(FlowFileError) as caught:
        parse_flows(QUEUED, queues={"sales"})
    assert (caught.value.line, str(caught.value)) == (
        13, "<flows>:13: flows.back.nodes.later.callback: no queue 'billing' (queues: sales)")
    assert set(parse_flows(QUEUED, queues={"sales", "billing"})) == {"main", "back"}


@pytest.mark.parametrize("text", ["", "# no flows yet\n", "calendars: {}\n"])
def test_a_file_without_flows_is_refused_naming_the_key(text: str) -> None:
    """A text with no `flows` key (an empty file included) is refused naming that key."""
    with pytest.raises(FlowFileError, match=r"^<flows>: flows: expected a mapping, got nothing$"):
        parse_flows(text)


_YAML_BITS = st.sampled_from(["flows:", "calendars:", "nodes:", "start:", "main:", "q:",
                              "queue: x", "play: hi", "next: q", "[", "]", "{", "}", "- ",
                              "'", "\n", "  ", "a[b", ".", ": ", "1", "null", "&a", "*a"])


@given(st.one_of(st.text(max_size=40), st.lists(_YAML_BITS, max_size=30).map("".join)))
def test_any_text_gives_flows_or_a_named_error(text: str) -> None:
    """Whatever the text, the parse ends with flows or a FlowFileError (never hangs or
    raises anything else)."""
    try:
        flows = parse_flows(text)
    except FlowFileError as exc:
        assert str(exc).startswith("<flows>")
    else:
        assert all(isinstance(flow, Flow) for flow in flows.values())
