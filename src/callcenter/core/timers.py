"""The engine's timers as data: a heap of `core.model.Timer` deadlines, due in order
(ties in the order they were set). A cancelled timer stays on the heap until it comes
up and is then dropped; the shell asks `next_deadline` and feeds `TimerExpired` back.
"""

from __future__ import annotations

import heapq

from callcenter.core.model import Timer


class TimerHeap:
    """The pending timers of one engine."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = 0

    def push(self, t: Timer) -> None:
        """Set `t` (due at `t.at`)."""
        self._seq += 1
        heapq.heappush(self._heap, (t.at, self._seq, t))

    def pop_due(self, now: float) -> Timer | None:
        """Take the next live timer due at or before `now` (None: none is due)."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            t = heapq.heappop(heap)[2]
            if not t.cancelled:
                return t
        return None

    def next_deadline(self) -> float | None:
        """When the earliest live timer is due (None: none is set)."""
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None
