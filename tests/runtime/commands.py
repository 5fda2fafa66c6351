"""Hypothesis strategies for engine commands (every kind, any field values)."""

from __future__ import annotations

from hypothesis import strategies as st

from callcenter.core.commands import (
    AgentStateChanged,
    Command,
    Connect,
    Disconnect,
    ExitQueue,
    Hold,
    InteractionStateChanged,
    OfferToAgent,
    RecordAgentSpan,
    RecordInteraction,
    TransferExternal,
    WithdrawOffer,
)
from callcenter.core.records import AgentSpan, InteractionRecord

texts = st.text(max_size=12)  # any code point, lone surrogates and NUL included
times = st.floats(allow_nan=False)  # infinities and -0.0 included
maybe_times = st.none() | times
ints = st.integers(min_value=-(2**63), max_value=2**63)

records = st.builds(
    InteractionRecord, interaction_id=texts, channel=texts, queue_id=texts,
    first_queue_id=texts, priority=ints, arrived_at=times, answered_at=maybe_times,
    ended_at=times, completed_at=times, outcome=texts, agent_id=st.none() | texts,
    exit_reason=texts, exit_action=texts, offers=ints, transfers=ints, callback=st.booleans(),
    disposition=texts, first_offered_at=maybe_times, talk_seconds=times, wrap_seconds=times,
    service_level_threshold=times, short_abandon=times, caller_number=st.none() | texts,
    hold_seconds=times)
spans = st.builds(AgentSpan, texts, texts, times, times, texts)

commands: st.SearchStrategy[Command] = st.one_of(
    st.builds(OfferToAgent, texts, texts, texts, texts, times),
    st.builds(WithdrawOffer, texts, texts, texts),
    st.builds(Connect, texts, texts),
    st.builds(Disconnect, texts, texts, texts),
    st.builds(Hold, texts, texts, st.booleans()),
    st.builds(TransferExternal, texts, texts),
    st.builds(ExitQueue, texts, texts, texts, texts),
    st.builds(AgentStateChanged, texts, texts, texts, times),
    st.builds(InteractionStateChanged, texts, texts, texts, st.none() | texts, times),
    st.builds(RecordInteraction, records),
    st.builds(RecordAgentSpan, spans),
)
batches = st.lists(commands, min_size=1, max_size=4)
