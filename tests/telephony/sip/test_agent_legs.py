"""The `sip` adapter's offers to agents' phones (`agent_legs.py`): what a busy, declining,
unanswered or answering phone reports to the engine.

The first tests drive `AgentLegs` with a fake B2BUA (it hands out leg ids and records
hang-ups) and feed it the leg events the B2BUA reports; the last ones ring a sipp phone
through the real B2BUA on loopback, so that a 486 or a 603 on the wire ends as the
engine's `OfferRejected`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from callcenter.core.commands import Disconnect, Hold, OfferToAgent
from callcenter.core.events import AgentHungUp, OfferAccepted, OfferRejected
from callcenter.telephony.sip.agent_legs import AgentLegs
from callcenter.telephony.sip.b2bua_interface import (
    Answered,
    Busy,
    Failed,
    HungUp,
    IncomingCall,
    LegEvent,
    NoAnswer,
    Ringing,
    SipSettings,
)
from callcenter.telephony.sip.call import Call
from callcenter.telephony.sip.config import TelephonyConfig
from callcenter.telephony.sip.features import CallSteps
from callcenter.telephony.sip.registrar import Registrar, RegistrarSettings

from .sipp_peer import SCENARIOS, Recorder, Sipp, find_sipp, running_b2bua

PHONE = "sip:agent-1@127.0.0.1:5090"
NOW = 1000.0
OUR_SDP = (
    "v=0\r\no=callcenter 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


@dataclass
class FakeB2BUA:
    """The B2BUA's calls as AgentLegs makes them: each INVITE gets the next leg id."""

    invites: list[dict[str, Any]] = field(default_factory=list)
    hung_up: list[str] = field(default_factory=list)

    async def originate(self, uri: str, *, from_number: str, sdp: str | None,
                        timeout: float) -> str:
        self.invites.append({"uri": uri, "from_number": from_number, "sdp": sdp,
                             "timeout": timeout})
        return f"leg-{len(self.invites)}"

    async def hangup(self, call_id: str) -> None:
        self.hung_up.append(call_id)


@dataclass
class FakeMedia:
    """rtpengine as AgentLegs uses it: the SDP offered to the agent's phone, and the
    bridges made, held and undone (caller's media id, the agent's answer, "held", None)."""

    bridges: list[tuple[str, str | None]] = field(default_factory=list)

    def agent_offer(self, media_id: str) -> str:
        return OUR_SDP

    async def connect(self, media_id: str, sdp: str) -> None:
        self.bridges.append((media_id, sdp))

    async def disconnect(self, media_id: str) -> None:
        self.bridges.append((media_id, None))

    async def hold(self, media_id: str) -> None:
        self.bridges.append((media_id, "held"))


@dataclass
class FakePlayback:
    """What the caller hears: music started (with the call's music) and stops."""

    heard: list[str] = field(default_factory=list)

    def music(self, name: str | None) -> Path:
        return Path("hold.wav")

    async def start_music(self, call: Call, generation: int) -> None:
        self.heard.append(f"music {call.music}")

    async def stop(self, call: Call) -> None:
        self.heard.append("stop")


@dataclass
class World:
    """AgentLegs on fakes: what it reported to the engine, the calls it forgot."""

    legs: AgentLegs
    b2bua: Any
    emitted: list[Any]
    forgotten: list[Call]
    tasks: list[Coroutine[Any, Any, None]]
    media: FakeMedia = field(default_factory=FakeMedia)
    playback: FakePlayback = field(default_factory=FakePlayback)
    callers_hung_up: list[Call] = field(default_factory=list)

    def run_spawned(self) -> None:
        """Run the work AgentLegs handed to the adapter's task set."""
        async def run_all() -> None:
            for work in self.tasks:
                await work
        asyncio.run(run_all())


