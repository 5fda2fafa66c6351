"""Example agent scripts and questionnaires (docs/reference/scripts.md)."""
