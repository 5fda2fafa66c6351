"""Flows with the customer directory: branching on a found customer (`switch`), lookups
by account number, the customer's priority boost, and their YAML form."""

from __future__ import annotations

import pytest

from callcenter.core.ivr import (
    CallEntered,
    DigitPressed,
    EnterQueue,
    IvrCommand,
    IvrRunner,
    LookupAnswered,
    LookupCustomer,
    PlayPrompts,
    PromptFinished,
)
from callcenter.core.ivr_flow import (
    Collect,
    Flow,
    FlowError,
    Lookup,
    Node,
    Play,
    Prompt,
    SetValues,
    Switch,
    ToQueue,
)
from callcenter.flows import FlowFileError, parse_flows

VIP = (("customer_id", "7"), ("name", "Ada"), ("segment", "vip"), ("priority", "5"))


def runner(nodes: dict[str, Node], start: str) -> IvrRunner:
    """A runner with one flow `f` of these nodes."""
    return IvrRunner({"f": Flow("f", start, nodes)})


def entered(out: list[IvrCommand]) -> EnterQueue:
    """The one `EnterQueue` among the commands."""
    found = [c for c in out if isinstance(c, EnterQueue)]
    assert len(found) == 1, out
    return found[0]


def segment_flow() -> IvrRunner:
    """Lookup by caller; vip customers get skill vip and priority 20, others go on."""
    return runner({
        "l": Lookup("seg", "q"),
        "seg": Switch("customer.segment", (("vip", "vip"),), "q"),
        "vip": SetValues("q", priority=20, language="en", skills=()),
        "q": ToQueue("main"),
    }, "l")


def test_a_switch_sends_a_vip_customer_its_own_way() -> None:
    """A found customer of segment vip takes the vip branch (priority and language set)."""
    r = segment_flow()
    r.handle(CallEntered("c", "f", caller="+4930123"), 0.0)
    q = entered(r.handle(LookupAnswered("c", True, VIP), 0.1))
    assert (q.priority, q.language) == (20, "en")
    assert ("customer.name", "Ada") in q.variables


def test_a_switch_without_a_matching_case_takes_the_default() -> None:
    """Another segment, or no customer at all, takes the default branch."""
    r = segment_flow()
    r.handle(CallEntered("a", "f", caller="+4930123"), 0.0)
    r.handle(CallEntered("b", "f", caller="+4930124"), 0.0)
    gold = entered(r.handle(LookupAnswered("a", True, (("segment", "gold"),)), 0.1))
    nobody = entered(r.handle(LookupAnswered("b", False), 0.1))
    assert (gold.priority, gold.language) == (0, None)
    assert (nobody.priority, nobody.language) == (0, None)


def test_a_found_customer_raises_the_calls_priority_by_its_boost() -> None:
    """The customer's `priority` boost is added to the priority the flow set."""
    r = runner({"s": SetValues("l", priority=3), "l": Lookup("q", "q"), "q": ToQueue("main")},
               "s")
    r.handle(CallEntered("c", "f", caller="+4930123"), 0.0)
    assert entered(r.handle(LookupAnswered("c", True, VIP), 0.1)).priority == 8


def test_a_boost_that_is_no_number_is_ignored() -> None:
    """A `priority` field that is not a whole number leaves the priority alone."""
    r = runner({"l": Lookup("q", "q"), "q": ToQueue("main")}, "l")
    r.handle(CallEntered("c", "f", caller="+4930123"), 0.0)
    assert entered(r.handle(LookupAnswered("c", True, (("priority", "high"),)), 0.1)
                   ).priority == 0


def test_an_entered_account_number_is_looked_up_as_an_account() -> None:
    """A lookup with match=account asks for the collected digits as an account number."""
    r = runner({"ask": Collect((Prompt(text="Your number"),), "acct", "l", "q", max_digits=4),
                "l": Lookup("hi", "q", by="acct", match="account"),
                "hi": Play((Prompt(text="Hello {customer.name}"),), "q"),
                "q": ToQueue("main")}, "ask")
    r.handle(CallEntered("c", "f", caller="+4930123"), 0.0)
    r.handle(PromptFinished("c"), 1.0)
    out: list[IvrCommand] = []
    for key in "1234":
        out = r.handle(DigitPressed("c", key), 1.5)
    assert out == [LookupCustomer("c", "1234", "account")]
    out = r.handle(LookupAnswered("c", True, VIP), 1.6)
    assert out == [PlayPrompts("c", (Prompt(text="Hello Ada"),), False, None, 2)]


def test_a_lookup_matches_something_known() -> None:
    """A lookup's match is number or account; anything else names the field."""
    with pytest.raises(FlowError, match=r"nodes.l.match: is 'number' or 'account', got 'name'"):
        runner({"l": Lookup("q", "q", match="name"), "q": ToQueue("main")}, "l")


def test_a_switch_is_checked() -> None:
    """A switch without cases, or on no variable name, is refused naming the field."""
    with pytest.raises(FlowError, match=r"nodes.s.cases: a switch needs at least one case"):
        runner({"s": Switch("customer.segment", (), "q"), "q": ToQueue("main")}, "s")
    with pytest.raises(FlowError, match=r"nodes.s.switch: not a variable name"):
        runner({"s": Switch("a b", (("x", "q"),), "q"), "q": ToQueue("main")}, "s")


def test_switches_looping_on_themselves_are_refused() -> None:
    """A cycle through switch nodes alone would never wait: refused."""
    with pytest.raises(FlowError, match="loop without waiting"):
        runner({"a": Switch("x", (("1", "b"),), "q"), "b": Switch("y", (("1", "a"),), "q"),
                "q": ToQueue("main")}, "a")


YAML = """
flows:
  main:
    nodes:
      ask: {collect: "Your account number", variable: acct, next: find, fail: q}
      find: {lookup: acct, match: account, found: seg, missing: q}
      seg:
        switch: customer.segment
        cases: {vip: q-vip}
        default: q
      q-vip: {queue: vip}
      q: {queue: main}
"""


def test_the_yaml_form_of_switch_and_account_lookup() -> None:
    """`switch` with cases and default, and a lookup's `match`, read from YAML."""
    flow = parse_flows(YAML)["main"]
    assert flow.nodes["find"] == Lookup("seg", "q", by="acct", match="account")
    assert flow.nodes["seg"] == Switch("customer.segment", (("vip", "q-vip"),), "q")


def test_a_bad_match_in_yaml_names_the_line_and_key() -> None:
    """An unknown match value is a FlowFileError at the lookup's line."""
    with pytest.raises(FlowFileError,
                       match=r"<flows>:6: flows.main.nodes.find.match: is 'number' or "):
        parse_flows(YAML.replace("match: account", "match: email"))


def test_a_switch_case_to_a_missing_node_is_named() -> None:
    """A case naming no node is refused naming the case."""
    with pytest.raises(FlowFileError, match=r"flows.main.nodes.seg.cases.vip: no node 'q-vp'"):
        parse_flows(YAML.replace("{vip: q-vip}", "{vip: q-vp}"))
