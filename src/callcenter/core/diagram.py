"""Mermaid state diagrams drawn from the transition tables (docs embed the output).

    python -m callcenter.core.diagram      # prints both diagrams
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from callcenter.core import agent_state, interaction_state

S = TypeVar("S", bound=enum.StrEnum)
In = TypeVar("In", bound=enum.StrEnum)


def mermaid(table: Mapping[S, Mapping[In, S]]) -> str:
    """A `stateDiagram-v2` with one arrow per (state, next state), inputs as labels."""
    lines = ["stateDiagram-v2"]
    for state, moves in table.items():
        by_next: dict[str, list[str]] = {}
        for what, nxt in moves.items():
            if nxt != state:
                by_next.setdefault(nxt.value, []).append(what.value)
        for target, inputs in by_next.items():
            lines.append(f"    {state.value} --> {target}: {', '.join(inputs)}")
    return "\n".join(lines)


def main() -> None:
    """Print the agent and the interaction diagrams."""
    print("```mermaid")
    print(mermaid(agent_state.TRANSITIONS))
    print("```\n")
    print("```mermaid")
    print(mermaid(interaction_state.TRANSITIONS))
    print("```")


if __name__ == "__main__":
    main()