def world(b2bua: Any = None, *, agents: dict[str, str] | None = None,
          slack: float = 5.0) -> World:
    """AgentLegs with agent-1's static phone (unless `agents`), no registrations."""
    emitted: list[Any] = []
    forgotten: list[Call] = []
    tasks: list[Coroutine[Any, Any, None]] = []
    callers_hung_up: list[Call] = []
    media, playback = FakeMedia(), FakePlayback()

    async def forget(call: Call) -> None:
        forgotten.append(call)

    async def nothing(call: Call) -> None:
        return None

    async def hang_up_caller(call: Call) -> None:
        callers_hung_up.append(call)

    config = TelephonyConfig(sip=SipSettings(), flows={},
                             agents={"agent-1": PHONE} if agents is None else agents,
                             offer_slack=slack)
    steps = CallSteps(hang_up=hang_up_caller, stop_media=nothing,
                      locked=lambda call, work: tasks.append(work), spawn=tasks.append,
                      forget=forget)
    b2bua = FakeB2BUA() if b2bua is None else b2bua
    legs = AgentLegs(b2bua, media, Registrar((), RegistrarSettings()),  # type: ignore[arg-type]
                     config, None, playback, steps, lambda: NOW, emitted.append)  # type: ignore[arg-type]
    return World(legs, b2bua, emitted, forgotten, tasks, media, playback, callers_hung_up)


def offered(w: World, expires_at: float = NOW + 15) -> tuple[Call, str]:
    """A caller's call offered to agent-1; the call and the leg ringing its phone."""
    call = Call("i1", "caller-leg", "4930123456", entered=True)
    offer = OfferToAgent("i1", "agent-1", "sales", "voice", expires_at)
    asyncio.run(w.legs.offer(call, offer))
    return call, call.offers["agent-1"]


def test_a_busy_phone_rejects_the_offer() -> None:
    """A 486 Busy from the agent's phone is reported as OfferRejected for that agent."""
    w = world()
    _call, leg = offered(w)
    assert w.legs.on_event(Busy(leg, 486))
    assert w.emitted == [OfferRejected("agent-1", "i1")]


def test_a_declining_phone_rejects_the_offer() -> None:
    """A 603 Decline (a failure other than busy) is reported as OfferRejected."""
    w = world()
    _call, leg = offered(w)
    w.legs.on_event(Failed(leg, 603, "Decline"))
    assert w.emitted == [OfferRejected("agent-1", "i1")]


def test_a_rejected_offer_leaves_the_call_without_that_agents_leg() -> None:
    """After the phone refused, the call holds no offer to the agent and no answer."""
    w = world()
    call, leg = offered(w)
    w.legs.on_event(Busy(leg, 486))
    assert (call.offers, call.answers) == ({}, {})


def test_an_unanswered_phone_reports_nothing() -> None:
    """A leg given up unanswered reports no event: the engine's own offer timeout acts."""
    w = world()
    call, leg = offered(w)
    assert w.legs.on_event(NoAnswer(leg))
    assert w.emitted == []
    assert call.offers == {}


def test_a_ringing_phone_keeps_its_offer() -> None:
    """180 Ringing reports nothing and the leg stays the agent's offer."""
    w = world()
    call, leg = offered(w)
    assert w.legs.on_event(Ringing(leg))
    assert (w.emitted, call.offers) == ([], {"agent-1": leg})


def test_an_answering_phone_accepts_the_offer() -> None:
    """A 200 from the agent's phone is OfferAccepted, its SDP kept for the bridge."""
    w = world()
    call, leg = offered(w)
    w.legs.on_event(Answered(leg, "agent sdp"))
    assert w.emitted == [OfferAccepted("agent-1", "i1")]
    assert call.answers == {"agent-1": "agent sdp"}


def test_the_agent_hanging_up_after_answering_is_reported() -> None:
    """The agent's BYE after answering is AgentHungUp; its leg is gone from the call."""
    w = world()
    call, leg = offered(w)
    w.legs.on_event(Answered(leg, "agent sdp"))
    w.legs.on_event(HungUp(leg, remote=True))
    assert w.emitted == [OfferAccepted("agent-1", "i1"), AgentHungUp("agent-1", "i1")]
    assert call.offers == {}


def test_a_refused_leg_is_no_longer_an_agents_leg() -> None:
    """Once the phone refused, a late event on the same leg is not AgentLegs' to report."""
    w = world()
    _call, leg = offered(w)
    w.legs.on_event(Busy(leg, 486))
    assert not w.legs.on_event(HungUp(leg, remote=True))
    assert w.emitted == [OfferRejected("agent-1", "i1")]


