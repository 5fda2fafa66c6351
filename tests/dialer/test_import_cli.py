"""`callcenter import-leads`: a CSV file into a campaign, with a report of what was not imported."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.store import create_engine_for
from callcenter.store.leads import load_leads

CSV = """customer,phone,prio,name
c1,030 1234567,5,Anna
c2,+1 212 555 0101,,Bob
c3,not a number,,Cleo
c4,0151 12345678,x,Dora
c5,030/123-4567,9,
"""
CREATE = ["--create", "--caller-id", "+4930123456", "--region", "DE",
          "--timezone", "Europe/Berlin"]


def run(tmp_path: Path, *args: str) -> tuple[int, str, list[str]]:
    """Invoke import-leads on CSV; return the exit code, the output and the stored lead ids."""
    source = tmp_path / "leads.csv"
    source.write_text(CSV, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    result = CliRunner().invoke(app, ["import-leads", "spring", str(source), "--id", "customer",
                                      "--priority", "prio", "--db", url, *args])
    engine = create_engine_for(url)
    try:
        with Session(engine) as session:
            ids = sorted(lead.id for lead in load_leads(session, "spring"))
    finally:
        engine.dispose()
    return result.exit_code, result.output, ids


def test_valid_rows_are_stored_and_rejected_rows_reported(tmp_path: Path) -> None:
    """Two leads stored; lines 4 and 5 reported with their reasons; exit 0."""
    code, out, ids = run(tmp_path, *CREATE)
    assert (code, ids) == (0, ["c1", "c2"])
    assert "not a phone number" in out and "priority: not a whole number" in out


def test_errors_file_lists_every_rejected_row(tmp_path: Path) -> None:
    """--errors writes line and reason of each rejected row to a CSV file."""
    report = tmp_path / "rejected.csv"
    run(tmp_path, *CREATE, "--errors", str(report))
    lines = report.read_text().splitlines()
    assert lines[0] == "line,reason" and [x.split(",")[0] for x in lines[1:]] == ["4", "5"]


def test_strict_stores_nothing_when_a_row_is_rejected(tmp_path: Path) -> None:
    """With --strict one rejected row means nothing is stored (not even the campaign); exit 1."""
    code, out, ids = run(tmp_path, *CREATE, "--strict")
    assert (code, ids) == (1, [])
    assert "nothing (--strict)" in out


def test_second_import_reports_leads_already_in_the_campaign(tmp_path: Path) -> None:
    """Importing the same file again stores nothing new and says which lines were there."""
    run(tmp_path, *CREATE)
    code, out, ids = run(tmp_path)
    assert (code, ids) == (0, ["c1", "c2"])
    assert "already in the campaign as lead 'c1'" in out


def test_unknown_campaign_and_missing_column_fail_with_status_2(tmp_path: Path) -> None:
    """No campaign, or a mapped column missing from the file: a clear error and exit 2."""
    code, out, _ = run(tmp_path)
    assert code == 2 and "no campaign 'spring'" in out
    code, out, _ = run(tmp_path, *CREATE, "--country", "land")
    assert code == 2 and "mapped column 'land'" in out


def test_chunks_of_one_lead_store_every_valid_row(tmp_path: Path) -> None:
    """With `--chunk 1` each lead is its own transaction, and the same leads are stored."""
    code, _, ids = run(tmp_path, *CREATE, "--chunk", "1", "--pause", "0")
    assert (code, ids) == (0, ["c1", "c2"])


def test_a_nul_in_a_cell_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    """A row with a NUL character is rejected naming its line and column; the others are
    stored."""
    source = tmp_path / "nul.csv"
    source.write_bytes(b"customer,phone\nc1,030 1234567\nc2,030 12\x0034568\n")
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    result = CliRunner().invoke(app, ["import-leads", "spring", str(source), "--id", "customer",
                                      "--db", url, *CREATE])
    assert result.exit_code == 0, result.output
    assert "column 'phone': contains a NUL character" in result.output
    assert "3" in result.output


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    """A line that is not UTF-8 (here a lone surrogate's bytes) ends the command with exit
    2 naming the line, nothing stored."""
    source = tmp_path / "bad.csv"
    source.write_bytes(b"customer,phone\nc1,030 1234567\nc2,\xed\xa0\x80\n")
    url = f"sqlite:///{tmp_path / 'cc.db'}"
    result = CliRunner().invoke(app, ["import-leads", "spring", str(source), "--id", "customer",
                                      "--db", url, *CREATE])
    assert result.exit_code == 2
    assert "line 3: not UTF-8 text" in result.output
