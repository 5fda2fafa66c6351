"""Process-level tuning for long runs: the simulator, benchmarks, later the server.

The engine's garbage is nearly all freed by reference counting; the cyclic
collector mostly re-walks the large, long-lived indexes built at start-up (tens of
thousands of agents, queues and heaps), which shows up as pauses of several
milliseconds. `tuned_gc()` moves what exists to the permanent generation and
makes young collections rarer for the duration of a `with` block, then restores
the collector. Entry points use it; library code never does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def tuned_gc(threshold: int = 50_000) -> Iterator[None]:
    """Freeze what exists now; collect the youngest generation every `threshold`."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
