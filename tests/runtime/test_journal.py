"""The local journal: what is written is read back equal, by this process or the next;
stored batches go, a torn last line is cut, a damaged one stops the open."""

from __future__ import annotations

import resource
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.commands import AgentStateChanged, Command, RecordAgentSpan
from callcenter.core.csat import RecordSurvey, SurveyResult
from callcenter.core.records import AgentSpan
from callcenter.runtime.journal import Journal, JournalError, decode, encode
from tests.runtime.commands import batches, commands

A = AgentStateChanged("a1", "paused", "lunch", 1.5)
B = RecordAgentSpan(AgentSpan("a1", "available", 1.0, 1.5))


@given(commands)
def test_every_command_is_read_back_equal(command: Command) -> None:
    """`decode(encode(c)) == c` for every kind of command and any field values."""
    back = decode(encode(command))
    assert back == command
    assert type(back) is type(command)


@settings(max_examples=40, deadline=None)
@given(st.lists(batches, max_size=6), st.data())
def test_batches_written_are_read_back_by_the_next_process(written: list[list[Command]],
                                                           data: st.DataObject) -> None:
    """Batches appended and not marked stored are what a new open finds, equal and in
    order; those marked stored are gone."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "j"
        journal = Journal.open(path)
        seqs = [journal.append(b) for b in written]
        done = data.draw(st.sets(st.sampled_from(seqs)) if seqs else st.just(set[int]()))
        for seq in sorted(done):
            journal.stored(seq)
        journal.close()
        again = Journal.open(path)
        try:
            assert again.pending() == [(s, b) for s, b in zip(seqs, written, strict=True)
                                       if s not in done]
            assert (path.stat().st_size == 0) == (len(done) == len(seqs))
        finally:
            again.close()


def test_the_file_is_emptied_once_everything_is_stored(tmp_path: Path) -> None:
    """Once every batch written is stored the file is empty; new batches count on."""
    journal = Journal.open(tmp_path / "j")
    first, second = journal.append([A]), journal.append([B])
    journal.stored(first)
    assert (tmp_path / "j").stat().st_size > 0
    journal.stored(second)
    assert (tmp_path / "j").stat().st_size == 0
    assert journal.append([A]) == second + 1
    journal.close()


def test_a_torn_last_line_is_cut_and_the_rest_kept(tmp_path: Path) -> None:
    """A last line without its newline (a crash mid-write, never acknowledged) is cut;
    the complete lines before it are read, and new batches follow them cleanly."""
    path = tmp_path / "j"
    journal = Journal.open(path)
    journal.append([A])
    journal.close()
    with path.open("ab") as f:
        f.write(b'{"batch":2,"commands":[{"@":"AgentSt')
    again = Journal.open(path)
    assert again.pending() == [(1, [A])]
    again.append([B])
    again.close()
    assert [b for _, b in Journal.open(path).pending()] == [[A], [B]]


def test_a_damaged_line_stops_the_open_naming_the_file_and_line(tmp_path: Path) -> None:
    """A complete line that cannot be read is not skipped: the open fails, naming it."""
    path = tmp_path / "j"
    journal = Journal.open(path)
    journal.append([A])
    journal.close()
    with path.open("ab") as f:
        f.write(b'{"batch":2,"commands":[{"@":"Nothing"}]}\n')
    with pytest.raises(JournalError, match=r"journal .*j: line 2 cannot be read"):
        Journal.open(path)


def test_two_processes_never_share_a_journal(tmp_path: Path) -> None:
    """A journal open (locked) elsewhere cannot be opened again until it is closed."""
    journal = Journal.open(tmp_path / "j")
    with pytest.raises(JournalError, match="used by another process"):
        Journal.open(tmp_path / "j")
    journal.close()
    Journal.open(tmp_path / "j").close()


@dataclass(frozen=True)
class _Foreign:
    """A frozen dataclass that is not one of the core's commands or records."""

    agent_id: str


def test_a_value_the_journal_cannot_hold_is_refused() -> None:
    """Only the core's commands and records and plain scalars are encoded: a list or another
    dataclass is a TypeError naming its type (the compiled core refuses a list in a command
    field itself, so the values are given to the encoder directly)."""
    with pytest.raises(TypeError, match="cannot hold a list"):
        encode(["not", "a", "str"])
    with pytest.raises(TypeError, match="cannot hold a _Foreign"):
        encode(_Foreign("a1"))


def test_a_write_the_disk_refuses_leaves_no_half_line(tmp_path: Path) -> None:
    """A batch the file system takes only in part (here a file size limit, as a full disk)
    fails with `JournalError` and is cut off again: what was written before still reads
    back, and later batches follow cleanly."""
    path = tmp_path / "j"
    journal = Journal.open(path)
    journal.append([A])
    size = path.stat().st_size
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 10, hard))
    try:
        with pytest.raises(JournalError, match="cannot write"):
            journal.append([B])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)
    assert path.stat().st_size == size
    journal.append([B])
    journal.close()
    assert [b for _, b in Journal.open(path).pending()] == [[A], [B]]


@pytest.mark.parametrize("rating", [None, 4])
def test_a_post_call_survey_is_read_back_equal(rating: int | None) -> None:
    """The IVR's RecordSurvey, which the persistence sink stores with the engine's
    commands, survives the journal as it was (rated or not)."""
    survey = RecordSurvey(SurveyResult("ix-1", "sales", "a-1", "csat", 100.0, 130.0,
                                       rating=rating, comment_box=None, customer_id=7))
    assert decode(encode(survey)) == survey
