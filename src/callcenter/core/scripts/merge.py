"""Field merge: `{first_name}` in a script's text replaced by the lead's or customer's
value (or an earlier answer); `{{` and `}}` write a brace."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

__all__ = ["FIELD", "merge", "merged_names", "shown"]

FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""A merge field (group 1: its name), or an escaped brace."""


def merged_names(text: str) -> list[str]:
    """The field names `text` merges, in order."""
    return [m.group(1) for m in FIELD.finditer(text) if m.group(1)]


def shown(value: object) -> str:
    """How a value reads in merged text: lists joined by commas, nothing for null."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def merge(text: str, values: Mapping[str, object]) -> str:
    """`text` with each `{name}` replaced by its value (empty when it has none)."""
    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return m.group(0)[0]
        return shown(values.get(name))
    return FIELD.sub(fill, text)
