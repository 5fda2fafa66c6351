"""An agent's phone registers with digest authentication, and a call reaches it there.

The server (`create_app` with `sip` settings) knows agent-1 only as an account
(`{user: '1001', password: ...}`), no static contact. A sipp UAC first tries a wrong
password (403), then registers with the right one (sipp's `-au`/`-ap` answering our
401), naming as its contact the port where a sipp UAS (the phone) listens. A caller
then dials the DID, presses 1, and the offer rings the registered contact, which
answers. Needs sipp, rtpengine and espeak-ng; skipped without them, except under CI.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.ear import Ear
from tests.e2e.sip_server import (
    NEEDS_REAL_PEERS,
    PHONES,
    Served,
    call_in,
    new_sipp,
    reap,
    serving,
    settle,
    until,
)
from tests.telephony.sip.sipp_peer import Sipp, SippRun

ACCOUNT = "{user: '1001', password: s3cret}"


pytestmark = NEEDS_REAL_PEERS  # skipped without the tools, failed under CI


@dataclass
class Outcome:
    """What the registrations and the call left behind."""

    registered_at_start: bool = True
    wrong_password_code: int = -1
    registered_after_wrong_password: bool = True
    register_code: int = -1
    registered: bool = False
    contact: str | None = None
    phone_port: int = 0
    caller_code: int = -1
    phone_code: int = -1
    row_agent: str | None = None
    left: dict[str, object] | None = None
    output: str = ""


async def register(sipp: Sipp, served: Served, scenario: str, password: str,
                   phone_port: int) -> SippRun:
    """A sipp UAC registering user 1001 with `password`, its contact at `phone_port`."""
    return await sipp.start(PHONES / scenario, remote=served.adapter.b2bua.address,
                            service="1001", keys={"contact_port": str(phone_port)},
                            args=["-au", "1001", "-ap", password])


async def register_then_call(tmp: Path) -> Outcome:
    sipp = new_sipp(tmp)
    out = Outcome()
    caller_ear = await Ear.open()
    try:
        phone = await sipp.start(PHONES / "uas_answer.xml")
        out.phone_port = phone.port
        async with serving(tmp, phone.port, agent=ACCOUNT) as served:
            adapter = served.adapter
            out.registered_at_start = adapter.registered("agent-1")
            wrong = await register(sipp, served, "register_refused.xml", "guess", phone.port)
            out.wrong_password_code = await wrong.wait()
            out.registered_after_wrong_password = adapter.registered("agent-1")
            right = await register(sipp, served, "register_auth.xml", "s3cret", phone.port)
            out.register_code = await right.wait()
            out.output = wrong.output() + right.output()
            out.registered = adapter.registered("agent-1")
            out.contact = adapter.registrar.contact("agent-1", time.time())
            caller = await call_in(sipp, served, caller_ear)
            caller.press(1)
            await until(lambda: served.agent_state() == "busy")
            caller.cue_hangup()
            out.caller_code = await caller.run.wait()
            out.phone_code = await phone.wait()
            await settle(lambda: adapter.calls == 0)
            await served.server.runtime.driver.settled()
            await settle(lambda: not served.leftovers())
            out.left = served.leftovers()
            rows = served.rows()
            out.row_agent = rows[0].agent_id if rows else None
    finally:
        await caller_ear.close()
        await reap(sipp)
    return out


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    """A wrong password, a registration, then a call to the registered agent."""
    yield asyncio.run(register_then_call(tmp_path_factory.mktemp("register")))


def test_an_account_is_not_registered_at_start(outcome: Outcome) -> None:
    """Before any REGISTER, the agent's phone is not registered."""
    assert outcome.registered_at_start is False


def test_a_wrong_password_gets_403_and_no_binding(outcome: Outcome) -> None:
    """sipp's REGISTER with a wrong password ends in 403 (as scripted) and binds nothing."""
    assert (outcome.wrong_password_code, outcome.registered_after_wrong_password) == (0, False), \
        outcome.output


def test_the_right_password_registers_the_phone(outcome: Outcome) -> None:
    """sipp answers our challenge and gets 200; the adapter reports the agent registered."""
    assert (outcome.register_code, outcome.registered) == (0, True), outcome.output


def test_the_binding_is_the_contact_the_phone_gave(outcome: Outcome) -> None:
    """The registered contact is the phone's port, as the REGISTER's Contact named it."""
    assert outcome.contact == f"sip:1001@127.0.0.1:{outcome.phone_port};transport=udp"


def test_a_call_from_the_trunk_rings_the_registered_phone(outcome: Outcome) -> None:
    """The offer goes to the registered contact: that phone answers, and gets our BYE."""
    assert (outcome.caller_code, outcome.phone_code) == (0, 0)


def test_the_interaction_was_handled_by_the_registered_agent(outcome: Outcome) -> None:
    """The stored interaction names the agent whose phone registered."""
    assert outcome.row_agent == "agent-1"


def test_nothing_is_left_after_the_call(outcome: Outcome) -> None:
    """No call, leg or open interaction is left once the call to the phone is over."""
    assert outcome.left == {}, f"left behind: {outcome.left}"
