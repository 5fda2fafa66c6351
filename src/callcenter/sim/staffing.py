"""Trace staffing: keep the number of agents on duty per group at what the trace says."""

from __future__ import annotations

from functools import partial

from callcenter.scenario.spec import AgentGroup, Scenario
from callcenter.sim.agents import LOGGED_OUT, Roster
from callcenter.sim.environment import Environment

_IDLE_FIRST = {"available": 0, "paused": 1}


class StaffingPlan:
    """At each staffing step, logs agents of a group in or out to reach its count.

    Agents to log out are taken idle ones first (busy ones finish their work first);
    agents to log in are taken among those fully logged out, and when none is left
    the group gets a further agent like its first.
    """

    def __init__(self, env: Environment, roster: Roster, scenario: Scenario) -> None:
        assert scenario.trace is not None
        self._env = env
        self._roster = roster
        self._steps = scenario.trace.staffing
        default = scenario.groups[0] if len(scenario.groups) == 1 else None
        by_name = {g.name: g for g in scenario.groups}
        self._group_of_step = [by_name[s.group] if s.group is not None else default
                               for s in self._steps]
        self._names = {g.name for g in self._group_of_step if g is not None}
        self._pool: dict[str, list[str]] = {g.name: [a.id for a in g.agents]
                                            for g in scenario.groups}
        self._duty: dict[str, list[str]] = {g.name: [] for g in scenario.groups}

    def manages(self, group: AgentGroup) -> bool:
        """True if the staffing rows set this group's agents on duty."""
        return group.name in self._names

    def schedule(self) -> None:
        """Put every staffing step on the simulation's clock."""
        env = self._env
        for step, group in zip(self._steps, self._group_of_step, strict=True):
            assert group is not None
            env.call_at(step.start, partial(self.apply, group, step.agents))

    def apply(self, group: AgentGroup, count: int) -> None:
        """Log agents of `group` in or out so that `count` are on duty."""
        roster = self._roster
        duty = self._duty[group.name]
        if len(duty) > count:
            order = sorted(range(len(duty)),
                           key=lambda i: (_IDLE_FIRST.get(roster.state[duty[i]], 2), -i))
            leaving = {duty[i] for i in order[: len(duty) - count]}
            for aid in [a for a in duty if a in leaving]:
                roster.logout(aid)
            duty[:] = [a for a in duty if a not in leaving]
        pool = self._pool[group.name]
        while len(duty) < count:
            free = next((a for a in pool if a not in duty and roster.state[a] == LOGGED_OUT), None)
            aid = free if free is not None else f"{group.name}-x{len(pool) + 1}"
            if free is None:
                roster.add_agent(group.template(aid), group)
                pool.append(aid)
            duty.append(aid)
            roster.login(aid)
