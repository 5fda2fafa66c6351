"""The sip adapter's `Dialing` side: updates relayed to the dialer, and a drop that plays
the information message towards the callee before hanging up (rtpengine and the adapter
replaced by recording stand-ins)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from callcenter.core.ivr_flow import Prompt
from callcenter.telephony.base import Dialing, DialStatus, DialUpdate
from callcenter.telephony.sip.dialing import DialRelay, SipDialing
from callcenter.telephony.sip.media import CALLEE
from callcenter.telephony.sip.prompts import PromptError


class _Prompts:
    def __init__(self, fail: bool) -> None:
        self.fail = fail

    async def wav(self, prompt: Prompt, language: str | None) -> Path:
        if self.fail:
            raise PromptError("espeak-ng missing")
        return Path(f"/prompts/{prompt.text}.wav")


class _Client:
    def __init__(self, log: list[tuple[str, ...]]) -> None:
        self.log = log

    async def play_media(self, call_id: str, tag: str, file: Path) -> int:
        self.log.append(("play", call_id, tag, str(file)))
        return 0


class _Media:
    def __init__(self, log: list[tuple[str, ...]]) -> None:
        self.client = _Client(log)


class _Adapter:
    """What SipDialing uses of SipTelephony."""

    def __init__(self, fail: bool = False) -> None:
        self.log: list[tuple[str, ...]] = []
        self.prompts = _Prompts(fail)
        self.media = _Media(self.log)

    async def originate(self, number: str, campaign_id: str, *, caller_id: str = "") -> str:
        self.log.append(("originate", number, campaign_id, caller_id))
        return "sip-o1"

    async def hang_up_dial(self, call_id: str) -> None:
        self.log.append(("hang_up", call_id))


def _outbound(fail: bool = False) -> tuple[SipDialing, _Adapter, DialRelay]:
    adapter, relay = _Adapter(fail), DialRelay()
    return SipDialing(adapter, relay), adapter, relay  # type: ignore[arg-type]


def test_updates_reach_the_callback_named_later() -> None:
    """The relay built before the dialer forwards updates once `on_dial` names a target."""
    out, _, relay = _outbound()
    assert isinstance(out, Dialing)
    update = DialUpdate("sip-o1", "spring", "+4930123456", DialStatus.RINGING, 1.0)
    relay(update)  # nobody listens yet: dropped
    got: list[DialUpdate] = []
    out.on_dial(got.append)
    relay(update)
    assert got == [update]


def test_a_drop_plays_the_message_to_the_callee_then_hangs_up() -> None:
    """The information message goes to the callee's leg, and only then the BYE."""
    out, adapter, _ = _outbound()
    asyncio.run(out.drop_dial("sip-o1", "Sorry"))
    assert adapter.log == [("play", "sip-o1", CALLEE, "/prompts/Sorry.wav"),
                           ("hang_up", "sip-o1")]


def test_an_unplayable_message_still_hangs_up() -> None:
    """A message that cannot be rendered is logged; the call is hung up anyway."""
    out, adapter, _ = _outbound(fail=True)
    asyncio.run(out.drop_dial("sip-o1", "Sorry"))
    assert adapter.log == [("hang_up", "sip-o1")]


def test_originate_passes_the_caller_id() -> None:
    """originate dials through the adapter with the campaign's caller id."""
    out, adapter, _ = _outbound()
    call_id: Any = asyncio.run(out.originate("+4930123456", "spring", caller_id="+4930999"))
    assert call_id == "sip-o1"
    assert adapter.log == [("originate", "+4930123456", "spring", "+4930999")]