def test_an_ended_call_is_forgotten_when_its_last_agent_phone_refuses() -> None:
    """The caller hung up while the agent's phone rang: the phone's 486 ends the last leg
    and the call's media is torn down."""
    w = world()
    call, leg = offered(w)
    call.ended = True
    w.legs.on_event(Busy(leg, 486))
    w.run_spawned()
    assert w.forgotten == [call]


def test_the_phone_rings_until_the_offer_ends_plus_the_slack() -> None:
    """An offer ending 15 s from now with 5 s of slack rings the static phone for 20 s,
    from the caller's number."""
    w = world(slack=5.0)
    offered(w, expires_at=NOW + 15)
    assert w.b2bua.invites == [{"uri": PHONE, "from_number": "4930123456", "sdp": OUR_SDP,
                                "timeout": 20.0}]


def test_an_agent_without_a_phone_is_not_rung() -> None:
    """No registration and no static contact: no INVITE, and the offer holds no leg."""
    w = world(agents={})
    call = Call("i1", "caller-leg", "4930123456", entered=True)
    asyncio.run(w.legs.offer(call, OfferToAgent("i1", "agent-1", "sales", "voice", NOW + 15)))
    assert (w.b2bua.invites, call.offers) == ([], {})


def answered(w: World) -> Call:
    """A call whose offer agent-1's phone answered with SDP "agent sdp"."""
    call, leg = offered(w)
    w.legs.on_event(Answered(leg, "agent sdp"))
    return call


def test_connect_bridges_the_caller_to_the_agents_answer() -> None:
    """Connect stops what plays to the caller and bridges its media to the agent's SDP."""
    w = world()
    call = answered(w)
    asyncio.run(w.legs.connect(call, "agent-1"))
    assert (w.playback.heard, w.media.bridges, call.connected) == (
        ["stop"], [("caller-leg", "agent sdp")], "agent-1")


def test_connect_without_the_agents_answer_bridges_nothing() -> None:
    """A Connect for an agent whose phone has not answered leaves the call unbridged."""
    w = world()
    call, _leg = offered(w)
    asyncio.run(w.legs.connect(call, "agent-1"))
    assert (w.media.bridges, call.connected) == ([], None)


def test_hold_holds_the_media_and_plays_music_to_the_caller() -> None:
    """On hold rtpengine holds the call's media and the caller hears the call's music."""
    w = world()
    call = answered(w)
    asyncio.run(w.legs.connect(call, "agent-1"))
    call.music = Path("hold.wav")
    asyncio.run(w.legs.hold(call, Hold("i1", "agent-1", True)))
    assert w.media.bridges[1:] == [("caller-leg", "held")]
    assert w.playback.heard[1:] == ["music hold.wav"]


def test_resume_stops_the_music_and_bridges_again() -> None:
    """Off hold the music stops and the caller is bridged to the agent's answer again."""
    w = world()
    call = answered(w)
    asyncio.run(w.legs.connect(call, "agent-1"))
    asyncio.run(w.legs.hold(call, Hold("i1", "agent-1", False)))
    assert w.playback.heard[1:] == ["stop"]
    assert w.media.bridges[1:] == [("caller-leg", "agent sdp")]


def test_a_transfer_hangs_up_the_agent_and_puts_the_caller_on_music() -> None:
    """Disconnect `transferred`: the agent's leg is hung up, the bridge undone and the
    caller hears hold music until the next agent."""
    w = world()
    call = answered(w)
    leg = call.offers["agent-1"]
    asyncio.run(w.legs.connect(call, "agent-1"))
    asyncio.run(w.legs.disconnect(call, Disconnect("i1", "agent-1", "transferred")))
    assert w.b2bua.hung_up == [leg]
    assert (w.media.bridges[1:], call.connected) == ([("caller-leg", None)], None)
    assert w.playback.heard[1:] == ["music hold.wav"]


