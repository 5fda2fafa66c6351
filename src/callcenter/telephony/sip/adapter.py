"""The `sip` telephony adapter: real calls through the B2BUA, media through rtpengine.

    adapter = SipTelephony(load_telephony_config("telephony.yaml"))
    runtime = build_runtime(settings, adapter, queues=qs, agents=ags, flows=adapter.config.flows)
    await runtime.start()      # starts rtpengine, then the B2BUA

A caller's INVITE to a DID is answered at once (200 with rtpengine's SDP) and
enters the DID's flow; from then on the `CallCenter`'s commands drive the call and
what happens on the lines comes back as events:

| on the line | event reported |
|---|---|
| an INVITE to a DID, answered | `CallEntered(call, flow of the DID, caller, dialed)` |
| a prompt has played (rtpengine reports its length; a timer) | `PromptFinished` |
| an RFC 4733 key from the caller (rtpengine's DTMF events) | `DigitPressed` |
| the agent's phone answers (200) / is busy or declines | `OfferAccepted` / `OfferRejected` |
| the caller's BYE (or CANCEL) / the agent's BYE | `CallerHungUp` / `AgentHungUp` |
| rtpengine died: BYE to both legs of its calls | `CallerHungUp(call, "media_lost")` |

| command | on the line |
|---|---|
| `PlayPrompts` / `StopPrompts` | `play media` of each prompt's WAV in turn / `stop media` |
| `StartMusic` | hold music (repeated) whenever no prompt plays |
| `LookupCustomer` | not here: the runtime's customer directory answers it (`runtime.lookups`) |
| `RecordVoicemail` | a beep, then the caller is recorded until `#`, the limit or hang-up |
| `TransferOut` | a leg to the number via the `dial` trunk, bridged to the caller on answer |
| `OfferToAgent` | INVITE to the registered (else static) contact; rings past the offer's end |
| `WithdrawOffer` | CANCEL (or BYE) of that leg |
| `Connect` | rtpengine relays caller and agent (the agent's answer replaces the sink) |
| `Disconnect` | hang up the agent's leg (caller hung up, transfer, survey) or the caller's |
| `ReleaseCall`, `ExitQueue` | hang up the caller |

Prompts and hold music are `playback.py`'s; offers to agents' phones, the bridge and
hold are `agent_legs.py`'s. With `recording` configured, every call is recorded from
the moment it is bridged to an agent (`recorder.py`); `pause_recording` /
`resume_recording` (the API's payment pause) stop and restart the writing, and after
the call the WAV is reported to `on_recording` with the interaction's id.

`originate(number, campaign_id)` places an outbound call for the dialer; its
ringing and outcome go to `on_dial` as `DialUpdate`s (`outbound.py`).

A phone that does not answer is left to the engine's offer timeout. Commands of
one call are carried out in order (a lock per call); prompts wait outside it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from callcenter.core.commands import (
    Command,
    Connect,
    Disconnect,
    ExitQueue,
    Hold,
    OfferToAgent,
    TransferExternal,
    WithdrawOffer,
)
from callcenter.core.events import CallerHungUp
from callcenter.core.ivr import (
    CallEntered,
    DigitPressed,
    IvrCommand,
    PlayPrompts,
    RecordVoicemail,
    ReleaseCall,
    StartMusic,
    StopPrompts,
    TransferOut,
)
from callcenter.telephony.base import Report
from callcenter.telephony.sip.agent_legs import AgentLegs
from callcenter.telephony.sip.b2bua import SipB2BUA
from callcenter.telephony.sip.b2bua_interface import (
    HungUp,
    IncomingCall,
    LegEvent,
)
from callcenter.telephony.sip.call import Call
from callcenter.telephony.sip.config import TelephonyConfig
from callcenter.telephony.sip.features import CallSteps, Transfers, Voicemails
from callcenter.telephony.sip.media import CALLEE, CALLER, MediaAnchor
from callcenter.telephony.sip.monitoring import Monitors
from callcenter.telephony.sip.outbound import OnDial, OutboundCalls
from callcenter.telephony.sip.pcap_wav import sdp_media_address
from callcenter.telephony.sip.playback import Playback
from callcenter.telephony.sip.prompts import PromptFiles
from callcenter.telephony.sip.recorder import OnRecording, Recorder
from callcenter.telephony.sip.registrar import Registrar
from callcenter.telephony.sip.rtpengine import NgCommandError, NgError
from callcenter.telephony.sip.rtpengine_process import DtmfEvent, RtpEngineProcess

log = logging.getLogger(__name__)

_IVR_ACTED_ON = (PlayPrompts, StopPrompts, StartMusic, ReleaseCall, RecordVoicemail,
                 TransferOut)
_ACTED_ON = (*_IVR_ACTED_ON, OfferToAgent, WithdrawOffer, Connect, Disconnect, Hold,
             TransferExternal, ExitQueue)

MEDIA_LOST = "media_lost"
"""The reason of the interactions ended because rtpengine died."""

class SipTelephony:
    """The `Telephony` adapter for real SIP calls (see the module's docstring)."""

    def __init__(self, config: TelephonyConfig, *, run_dir: Path | None = None,
                 now: Callable[[], float] = time.time, id_prefix: str | None = None,
                 on_dial: OnDial | None = None,
                 on_recording: OnRecording | None = None) -> None:
        self.config = config
        self.rtpengine = RtpEngineProcess(config.rtpengine, run_dir=run_dir,
                                          on_dtmf=self._on_dtmf, on_lost=self._on_lost)
        self.media = MediaAnchor(self.rtpengine.client, config.rtpengine.interface)
        self.prompts = PromptFiles(config.prompt_dir, config.prompt_cache)
        self.recorder = None if config.recording is None else Recorder(
            self.rtpengine.client, config.recording, on_ready=on_recording, now=now)
        self.registrar = Registrar(config.accounts, config.registrar)
        self.b2bua = SipB2BUA(config.sip, on_call=self._on_call, on_event=self._on_event,
                              registrar=self.registrar, now=now)
        self._now = now
        self._prefix = id_prefix or f"sip-{_base36(int(time.time()))}"
        self._ids = itertools.count(1)
        self._report: Report | None = None
        self._calls: dict[str, Call] = {}
        self._by_leg: dict[str, Call] = {}
        self.playback = Playback(self.media, self.prompts, config, self._emit)
        steps = CallSteps(self._hangup_caller, self.playback.stop, self._locked, self._spawn,
                          self._forget)
        self.agent_legs = AgentLegs(self.b2bua, self.media, self.registrar, config,
                                    self.recorder, self.playback, steps, now, self._emit)
        self.voicemails = Voicemails(self.media, self.recorder, config.prompt_cache, steps)
        self.transfers = Transfers(self.b2bua, self.media, config.dial, config.dial_timeout,
                                   steps)
        self._closing: set[str] = set()
        self.monitors = Monitors(
            self.b2bua, self.rtpengine.client, config.rtpengine.interface,
            lambda phone: self.registrar.contact(phone, self._now()) or config.agents.get(phone),
            self._spawn)
        self._tasks: set[asyncio.Task[None]] = set()
        self.outbound = OutboundCalls(self.b2bua, self.media, uri=config.dial,
                                      timeout=config.dial_timeout, now=now, on_dial=on_dial,
                                      prefix=self._prefix, spawn=self._spawn,
                                      on_answered=self._dial_answered,
                                      on_ended=self._dial_ended)

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "",
                        timeout: float | None = None) -> str:
        """Call `number` for the dialer; its `DialUpdate`s go to `on_dial` (outbound.py)."""
        return await self.outbound.originate(number, campaign_id, caller_id=caller_id,
                                             timeout=timeout)

    async def hang_up_dial(self, call_id: str) -> None:
        """End an outbound call placed by `originate`."""
        await self.outbound.hang_up(call_id)

    @property
    def calls(self) -> int:
        """Calls with a leg still up (caller or agent), or whose media is being torn
        down (a recording is handed to the recorder only then)."""
        return len(self._calls) + len(self._closing)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, report: Report) -> None:
        """Start rtpengine, the sink and the B2BUA."""
        self._report = report
        await self.rtpengine.start()
        try:
            await self.media.open()
            await self.b2bua.start()
        except BaseException:
            self.media.close()
            await self.rtpengine.stop()
            raise

    async def stop(self) -> None:
        """Hang up every leg, stop the B2BUA, then rtpengine."""
        await self.b2bua.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.recorder is not None:
            await self.recorder.drain()
        self.media.close()
        await self.rtpengine.stop()
        self._report = None

    # ------------------------------------------------------------------ outbound calls

    def _dial_answered(self, dial_id: str, leg: str, number: str) -> asyncio.Event:
        """A dialer's call was answered: from now on it is a call like an inbound one
        (offered to agents, bridged, recorded, listened to) whose customer is the callee;
        the dialer reports its engine events, so nothing is emitted here."""
        call = Call(dial_id, leg, number, entered=True, outbound=True, media_id=dial_id)
        self._calls[call.id] = call
        return call.media_ready

    def enter_flow(self, call_id: str, flow: str, caller: str, dialed: str) -> None:
        """An answered outbound call starts IVR flow `flow` (an agentless campaign): once
        its media is up, `CallEntered` is reported; prompts go to the callee's tag, and
        the callee's keys are the flow's digits."""
        call = self._calls.get(call_id)
        if call is None or call.ended:
            log.warning("enter_flow: no answered call %s", call_id)
            return

        async def enter() -> None:
            try:
                await asyncio.wait_for(call.media_ready.wait(), 5.0)
            except TimeoutError:
                log.warning("enter_flow: call %s has no media yet; entering anyway", call_id)
            if not call.ended:
                self._emit(CallEntered(call_id, flow, caller=caller, dialed=dialed))

        self._spawn(enter())

    def _dial_ended(self, dial_id: str) -> None:
        call = self._calls.get(dial_id)
        if call is None:
            self._spawn(self.media.delete(dial_id))
            return
        self._caller_gone(call, remote=False)

    # ------------------------------------------------------------------ monitoring

    async def listen(self, interaction_id: str, phone: str) -> str:
        """Call `phone` (an entry of the config's `agents`: registered, else its static
        contact) and let it hear both sides of the call, mixed, without being heard
        (`monitoring.py`). Returns the listen's id; `MonitorError` says why not.
        Runs after the call's earlier commands: a bridge still being set up in rtpengine
        when the subscription came made rtpengine refuse the subscriber's answer."""
        call = self._calls.get(interaction_id)
        if call is None:
            return await self.monitors.listen(None, interaction_id, phone)
        async with call.lock:
            return await self.monitors.listen(call, interaction_id, phone)

    def listening(self, interaction_id: str) -> list[str]:
        """The ids of the monitors of a call."""
        call = self._calls.get(interaction_id)
        return [] if call is None else sorted(call.listens)

    async def stop_listening(self, listen_id: str) -> bool:
        """Hang up a monitor's phone; False if there is no such listen."""
        return await self.monitors.stop(listen_id)

    # ------------------------------------------------------------------ recording

    def _recording_leg(self, interaction_id: str) -> str | None:
        call = self._calls.get(interaction_id)
        if self.recorder is None or call is None or call.media not in self.recorder:
            return None
        return call.media

    def has_call(self, call_id: str) -> bool:
        """True while the call (inbound, or an answered outbound one) is the adapter's."""
        return call_id in self._calls

    def connected_agent(self, interaction_id: str) -> str | None:
        """The agent the call is bridged to now, if any."""
        call = self._calls.get(interaction_id)
        return None if call is None else call.connected

    def recording(self, interaction_id: str) -> str | None:
        """`recording`, `paused`, or None (not recorded: off, not bridged, over)."""
        leg = self._recording_leg(interaction_id)
        if leg is None or self.recorder is None:
            return None
        return "paused" if self.recorder.paused(leg) else "recording"

    async def pause_recording(self, interaction_id: str) -> bool:
        """Stop writing the call's recording (payment details); False if not recording."""
        leg = self._recording_leg(interaction_id)
        return leg is not None and self.recorder is not None and \
            await self.recorder.pause(leg)

    async def resume_recording(self, interaction_id: str) -> bool:
        """Write the call's recording again; False if it was not paused."""
        leg = self._recording_leg(interaction_id)
        return leg is not None and self.recorder is not None and \
            await self.recorder.resume(leg)

    # ------------------------------------------------------------------ commands

    async def execute(self, commands: Sequence[Command | IvrCommand]) -> None:
        """Carry out the telephony commands among `commands`, in order."""
        for c in commands:
            if not isinstance(c, _ACTED_ON):
                continue
            call = self._calls.get(c.call_id if isinstance(c, _IVR_ACTED_ON)
                                   else c.interaction_id)
            if call is None:
                continue
            if isinstance(c, PlayPrompts):
                call.generation += 1
                call.prompting = True
                self._spawn(self.playback.play(call, call.generation, c))
            elif isinstance(c, StopPrompts):
                call.generation += 1
                call.prompting = False
                self._locked(call, self.playback.stop(call))
            elif isinstance(c, StartMusic):
                call.music = self.playback.music(c.music)
                if not call.prompting:
                    self._locked(call, self.playback.start_music(call, call.generation))
            elif isinstance(c, OfferToAgent):
                self._locked(call, self.agent_legs.offer(call, c))
            elif isinstance(c, WithdrawOffer):
                self._locked(call, self.agent_legs.hang_up(call, c.agent_id))
            elif isinstance(c, Connect):
                call.generation += 1
                call.prompting, call.music = False, None
                self._locked(call, self.agent_legs.connect(call, c.agent_id))
            elif isinstance(c, Disconnect):
                self._locked(call, self.agent_legs.disconnect(call, c))
            elif isinstance(c, Hold):
                call.generation += 1
                call.music = self.playback.music(None) if c.held else None
                self._locked(call, self.agent_legs.hold(call, c))
            elif isinstance(c, TransferExternal):
                self._locked(call, self.transfers.put_through(call, c.number))
            elif isinstance(c, ReleaseCall | ExitQueue):
                self._locked(call, self._hangup_caller(call))
            elif isinstance(c, RecordVoicemail):
                call.generation += 1
                call.prompting, call.music = False, None
                self._locked(call, self.voicemails.record(call, c))
            elif isinstance(c, TransferOut):
                call.generation += 1
                call.prompting, call.music = False, None
                self._locked(call, self.transfers.put_through(call, c.number))

    def registered(self, agent_id: str) -> bool:
        """True when the agent's phone has a live registration (a static contact is not one)."""
        return self.registrar.registered(agent_id, self._now())

    async def _hangup_caller(self, call: Call) -> None:
        await self.b2bua.hangup(call.leg)

    # ------------------------------------------------------------------ line events

    async def _on_call(self, incoming: IncomingCall) -> None:
        if incoming.sdp is None:
            await self.b2bua.reject(incoming.call_id, 488)
            return
        call = Call(f"{self._prefix}-{next(self._ids)}", incoming.call_id,
                     incoming.from_number, caller_media=sdp_media_address(incoming.sdp))
        self._calls[call.id] = call
        self._by_leg[call.leg] = call
        try:
            sdp = await self.media.answer_caller(call.leg, incoming.sdp)
        except NgError as exc:
            # rtpengine refusing the SDP is the caller's fault (488); silence is ours (503).
            log.error("rtpengine refused the media of %s: %s", call.leg, exc)
            await self.b2bua.reject(call.leg, 488 if isinstance(exc, NgCommandError) else 503)
            return
        await self.b2bua.answer(call.leg, sdp)
        if call.ended:  # the caller gave up while we answered
            await self._forget(call)
            return
        call.entered = True
        self._emit(CallEntered(call.id, incoming.entry, caller=incoming.from_number,
                               dialed=incoming.to_number))

    def _on_event(self, event: LegEvent) -> None:
        if self.outbound.on_event(event):
            return
        if self.agent_legs.on_event(event):
            return
        if self.monitors.on_event(event):
            return
        if self.transfers.on_event(event):
            return
        call = self._by_leg.get(event.call_id)
        if call is None or not isinstance(event, HungUp):
            return
        self._caller_gone(call, event.remote)

    def _caller_gone(self, call: Call, remote: bool) -> None:
        """The customer's leg is down: tell the engine (the dialer does for its calls),
        end what hangs on the call, forget it once its agent legs are down too."""
        call.ended = True
        self.voicemails.caller_gone(call)
        if remote and call.entered and not call.outbound:
            self._emit(CallerHungUp(call.id))
        self.transfers.caller_gone(call)
        if not call.offers and call.transfer is None:
            self._spawn(self._forget(call))

    async def _forget(self, call: Call) -> None:
        if self._calls.pop(call.id, None) is None:
            return
        self._closing.add(call.id)
        self.monitors.end_call(call)
        self._by_leg.pop(call.leg, None)
        call.generation += 1
        try:
            async with call.lock:
                recorded = self.recorder is not None and call.media in self.recorder
                if self.recorder is not None and recorded:
                    await self.recorder.stop(call.media)
                await self.media.delete(call.media)
                if self.recorder is not None and recorded:
                    self.recorder.finish(call.media, [call.caller_media, call.agent_media])
        finally:
            self._closing.discard(call.id)

    async def _on_dtmf(self, event: DtmfEvent) -> None:
        # rtpengine names a call by its media id: an inbound call's leg, a dial's id
        call = self._by_leg.get(event.call_id) or self._calls.get(event.call_id)
        customer = CALLEE if call is not None and call.outbound else CALLER
        if call is None or event.tag != customer or not call.entered or call.ended:
            return
        if not self.voicemails.key(call, event.digit):
            self._emit(DigitPressed(call.id, event.digit))

    def _on_lost(self, status: int) -> None:
        """rtpengine died: its calls have no media; BYE to both legs, and the engine closes
        their interactions with reason `media_lost`."""
        gone = set(self.media.forget_all())
        log.error("rtpengine exited (%d): ending %d calls", status, len(gone))
        for call in list(self._calls.values()):
            if call.media not in gone or call.ended:
                continue
            call.ended = True
            if call.entered:
                self._emit(CallerHungUp(call.id, MEDIA_LOST))
            self._spawn(self.b2bua.hangup(call.leg))
            for leg in list(call.offers.values()):
                self._spawn(self.b2bua.hangup(leg))
        for leg in self.outbound.lost(gone):
            self._spawn(self.b2bua.hangup(leg))

    # ------------------------------------------------------------------ helpers

    def _emit(self, event: Any) -> None:
        if self._report is not None:
            self._report(event)

    def _locked(self, call: Call, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the call's earlier commands (asyncio's Lock is FIFO)."""
        async def run() -> None:
            try:
                async with call.lock:
                    await work
            finally:
                work.close()  # cancelled before it started (at stop): no "never awaited"

        self._spawn(run())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sip adapter task failed")


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"
