"""The simulator runs IVR flows: callers answer menus by the scenario's model, prompts
last their real length, the IVR's outcomes and times reach the summary."""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from callcenter.cli import app
from callcenter.scenario.load import load_scenario
from callcenter.sim.runner import RunResult, run_replications
from callcenter.sim.summary import summarize
from tests.sim.ivr_files import FLOWS, write, write_wav


def run(path: Path, replications: int = 1) -> list[RunResult]:
    return run_replications(load_scenario(path), replications)


def test_callers_who_all_press_1_reach_queue_a(tmp_path: Path) -> None:
    """With every caller pressing 1, every flow ends in queue A and every row is A's."""
    results = run(write(tmp_path, '[ivr.nodes.menu]\nchoices = { "1" = 1.0 }'))
    r = results[0]
    assert r.flows
    assert {f.outcome for f in r.flows} == {"queue:A"}
    assert {f.path for f in r.flows} == {("welcome", "menu", "a")}
    assert len(r.records) == len(r.flows) == r.arrivals
    assert {rec.queue_id for rec in r.records} == {"A"}


def test_a_60_40_split_lands_close_to_60_40(tmp_path: Path) -> None:
    """Over ~2,400 seeded calls a 60/40 menu model splits within 3 points of 60/40
    (about 3 standard deviations of a binomial share)."""
    r = run(write(tmp_path, '[ivr.nodes.menu]\nchoices = { "1" = 0.6, "2" = 0.4 }',
                  per_hour=100))[0]
    counts = Counter(f.outcome for f in r.flows)
    n = counts["queue:A"] + counts["queue:B"]
    assert n == len(r.flows) > 2000
    assert abs(counts["queue:A"] / n - 0.6) < 0.03


def test_time_in_ivr_is_the_prompts_length_for_a_deterministic_caller(tmp_path: Path) -> None:
    """Callers who press at once after each prompt spend exactly the prompts' playing
    time in the IVR: 5 + 8 words at 60 words a minute."""
    path = write(tmp_path, '[ivr.nodes.menu]\nchoices = { "2" = 1.0 }')
    results = run(path)
    assert {f.ended - f.started for f in results[0].flows} == {13.0}
    summary = summarize(load_scenario(path), results, 3, 1)
    assert summary.ivr_means is not None
    assert summary.ivr_means["main"]["time_in_ivr"] == 13.0
    assert summary.ivr_means["main"]["queue"] == summary.ivr_means["main"]["entered"]


def test_wav_prompts_last_their_files_length_and_think_time_adds(tmp_path: Path) -> None:
    """A WAV prompt plays its header's length (2.5 s) and the caller's think time (2 s)
    comes after the menu prompt."""
    write_wav(tmp_path / "hello.wav", 2.5)
    flows = FLOWS.replace('play: "Welcome to the test line"', "play: { file: hello.wav }")
    path = write(tmp_path, 'think_time = 2\n[ivr.nodes.menu]\nchoices = { "1" = 1.0 }',
                 flows=flows)
    path.write_text(path.read_text().replace("think_time = 0\n", ""))
    r = run(path)[0]
    assert {f.ended - f.started for f in r.flows} == {2.5 + 8 + 2}


def test_callers_out_of_patience_in_the_ivr_are_counted_as_abandoned(tmp_path: Path) -> None:
    """A patience of 10 s, shorter than the 13 s of prompts, abandons every call in the
    IVR: counted, never contained, no interaction row."""
    path = write(tmp_path, 'patience = 10\n[ivr.nodes.menu]\nchoices = { "1" = 1.0 }')
    results = run(path)
    r = results[0]
    assert r.flows and {f.outcome for f in r.flows} == {"abandoned"}
    assert {f.ended - f.started for f in r.flows} == {10.0}
    assert r.records == [] and r.unfinished == 0
    ivr = summarize(load_scenario(path), results, 3, 1).to_json()["ivr"]["main"]
    assert ivr["abandoned"] == ivr["entered"] == len(r.flows)
    assert ivr["containment_rate"] == 0.0


