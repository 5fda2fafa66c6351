"""The SIP benchmark's own parts (bench/sip.py, bench/_sipp.py): percentiles, sipp's
files, the caller's pcap, its options."""

from __future__ import annotations

import importlib.util
import itertools
import math
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_sip", BENCH / "sip.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sip"] = module
    spec.loader.exec_module(module)
    return module


sip = _load()
parts = sys.modules["_sipp"]  # bench/_sipp.py, imported by bench/sip.py


@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=300), st.floats(0, 100))
def test_percentile_is_the_nearest_rank(values: list[float], q: float) -> None:
    """The q-th percentile is a value of the list with at least q % of the values at or
    below it, and fewer than q % strictly below it (the nearest-rank definition)."""
    p = parts.percentile(values, q)
    assert p in values
    n = len(values)
    assert sum(v <= p for v in values) >= q / 100 * n
    assert sum(v < p for v in values) < max(1, math.ceil(q / 100 * n))


def test_percentile_of_known_values() -> None:
    """p50 and p99 of 1..100 are 50 and 99; p100 is the maximum; no values give NaN."""
    values = [float(v) for v in range(100, 0, -1)]
    assert parts.percentile(values, 50) == 50.0
    assert parts.percentile(values, 99) == 99.0
    assert parts.percentile(values, 100) == 100.0
    assert math.isnan(parts.percentile([], 99))


def test_percentile_outside_0_to_100_is_refused() -> None:
    """A q outside 0..100 is an error that names q."""
    with pytest.raises(ValueError, match=r"q must be within 0\.\.100"):
        parts.percentile([1.0], 101)


def test_rtt_file_gives_the_response_times(tmp_path: Path) -> None:
    """sipp's -trace_rtt file yields each call's response time in ms, header skipped."""
    path = tmp_path / "caller_1_rtt.csv"
    path.write_text("Date_ms;response_time_ms;rtd_no\n208.001;4;1\n408.001;12;1\n\n")
    assert parts.read_rtt(path) == [4.0, 12.0]


def test_a_broken_rtt_row_is_named(tmp_path: Path) -> None:
    """A row without a response time is an error naming the file and line."""
    path = tmp_path / "caller_1_rtt.csv"
    path.write_text("Date_ms;response_time_ms;rtd_no\n208.001;x;1\n")
    with pytest.raises(ValueError, match=r"caller_1_rtt\.csv:2"):
        parts.read_rtt(path)


def test_stat_file_gives_its_last_row_by_column(tmp_path: Path) -> None:
    """The last row of sipp's -trace_stat file is read by column name."""
    path = tmp_path / "stat.csv"
    path.write_text("StartTime;SuccessfulCall(C);FailedCall(C);\n"
                    "t0;3;0;\n" "t1;9;1;\n")
    row = parts.read_stat(path)
    assert (row["SuccessfulCall(C)"], row["FailedCall(C)"]) == ("9", "1")


def test_stat_file_without_rows_is_refused(tmp_path: Path) -> None:
    """A statistics file with only its header is an error naming the file."""
    path = tmp_path / "stat.csv"
    path.write_text("StartTime;SuccessfulCall(C);\n")
    with pytest.raises(ValueError, match=r"stat\.csv: no statistics rows"):
        parts.read_stat(path)


@pytest.mark.parametrize(("sample", "code"), [(0, 0xFF), (-1, 0x7F), (32767, 0x80),
                                              (-32767, 0x00), (1000, 0xCE)])
def test_ulaw_matches_g711(sample: int, code: int) -> None:
    """Linear samples become the G.711 u-law codes the standard gives for them."""
    assert parts._ulaw(sample) == code


def test_pcap_holds_20_ms_pcmu_rtp_packets(tmp_path: Path) -> None:
    """The caller's pcap is Ethernet/IPv4/UDP/RTP: 50 packets a second, PCMU, 160 bytes
    each, 20 ms apart, with valid IPv4 header checksums."""
    path = tmp_path / "caller.pcap"
    parts.write_pcap(path, 2.0)
    data = path.read_bytes()
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    assert (magic, link) == (0xA1B2C3D4, 1)
    pos, times, packets = 24, [], 0
    while pos < len(data):
        sec, usec, length, _ = struct.unpack("<IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + length]
        ip, rtp = frame[14:34], frame[42:]
        assert parts._checksum(ip) == 0  # a valid header sums to 0xFFFF
        assert rtp[0] == 0x80 and rtp[1] & 0x7F == 0 and len(rtp) == 12 + 160
        times.append(sec + usec / 1e6)
        packets += 1
        pos += 16 + length
    assert packets == 100
    assert all(abs(b - a - 0.02) < 1e-9 for a, b in itertools.pairwise(times))


def test_help_parses() -> None:
    """--help prints the usage and exits 0."""
    with pytest.raises(SystemExit) as exit_:
        sip.main(["--help"])
    assert exit_.value.code == 0


def test_a_rate_of_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A rate that is not positive is a usage error naming the options."""
    with pytest.raises(SystemExit) as exit_:
        sip.main(["--rates", "0"])
    assert exit_.value.code == 2
    assert "--rates" in capsys.readouterr().err


def test_missing_tools_skip_with_a_note(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Without sipp, rtpengine or espeak-ng the benchmark names the missing tools and
    their Debian packages, and exits 0 (1 under CI)."""
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(SystemExit) as exit_:
        sip.main(["--quick"])
    assert exit_.value.code == 0
    assert "missing sipp, rtpengine, espeak-ng" in capsys.readouterr().err
    monkeypatch.setenv("CI", "1")
    with pytest.raises(SystemExit) as exit_:
        sip.main(["--quick"])
    assert exit_.value.code == 1


def _step(rate: float, repeat: int, passed: bool) -> dict[str, object]:
    return {"rate": rate, "repeat": repeat, "passed": passed}


def test_a_step_passes_when_most_repeats_pass() -> None:
    """2 passing runs of 3 pass the step; 1 of 3 does not, nor a step with a run missing."""
    two = [_step(50, 0, True), _step(50, 1, False), _step(50, 2, True)]
    one = [_step(50, 0, False), _step(50, 1, False), _step(50, 2, True)]
    assert sip._passed(two, 50, 3)
    assert not sip._passed(one, 50, 3)
    assert not sip._passed(two[:2], 50, 3)


def test_highest_rate_of_a_repeat_stops_at_its_first_failure() -> None:
    """Repeat 0 passed 25 and 50 but not 75: 50; repeat 1 failed 50, so 100 passing
    later does not count: 25; a repeat that failed the first step: 0."""
    steps = [_step(25, 0, True), _step(50, 0, True), _step(75, 0, False),
             _step(25, 1, True), _step(50, 1, False), _step(100, 1, True),
             _step(25, 2, False)]
    rates = (25.0, 50.0, 75.0, 100.0)
    assert sip._highest(steps, 0, rates) == 50
    assert sip._highest(steps, 1, rates) == 25
    assert sip._highest(steps, 2, rates) == 0
