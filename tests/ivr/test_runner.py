"""The IVR interpreter: prompts, menus, digit collection, hours, lookups, queue
treatment and the ends of a flow, on a clock that is a number."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from callcenter.core.config import Calendar, SkillRequirement, WeeklyHours
from callcenter.core.events import TimerExpired
from callcenter.core.ivr import (
    CallEntered,
    CallLeft,
    DigitPressed,
    DuplicateCall,
    EnterQueue,
    FlowEnded,
    FlowsReplaced,
    IvrCommand,
    IvrRunner,
    LookupAnswered,
    LookupCustomer,
    PlayPrompts,
    PromptFinished,
    RecordVoicemail,
    ReleaseCall,
    RequestCallback,
    StartMusic,
    StopPrompts,
    TransferOut,
    UnknownFlow,
)
from callcenter.core.ivr_flow import (
    Callback,
    Collect,
    Flow,
    Hangup,
    Hours,
    Lookup,
    Menu,
    Node,
    Play,
    Prompt,
    QueueTreatment,
    SetValues,
    ToQueue,
    Transfer,
    Voicemail,
)

MONDAY_10 = datetime(2026, 11, 23, 10, tzinfo=UTC).timestamp()
HELLO = Prompt(text="Hello")
MENU = Prompt(text="Press 1 or 2")


def runner(nodes: dict[str, Node], start: str, **kw: object) -> IvrRunner:
    """A runner with one flow `f` of these nodes."""
    return IvrRunner({"f": Flow("f", start, nodes)}, **kw)  # type: ignore[arg-type]


def of(kind: type, commands: list[IvrCommand]) -> list[IvrCommand]:
    """The commands of one type."""
    return [c for c in commands if isinstance(c, kind)]


def menu_flow(**menu: object) -> IvrRunner:
    """A menu: 1 -> queue a, 2 -> queue b, failing to queue c."""
    return runner({"m": Menu((MENU,), (("1", "a"), ("2", "b")), "c", **menu),  # type: ignore[arg-type]
                   "a": ToQueue("qa"), "b": ToQueue("qb"), "c": ToQueue("qc")}, "m")


def test_play_waits_for_the_prompt_then_goes_on() -> None:
    """A play node plays without barge-in and moves on only when the prompt finished."""
    r = runner({"p": Play((HELLO,), "q"), "q": ToQueue("sales")}, "p")
    out = r.handle(CallEntered("c", "f", caller="+49301"), 0.0)
    assert out == [PlayPrompts("c", (HELLO,), False, None, 1)]
    assert of(EnterQueue, r.handle(DigitPressed("c", "5"), 1.0)) == []
    out = r.handle(PromptFinished("c"), 2.0)
    assert of(EnterQueue, out)[0].queue_id == "sales"


def test_a_finish_of_a_stopped_prompt_does_not_end_the_next_one() -> None:
    """The race: a key stops prompt 1 as its timer fires; that late finish (play 1) does
    not cut short prompt 2, which goes on only on its own finish."""
    r = runner({"m": Menu((MENU,), (("1", "p"),), "p"), "p": Play((HELLO,), "q"),
                "q": ToQueue("sales")}, "m")
    r.handle(CallEntered("c", "f"), 0.0)
    out = r.handle(DigitPressed("c", "1"), 1.0)
    assert of(PlayPrompts, out) == [PlayPrompts("c", (HELLO,), False, None, 2)]
    assert r.handle(PromptFinished("c", 1), 1.0) == []
    assert of(EnterQueue, r.handle(PromptFinished("c", 2), 3.0))[0].queue_id == "sales"


def test_a_key_during_the_menu_prompt_stops_it_and_chooses() -> None:
    """Barge-in: a valid key while the menu plays stops the prompt and routes at once."""
    r = menu_flow()
    r.handle(CallEntered("c", "f"), 0.0)
    out = r.handle(DigitPressed("c", "2"), 0.5)
    assert isinstance(out[0], StopPrompts)
    assert of(EnterQueue, out)[0].queue_id == "qb"


def test_menu_timeout_replays_with_the_no_input_prompt_then_fails() -> None:
    """No key within the timeout costs a try (no_input + menu again); after the retries
    the call goes to `fail`."""
    nothing = Prompt(text="I heard nothing")
    r = menu_flow(timeout=4.0, retries=1, no_input=(nothing,))
    r.handle(CallEntered("c", "f"), 0.0)
    r.handle(PromptFinished("c"), 3.0)
    assert r.next_deadline() == 7.0
    out = r.handle(TimerExpired(), 7.0)
    assert out == [PlayPrompts("c", (nothing, MENU), True, None, 2)]
    r.handle(PromptFinished("c"), 9.0)
    out = r.handle(TimerExpired(), 13.0)
    assert of(EnterQueue, out)[0].queue_id == "qc"


def test_an_invalid_key_plays_the_invalid_prompt_and_the_menu_again() -> None:
    """A key that is no choice costs a try and replays the menu after `invalid`."""
    wrong = Prompt(text="Not a choice")
    r = menu_flow(invalid=(wrong,))
    r.handle(CallEntered("c", "f"), 0.0)
    r.handle(PromptFinished("c"), 1.0)
    out = r.handle(DigitPressed("c", "7"), 2.0)
    assert out == [PlayPrompts("c", (wrong, MENU), True, None, 2)]
    assert r.next_deadline() is None  # no timer while the prompt plays


def collect_flow(**kw: object) -> IvrRunner:
    """Collect a 4-digit number into `account`, then queue `ok`; failing: queue `bad`."""
    return runner({"c": Collect((HELLO,), "account", "ok", "bad", **kw),  # type: ignore[arg-type]
                   "ok": ToQueue("ok"), "bad": ToQueue("bad")}, "c")


def press(r: IvrRunner, keys: str, at: float) -> list[IvrCommand]:
    """Press `keys` one per second from `at`; the commands of the last."""
    out: list[IvrCommand] = []
    for i, k in enumerate(keys):
        out = r.handle(DigitPressed("x", k), at + i)
    return out


def test_collect_ends_at_the_terminator_and_stores_the_variable() -> None:
    """Digits up to '#' are stored in the variable and the flow goes on."""
    r = collect_flow(min_digits=3, max_digits=6)
    r.handle(CallEntered("x", "f"), 0.0)
    out = press(r, "1234#", 1.0)
    assert of(EnterQueue, out)[0].queue_id == "ok"
    assert dict(of(EnterQueue, out)[0].variables)["account"] == "1234"


def test_collect_ends_by_itself_at_max_digits() -> None:
    """The max-th digit ends input without a terminator."""
    r = collect_flow(max_digits=4)
    r.handle(CallEntered("x", "f"), 0.0)
    out = press(r, "9876", 1.0)
    assert of(EnterQueue, out)[0].queue_id == "ok"


def test_collect_ends_after_the_inter_digit_timeout() -> None:
    """Some digits and then silence for inter_digit seconds: the input is evaluated."""
    r = collect_flow(min_digits=2, inter_digit=3.0)
    r.handle(CallEntered("x", "f"), 0.0)
    press(r, "55", 1.0)
    assert r.next_deadline() == 5.0
    out = r.handle(TimerExpired(), 5.0)
    assert dict(of(EnterQueue, out)[0].variables)["account"] == "55"


def test_collect_rejects_a_number_failing_the_pattern() -> None:
    """Input that does not match `pattern` costs a try; with none left it goes to fail."""
    r = collect_flow(pattern="[1-9][0-9]{3}", retries=0)
    r.handle(CallEntered("x", "f"), 0.0)
    out = press(r, "0123#", 1.0)
    assert of(EnterQueue, out)[0].queue_id == "bad"


def test_collect_too_short_costs_a_try() -> None:
    """Fewer than min_digits before the terminator replays the prompt."""
    r = collect_flow(min_digits=4, retries=1)
    r.handle(CallEntered("x", "f"), 0.0)
    out = press(r, "12#", 1.0)
    assert out == [PlayPrompts("x", (HELLO,), True, None, 2)]


def office() -> Calendar:
    """Monday to Friday 08:00-18:00 UTC."""
    return Calendar("UTC", tuple(WeeklyHours(d, time(8), time(18)) for d in range(5)))


@pytest.mark.parametrize(("hour", "queue"), [(10, "open-q"), (20, "closed-q")])
def test_hours_branch_on_the_calendar(hour: int, queue: str) -> None:
    """An hours node goes to `open` inside the calendar's hours and `closed` outside."""
    r = runner({"h": Hours(office(), "o", "c"), "o": ToQueue("open-q"),
                "c": ToQueue("closed-q")}, "h")
    at = datetime(2026, 11, 23, hour, tzinfo=UTC).timestamp()
    out = r.handle(CallEntered("c", "f"), at)
    assert of(EnterQueue, out)[0].queue_id == queue