def test_digits_lookups_voicemail_and_hangups_end_as_the_flow_says(tmp_path: Path) -> None:
    """Collected digits feed the lookup; found goes to queue A, not found to voicemail
    (contained), no key at the menu to the hang-up (contained), a hang-up key abandons."""
    ivr = ("lookup_found = 0.5\n[ivr.nodes.menu]\n"
           'choices = { "3" = 0.7, timeout = 0.2, hangup = 0.1 }\n'
           '[ivr.nodes.number]\ndigits = "1234"')
    path = write(tmp_path, ivr, per_hour=60)
    results = run(path)
    kinds = Counter(f.outcome for f in results[0].flows)
    assert set(kinds) == {"queue:A", "voicemail:box", "hangup", "abandoned"}
    found = [f for f in results[0].flows if f.outcome == "queue:A"]
    assert {f.path for f in found} == {("welcome", "menu", "number", "lookup", "a")}
    assert {dict(f.variables)["customer"] for f in found} == {"1234"}
    ivr_kpis = summarize(load_scenario(path), results, 3, 1).to_json()["ivr"]["main"]
    assert ivr_kpis["contained"] == kinds["voicemail:box"] + kinds["hangup"]
    assert ivr_kpis["containment_rate"] == pytest.approx(
        ivr_kpis["contained"] / ivr_kpis["entered"])
    assert results[0].unfinished == 0


def test_same_seed_same_ivr_outcomes_and_replications_differ(tmp_path: Path) -> None:
    """A run is reproducible from its seed; a second replication draws other callers."""
    path = write(tmp_path, '[ivr.nodes.menu]\nchoices = { "1" = 0.5, "2" = 0.5 }')
    first = [f.outcome for f in run(path)[0].flows]
    again = run(path, 2)
    assert [f.outcome for f in again[0].flows] == first
    assert [f.outcome for f in again[1].flows] != first


ANSWERS = st.sampled_from(["1", "2", "3", "4", "5", "8", "timeout", "hangup"])


@settings(max_examples=15, deadline=None)
@given(menu=st.dictionaries(ANSWERS, st.integers(1, 5), min_size=1),
       digits=st.sampled_from(['"1234"', '"12"', '{ "1234" = 0.5, hangup = 0.5 }']),
       think=st.sampled_from([0, 1.5, 7]), patience=st.sampled_from([3, 15, '"never"']),
       found=st.sampled_from([0, 0.5, 1]))
def test_every_caller_ends_once_whatever_the_model(menu: dict[str, int], digits: str,
                                                   think: float, patience: object,
                                                   found: float) -> None:
    """For any caller model (answers, think time longer than the menu's timeout,
    patience, lookups), every caller's flow ends exactly once, every queued outcome has
    its interaction row in that queue, and nobody is left open."""
    total = sum(menu.values())
    choices = ", ".join(f'"{k}" = {v / total!r}' if k.isdigit() else f"{k} = {v / total!r}"
                        for k, v in menu.items())
    ivr = (f"think_time = {think}\npatience = {patience}\nlookup_found = {found}\n"
           f"[ivr.nodes.menu]\nchoices = {{ {choices} }}\n[ivr.nodes.number]\ndigits = {digits}")
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), ivr, per_hour=6)
        path.write_text(path.read_text().replace("think_time = 0\n", "", 1))
        r = run(path)[0]
    ids = [f.call_id for f in r.flows]
    assert len(ids) == len(set(ids)) == r.arrivals
    assert r.unfinished == 0
    rows = {rec.interaction_id: rec for rec in r.records}
    for f in r.flows:
        kind, _, queue = f.outcome.partition(":")
        if kind in ("queue", "callback"):
            assert rows[f.call_id].first_queue_id == queue
        else:
            assert f.call_id not in rows


def test_simulate_prints_the_ivr_table_and_writes_flow_rows(tmp_path: Path) -> None:
    """`callcenter simulate` shows the IVR flows table and --flows writes one CSV row per
    call through the flow, with its outcome, path and time in the IVR."""
    path = write(tmp_path, '[ivr.nodes.menu]\nchoices = { "2" = 1.0 }', per_hour=10)
    rows = tmp_path / "flows.csv"
    result = CliRunner().invoke(app, ["simulate", str(path), "--flows", str(rows)])
    assert result.exit_code == 0, result.output
    assert "IVR flows" in result.stdout
    with rows.open() as fh:
        got = list(csv.DictReader(fh))
    assert got and {(r["outcome"], r["path"], r["time_in_ivr"]) for r in got} == {
        ("queue:B", "welcome menu b", "13.0")}
    assert len(got) == run(path)[0].arrivals
