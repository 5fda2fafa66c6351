"""Workforce management maths: Erlang B/C/A and staffing for an interval."""

from callcenter.wfm.erlang import (
    ErlangCMeasures,
    asa,
    erlang_b,
    erlang_b_table,
    erlang_c,
    erlang_c_measures,
    occupancy,
    required_agents,
    required_agents_with_measures,
    service_level,
)
from callcenter.wfm.erlang_a import (
    ErlangAMeasures,
    erlang_a_measures,
    required_agents_erlang_a,
)
from callcenter.wfm.staffing import (
    StaffingResult,
    measure,
    offered_load,
    staff,
    staffing_table,
)

__all__ = [
    "ErlangAMeasures",
    "ErlangCMeasures",
    "StaffingResult",
    "asa",
    "erlang_a_measures",
    "erlang_b",
    "erlang_b_table",
    "erlang_c",
    "erlang_c_measures",
    "measure",
    "occupancy",
    "offered_load",
    "required_agents",
    "required_agents_erlang_a",
    "required_agents_with_measures",
    "service_level",
    "staff",
    "staffing_table",
]
