"""The routing benchmark's peer (bench/_acd_router.py) and its same-work check
(bench/routing.py): the peer must give the engine's commands, and the check must fail
the run when it does not."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from callcenter.core.engine import Engine

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_routing", BENCH / "routing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_routing"] = module
    spec.loader.exec_module(module)
    return module


routing = _load()
peer = routing.load_peer(compiled=False)  # bench/_acd_router.py, plain Python
SMALL = routing.Size(400, 20, 10, 8, 40.0, 40.0, 1)


def _both(size: Any) -> tuple[Any, Any]:
    queues, agents = routing.build(size, 3)
    stream = routing.calls(size, 3)
    ours = routing.drive(Engine(queues, agents), agents, stream, size, 0.0)
    theirs = routing.drive(peer.QueueRouter(queues, agents), agents, stream, size, 0.0)
    return ours, theirs


def test_peer_gives_the_engines_commands_for_every_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 110 % load (calls wait, freed agents take them from the lines), the peer's
    commands equal the engine's for every event of the closed loop."""
    monkeypatch.setattr(routing, "LOAD", 1.1)
    monkeypatch.setattr(routing, "OCCUPANCY_RANGE", (0.0, 1.0))
    ours, theirs = _both(SMALL)
    assert ours.waited > 0  # the lines were used
    assert len(ours.decisions) > 500
    assert theirs.digests == ours.digests
    routing.check_same(ours, theirs)


def test_one_other_agent_fails_the_run() -> None:
    """A run whose peer chose another agent for one call fails, naming the call."""
    ours, theirs = _both(SMALL)
    call, agent = theirs.decisions[7]
    theirs.decisions[7] = (call, agent + "x")
    with pytest.raises(SystemExit, match=f"decision 8 differs.*{call}"):
        routing.check_same(ours, theirs)


def test_warm_up_reaches_the_stated_occupancy() -> None:
    """With the steady state's calls in progress sent first, the agents are 85-95 % busy
    when timing starts (the load is 90 % of capacity)."""
    ours, _ = _both(replace(SMALL, agents=1000, queues=50))
    assert 0.85 <= ours.occupancy_start <= 0.95
