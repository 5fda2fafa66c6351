"""The error a bad scenario or trace file raises: names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

Key = str | int
"""One step of a key path: a table key, or an index into an array."""


def dotted(path: tuple[Key, ...]) -> str:
    """`('queues', 'billing', 'escalation', 0)` -> `queues.billing.escalation[0]`."""
    out = ""
    for k in path:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            out += f".{k}" if out else k
    return out


class ScenarioError(ValueError):
    """A scenario or trace file is invalid.

    `path` is the key path inside the file (empty for a file-level problem), `line`
    the line number when known.
    """

    def __init__(
        self,
        message: str,
        path: tuple[Key, ...] = (),
        *,
        file: Path | str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.file = None if file is None else str(file)
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        prefix = ", ".join(where)
        key = dotted(self.path)
        text = f"{key}: {self.message}" if key else self.message
        return f"{prefix}: {text}" if prefix else text

    def located(self, file: Path | str | None, line: int | None) -> ScenarioError:
        """The same error with the file and line filled in (kept if already known)."""
        return ScenarioError(
            self.message,
            self.path,
            file=self.file if self.file is not None else file,
            line=self.line if self.line is not None else line,
        )