def test_set_gives_the_queue_entry_language_skills_priority_and_variables() -> None:
    """Values set on the way are carried into EnterQueue and later prompts."""
    r = runner({"s": SetValues("q", language="en", skills=(SkillRequirement("english", 5),),
                               priority=2, variables=(("topic", "billing"),)),
                "q": ToQueue("billing")}, "s")
    e = of(EnterQueue, r.handle(CallEntered("c", "f", caller="+4930"), 0.0))[0]
    assert (e.language, e.skills, e.priority, e.caller) == (
        "en", (SkillRequirement("english", 5),), 2, "+4930")
    assert dict(e.variables)["topic"] == "billing"


def test_lookup_by_caller_merges_the_customer_fields() -> None:
    """A found customer's fields become `customer.*` variables and the call goes to found."""
    r = runner({"l": Lookup("yes", "no"), "yes": Play((Prompt(text="Hi {customer.name}"),), "q"),
                "no": ToQueue("anon"), "q": ToQueue("known")}, "l")
    out = r.handle(CallEntered("c", "f", caller="+4930"), 0.0)
    assert out == [LookupCustomer("c", "+4930")]
    out = r.handle(LookupAnswered("c", True, (("name", "Ada"),)), 0.2)
    assert out == [PlayPrompts("c", (Prompt(text="Hi Ada"),), False, None, 1)]


