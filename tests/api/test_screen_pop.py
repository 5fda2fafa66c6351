"""Customer lookup through the server: a call's IVR flow finds the customer in the store's
directory (created through the API), and the agent gets it with the offer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from callcenter.core.events import AgentLogin
from callcenter.core.ivr import CallEntered, EnterQueue
from callcenter.core.ivr_flow import Flow, Lookup, SetValues, Switch, ToQueue
from tests.api.conftest import Harness, start
from tests.serving import serving_app

FLOW = Flow("main", "find", {
    "find": Lookup("segment", "q"),
    "segment": Switch("customer.segment", (("vip", "vip"),), "q"),
    "vip": SetValues("q", priority=50),
    "q": ToQueue("hotline"),
})
ADA = {"name": "Ada Lovelace", "numbers": ["(202) 555-0143"], "account": "K-1001",
       "segment": "vip"}


@pytest.fixture
def ivr(tmp_path: Path) -> Iterator[Harness]:
    """A started app whose calls start in FLOW, on a SQLite file."""
    yield from start(f"sqlite:///{tmp_path / 'api.db'}", ivr_flows={"main": FLOW})


def enter(h: Harness, call_id: str, caller: str) -> None:
    """A call enters FLOW; returns once its lookup is answered and its commands done."""
    async def run() -> None:
        h.telephony.inject(CallEntered(call_id, "main", caller=caller))
        runtime = h.server.runtime
        assert runtime.lookups is not None
        await runtime.driver.settled()
        await runtime.lookups.settled()
        await runtime.driver.settled()
    h.portal.call(run)


def work(h: Harness) -> list[dict[str, Any]]:
    """early-1's work items, as its desktop reads them."""
    r = h.get("/api/agents/early-1/work", headers=h.auth("early-1"))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_the_offer_carries_the_customer_the_flow_found(ivr: Harness) -> None:
    """A caller whose number (written differently) is a stored customer's is offered with
    the customer's id, name, account and segment."""
    cid = ivr.post("/api/admin/customers", json=ADA, headers=ivr.auth("root")).json()["id"]
    ivr.post("/api/agents/early-1/login", headers=ivr.auth("early-1"))
    enter(ivr, "c1", "+1 202 555 0143")
    [item] = work(ivr)
    assert (item["interaction_id"], item["status"]) == ("c1", "offered")
    assert item["customer"] == {"customer_id": str(cid), "name": "Ada Lovelace",
                                "account": "K-1001", "segment": "vip"}


def test_a_vip_flow_branch_sets_the_priority(ivr: Harness) -> None:
    """The flow's switch on the found customer's segment puts a vip call first: a vip
    caller arriving after another caller is offered first."""
    ivr.post("/api/admin/customers", json=ADA, headers=ivr.auth("root"))
    seen: list[Any] = []

    async def keep(commands: list[Any]) -> None:
        seen.extend(c for c in commands if isinstance(c, EnterQueue))
    ivr.server.runtime.driver.add_sink("test-enter", keep)
    enter(ivr, "plain", "(202) 555-0100")
    enter(ivr, "vip", "(202) 555-0143")
    assert [(e.call_id, e.priority) for e in seen] == [("plain", 0), ("vip", 50)]
    ivr.post("/api/agents/early-1/login", headers=ivr.auth("early-1"))
    assert [i["interaction_id"] for i in work(ivr)] == ["vip"]


def test_an_unknown_caller_is_offered_without_a_customer(ivr: Harness) -> None:
    """A caller no customer has is offered with `customer` null."""
    ivr.post("/api/agents/early-1/login", headers=ivr.auth("early-1"))
    enter(ivr, "c1", "(202) 555-0100")
    [item] = work(ivr)
    assert item["customer"] is None


def test_the_websocket_offer_carries_the_customer(ivr: Harness) -> None:
    """The agent's `OfferToAgent` message on /api/ws has the customer too."""
    ivr.post("/api/admin/customers", json=ADA, headers=ivr.auth("root"))
    token = ivr.token("early-1")

    async def run() -> dict[str, Any]:
        async with serving_app(ivr.app) as base:
            url = base.replace("http://", "ws://", 1) + "/api/ws"
            async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}
                               ) as ws:
                events = ivr.server.runtime.events
                async with asyncio.timeout(60):  # only against a hang
                    while events.subscribers != 1:
                        await asyncio.sleep(0.01)
                return await _offer(ws)

    async def _offer(ws: Any) -> dict[str, Any]:
        await ivr.server.runtime.driver.submit(AgentLogin("early-1"))
        ivr.telephony.inject(CallEntered("c1", "main", caller="(202) 555-0143"))
        async with asyncio.timeout(60):  # only against a hang
            while True:
                message: dict[str, Any] = json.loads(await ws.recv())
                if message["type"] == "OfferToAgent":
                    return message

    offer = ivr.portal.call(run)
    assert offer["interaction_id"] == "c1"
    assert offer["customer"]["name"] == "Ada Lovelace"
    assert offer["customer"]["account"] == "K-1001"
