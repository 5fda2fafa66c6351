"""What happens to interactions: admission, offers, talk, wrap-up, transfers, exits,
and the timers that drive them.

`Lifecycle` is the part of the engine that applies events. It holds the other parts:
the `Router` (indexes and selection) and the `Presence` (agents' log-in, pauses and
shown states). Each method applies one step of the state tables in
`interaction_state` and `agent_state`, keeps the router's indexes current, and
appends commands to `out`, which the `Engine` hands back from `handle`.
"""

from __future__ import annotations

from callcenter.core import agent_state as ast
from callcenter.core import interaction_state as ist
from callcenter.core.agent_state import AgentInput
from callcenter.core.commands import (
    Command,
    Connect,
    Disconnect,
    ExitQueue,
    Hold,
    InteractionStateChanged,
    OfferToAgent,
    RecordInteraction,
    TransferExternal,
    WithdrawOffer,
)
from callcenter.core.config import EngineSettings, ExitAction, ExitKind, QueueConfig
from callcenter.core.errors import RoutingError, UnknownAgent, UnknownInteraction
from callcenter.core.events import CUSTOMER_LEFT, InteractionArrived
from callcenter.core.interaction_state import InteractionInput, InteractionState
from callcenter.core.model import Agent, Interaction, RandomSource, Timer
from callcenter.core.presence import Presence
from callcenter.core.routing import Router
from callcenter.core.timers import TimerHeap

II = InteractionInput
IS = InteractionState