def test_a_lookup_without_answer_counts_as_not_found() -> None:
    """No directory answer within the timeout sends the call to `missing`; a late answer
    is ignored."""
    r = runner({"l": Lookup("yes", "no", timeout=2.0), "yes": ToQueue("known"),
                "no": ToQueue("anon")}, "l")
    r.handle(CallEntered("c", "f", caller="+4930"), 0.0)
    out = r.handle(TimerExpired(), 2.0)
    assert of(EnterQueue, out)[0].queue_id == "anon"
    assert of(EnterQueue, r.handle(LookupAnswered("c", True), 2.5)) == []


def test_lookup_of_an_anonymous_caller_goes_straight_to_missing() -> None:
    """With no number to look up, nothing is asked."""
    r = runner({"l": Lookup("yes", "no"), "yes": ToQueue("known"), "no": ToQueue("anon")}, "l")
    out = r.handle(CallEntered("c", "f"), 0.0)
    assert not of(LookupCustomer, out) and of(EnterQueue, out)[0].queue_id == "anon"


def queued(**treatment: object) -> IvrRunner:
    """A flow that queues at once with this treatment; position 3, wait 150 s."""
    return runner({"q": ToQueue("sales", QueueTreatment(**treatment))},  # type: ignore[arg-type]
                  "q", status=lambda _c: (3, 150.0))


def test_queue_entry_plays_consent_then_music_and_ends_the_flow_once() -> None:
    """Entering a queue: EnterQueue, FlowEnded `queue:sales`, the consent notice, music."""
    consent = Prompt(text="This call is recorded.")
    r = queued(consent=(consent,), music="jazz.wav")
    out = r.handle(CallEntered("c", "f"), 0.0)
    assert [type(c) for c in out] == [EnterQueue, FlowEnded, PlayPrompts, StartMusic]
    assert of(FlowEnded, out)[0].outcome == "queue:sales"
    assert of(StartMusic, out) == [StartMusic("c", "jazz.wav")]
    assert of(FlowEnded, r.handle(CallLeft("c"), 30.0)) == []
    assert "c" not in r


def test_queued_callers_hear_position_and_wait_periodically() -> None:
    """Every announce_every seconds the position and the wait in minutes are played."""
    r = queued(announce_every=45.0)
    r.handle(CallEntered("c", "f"), 0.0)
    assert r.next_deadline() == 45.0
    out = r.handle(TimerExpired(), 45.0)
    text = of(PlayPrompts, out)[0].prompts[0].text
    assert text is not None and "number 3" in text and "about 2 minutes" in text
    assert r.next_deadline() == 90.0


