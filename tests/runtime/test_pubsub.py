"""In-process pub/sub: filters, bounded queues that drop the oldest, closing."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.core.commands import AgentStateChanged, Command, OfferToAgent
from callcenter.runtime.pubsub import CommandHub, PubSub


def test_slow_subscriber_drops_the_oldest_and_counts_them() -> None:
    """A full queue loses its oldest items, counts them, and keeps the newest."""

    async def main() -> None:
        hub: PubSub[int] = PubSub()
        sub = hub.subscribe(maxsize=3)
        for i in range(10):
            hub.publish(i)
        assert sub.dropped == 7
        assert [await sub.get() for _ in range(3)] == [7, 8, 9]

    asyncio.run(main())


def test_filter_limits_what_a_subscriber_receives() -> None:
    """A subscriber gets only the items its filter accepts; others get everything."""

    async def main() -> None:
        hub: PubSub[int] = PubSub()
        even = hub.subscribe(lambda n: n % 2 == 0)
        every = hub.subscribe()
        for i in range(5):
            hub.publish(i)
        assert [await even.get() for _ in range(3)] == [0, 2, 4]
        assert len(every) == 5

    asyncio.run(main())


def test_get_waits_for_the_next_item() -> None:
    """A waiting `get` wakes up when an item is published."""

    async def main() -> None:
        hub: PubSub[str] = PubSub()
        sub = hub.subscribe()
        waiter = asyncio.create_task(sub.get())
        await asyncio.sleep(0)
        assert not waiter.done()
        hub.publish("offer")
        assert await asyncio.wait_for(waiter, 60) == "offer"  # 60: only against a hang

    asyncio.run(main())


def test_closed_subscription_drains_then_ends_iteration() -> None:
    """After `close`, iteration yields what is queued and then stops; nothing new arrives."""

    async def main() -> None:
        hub: PubSub[int] = PubSub()
        sub = hub.subscribe()
        hub.publish(1)
        sub.close()
        hub.publish(2)
        assert [n async for n in sub] == [1]
        assert hub.subscribers == 0

    asyncio.run(main())


def test_get_nowait_on_empty_raises_queue_empty() -> None:
    """`get_nowait` on an empty subscription raises `asyncio.QueueEmpty`."""

    async def main() -> None:
        sub = PubSub[int]().subscribe()
        with pytest.raises(asyncio.QueueEmpty):
            sub.get_nowait()

    asyncio.run(main())


def test_command_hub_publishes_a_command_list_in_order() -> None:
    """As a driver sink the hub publishes each command, in order, to matching subscribers."""

    async def main() -> None:
        hub = CommandHub()
        agent_a1 = hub.subscribe(lambda c: getattr(c, "agent_id", None) == "a1")
        cmds: list[Command] = [
            AgentStateChanged("a1", "available", "", 1.0),
            OfferToAgent("c1", "a2", "q", "voice", 21.0),
            OfferToAgent("c2", "a1", "q", "voice", 22.0),
        ]
        await hub(cmds)
        assert [agent_a1.get_nowait(), agent_a1.get_nowait()] == [cmds[0], cmds[2]]

    asyncio.run(main())


def test_keyed_subscriber_receives_only_its_keys_items() -> None:
    """A subscriber with a key gets the items of that key (through its filter); keyless
    subscribers still get everything; closing one forgets it."""

    async def main() -> None:
        hub: PubSub[tuple[str, int]] = PubSub(key_of=lambda item: item[0])
        alice = hub.subscribe(lambda item: item[1] > 0, key="alice")
        bob = hub.subscribe(key="bob")
        every = hub.subscribe()
        for item in [("alice", 1), ("bob", 2), ("alice", 0), ("carol", 3)]:
            hub.publish(item)
        assert [alice.get_nowait()] == [("alice", 1)] and len(alice) == 0
        assert [bob.get_nowait()] == [("bob", 2)] and len(bob) == 0
        assert len(every) == 4
        assert hub.subscribers == 3
        bob.close()
        hub.publish(("bob", 4))
        assert hub.subscribers == 2 and len(bob) == 0

    asyncio.run(main())


def test_key_needs_a_hub_with_key_of() -> None:
    """Subscribing with a key to a hub that cannot key its items is refused."""
    with pytest.raises(ValueError, match="key_of"):
        PubSub[int]().subscribe(key="alice")
