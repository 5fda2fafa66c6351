"""Argument checks shared by the wfm modules: misuse raises ValueError naming the argument."""

from __future__ import annotations

import math


def check_load(agents: int, erlangs: float) -> None:
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents}")
    check_non_negative("erlangs", erlangs)


def check_positive(name: str, value: float) -> None:
    if not (value > 0.0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")


def check_non_negative(name: str, value: float) -> None:
    if not (value >= 0.0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")


def check_targets(
    target_sl: float,
    target_seconds: float,
    max_asa: float | None,
    max_occupancy: float | None,
) -> None:
    if not 0.0 <= target_sl < 1.0:
        raise ValueError(f"target_sl must be in [0, 1), got {target_sl}")
    check_non_negative("target_seconds", target_seconds)
    if max_asa is not None:
        check_non_negative("max_asa", max_asa)
    if max_occupancy is not None and not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy}")
