"""Outbound calls for the dialer through the sip adapter (`originate`), to a sipp UAS
standing in for the trunk: answered, busy, never answered and refused each report
their `DialUpdate`s, stamped with the adapter's clock. The adapter runs with
rtpengine (the calls are anchored) but without the server. Needs sipp, rtpengine
and espeak-ng; skipped without them, except under CI."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from callcenter.core.dialer.campaign import CallOutcome
from callcenter.telephony.sip.adapter import SipTelephony
from callcenter.telephony.sip.config import load_telephony_config
from callcenter.telephony.sip.outbound import DialStatus, DialUpdate
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    SCENARIOS,
    new_sipp,
    reap,
    settle,
    until,
)
from tests.e2e.sip_server import write_config as write_server_config
from tests.telephony.sip.sipp_peer import free_udp_port

NO_ANSWER_AFTER = 1.0
"""Seconds the never-answered call rings before we give up (the test's dial timeout)."""


@dataclass
class Dialled:
    """One outbound call: when it was placed and the updates it reported."""

    placed_at: float
    updates: list[DialUpdate] = field(default_factory=list)
    uas_code: int | None = None

    def statuses(self) -> list[DialStatus]:
        """The statuses reported, in order."""
        return [u.status for u in self.updates]

    def at(self, status: DialStatus) -> float:
        """When `status` was reported."""
        return next(u.at for u in self.updates if u.status is status)


def reported(updates: list[DialUpdate], call_id: str, status: DialStatus) -> bool:
    """True once call `call_id` has reported `status`."""
    return any(u.status is status for u in updates if u.call_id == call_id)


@dataclass
class Dialling:
    """The four outbound calls, by name, and what the adapter held after them."""

    calls: dict[str, Dialled]
    left: dict[str, int]


async def dial_all(tmp: Path) -> Dialling:
    """One adapter; a call to each of four sipp trunks, one after the other."""
    trunk = free_udp_port()
    settings = write_server_config(
        tmp, free_udp_port(), f"dial: 'sip:{{number}}@127.0.0.1:{trunk}'\ndial_timeout: 10\n")
    config = load_telephony_config(tmp / "telephony.yaml", listen=settings.sip)
    updates: list[DialUpdate] = []
    adapter = SipTelephony(config, on_dial=updates.append)
    sipp = new_sipp(tmp)
    out: dict[str, Dialled] = {}
    await adapter.start(lambda event: None)
    try:
        for name, scenario, ends in [
            ("answered", PHONES / "uas_answer.xml", DialStatus.ANSWERED),
            ("busy", PHONES / "uas_busy.xml", DialStatus.BUSY),
            ("no-answer", PHONES / "uas_no_answer.xml", DialStatus.NO_ANSWER),
            ("refused", SCENARIOS / "uas_unavailable.xml", DialStatus.FAILED),
        ]:
            uas = await sipp.start(scenario, port=trunk)
            placed = time.time()
            timeout = NO_ANSWER_AFTER if name == "no-answer" else None
            call_id = await adapter.originate("4930123456", "spring", timeout=timeout)
            await until(partial(reported, updates, call_id, ends))
            if ends is DialStatus.ANSWERED:
                await adapter.hang_up_dial(call_id)
                await until(partial(reported, updates, call_id, DialStatus.ENDED))
            mine = [u for u in updates if u.call_id == call_id]
            out[name] = Dialled(placed, mine, await uas.wait())
        await settle(lambda: len(adapter.outbound) == 0 and adapter.b2bua.legs == 0)
        left = {"outbound calls": len(adapter.outbound), "B2BUA legs": adapter.b2bua.legs}
    finally:
        await adapter.stop()
        await reap(sipp)
    return Dialling(out, {what: n for what, n in left.items() if n})


pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@pytest.fixture(scope="module")
def dialling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dialling]:
    """The four outbound calls and what they left."""
    yield asyncio.run(dial_all(tmp_path_factory.mktemp("outbound")))


@pytest.fixture(scope="module")
def dialled(dialling: Dialling) -> dict[str, Dialled]:
    """The four outbound calls, by name."""
    return dialling.calls


def test_an_answered_call_rings_is_answered_and_ends(dialled: dict[str, Dialled]) -> None:
    """Answered by the trunk and hung up by us: ringing, answered, ended."""
    assert dialled["answered"].statuses() == [DialStatus.RINGING, DialStatus.ANSWERED,
                                              DialStatus.ENDED]


def test_the_answer_is_stamped_after_the_ringing(dialled: dict[str, Dialled]) -> None:
    """Placed, then ringing, then answered: the update times follow one another."""
    call = dialled["answered"]
    assert call.placed_at <= call.at(DialStatus.RINGING) <= call.at(DialStatus.ANSWERED)


def test_the_answered_trunk_gets_our_bye(dialled: dict[str, Dialled]) -> None:
    """The answering sipp receives our BYE (its scenario passes)."""
    assert dialled["answered"].uas_code == 0


def test_a_busy_trunk_is_reported_busy_with_its_code(dialled: dict[str, Dialled]) -> None:
    """486 Busy Here is the outcome `busy`, code 486."""
    assert [(u.status, u.code) for u in dialled["busy"].updates] == [(DialStatus.BUSY, 486)]


def test_a_call_never_answered_is_no_answer(dialled: dict[str, Dialled]) -> None:
    """Ringing with no answer: ringing, then `no-answer` (and our CANCEL)."""
    assert dialled["no-answer"].statuses() == [DialStatus.RINGING, DialStatus.NO_ANSWER]


def test_no_answer_is_stamped_after_the_dial_timeout(dialled: dict[str, Dialled]) -> None:
    """`no-answer` is reported once the call has rung for its timeout."""
    call = dialled["no-answer"]
    assert call.at(DialStatus.NO_ANSWER) - call.placed_at >= NO_ANSWER_AFTER


def test_the_unanswered_trunk_gets_our_cancel(dialled: dict[str, Dialled]) -> None:
    """The ringing sipp receives our CANCEL (its scenario passes)."""
    assert dialled["no-answer"].uas_code == 0


def test_a_refused_call_fails_with_its_code(dialled: dict[str, Dialled]) -> None:
    """503 from the trunk is the outcome `failed`, code 503."""
    assert [(u.status, u.code) for u in dialled["refused"].updates] == [(DialStatus.FAILED, 503)]


def test_outcomes_are_the_dialers_call_outcomes(dialled: dict[str, Dialled]) -> None:
    """Each outcome's value is a `CallOutcome` of the dialer's campaign rules."""
    outcomes = [dialled[n].updates[-1 if n != "answered" else 1].status
                for n in ("answered", "busy", "no-answer", "refused")]
    assert [CallOutcome(s) for s in outcomes] == [CallOutcome.ANSWERED, CallOutcome.BUSY,
                                                  CallOutcome.NO_ANSWER, CallOutcome.FAILED]


def test_nothing_is_left_after_the_calls(dialling: Dialling) -> None:
    """Once the four calls are over the adapter holds no outbound call and no leg."""
    assert dialling.left == {}, f"left behind: {dialling.left}"
