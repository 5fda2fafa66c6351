"""The script runner and quotas: an interview whose answers put it into a full quota
cell ends with outcome quota_full; others go on."""

from __future__ import annotations

from pathlib import Path

from callcenter.core.scripts import QUOTA_FULL, parse_script, position
from callcenter.core.scripts.quotas import count_cells

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scripts" / "market-research.yaml"
SCRIPT = parse_script(EXAMPLE.read_text())
START = {"intro": True, "consent": "agree"}


def test_the_example_has_an_age_by_region_grid() -> None:
    """3 age bands x 4 regions = 12 cells of 25."""
    cells = SCRIPT.quota.cells
    assert len(cells) == 12 and {c.target for c in cells} == {25}
    assert cells[0].id == "age=18-34,region=north"


def test_an_interview_in_a_full_cell_ends_as_quota_full() -> None:
    """Young and north, with that cell full: the run ends after the region answer."""
    counts = {"age=18-34,region=north": 25}
    pos = position(SCRIPT, {}, {**START, "age": 30, "region": "north"}, counts)
    assert pos.ended and pos.current is None
    assert pos.outcome is not None and pos.outcome.code == QUOTA_FULL
    assert pos.path == ("intro", "consent", "age", "region")


def test_an_interview_in_an_open_cell_goes_on() -> None:
    """Young and south (24 of 25) is asked the next question."""
    counts = {"age=18-34,region=north": 25, "age=18-34,region=south": 24}
    pos = position(SCRIPT, {}, {**START, "age": 30, "region": "south"}, counts)
    assert pos.current is not None and pos.current.id == "transport"


def test_before_the_deciding_answer_the_interview_goes_on() -> None:
    """Every cell full, but the region is not asked yet: the region question comes."""
    counts = count_cells(SCRIPT.quota, [])
    full = {k: 25 for k in counts}
    pos = position(SCRIPT, {}, {**START, "age": 30}, full)
    assert pos.current is not None and pos.current.id == "region"


def test_without_counts_quotas_are_not_checked() -> None:
    """The runner called as before (no counts) never screens out."""
    pos = position(SCRIPT, {}, {**START, "age": 30, "region": "north"})
    assert pos.current is not None and pos.current.id == "transport"
