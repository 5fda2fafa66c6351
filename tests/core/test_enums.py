"""Core enums behave like their string values."""

from callcenter.core.agent_state import AgentState
from callcenter.core.config import Strategy
from callcenter.core.interaction_state import InteractionState


def test_members_find_plain_string_keys() -> None:
    """A dict keyed by plain strings (rows read back from CSV or a database) finds members."""
    by_state = {"busy": 1, "queued": 2, "ring-all": 3}
    assert by_state[AgentState.BUSY] == 1
    assert by_state[InteractionState.QUEUED] == 2
    assert by_state[Strategy.RING_ALL] == 3
