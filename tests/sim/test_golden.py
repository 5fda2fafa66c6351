"""The example scenarios reproduce their checked-in summaries (`*.expected.json`).

After a deliberate behaviour change: `python -m callcenter.sim.golden --update`, then
review the diff of the expected files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.sim.golden import differences, expected_path, golden_summary, scenarios

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


@pytest.mark.parametrize("scenario", scenarios(EXAMPLES), ids=lambda p: p.stem)
def test_example_matches_golden_summary(scenario: Path) -> None:
    """Counts match exactly and other numbers within 1e-9."""
    expected = json.loads(expected_path(scenario).read_text(encoding="utf-8"))
    assert differences(expected, golden_summary(scenario)) == []


def test_every_example_has_a_golden_file() -> None:
    """Each example scenario has its expected summary beside it."""
    examples = scenarios(EXAMPLES)
    assert [p.stem for p in examples] == ["customer-service", "full-day", "hotline",
                                          "outbound-sales"]
    assert [p.name for p in examples if not expected_path(p).exists()] == []


def test_differences_exact_for_counts() -> None:
    """A count that is off by one is a difference."""
    assert differences({"offered": 10}, {"offered": 11}) == ["offered: expected 10, got 11"]


def test_differences_tolerate_float_noise() -> None:
    """Floats within 1e-9 are equal; beyond that they differ."""
    assert differences({"asa": 1.0}, {"asa": 1.0 + 1e-12}) == []
    assert differences({"asa": 1.0}, {"asa": 1.001}) != []


def test_differences_report_missing_keys() -> None:
    """Keys on one side only are named."""
    assert differences({"a": {"b": 1}}, {"a": {}}) == ["a.b: missing"]