def test_the_agent_hanging_up_hangs_up_the_caller() -> None:
    """Disconnect `agent_hung_up` ends the customer's leg."""
    w = world()
    call = answered(w)
    asyncio.run(w.legs.disconnect(call, Disconnect("i1", "agent-1", "agent_hung_up")))
    assert w.callers_hung_up == [call]


# ------------------------------------------------------------------ on the wire


@dataclass
class Forwarding(Recorder):
    """The B2BUA's events, recorded and handed to AgentLegs as the adapter does."""

    legs: AgentLegs | None = None

    def on_event(self, event: LegEvent) -> None:
        if self.legs is not None:
            self.legs.on_event(event)
        super().on_event(event)


async def no_calls(b2bua: Any, call: IncomingCall) -> None:
    raise AssertionError(f"no call was expected: {call}")


@pytest.fixture
def sipp_runner(tmp_path: Path) -> Any:
    """Starts sipp in this test's directory; kills (by PID) any still running at the end."""
    runner = Sipp(find_sipp(), tmp_path)
    yield runner
    runner.kill_all()


def refusing_phone(tmp_path: Path, status: str) -> Path:
    """A sipp phone that answers every INVITE with `status` (uas_busy.xml's 486 replaced)."""
    path = tmp_path / "uas_refuses.xml"
    path.write_text((SCENARIOS / "uas_busy.xml").read_text().replace("486 Busy Here", status))
    return path


def ring_over_the_wire(sipp_runner: Sipp, phone_scenario: str | Path,
                       expires_in: float, slack: float) -> tuple[int, str, World, list[Any]]:
    """Offer a call to agent-1 whose phone is a sipp running `phone_scenario`; wait until
    its leg ends. The phone's exit code and output, AgentLegs' world, the leg events."""
    recorder = Forwarding()

    async def main() -> tuple[int, str, World]:
        async with running_b2bua(no_calls, recorder) as b2bua:
            phone = await sipp_runner.start(phone_scenario)
            w = world(b2bua, agents={"agent-1": f"sip:agent-1@127.0.0.1:{phone.port}"},
                      slack=slack)
            recorder.legs = w.legs
            call = Call("i1", "caller-leg", "4930123456", entered=True)
            await w.legs.offer(call, OfferToAgent("i1", "agent-1", "sales", "voice",
                                                  NOW + expires_in))
            await recorder.until(lambda: any(
                isinstance(e, Busy | Failed | NoAnswer | HungUp) for e in recorder.events))
            return await phone.wait(), phone.output(), w

    code, output, w = asyncio.run(main())
    return code, output, w, recorder.events


@pytest.mark.requires_tool("sipp")
def test_a_phone_answering_486_on_the_wire_rejects_the_offer(sipp_runner: Sipp) -> None:
    """A real 486 Busy Here from the agent's phone reaches the engine as OfferRejected."""
    code, output, w, _ = ring_over_the_wire(sipp_runner, "uas_busy.xml", 15, 5)
    assert code == 0, output
    assert w.emitted == [OfferRejected("agent-1", "i1")]


@pytest.mark.requires_tool("sipp")
def test_a_phone_answering_603_on_the_wire_rejects_the_offer(sipp_runner: Sipp,
                                                             tmp_path: Path) -> None:
    """A real 603 Decline from the agent's phone reaches the engine as OfferRejected."""
    scenario = refusing_phone(tmp_path, "603 Decline")
    code, output, w, events = ring_over_the_wire(sipp_runner, scenario, 15, 5)
    assert code == 0, output
    assert [type(e) for e in events] == [Failed]
    assert w.emitted == [OfferRejected("agent-1", "i1")]


@pytest.mark.requires_tool("sipp")
def test_a_phone_ringing_past_the_offer_is_cancelled_without_an_event(
        sipp_runner: Sipp) -> None:
    """A phone that only rings is cancelled when its leg's time is up (the offer's one
    second minimum, no slack) and nothing is reported: the engine's timeout decides."""
    code, output, w, events = ring_over_the_wire(sipp_runner, "uas_no_answer.xml", 0, 0)
    assert code == 0, output  # the scenario ends only after our CANCEL
    assert [type(e) for e in events] == [Ringing, NoAnswer]
    assert w.emitted == []
