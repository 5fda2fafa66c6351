"""`MediaAnchor.hold` and the `connect` that resumes (`media.py`): the NG requests they
make, in order, for an inbound call (the agent is rtpengine's `callee`) and an
outbound one (the agent is `caller`). A fake NG client records each request; the real
daemon's part is in `test_rtpengine.py` and the end-to-end hold test."""

from __future__ import annotations

import asyncio
from typing import Any

from callcenter.telephony.sip.media import MediaAnchor

AGENT_SDP = (
    "v=0\r\no=agent 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


class RecordingClient:
    """An NG client that answers every offer and answer with the SDP it got and records
    what was asked: (command, from-tag, to-tag)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str | None]] = []

    async def offer(self, call_id: str, from_tag: str, sdp: str, **_: Any) -> str:
        self.asked.append(("offer", from_tag, None))
        return sdp

    async def answer(self, call_id: str, from_tag: str, to_tag: str, sdp: str,
                     **_: Any) -> str:
        self.asked.append(("answer", from_tag, to_tag))
        return sdp

    async def block_media(self, call_id: str, from_tag: str, *,
                          to_tag: str | None = None) -> None:
        self.asked.append(("block media", from_tag, to_tag))

    async def unblock_media(self, call_id: str, from_tag: str, *,
                            to_tag: str | None = None) -> None:
        self.asked.append(("unblock media", from_tag, to_tag))


def held_and_resumed(outbound: bool) -> list[tuple[str, str, str | None]]:
    """The requests of hold then resume (connect) on a bridged call, after its set-up's."""
    client = RecordingClient()

    async def main() -> None:
        anchor = MediaAnchor(client, "127.0.0.1")  # type: ignore[arg-type]
        await anchor.open()
        try:
            if outbound:
                await anchor.offer_outbound("c1")
                await anchor.answered_outbound("c1", AGENT_SDP.replace("agent", "customer"))
            else:
                await anchor.answer_caller("c1", AGENT_SDP.replace("agent", "caller"))
            await anchor.connect("c1", AGENT_SDP)
            client.asked.clear()
            await anchor.hold("c1")
            await anchor.connect("c1", AGENT_SDP)
        finally:
            anchor.close()

    asyncio.run(main())
    return client.asked


def test_inbound_hold_blocks_agent_and_caller_and_resume_undoes_it() -> None:
    """Inbound: hold answers with the sink, blocks `callee` (the agent's phone) and
    `caller`; resume unblocks both, then answers with the agent's SDP again."""
    assert held_and_resumed(outbound=False) == [
        ("answer", "caller", "callee"),
        ("block media", "callee", None),
        ("block media", "caller", "callee"),
        ("unblock media", "caller", "callee"),
        ("unblock media", "callee", None),
        ("answer", "caller", "callee"),
    ]


def test_outbound_hold_blocks_the_agent_as_caller_tag() -> None:
    """Outbound: the agent is tag `caller` and the customer `callee`, so hold blocks
    `caller` (the agent) and `callee` (the customer) after putting the sink back."""
    assert held_and_resumed(outbound=True) == [
        ("offer", "caller", None),
        ("answer", "caller", "callee"),
        ("block media", "caller", None),
        ("block media", "callee", "caller"),
        ("unblock media", "callee", "caller"),
        ("unblock media", "caller", None),
        ("offer", "caller", None),
        ("answer", "caller", "callee"),
    ]


def test_a_call_not_held_is_connected_without_unblocking() -> None:
    """A connect that follows no hold (a first bridge, a transfer) asks for no unblock."""
    client = RecordingClient()

    async def main() -> None:
        anchor = MediaAnchor(client, "127.0.0.1")  # type: ignore[arg-type]
        await anchor.open()
        try:
            await anchor.answer_caller("c1", AGENT_SDP.replace("agent", "caller"))
            await anchor.connect("c1", AGENT_SDP)
            await anchor.disconnect("c1")
            await anchor.connect("c1", AGENT_SDP)
        finally:
            anchor.close()

    asyncio.run(main())
    assert [command for command, _, _ in client.asked] == ["offer", "answer"] + ["answer"] * 3
