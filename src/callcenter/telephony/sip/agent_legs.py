"""The agents' side of the `sip` adapter's calls: each offer is a leg to the agent's
phone, bridged to the caller through rtpengine once the engine says `Connect`.

    legs = AgentLegs(b2bua, media, registrar, config, recorder, playback, steps, now, emit)
    await legs.offer(call, offer_to_agent)   # INVITE to the registered (else static) contact
    await legs.connect(call, agent_id)        # rtpengine relays caller and agent
    await legs.hold(call, hold)               # agent blocked and unbridged, music to the caller
    await legs.disconnect(call, disconnect)
    legs.on_event(leg_event)                  # True when it was an agent's leg

What happens on an agent's leg is reported to the engine: its answer `OfferAccepted`,
busy or a failure `OfferRejected`, its BYE after answering `AgentHungUp`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from callcenter.core.commands import Disconnect, Hold, OfferToAgent
from callcenter.core.events import AgentHungUp, OfferAccepted, OfferRejected
from callcenter.telephony.sip.b2bua import SipB2BUA
from callcenter.telephony.sip.b2bua_interface import (
    Answered,
    Busy,
    Failed,
    HungUp,
    LegEvent,
    NoAnswer,
)
from callcenter.telephony.sip.call import Call
from callcenter.telephony.sip.config import TelephonyConfig
from callcenter.telephony.sip.features import CallSteps
from callcenter.telephony.sip.media import MediaAnchor
from callcenter.telephony.sip.pcap_wav import sdp_media_address
from callcenter.telephony.sip.playback import Playback
from callcenter.telephony.sip.recorder import Recorder
from callcenter.telephony.sip.registrar import Registrar
from callcenter.telephony.sip.rtpengine import NgError

log = logging.getLogger(__name__)


class AgentLegs:
    """Offers to agents' phones, bridging, hold and the agents' leg events."""

    def __init__(self, b2bua: SipB2BUA, media: MediaAnchor, registrar: Registrar,
                 config: TelephonyConfig, recorder: Recorder | None, playback: Playback,
                 steps: CallSteps, now: Callable[[], float],
                 emit: Callable[[Any], None]) -> None:
        self._b2bua, self._media, self._registrar = b2bua, media, registrar
        self._config, self._recorder, self._playback = config, recorder, playback
        self._steps, self._now, self._emit = steps, now, emit
        self._legs: dict[str, tuple[Call, str]] = {}

    async def offer(self, call: Call, offer: OfferToAgent) -> None:
        """Ring the agent's phone: the newest registered contact, else the static one."""
        contact = self._registrar.contact(offer.agent_id, self._now()) or \
            self._config.agents.get(offer.agent_id)
        if contact is None or call.ended:
            if contact is None:
                log.warning("agent %s's phone is not registered (and has no static contact); "
                            "the offer of %s rings nowhere", offer.agent_id, call.id)
            return
        if call.outbound:  # its answer may still be on the way to rtpengine
            try:
                await asyncio.wait_for(call.media_ready.wait(), 5.0)
            except TimeoutError:
                log.error("outbound call %s: no media to offer %s", call.id, offer.agent_id)
                return
        timeout = max(1.0, offer.expires_at - self._now()) + self._config.offer_slack
        leg = await self._b2bua.originate(contact, from_number=call.caller,
                                          sdp=self._media.agent_offer(call.media),
                                          timeout=timeout)
        call.offers[offer.agent_id] = leg
        self._legs[leg] = (call, offer.agent_id)

    async def hang_up(self, call: Call, agent_id: str) -> None:
        """End the agent's leg of the call (CANCEL while it rings, else BYE)."""
        leg = call.offers.get(agent_id)
        if leg is not None:
            await self._b2bua.hangup(leg)

    async def connect(self, call: Call, agent_id: str) -> None:
        """Bridge caller and agent (the agent's answer replaces the sink); recording starts."""
        sdp = call.answers.get(agent_id)
        if sdp is None or call.ended:
            log.warning("connect of %s to %s without the agent's answer", call.id, agent_id)
            return
        await self._playback.stop(call)
        try:
            await self._media.connect(call.media, sdp)
        except NgError as exc:
            log.error("bridging %s to %s: %s", call.id, agent_id, exc)
            return
        call.connected = agent_id
        call.agent_media = sdp_media_address(sdp)
        if self._recorder is not None and self._recorder.settings.calls:
            await self._recorder.start(call.media, call.id, caller=call.caller)

    async def hold(self, call: Call, c: Hold) -> None:
        """On hold: the agent's leg goes back to the sink and both sides' media are
        blocked (the agent hears nothing, the caller hears music and not the agent's
        phone, which goes on sending); off hold: the music stops, the media are
        unblocked and caller and agent are bridged again."""
        if call.ended or call.connected != c.agent_id:
            return
        try:
            if c.held:
                await self._media.hold(call.media)
                await self._playback.start_music(call, call.generation)
            else:
                await self._playback.stop(call)
                await self._media.connect(call.media, call.answers[c.agent_id])
        except (NgError, KeyError) as exc:
            log.error("%s of %s: %s", "hold" if c.held else "resume", call.id, exc)

    async def disconnect(self, call: Call, c: Disconnect) -> None:
        """The agent's part ends: the agent hung up (the caller's leg ends too), or the
        call was transferred (the caller hears music until its next bridge), or the agent
        hung up and the caller stays for a post-call survey (`survey`: unbridged, no
        music; the survey flow's prompts come next)."""
        if c.reason == "agent_hung_up":
            await self._steps.hang_up(call)
            return
        await self.hang_up(call, c.agent_id)
        if c.reason == "survey" and call.connected == c.agent_id:
            call.connected = None
            call.music = None
            try:
                await self._media.disconnect(call.media)
            except NgError as exc:
                log.error("unbridging %s for its survey: %s", call.id, exc)
            return
        if c.reason == "transferred" and call.connected == c.agent_id:
            call.connected = None
            try:
                await self._media.disconnect(call.media)
            except NgError as exc:
                log.error("unbridging %s: %s", call.id, exc)
                return
            # Back in a queue (or on the way to another agent or number): hold music
            # until the next Connect or TransferExternal stops it.
            call.music = call.music or self._playback.music(None)
            call.generation += 1
            await self._playback.start_music(call, call.generation)

    def on_event(self, event: LegEvent) -> bool:
        """Report what happened on an agent's leg; False when it is not an agent's leg."""
        found = self._legs.get(event.call_id)
        if found is None:
            return False
        call, agent_id = found
        if isinstance(event, Answered):
            call.answers[agent_id] = event.sdp or ""
            self._emit(OfferAccepted(agent_id, call.id))
            return True
        if isinstance(event, Busy | Failed):
            self._emit(OfferRejected(agent_id, call.id))
        elif isinstance(event, HungUp) and event.remote and agent_id in call.answers:
            self._emit(AgentHungUp(agent_id, call.id))
        elif not isinstance(event, NoAnswer | HungUp):
            return True  # Ringing
        self._legs.pop(event.call_id, None)
        if call.offers.get(agent_id) == event.call_id:
            del call.offers[agent_id]
            call.answers.pop(agent_id, None)
            if call.connected == agent_id:
                call.connected = None
        if call.ended and not call.offers:
            self._steps.spawn(self._steps.forget(call))
        return True
