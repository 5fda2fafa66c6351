"""In-process publish/subscribe for commands and state changes (websockets, wallboards).

`publish` never blocks and never fails the publisher: each subscriber has a
bounded queue, and a subscriber that falls behind loses its oldest items (counted
in `dropped`), so one slow browser cannot hold up routing.

A hub built with `key_of` also indexes subscribers by key: a subscriber with a
`key` is only offered the items whose `key_of(item)` equals it (and its filter
still applies), so publishing costs the number of keyless subscribers plus those
of one key, not every subscriber (an agent's socket among hundreds).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from callcenter.core.commands import Command

T = TypeVar("T")

DEFAULT_QUEUE_SIZE = 1000


class Subscription(Generic[T]):
    """One subscriber's bounded queue. Iterate with `async for`, or `await get()`."""

    def __init__(self, hub: PubSub[T], accept: Callable[[T], bool] | None,
                 maxsize: int, key: Hashable | None = None) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1, got {maxsize}")
        self._hub = hub
        self.accept = accept
        self.key = key
        """Only items of this key reach the subscriber (None: every item)."""
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._ready = asyncio.Event()
        self.closed = False
        self.dropped = 0
        """Items lost because this subscriber fell `maxsize` items behind."""

    def offer(self, item: T) -> None:
        """Queue `item` if it passes the filter; drop the oldest when full."""
        if self.closed or (self.accept is not None and not self.accept(item)):
            return
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._ready.set()

    def get_nowait(self) -> T:
        """The next item; raises `asyncio.QueueEmpty` if none is queued."""
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    async def get(self) -> T:
        """Wait for the next item; raises `StopAsyncIteration` once closed and drained."""
        while not self._items:
            if self.closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)

    def __aiter__(self) -> Subscription[T]:
        return self

    async def __anext__(self) -> T:
        return await self.get()

    def close(self) -> None:
        """Stop receiving; a waiting `get` ends once the queue is drained."""
        if not self.closed:
            self.closed = True
            self._ready.set()
            self._hub.discard(self)


class PubSub(Generic[T]):
    """Fan-out of items to subscribers, each with its own filter and bounded queue."""

    def __init__(self, key_of: Callable[[T], Hashable | None] | None = None) -> None:
        self._subs: list[Subscription[T]] = []
        self._key_of = key_of
        self._keyed: dict[Hashable, list[Subscription[T]]] = {}

    def subscribe(self, accept: Callable[[T], bool] | None = None,
                  maxsize: int = DEFAULT_QUEUE_SIZE,
                  key: Hashable | None = None) -> Subscription[T]:
        """A new subscriber receiving every later item for which `accept(item)` is true;
        with `key`, only items whose `key_of(item)` is `key`."""
        if key is not None and self._key_of is None:
            raise ValueError("this hub has no key_of: subscribe without a key")
        sub = Subscription(self, accept, maxsize, key)
        if key is None:
            self._subs.append(sub)
        else:
            self._keyed.setdefault(key, []).append(sub)
        return sub

    def discard(self, sub: Subscription[T]) -> None:
        """Forget a subscriber (`Subscription.close` calls this)."""
        if sub.key is None:
            if sub in self._subs:
                self._subs.remove(sub)
            return
        same = self._keyed.get(sub.key)
        if same is not None and sub in same:
            same.remove(sub)
            if not same:
                del self._keyed[sub.key]

    def publish(self, item: T) -> None:
        """Hand `item` to every subscriber whose filter (and key) accepts it; never blocks."""
        for sub in list(self._subs):
            sub.offer(item)
        if self._keyed:
            assert self._key_of is not None
            key = self._key_of(item)
            if key is not None:
                for sub in list(self._keyed.get(key, ())):
                    sub.offer(item)

    @property
    def subscribers(self) -> int:
        """How many subscribers are open."""
        return len(self._subs) + sum(len(subs) for subs in self._keyed.values())

    def close(self) -> None:
        """Close every subscription."""
        for sub in [*self._subs, *(s for subs in self._keyed.values() for s in subs)]:
            sub.close()


def _agent_of(command: Command) -> str | None:
    return getattr(command, "agent_id", None)


class CommandHub(PubSub[Command]):
    """Pub/sub of engine commands, usable directly as a driver sink; a subscriber's key
    is an agent id (the commands with that `agent_id`)."""

    def __init__(self) -> None:
        super().__init__(_agent_of)

    async def __call__(self, commands: list[Command]) -> None:
        """Publish each command in order."""
        for c in commands:
            self.publish(c)
