"""Workforce management maths: Erlang B/C/A and staffing for an interval."""

from callcenter.wfm.erlang import (
    asa,
    erlang_b,
    erlang_b_table,
    erlang_c,
    occupancy,
    required_agents,
    service_level,
)
from callcenter.wfm.erlang_a import ErlangAMeasures, erlang_a, required_agents_erlang_a
from callcenter.wfm.staffing import (
    StaffingResult,
    measure,
    offered_load,
    staff,
    staffing_table,
)

__all__ = [
    "ErlangAMeasures",
    "StaffingResult",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_b_table",
    "erlang_c",
    "measure",
    "occupancy",
    "offered_load",
    "required_agents",
    "required_agents_erlang_a",
    "service_level",
    "staff",
    "staffing_table",
]
