"""Agents' presence: logging in and out, pausing and getting ready, and the state each
agent shows (derived from its work by `agent_state.derive_state`), with its spans.

`Presence` is a part the engine's `Lifecycle` holds. It changes an agent's flags, has
the router settle it, and emits `RecordAgentSpan` and `AgentStateChanged` when the
state it shows changes (`sync_state`, which the router calls for every agent it
settled).
"""

from __future__ import annotations

from callcenter.core import agent_state as ast
from callcenter.core.agent_state import AgentInput, AgentState
from callcenter.core.commands import AgentStateChanged, Command, RecordAgentSpan
from callcenter.core.config import EngineSettings
from callcenter.core.model import Agent
from callcenter.core.records import AgentSpan
from callcenter.core.routing import Router


class Presence:
    """Log in, log out, pause, ready; the state each agent shows."""

    def __init__(self, router: Router, settings: EngineSettings, out: list[Command]) -> None:
        self._r = router
        self._staffed = router.staffed
        self._settings = settings
        self._out = out

    def login(self, a: Agent, ready: bool) -> None:
        """Log the agent in, ready or paused (reason `login`)."""
        what = AgentInput.LOGIN_READY if ready else AgentInput.LOGIN_PAUSED
        if a.logged_in:
            ast.check(a.id, a.state, what)
        a.logged_in, a.logout_pending, a.missed = True, False, 0
        a.paused, a.pause_reason = (not ready), ("" if ready else "login")
        a.idle_since = self._r.now
        self._r.touch(a)

    def logout(self, a: Agent) -> None:
        """Log the agent out now, or once the work it holds is done."""
        ast.check(a.id, a.state, AgentInput.LOGOUT)
        if not a.logged_in:
            return
        if a.total_load() == 0:
            a.logged_in, a.paused, a.pause_reason, a.logout_pending = False, False, "", False
        else:
            a.logout_pending = True
        self._r.touch(a)

    def ready(self, a: Agent) -> None:
        """The agent takes work again (a pending logout is called off)."""
        ast.check(a.id, a.state, AgentInput.READY)
        a.paused, a.pause_reason, a.missed = False, "", 0
        a.logout_pending = False
        self._r.touch(a)

    def pause(self, a: Agent, reason: str) -> None:
        """The agent takes no new work, for `reason`."""
        a.paused, a.pause_reason = True, reason
        self._r.touch(a)

    def _finish_logout(self, a: Agent) -> None:
        if a.logout_pending and a.total_load() == 0:
            a.logged_in, a.paused, a.pause_reason, a.logout_pending = False, False, "", False
        if not a.logged_in:
            # Direct transfers still waiting for this agent go to their queue's line.
            while a.personal:
                _, _, gen, ix = a.personal.pop()
                if ix.gen == gen and ix.personal_for is a and ix.waiting():
                    ix.personal_for = None
                    ix.placements = {self._r.target(ix.queue, ix.extra).key: ix.step}
                    self._r.route_waiting(ix)

    def sync_state(self, a: Agent) -> None:
        """Derive the agent's state from its work; emit the closed span and the change."""
        if a.logout_pending or (not a.logged_in and a.personal):
            self._finish_logout(a)
        state = ast.derive_state(a.logged_in, a.paused, len(a.offers), len(a.connected),
                                 len(a.wrapping))
        reason = a.pause_reason if state is AgentState.PAUSED else ""
        staffed = a.logged_in and not a.paused and not a.logout_pending
        if staffed != a.staffed:
            a.staffed = staffed
            delta = 1 if staffed else -1
            for qid in a.tiers:
                self._staffed[qid] += delta
        if state is a.state and reason == a.state_reason:
            return
        now = self._r.now
        since = a.state_since
        if since is not None and now > since:
            self._out.append(RecordAgentSpan(AgentSpan(a.id, a.state._value_, since, now,
                                                       a.state_reason)))
        a.state, a.state_reason, a.state_since = state, reason, now
        if self._settings.agent_changes:
            self._out.append(AgentStateChanged(a.id, state, reason, now))
