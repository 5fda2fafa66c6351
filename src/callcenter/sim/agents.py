"""Bot agents: logins and logouts by shift, breaks, and how they answer offers.

The roster mirrors each agent's state from the engine's `AgentStateChanged`
commands and only sends what that state allows: a login waits for a pending
logout to finish, and a `Ready` (which in the engine also drops a pending logout)
is never sent to an agent on its way out.
"""

from __future__ import annotations

from datetime import date
from functools import partial

import numpy as np

from callcenter.core.commands import AgentStateChanged, OfferToAgent
from callcenter.core.config import AgentConfig
from callcenter.core.events import (
    AgentConfigured,
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    OfferAccepted,
    OfferRejected,
)
from callcenter.scenario.bots import Bot
from callcenter.scenario.spec import AgentGroup, Scenario
from callcenter.sim.environment import Entry, Environment

LOGGED_OUT = "logged_out"
PAUSED = "paused"


class Roster:
    """Every bot agent of a run, driven through the environment."""

    def __init__(self, env: Environment, scenario: Scenario, rng: np.random.Generator) -> None:
        self._env = env
        self._scenario = scenario
        agents = [a for g in scenario.groups for a in g.agents]
        self.state: dict[str, str] = {a.id: LOGGED_OUT for a in agents}
        """Each agent's state as the engine last reported it."""
        self.extra: list[AgentConfig] = []
        """Agents added during the run (trace staffing beyond a group's size)."""
        self._bots: dict[str, Bot] = {}
        for g, grng in zip(scenario.groups, rng.spawn(len(scenario.groups)), strict=True):
            bot = Bot(g, grng)
            for a in g.agents:
                self._bots[a.id] = bot
        self._relogin: set[str] = set()
        self._on_break: set[str] = set()
        self._leaving: set[str] = set()

    # ------------------------------------------------------------------ presence

    def login(self, aid: str) -> None:
        """Log the agent in now (or as soon as its pending logout completes)."""
        if self.state[aid] == LOGGED_OUT:
            self._env.send(AgentLogin(aid))
        else:
            self._relogin.add(aid)  # still finishing work before its pending logout

    def logout(self, aid: str) -> None:
        """Log the agent out (the engine waits until its work is done)."""
        self._relogin.discard(aid)
        if self.state[aid] != LOGGED_OUT:
            self._leaving.add(aid)
            self._env.send(AgentLogout(aid))

    def log_out_everyone(self) -> None:
        """End of the run: log out every agent still logged in."""
        for aid in sorted(self.state):
            self.logout(aid)

    def pause(self, aid: str, reason: str) -> None:
        """Start a break (the engine waits until the agent's work is done)."""
        if self.state[aid] != LOGGED_OUT:
            self._on_break.add(aid)
            self._env.send(AgentPause(aid, reason))

    def ready(self, aid: str) -> None:
        """End a break (unless the agent is logged out or on its way out)."""
        self._on_break.discard(aid)
        if self.state[aid] != LOGGED_OUT and aid not in self._leaving:
            self._env.send(AgentReady(aid))

    def _recover(self, aid: str) -> None:
        """Ready again after a pause the engine imposed (not during a break)."""
        if self.state[aid] == PAUSED and aid not in self._on_break and aid not in self._leaving:
            self._env.send(AgentReady(aid))

    def add_agent(self, config: AgentConfig, group: AgentGroup) -> None:
        """Configure a further agent that behaves like the rest of its group."""
        self._env.send(AgentConfigured(config))
        self.state[config.id] = LOGGED_OUT
        self._bots[config.id] = self._bots[group.agents[0].id]
        self.extra.append(config)

    def schedule_shift(self, group: AgentGroup, day: date) -> None:
        """Put one day of the group's shift (login, staggered breaks, logout) on the clock."""
        sc, env = self._scenario, self._env
        shift = group.shift
        assert shift is not None
        for i, a in enumerate(group.agents):
            env.call_at(sc.epoch(day, shift.start), partial(self.login, a.id))
            for b in shift.breaks:
                at = b.start + i * b.stagger
                env.call_at(sc.epoch(day, at), partial(self.pause, a.id, b.reason))
                env.call_at(sc.epoch(day, at + b.duration), partial(self.ready, a.id))
            env.call_at(sc.epoch(day, shift.end), partial(self.logout, a.id))

    # ------------------------------------------------------------------ engine commands

    def answer(self, offer: OfferToAgent) -> Entry | None:
        """Schedule the agent's answer to an offer (None: it lets the offer ring out)."""
        bot = self._bots[offer.agent_id]
        env = self._env
        if bot.reject and bot.uniform.random() < bot.reject:
            ev: OfferAccepted | OfferRejected = OfferRejected(offer.agent_id,
                                                              offer.interaction_id)
        else:
            ev = OfferAccepted(offer.agent_id, offer.interaction_id)
        if bot.delay is None:  # answers at once (ring-all may still withdraw it)
            return env.soon(ev)
        at = env.now + bot.delay()
        return env.schedule(at, ev) if at < offer.expires_at else None

    def on_state(self, c: AgentStateChanged) -> None:
        """Mirror the engine's agent state; relogin or recover when due."""
        aid = c.agent_id
        self.state[aid] = c.state
        env = self._env
        if c.state == LOGGED_OUT:
            self._on_break.discard(aid)
            self._leaving.discard(aid)
            if aid in self._relogin:
                self._relogin.discard(aid)
                env.call_at(env.now, partial(self.login, aid))
        elif c.state == PAUSED and aid not in self._on_break:
            env.call_at(env.now + self._bots[aid].recover_after, partial(self._recover, aid))
