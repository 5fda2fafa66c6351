"""The post-call survey: a `survey` node takes a rating 1-5, and a queue that opts in
keeps its caller after the agent hangs up and records one survey row."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.center import CallCenter, CenterCommand
from callcenter.core.commands import Disconnect, RecordInteraction
from callcenter.core.config import AgentConfig, Membership, QueueConfig
from callcenter.core.csat import RecordSurvey, SurveyResult, SurveyStarted, csat_figures
from callcenter.core.engine import Engine
from callcenter.core.events import AgentHungUp, AgentLogin, CallerHungUp, OfferAccepted
from callcenter.core.ivr import (
    RATING,
    CallEntered,
    DigitPressed,
    FlowEnded,
    IvrRunner,
    LookupAnswered,
    PlayPrompts,
    PromptFinished,
    RecordVoicemail,
    ReleaseCall,
    TimerExpired,
)
from callcenter.core.ivr_flow import (
    Flow,
    FlowError,
    Hangup,
    Lookup,
    Prompt,
    Survey,
    ToQueue,
    Voicemail,
)
from callcenter.flows import FlowFileError, parse_flows

ASK = (Prompt(text="Rate the call from 1 to 5"),)
SORRY = (Prompt(text="Please press 1 to 5"),)


def survey_flow(comment: bool = False) -> Flow:
    """rate -> thanks (or a voice comment) on a rating; -> bye without one."""
    after = "comment" if comment else "thanks"
    nodes: dict[str, object] = {
        "rate": Survey(ASK, after, "bye", timeout=5.0, invalid=SORRY),
        "thanks": Hangup((Prompt(text="Thank you"),)),
        "bye": Hangup(),
    }
    if comment:
        nodes["comment"] = Voicemail("csat", (Prompt(text="After the tone, a comment"),), 30.0)
        del nodes["thanks"]
    return Flow("csat", "rate", nodes)  # type: ignore[arg-type]


def of(kind: type, commands: list[CenterCommand]) -> list[CenterCommand]:
    """The commands of one type."""
    return [c for c in commands if isinstance(c, kind)]


# ------------------------------------------------------------------ the survey node


def runner_at_wait() -> IvrRunner:
    """A runner whose call `c` heard the survey prompt to its end at t=1."""
    r = IvrRunner({"csat": survey_flow()})
    r.handle(CallEntered("c", "csat"), 0.0)
    r.handle(PromptFinished("c"), 1.0)
    return r


def ended(commands: list[object]) -> FlowEnded:
    """The one FlowEnded among `commands`."""
    [f] = [c for c in commands if isinstance(c, FlowEnded)]
    return f


def test_a_key_from_1_to_5_is_the_rating() -> None:
    """Pressing 4 keeps '4' in survey.rating and goes to `next`."""
    r = runner_at_wait()
    out = r.handle(DigitPressed("c", "4"), 2.0)
    out += r.handle(PromptFinished("c"), 3.0)
    f = ended(list(out))
    assert dict(f.variables)[RATING] == "4" and f.path == ("rate", "thanks")


def test_a_wrong_key_asks_once_more_with_the_invalid_prompt() -> None:
    """A 7 plays `invalid` then the question again; a 2 after it is the rating."""
    r = runner_at_wait()
    out = r.handle(DigitPressed("c", "7"), 2.0)
    [again] = [c for c in out if isinstance(c, PlayPrompts)]
    assert again.prompts == SORRY + ASK
    out = r.handle(DigitPressed("c", "2"), 3.0)
    out += r.handle(PromptFinished("c"), 4.0)
    assert dict(ended(list(out)).variables)[RATING] == "2"


def test_a_second_wrong_key_gives_no_rating() -> None:
    """Two wrong keys go to `fail` without a rating."""
    r = runner_at_wait()
    r.handle(DigitPressed("c", "0"), 2.0)
    out = r.handle(DigitPressed("c", "#"), 3.0)
    f = ended(list(out))
    assert RATING not in dict(f.variables) and f.path[-1] == "bye"


def test_no_key_gives_no_rating_without_asking_again() -> None:
    """Silence for `timeout` after the prompt goes to `fail` at once."""
    r = runner_at_wait()
    assert r.next_deadline() == 6.0
    out = r.handle(TimerExpired(), 6.0)
    f = ended(list(out))
    assert RATING not in dict(f.variables) and f.path == ("rate", "bye")


def test_a_survey_node_needs_a_positive_timeout() -> None:
    """timeout 0 is refused, naming the field."""
    with pytest.raises(FlowError, match=r"nodes\.rate\.timeout"):
        Flow("csat", "rate", {"rate": Survey(ASK, "bye", "bye", timeout=0.0),
                              "bye": Hangup()})


# ------------------------------------------------------------------ after the call


def center(comment: bool = False, survey: str | None = "csat") -> CallCenter:
    """Queue `help` (agent `a`, no wrap-up time); flow `main` looks the caller up and
    queues it with the post-call survey `survey`."""
    engine = Engine([QueueConfig("help", wrap_up=0.0)],
                    [AgentConfig("a", queues=(Membership("help"),))])
    main = Flow("main", "find", {"find": Lookup("q", "q"), "q": ToQueue("help", survey=survey)})
    ivr = IvrRunner({"main": main, "csat": survey_flow(comment)})
    return CallCenter(engine, ivr)


def talking(cc: CallCenter, customer: str | None = "42") -> None:
    """Caller c (customer `customer`) is connected to agent a at t=10."""
    cc.handle(AgentLogin("a"), 0.0)
    cc.handle(CallEntered("c", "main", caller="+4930111"), 1.0)
    fields = () if customer is None else (("customer_id", customer),)
    cc.handle(LookupAnswered("c", customer is not None, fields), 2.0)
    cc.handle(OfferAccepted("a", "c"), 10.0)


def test_the_agent_hanging_up_starts_the_survey_and_keeps_the_caller() -> None:
    """AgentHungUp: the Disconnect says `survey` (the caller's leg stays), SurveyStarted
    names the flow and the caller hears the question; the interaction is recorded."""
    cc = center()
    talking(cc)
    out = cc.handle(AgentHungUp("a", "c"), 70.0)
    assert of(Disconnect, out) == [Disconnect("c", "a", "survey")]
    assert of(SurveyStarted, out) == [SurveyStarted("c", "csat")]
    assert [p.prompts for p in of(PlayPrompts, out) if isinstance(p, PlayPrompts)] == [ASK]
    assert of(RecordInteraction, out) and not of(ReleaseCall, out)
    assert cc.in_survey("c")


def test_a_rating_is_recorded_with_the_call_its_queue_agent_and_customer() -> None:
    """Pressing 5 after the question gives one row linked to c, help, a and customer 42."""
    cc = center()
    talking(cc)
    cc.handle(AgentHungUp("a", "c"), 70.0)
    out = cc.handle(DigitPressed("c", "5"), 72.0)
    assert of(RecordSurvey, out) == [RecordSurvey(SurveyResult(
        "c", "help", "a", "csat", 70.0, 72.0, 5, None, 42))]
    out = cc.handle(PromptFinished("c"), 73.0)
    assert of(ReleaseCall, out) == [ReleaseCall("c", "hangup")] and "c" not in cc.ivr


def test_a_caller_hanging_up_in_the_survey_is_recorded_as_not_answered() -> None:
    """CallerHungUp during the question: a row without a rating; the engine (done with
    the call) is not asked again."""
    cc = center()
    talking(cc, customer=None)
    cc.handle(AgentHungUp("a", "c"), 70.0)
    out = cc.handle(CallerHungUp("c"), 71.0)
    assert of(RecordSurvey, out) == [RecordSurvey(SurveyResult(
        "c", "help", "a", "csat", 70.0, 71.0, None, None, None))]
    assert not cc.in_survey("c") and "c" not in cc.ivr


def test_a_voice_comment_after_the_rating_is_linked_by_its_box() -> None:
    """A rating then the voicemail node: the row names the box, the recording starts."""
    cc = center(comment=True)
    talking(cc)
    cc.handle(AgentHungUp("a", "c"), 70.0)
    out = cc.handle(DigitPressed("c", "3"), 71.0)
    out += cc.handle(PromptFinished("c"), 74.0)
    assert of(RecordVoicemail, out) == [RecordVoicemail("c", "csat", 30.0)]
    [rec] = of(RecordSurvey, out + cc.handle(CallerHungUp("c"), 90.0))
    assert isinstance(rec, RecordSurvey)
    assert (rec.result.rating, rec.result.comment_box) == (3, "csat")


def test_the_caller_hanging_up_first_gets_no_survey() -> None:
    """When the caller ends the conversation there is nobody to ask: no survey row."""
    cc = center()
    talking(cc)
    out = cc.handle(CallerHungUp("c"), 70.0)
    assert of(Disconnect, out) == [Disconnect("c", "a", "caller_hung_up")]
    assert not of(SurveyStarted, out) and not of(RecordSurvey, out)


def test_a_queue_without_a_survey_hangs_the_caller_up_with_the_agent() -> None:
    """No `survey` on the queue node: the Disconnect is the usual `agent_hung_up`."""
    cc = center(survey=None)
    talking(cc)
    out = cc.handle(AgentHungUp("a", "c"), 70.0)
    assert of(Disconnect, out) == [Disconnect("c", "a", "agent_hung_up")]
    assert not of(SurveyStarted, out)


# ------------------------------------------------------------------ figures


def test_figures_worked_by_hand() -> None:
    """Ratings 5, 4, 2, 5 and two unanswered: answered 4 of 6, satisfied 3, CSAT 3/4,
    mean (5+4+2+5)/4 = 4.0, response rate 4/6."""
    f = csat_figures([5, None, 4, 2, None, 5], comments=1)
    assert (f.offered, f.answered, f.satisfied) == (6, 4, 3)
    assert f.csat == 0.75 and f.mean == 4.0 and f.response_rate == pytest.approx(4 / 6)
    assert f.counts == (0, 1, 0, 1, 2) and f.comments == 1


def test_figures_of_nothing_answered_are_none() -> None:
    """Offered but never answered: CSAT and mean are None, the response rate 0."""
    f = csat_figures([None, None])
    assert (f.csat, f.mean, f.response_rate) == (None, None, 0.0)


# ------------------------------------------------------------------ the YAML form

YAML = """
flows:
  main:
    nodes:
      q: { queue: help, survey_flow: csat }
  csat:
    nodes:
      rate:
        survey: "Rate the call from 1 to 5"
        invalid: "Please press 1 to 5"
        timeout: 4
        next: thanks
      thanks: { hangup: "Thank you" }
"""


def test_the_yaml_form_of_a_survey_and_its_queue() -> None:
    """`survey_flow` on a queue names the flow; a survey node's fail defaults to next."""
    flows = parse_flows(YAML)
    q = flows["main"].nodes["q"]
    assert isinstance(q, ToQueue) and q.survey == "csat"
    assert flows["csat"].nodes["rate"] == Survey(ASK, "thanks", "thanks", timeout=4.0,
                                                 invalid=SORRY)


def test_a_queue_naming_a_survey_flow_that_does_not_exist_is_refused() -> None:
    """The mistake names the line and key of `survey`."""
    with pytest.raises(FlowFileError, match=r"<flows>:5: flows.main.nodes.q.survey_flow: no flow "
                                            r"'nps'"):
        parse_flows(YAML.replace("survey_flow: csat", "survey_flow: nps"))


# ------------------------------------------------------------------ property

survey_action = st.one_of(
    st.tuples(st.just("key"), st.sampled_from(list("0123456789#*"))),
    st.tuples(st.just("done"), st.just("")),
    st.tuples(st.just("wait"), st.floats(0.1, 12.0)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(survey_action, max_size=12), st.booleans())
def test_every_survey_ends_in_one_row_with_the_first_valid_key(
        actions: list[tuple[str, object]], comment: bool) -> None:
    """Whatever the caller does after the agent hangs up (keys, prompts ending, time
    passing, finally hanging up): exactly one survey row; its rating, if any, is the
    first key 1-5 pressed, after at most one wrong key; nothing is left behind."""
    cc = center(comment=comment)
    talking(cc)
    now = 70.0
    out = cc.handle(AgentHungUp("a", "c"), now)
    keys: list[str] = []
    for kind, value in actions:
        now += 0.5
        if kind == "key":
            keys.append(str(value))
            out += cc.handle(DigitPressed("c", str(value)), now)
        elif kind == "done":
            out += cc.handle(PromptFinished("c"), now)
        else:
            now += float(str(value))
            due = cc.next_deadline()
            if due is not None and due <= now:
                out += cc.handle(TimerExpired(), now)
    out += cc.handle(CallerHungUp("c"), now + 1)
    rows = [c.result for c in out if isinstance(c, RecordSurvey)]
    assert len(rows) == 1
    rating = rows[0].rating
    if rating is not None:
        first = next(i for i, k in enumerate(keys) if k in "12345")
        assert rating == int(keys[first]) and first <= 1
    assert "c" not in cc.ivr and not cc.in_survey("c") and cc.ivr.next_deadline() is None
