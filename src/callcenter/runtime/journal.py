"""The local journal: an append-only file of the batches the store has not taken yet.

    journal = Journal.open(Path("callcenter.db.journal"))   # locked for this process
    for seq, commands in journal.pending():                 # left by a process that died
        ...store them, in order...; journal.stored(seq)
    seq = journal.append(commands)                           # on disk when this returns
    journal.stored(seq)                                      # the store has it now

One JSON object a line, ASCII only:

    {"batch": 7, "commands": [{"@": "AgentStateChanged", "agent_id": "a1", ...}, ...]}
    {"stored": 7}

A batch line is written and `fsync`ed before `append` returns, so a batch that was
acknowledged from the journal survives a crash or a power cut. A `stored` line says
the store took that batch; once every batch written is stored the file is emptied
(truncated), so it stays small. A last line cut short by a crash was never
acknowledged: it is dropped when the file is opened. Any other line that cannot be
read stops the open with a `JournalError` naming the file and the line (a person
must look: the journal holds changes the database does not).

Commands are encoded by `encode` and read back by `decode`: a frozen dataclass of
`callcenter.core` (a command, or a record inside one) is an object with its class
name under `"@"` and its fields; strings, numbers, booleans and None are JSON's own.
`decode(encode(c)) == c` for every command (property-tested). The file is locked
(`flock`) while open: two servers never share one journal.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_args

from callcenter.core.commands import Command
from callcenter.core.csat import RecordSurvey, SurveyResult
from callcenter.core.records import AgentSpan, InteractionRecord

_TYPES: dict[str, type[Any]] = {t.__name__: t for t in (*get_args(Command), InteractionRecord,
                                                        AgentSpan, RecordSurvey, SurveyResult)}


class JournalError(RuntimeError):
    """The journal cannot be opened, read or written (the message names the file)."""


def encode(value: Any) -> Any:
    """`value` (a command, a record, or one of their field values) as JSON-ready data."""
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _TYPES.get(name) is not type(value):
            raise TypeError(f"the journal cannot hold a {name}")
        out: dict[str, Any] = {"@": name}
        for f in fields(value):
            out[f.name] = encode(getattr(value, f.name))
        return out
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"the journal cannot hold a {type(value).__name__}: {value!r}")


def decode(data: Any) -> Any:
    """The value `encode` made `data` from."""
    if isinstance(data, dict):
        cls = _TYPES.get(data.get("@", ""))
        if cls is None:
            raise ValueError(f"unknown journal type {data.get('@')!r}")
        return cls(**{k: decode(v) for k, v in data.items() if k != "@"})
    if isinstance(data, list):
        raise ValueError("a list where a journal value was expected")
    return data


def _line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")


class Journal:
    """An open, locked journal file (see the module's description)."""

    def __init__(self, path: Path, fd: int, pending: dict[int, list[Command]]) -> None:
        self.path = path
        self._fd = fd
        self._pending = pending
        self._next = max(pending, default=0) + 1
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Journal:
        """Open (or create) the journal at `path`, lock it, and read what it holds."""
        path = Path(path)
        created = not path.exists()
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise JournalError(f"journal {path}: cannot open: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise JournalError(f"journal {path}: used by another process") from None
        try:
            if created:
                _sync_folder(path)
            pending = _read(path, fd)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, pending)

    def pending(self) -> list[tuple[int, list[Command]]]:
        """The batches written and not marked stored, oldest first."""
        with self._lock:
            return sorted((seq, list(cmds)) for seq, cmds in self._pending.items())

    def append(self, commands: Sequence[Command]) -> int:
        """Write one batch and sync it to disk; its sequence number."""
        with self._lock:
            seq = self._next
            self._write(_line({"batch": seq, "commands": [encode(c) for c in commands]}))
            self._next += 1
            self._pending[seq] = list(commands)
            return seq

    def stored(self, seq: int) -> None:
        """Mark batch `seq` stored; empty the file once nothing is pending."""
        with self._lock:
            if self._pending.pop(seq, None) is None:
                return
            if self._pending:
                self._write(_line({"stored": seq}))
                return
            try:
                os.ftruncate(self._fd, 0)
                os.fsync(self._fd)
            except OSError as exc:
                raise JournalError(f"journal {self.path}: cannot empty: {exc.strerror}") from exc

    def close(self) -> None:
        """Unlock and close the file (what is pending stays in it for the next start)."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def _write(self, data: bytes) -> None:
        size = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            written = os.write(self._fd, data)
            if written != len(data):
                raise OSError(0, f"short write ({written} of {len(data)} bytes)")
            os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # no half line left for the next one to follow
                os.ftruncate(self._fd, size)
            raise JournalError(f"journal {self.path}: cannot write: {exc.strerror}") from exc


def _sync_folder(path: Path) -> None:
    """Sync the folder holding a new file, so that the file itself survives a power cut."""
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _read(path: Path, fd: int) -> dict[int, list[Command]]:
    """The batches of the file not marked stored; a torn last line is cut off."""
    with open(fd, "rb", closefd=False) as file:
        data = file.read()
    complete, newline, torn = data.rpartition(b"\n")
    pending: dict[int, list[Command]] = {}
    for number, raw in enumerate(complete.split(b"\n") if newline else [], start=1):
        try:
            entry = json.loads(raw)
            if "batch" in entry:
                pending[int(entry["batch"])] = [decode(c) for c in entry["commands"]]
            else:
                pending.pop(int(entry["stored"]), None)
        except (ValueError, KeyError, TypeError) as exc:
            raise JournalError(f"journal {path}: line {number} cannot be read ({exc}); "
                               "it holds changes the database may not have") from exc
    if torn:  # written without its newline: cut short by a crash, never acknowledged
        os.ftruncate(fd, len(complete) + len(newline))
        os.fsync(fd)
    return pending