class Lifecycle:
    """The transitions behind `Engine.handle` (see the module's docstring)."""

    def __init__(self, rng: RandomSource | None, settings: EngineSettings) -> None:
        self.settings = settings
        self.out: list[Command] = []
        self.now = 0.0
        self.router = r = Router(rng)
        self.presence = Presence(r, settings, self.out)
        r.connect(self._offer, self.presence.sync_state)
        self._r = r
        self._presence = self.presence
        self._out = self.out
        self._ix, self._waiting_in, self._aht = r.ix, r.waiting_in, r.aht
        self._staffed, self._by_id = r.staffed, r.by_id
        self.timers = TimerHeap()

    def at(self, now: float) -> None:
        """What follows happens at `now`."""
        self.now = now
        self._r.now = now

    # ------------------------------------------------------------------ lookups

    def agent(self, agent_id: str) -> Agent:
        a = self._by_id.get(agent_id)
        if a is None:
            raise UnknownAgent(f"no agent {agent_id!r}")
        return a

    def interaction(self, iid: str) -> Interaction:
        ix = self._ix.get(iid)
        if ix is None:
            raise UnknownInteraction(f"no open interaction {iid!r}")
        return ix

    def offer_of(self, a: Agent, iid: str, what: AgentInput) -> Interaction:
        ix = a.offers.get(iid)
        if ix is None:
            ast.check(a.id, a.state, what)
            raise RoutingError(f"agent {a.id!r} has no offer of {iid!r} (state {a.state.value})")
        return ix

    # ------------------------------------------------------------------ interactions

    def arrive(self, ev: InteractionArrived) -> None:
        if ev.interaction_id in self._ix:
            raise RoutingError(f"interaction {ev.interaction_id!r} already exists")
        q = self._r.queue(ev.queue_id)
        extra = tuple(sorted((r.skill, r.min_level) for r in ev.skills))
        now = self.now
        ix = Interaction(ev.interaction_id, q, q.id, ev.priority, extra, now, now)
        ix.caller = ev.caller
        if ev.agent_id:
            to = self.agent(ev.agent_id)
            self._ix[ix.id] = ix
            self._start_waiting(ix, q)
            self._move(ix, II.ADMIT)
            ix.placements = {}
            ix.personal_for = to
            ix.gen += 1
            self._r.push_personal(to, ix)
            self._r.touch(to)
            return
        self._ix[ix.id] = ix
        self._admit(ix, q, depth=0)

    def _admit(self, ix: Interaction, q: QueueConfig, depth: int) -> None:
        """Put `ix` into queue `q`, or turn it away by the queue's admission rules."""
        now = self.now
        if q.calendar is not None and not q.calendar.is_open(now):
            self._exit(ix, q, "closed", q.closed_action, depth)
        elif q.max_length is not None and len(self._waiting_in[q.id]) >= q.max_length:
            self._exit(ix, q, "queue_full", q.full_action, depth)
        elif q.reject_when_no_agents and self._staffed[q.id] == 0:
            self._exit(ix, q, "no_agents", q.no_agents_action, depth)
        else:
            self._enqueue(ix, q)

    def _enqueue(self, ix: Interaction, q: QueueConfig) -> None:
        self._start_waiting(ix, q)
        self._move(ix, II.REQUEUE if ix.state is IS.TRANSFERRED else II.ADMIT)
        self._r.route_waiting(ix)

    def _start_waiting(self, ix: Interaction, q: QueueConfig) -> None:
        """Put `ix` in queue `q`'s line at step 0, with that queue's escalation and max wait."""
        now = self.now
        ix.queue = q
        ix.queued_at = now
        ix.queue_seq += 1
        ix.step = 0
        for t in ix.timers:
            if t.kind != "retry":
                t.cancelled = True
        ix.timers = [t for t in ix.timers if not t.cancelled]
        ix.placements = {self._r.target(q, ix.extra).key: 0}
        self._waiting_in[q.id][ix.id] = ix
        if q.escalation:
            self._arm(ix, q.escalation[0].after + now, "escalate", 1)
        if q.max_wait is not None:
            self._arm(ix, now + q.max_wait, "max_wait", 0)

    def _exit(self, ix: Interaction, q: QueueConfig, reason: str, action: ExitAction,
              depth: int) -> None:
        """Leave queue `q` without an agent, by the exit action."""
        if action.kind is ExitKind.QUEUE:
            if depth >= 5:
                action = ExitAction()  # queues sending to each other in a loop: hang up
            else:
                assert action.queue_id is not None
                if ix.waiting():
                    self._unwait(ix)
                    self._move(ix, II.TRANSFER)
                self._admit(ix, self._r.queue(action.queue_id), depth + 1)
                return
        self._out.append(ExitQueue(ix.id, q.id, reason, action.kind.value))
        if action.kind is ExitKind.CALLBACK:
            if not ix.waiting():
                self._enqueue(ix, q)
            self._make_callback(ix)
            return
        final = II.TIME_OUT if ix.waiting() else II.REJECT
        self._unwait(ix)
        self._finish(ix, final, reason, action.label())

    def _make_callback(self, ix: Interaction) -> None:
        ix.callback = ix.callback_pending = True
        for t in ix.timers:
            if t.kind == "max_wait":
                t.cancelled = True
        if ix.state is IS.QUEUED:
            self._move(ix, II.REQUEST_CALLBACK)

    def request_callback(self, iid: str) -> None:
        ix = self.interaction(iid)
        if ix.state is IS.QUEUED or ix.state is IS.OFFERED:
            self._make_callback(ix)
        else:
            ist.step(ix.id, ix.state, II.REQUEST_CALLBACK)

    def caller_hung_up(self, iid: str, reason: str = "caller_hung_up") -> None:
        ix = self._ix.get(iid)
        if ix is None or ix.state is IS.WRAP_UP or ix.callback_pending:
            return  # already over, or the customer is not on the line (a callback): nothing to do
        if reason != "caller_hung_up":
            ix.lost = reason
        if ix.state is IS.CONNECTED:
            self.end_talk(ix, reason)
            return
        if ix.state is IS.OFFERED:
            for a in list(ix.offered_to.values()):
                self._drop_offer(a, ix, reason)
        self._unwait(ix)
        self._finish(ix, II.ABANDON if reason in CUSTOMER_LEFT else II.LOSE, reason, "")

    def _unwait(self, ix: Interaction) -> None:
        """Take `ix` out of its queue's line (heap entries go stale by generation)."""
        ix.gen += 1
        self._waiting_in[ix.queue.id].pop(ix.id, None)
        if ix.personal_for is not None:
            ix.personal_for = None

    def accept(self, a: Agent, iid: str) -> None:
        ix = self.offer_of(a, iid, AgentInput.ACCEPT)
        ast.check(a.id, a.state, AgentInput.ACCEPT)
        now = self.now
        self._clear_offer(a, ix)
        ix.offered_to.pop(a.id, None)
        a.missed = 0
        for other in list(ix.offered_to.values()):
            self._drop_offer(other, ix, "taken")
        ix.offered_to.clear()
        self._unwait(ix)
        for t in ix.timers:
            t.cancelled = True
        ix.timers = []
        ix.declined.clear()
        ix.overdue = False  # answered: a max_wait passed while ringing no longer applies
        ix.callback_pending = False  # a callback answered: the customer is on the line
        self._move(ix, II.ACCEPT, a)
        ix.agent = a
        if ix.id in a.wrapping:
            # A chat transferred back to the agent still wrapping up its earlier part:
            # taking it back ends that wrap-up (and frees its slot).
            self.wrap_done(a, ix.id, "")
        if ix.answered_at is None:
            ix.answered_at = now
        ix.segment_start = now
        a.connected[ix.id] = ix
        a.load[ix.channel] = a.load.get(ix.channel, 0) + 1
        a.answered += 1
        self._out.append(Connect(ix.id, a.id))
        self._r.touch(a)

    def end_talk(self, ix: Interaction, reason: str) -> None:
        """The conversation ended: the agent goes to wrap-up, the interaction waits for it."""
        a = ix.agent
        assert a is not None and ix.segment_start is not None
        now = self.now
        self._end_hold(ix)
        self._move(ix, II.HANG_UP, a)
        seg = now - ix.segment_start
        ix.talk += seg
        a.talk_time += seg
        ix.ended_at = now
        self._start_wrap(a, ix, reason)

    def _start_wrap(self, a: Agent, ix: Interaction, reason: str) -> None:
        del a.connected[ix.id]
        a.wrapping[ix.id] = ix
        self._out.append(Disconnect(ix.id, a.id, reason))
        wrap = ix.queue.wrap_up
        if wrap <= 0:
            self.wrap_done(a, ix.id, "")
            return
        timer = Timer(self.now + wrap, "wrap", ix, a)
        a.wrap_timers[ix.id] = timer
        self.timers.push(timer)
        self._r.touch(a)

    def wrap_done(self, a: Agent, iid: str, disposition: str) -> None:
        ix = a.wrapping.pop(iid)
        timer = a.wrap_timers.pop(iid, None)
        if timer is not None:
            timer.cancelled = True
        a.load[ix.channel] -= 1
        if disposition and ix.agent is a:
            ix.disposition = disposition
        if ix.state is IS.WRAP_UP and ix.agent is a:
            ended = ix.ended_at if ix.ended_at is not None else self.now
            self._finish(ix, II.WRAP_DONE, ix.lost, "", wrap=self.now - ended)
        self._r.touch(a)

    def transfer(self, ix: Interaction, q: QueueConfig, to: Agent | None) -> None:
        a = ix.agent
        if ix.state is not IS.CONNECTED or a is None:
            ist.step(ix.id, ix.state, II.TRANSFER)
            raise RoutingError(f"interaction {ix.id!r} is {ix.state.value}: cannot transfer "
                               "(not connected)")
        if to is a:
            raise RoutingError(f"agent {a.id!r} cannot transfer to itself")
        if to is not None and to.caps.get(ix.channel, 0) <= 0:
            raise RoutingError(f"agent {to.id!r} takes no {ix.channel} interactions "
                               "(capacity 0)")
        now = self.now
        assert ix.segment_start is not None
        self._end_hold(ix)
        seg = now - ix.segment_start
        ix.talk += seg
        a.talk_time += seg
        self._move(ix, II.TRANSFER, a)
        ix.transfers += 1
        ix.agent = None
        self._start_wrap(a, ix, "transferred")
        if to is None:
            self._admit(ix, q, depth=0)
            return
        ix.queue = q
        ix.queue_seq += 1
        self._waiting_in[q.id][ix.id] = ix
        self._move(ix, II.REQUEUE)
        ix.placements = {}
        ix.personal_for = to
        ix.gen += 1
        self._r.push_personal(to, ix)
        self._r.touch(to)

    def _connected(self, ix: Interaction, what: str) -> Agent:
        a = ix.agent
        if ix.state is not IS.CONNECTED or a is None:
            raise RoutingError(f"interaction {ix.id!r} is {ix.state.value}: cannot {what} "
                               "(not connected)")
        return a

    def hold(self, ix: Interaction, held: bool) -> None:
        """Hold (music for the customer) or resume; the time on hold is counted apart."""
        a = self._connected(ix, "hold" if held else "resume")
        if held == (ix.hold_since is not None):
            raise RoutingError(f"interaction {ix.id!r} is "
                               f"{'on hold' if held else 'not on hold'} already")
        if held:
            ix.hold_since = self.now
        else:
            self._end_hold(ix)
        self._out.append(Hold(ix.id, a.id, held))

    def _end_hold(self, ix: Interaction) -> None:
        if ix.hold_since is not None:
            ix.hold += self.now - ix.hold_since
            ix.hold_since = None

    def transfer_out(self, ix: Interaction, number: str) -> None:
        """A blind transfer to an external number: the agent's conversation ends (wrap-up
        follows), the customer is put through; the row says where it went."""
        a = self._connected(ix, "transfer")
        if not number.strip():
            raise RoutingError("a transfer needs a number")
        ix.exit_action = f"transfer:{number}"
        ix.transfers += 1
        self._end_hold(ix)
        now = self.now
        assert ix.segment_start is not None
        self._move(ix, II.HANG_UP, a)
        seg = now - ix.segment_start
        ix.talk += seg
        a.talk_time += seg
        ix.ended_at = now
        self._start_wrap(a, ix, "transferred")
        self._out.append(TransferExternal(ix.id, number))

    def _finish(self, ix: Interaction, what: InteractionInput, reason: str, action: str,
                wrap: float = 0.0) -> None:
        """Move `ix` to its final state and emit its row, exactly once."""
        self._move(ix, what, ix.agent)
        for t in ix.timers:
            t.cancelled = True
        ix.timers = []
        del self._ix[ix.id]
        now = self.now
        q = ix.queue
        if ix.state is IS.COMPLETED:
            s = self.settings.ewt_smoothing
            self._aht[q.id] = (1 - s) * self._aht[q.id] + s * (ix.talk + wrap)
        self._out.append(RecordInteraction(ix.record(now, reason, action, wrap)))

    def _move(self, ix: Interaction, what: InteractionInput, agent: Agent | None = None) -> None:
        nxt = ist.TRANSITIONS[ix.state].get(what)
        if nxt is None:
            ist.step(ix.id, ix.state, what)  # raises, naming the state
            return
        ix.state = nxt
        if self.settings.interaction_changes:
            aid = agent.id if agent is not None else None
            self._out.append(InteractionStateChanged(ix.id, nxt, ix.queue.id, aid, self.now))

    # ------------------------------------------------------------------ timers

    def fire_due(self, now: float) -> None:
        """Fire every timer due at or before `now`, each at its own time, in order."""
        while (timer := self.timers.pop_due(now)) is not None:
            self.at(timer.at)
            self._fire(timer)
            self._r.settle()

    def _fire(self, t: Timer) -> None:
        ix, a = t.interaction, t.agent
        if t.kind == "offer" and ix is not None and a is not None:
            self.decline(a, ix, "timeout")
        elif t.kind == "wrap" and ix is not None and a is not None:
            self.wrap_done(a, ix.id, "")
        elif t.kind == "escalate" and ix is not None:
            self._escalate(ix, t.arg)
        elif t.kind == "max_wait" and ix is not None:
            if ix.state is IS.QUEUED:
                self._exit(ix, ix.queue, "max_wait", ix.queue.timeout_action, 0)
            elif ix.state is IS.OFFERED:
                ix.overdue = True  # exits when the ringing ends unanswered
        elif t.kind == "retry" and ix is not None and ix.waiting():
            self._r.route_waiting(ix)

    def _arm(self, ix: Interaction, at: float, kind: str, arg: int) -> None:
        timer = Timer(at, kind, ix, None, arg)
        ix.timers.append(timer)
        self.timers.push(timer)

    def _escalate(self, ix: Interaction, step: int) -> None:
        q = ix.queue
        ix.step = step
        base = self._r.target(q, ix.extra)
        new_places = {base.key: step}
        for k, s in ix.placements.items():
            if k != base.key:
                new_places[k] = s
        for qid in base.steps[step].overflow_to:
            t2 = self._r.target(self._r.queue(qid), ix.extra)
            new_places.setdefault(t2.key, 0)
        ix.placements = new_places
        if step < len(q.escalation):
            self._arm(ix, ix.queued_at + q.escalation[step].after, "escalate", step + 1)
        if ix.waiting():
            ix.gen += 1
            self._r.route_waiting(ix)

    # ------------------------------------------------------------------ offers

    def decline(self, a: Agent, ix: Interaction, why: str) -> None:
        """The agent rejected the offer or let it ring out: back to the line."""
        ast.check(a.id, a.state, AgentInput.DECLINE)
        self._clear_offer(a, ix)
        self._out.append(WithdrawOffer(ix.id, a.id, why))
        a.missed += 1
        if a.missed >= self.settings.max_missed_offers:
            a.missed = 0
            self._presence.pause(a, "missed_offers")
        ix.offered_to.pop(a.id, None)
        ix.declined[a.id] = self.now + ix.queue.retry_after
        if ix.queue.retry_after > 0:
            self._arm(ix, self.now + ix.queue.retry_after, "retry", 0)
        self._r.touch(a)
        if ix.offered_to:
            return  # ring-all: the others still ring
        self._return_to_line(ix)

    def _return_to_line(self, ix: Interaction) -> None:
        back = II.DECLINE_TO_CALLBACK if ix.callback_pending else II.DECLINE_TO_QUEUE
        self._move(ix, back)
        ix.gen += 1
        if ix.personal_for is not None or ix.placements == {}:
            # A transfer to one agent that was not taken joins its queue's line, with
            # that queue's escalation and max wait from now on.
            ix.personal_for = None
            self._start_waiting(ix, ix.queue)
        if ix.overdue and not ix.callback_pending:
            ix.overdue = False
            self._exit(ix, ix.queue, "max_wait", ix.queue.timeout_action, 0)
            if not ix.waiting():
                return  # ended, or already ringing in the exit action's queue
        self._r.route_waiting(ix)

    def _clear_offer(self, a: Agent, ix: Interaction) -> None:
        del a.offers[ix.id]
        timer = a.offer_timers.pop(ix.id, None)
        if timer is not None:
            timer.cancelled = True
        a.load[ix.channel] -= 1

    def _drop_offer(self, a: Agent, ix: Interaction, reason: str) -> None:
        """Withdraw a ringing offer without counting it as missed."""
        self._clear_offer(a, ix)
        ix.offered_to.pop(a.id, None)
        self._out.append(WithdrawOffer(ix.id, a.id, reason))
        self._r.touch(a)

    def _offer(self, ix: Interaction, a: Agent, queue_id: str) -> None:
        """Ring agent `a` with `ix` (called by the router)."""
        now = self.now
        if ix.state is not IS.OFFERED:
            self._move(ix, II.OFFER, a)
            ix.gen += 1
        ix.offers += 1
        if ix.first_offered_at is None:
            ix.first_offered_at = now
        ix.offered_to[a.id] = a
        a.offers[ix.id] = ix
        a.load[ix.channel] = a.load.get(ix.channel, 0) + 1
        self._r.note_offer(a, queue_id)
        expires = now + ix.queue.offer_timeout
        timer = Timer(expires, "offer", ix, a)
        a.offer_timers[ix.id] = timer
        self.timers.push(timer)
        self._out.append(OfferToAgent(ix.id, a.id, ix.queue.id, ix.channel, expires))
        self._r.touch(a)
