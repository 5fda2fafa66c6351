"""How a group's bot agents answer offers: after a delay, rejecting some, and when they
go ready again after the engine paused them for missed offers.

Shared by the offline simulator's roster (`sim/agents.py`) and the `sim` telephony
adapter's bots; every draw comes from the generator each bot is given.
"""

from __future__ import annotations

import numpy as np

from callcenter.scenario.models import Constant, Sampler, UniformSource
from callcenter.scenario.spec import AgentGroup


class Bot:
    """How the agents of one group answer: delay, rejections, recovery from a pause."""

    __slots__ = ("delay", "recover_after", "reject", "uniform")

    def __init__(self, group: AgentGroup, rng: np.random.Generator) -> None:
        d_rng, r_rng = rng.spawn(2)
        instant = group.answer_delay == Constant(0.0)
        self.delay = None if instant else Sampler(group.answer_delay, d_rng)
        self.reject = group.reject_probability
        self.uniform = UniformSource(r_rng)
        self.recover_after = group.recover_after
