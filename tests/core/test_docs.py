"""The routing reference page shows the state tables as they are in the code."""

from pathlib import Path

from callcenter.core import agent_state, interaction_state
from callcenter.core.diagram import mermaid

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "routing.md"


def test_agent_diagram_matches_the_table() -> None:
    """The agent diagram in docs/reference/routing.md is generated from the current table."""
    assert mermaid(agent_state.TRANSITIONS) in PAGE.read_text()


def test_interaction_diagram_matches_the_table() -> None:
    """The interaction diagram in docs/reference/routing.md is generated from the current table."""
    assert mermaid(interaction_state.TRANSITIONS) in PAGE.read_text()


def test_case_diagram_matches_the_table() -> None:
    """The case workflow diagram in docs/reference/cases.md is drawn from the table."""
    from callcenter.core import case_state

    page = PAGE.parent / "cases.md"
    assert mermaid(case_state.TRANSITIONS) in page.read_text()