def test_the_callback_key_requests_a_callback_and_releases_the_line() -> None:
    """The exit key asks the engine for a callback, confirms, then hangs up."""
    r = queued(callback_key="1", announce_every=30.0)
    r.handle(CallEntered("c", "f"), 0.0)
    out = r.handle(DigitPressed("c", "1"), 5.0)
    assert of(RequestCallback, out) == [RequestCallback("c")]
    assert r.next_deadline() is None
    assert r.handle(PromptFinished("c"), 8.0) == [ReleaseCall("c", "callback")]
    assert "c" not in r


def test_callback_node_queues_as_a_callback_and_hangs_up_after_the_confirmation() -> None:
    """A callback node: EnterQueue, RequestCallback, confirmation, release."""
    r = runner({"cb": Callback("billing")}, "cb")
    out = r.handle(CallEntered("c", "f"), 0.0)
    assert [type(c) for c in out] == [EnterQueue, RequestCallback, FlowEnded, PlayPrompts]
    assert r.handle(PromptFinished("c"), 4.0) == [ReleaseCall("c", "callback")]


def test_voicemail_records_after_the_greeting() -> None:
    """Voicemail plays its greeting, then records into the box."""
    r = runner({"v": Voicemail("general", (HELLO,), 60.0)}, "v")
    out = r.handle(CallEntered("c", "f"), 0.0)
    assert of(FlowEnded, out)[0].outcome == "voicemail:general"
    assert r.handle(PromptFinished("c"), 3.0) == [RecordVoicemail("c", "general", 60.0)]


def test_transfer_and_hangup_end_the_flow() -> None:
    """Transfer hands the call out at once; hangup releases it after its prompt."""
    r = runner({"t": Transfer("+4930999")}, "t")
    out = r.handle(CallEntered("c", "f"), 0.0)
    assert of(TransferOut, out) == [TransferOut("c", "+4930999")] and "c" not in r
    r = runner({"h": Hangup((HELLO,))}, "h")
    r.handle(CallEntered("c", "f"), 0.0)
    assert r.handle(PromptFinished("c"), 2.0) == [ReleaseCall("c", "hangup")]


def test_a_caller_hanging_up_mid_flow_is_recorded_as_abandoned_with_its_path() -> None:
    """CallLeft before the end: FlowEnded `abandoned` with the nodes visited."""
    r = runner({"s": SetValues("m"), "m": Menu((MENU,), (("1", "q"),), "q"),
                "q": ToQueue("x")}, "s")
    r.handle(CallEntered("c", "f"), 10.0)
    out = r.handle(CallLeft("c"), 14.0)
    ended = of(FlowEnded, out)[0]
    assert (ended.outcome, ended.path, ended.started, ended.ended) == (
        "abandoned", ("s", "m"), 10.0, 14.0)
    assert r.handle(DigitPressed("c", "1"), 15.0) == []  # a late key is ignored


def test_unknown_flow_and_duplicate_calls_are_refused() -> None:
    """Starting a flow that does not exist, or a call id twice, raises."""
    r = menu_flow()
    with pytest.raises(UnknownFlow):
        r.handle(CallEntered("c", "nope"), 0.0)
    r.handle(CallEntered("c", "f"), 0.0)
    with pytest.raises(DuplicateCall):
        r.handle(CallEntered("c", "f"), 0.0)


def test_replaced_flows_take_new_calls_while_a_call_in_a_flow_keeps_its_own() -> None:
    """After `FlowsReplaced`, a new call of flow `f` queues to `new`; the call that
    entered before goes on in the flow it started in and queues to `old`; a flow left
    out of the replacement takes no new call."""
    r = IvrRunner({"f": Flow("f", "p", {"p": Play((HELLO,), "q"), "q": ToQueue("old")}),
                   "g": Flow("g", "q", {"q": ToQueue("old")})})
    r.handle(CallEntered("early", "f"), 0.0)
    assert r.handle(FlowsReplaced((Flow("f", "q", {"q": ToQueue("new")}),)), 1.0) == []
    assert of(EnterQueue, r.handle(CallEntered("late", "f"), 2.0))[0].queue_id == "new"
    assert of(EnterQueue, r.handle(PromptFinished("early"), 3.0))[0].queue_id == "old"
    with pytest.raises(UnknownFlow):
        r.handle(CallEntered("lost", "g"), 4.0)
