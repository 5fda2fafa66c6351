"""Agent scripts and questionnaires (telesales and research): the YAML format
(`parse_script`), the condition language of skip logic (`conditions`), field merge
(`merge`) and the pure runner (`position`, `check_answer`). No I/O, no clock.

Quotas (the top-level `quotas:` key, kept raw on `Script.quotas`) are read by
`callcenter.core.scripts.quotas`. The format is in docs/reference/scripts.md.
"""

from callcenter.core.scripts.conditions import ConditionError, evaluate, parse_condition
from callcenter.core.scripts.merge import merge
from callcenter.core.scripts.model import (
    BREAK_OFF,
    CUSTOMER_FIELDS,
    DEFAULT_OUTCOME,
    OUTCOMES,
    PURPOSES,
    QUESTION_TYPES,
    Option,
    Route,
    Sale,
    Script,
    Step,
)
from callcenter.core.scripts.parse import Problem, ScriptError, parse_script
from callcenter.core.scripts.runner import (
    QUOTA_FULL,
    AnswerError,
    Outcome,
    Position,
    break_off,
    check_answer,
    position,
    render,
)

__all__ = [
    "BREAK_OFF",
    "CUSTOMER_FIELDS",
    "DEFAULT_OUTCOME",
    "OUTCOMES",
    "PURPOSES",
    "QUESTION_TYPES",
    "QUOTA_FULL",
    "AnswerError",
    "ConditionError",
    "Option",
    "Outcome",
    "Position",
    "Problem",
    "Route",
    "Sale",
    "Script",
    "ScriptError",
    "Step",
    "break_off",
    "check_answer",
    "evaluate",
    "merge",
    "parse_condition",
    "parse_script",
    "position",
    "render",
]
