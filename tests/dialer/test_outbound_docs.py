"""The outbound reference page shows the lead state table as it is and every campaign field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from callcenter.core.diagram import mermaid
from callcenter.core.dialer.campaign import Campaign
from callcenter.core.dialer.leads import TRANSITIONS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "outbound.md"


def test_lead_diagram_matches_the_table() -> None:
    """The lead diagram in docs/reference/outbound.md is generated from the current table."""
    assert mermaid(TRANSITIONS) in PAGE.read_text()


def test_every_campaign_field_is_documented() -> None:
    """Each public Campaign field has a row in the field table."""
    text = PAGE.read_text()
    names = [f.name for f in dataclasses.fields(Campaign) if not f.name.startswith("_")]
    assert [n for n in names if f"| `{n}` |" not in text] == []
