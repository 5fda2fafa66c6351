"""The tone check the end-to-end audio test relies on, on synthetic signals."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.tones import Samples, ToneError, read_wav, tones_in, write_tone

RATE = 8000


def sine(hz: float, seconds: float = 1.0, amplitude: float = 0.5) -> Samples:
    """A sine of `hz` at 8 kHz."""
    t = np.arange(round(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * hz * t)


def mu_law(samples: Samples) -> Samples:
    """`samples` through G.711 mu-law companding with 8-bit codes (what PCMU does to them)."""
    mu = 255.0
    code = np.round(np.sign(samples) * np.log1p(mu * np.abs(samples)) / np.log1p(mu) * 127)
    out: Samples = np.sign(code) * np.expm1(np.abs(code) / 127 * np.log1p(mu)) / mu
    return out


def test_a_pure_tone_is_mostly_itself() -> None:
    """A 1250 Hz sine is found as 1250 Hz, with no energy near 440 Hz."""
    heard = tones_in(sine(1250), RATE, expected=1250, other=440)
    assert heard.is_mostly(1250)


def test_a_pure_tone_is_not_the_other_one() -> None:
    """A 440 Hz sine is not taken for 1250 Hz."""
    heard = tones_in(sine(440), RATE, expected=1250, other=440)
    assert not heard.is_mostly(1250)


def test_a_faint_other_tone_is_tolerated() -> None:
    """1250 Hz with 440 Hz at a twentieth of its amplitude (26 dB down) is mostly 1250 Hz."""
    heard = tones_in(sine(1250) + sine(440, amplitude=0.025), RATE, expected=1250, other=440)
    assert heard.is_mostly(1250)


def test_an_echo_of_the_other_tone_fails_the_check() -> None:
    """1250 Hz with 440 Hz at half its amplitude (6 dB down) is not mostly 1250 Hz: an echo
    of the caller's own tone would be caught."""
    heard = tones_in(sine(1250) + sine(440, amplitude=0.25), RATE, expected=1250, other=440)
    assert heard.dominant == pytest.approx(1250, abs=1) and not heard.is_mostly(1250)


def test_a_tone_survives_mu_law_and_noise() -> None:
    """440 Hz through mu-law companding plus white noise 30 dB down is still 440 Hz."""
    noise = np.random.default_rng(7).normal(0, 0.5 / 31.6 / np.sqrt(2), RATE)
    heard = tones_in(mu_law(sine(440)) + noise, RATE, expected=440, other=1250)
    assert heard.is_mostly(440)


def test_silence_is_no_tone() -> None:
    """Silence holds neither tone (no energy is not 'mostly' anything)."""
    heard = tones_in(np.zeros(RATE), RATE, expected=440, other=1250)
    assert not heard.is_mostly(440) and heard.total == 0


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=100, max_value=3800))
def test_the_dominant_frequency_is_the_tone(hz: float) -> None:
    """For any tone in the telephone band, the dominant frequency of a second of it is
    within a bin of the tone."""
    heard = tones_in(sine(hz), RATE, expected=hz, other=50)
    assert heard.dominant == pytest.approx(hz, abs=1.0)


def test_a_written_tone_reads_back(tmp_path: Path) -> None:
    """write_tone's WAV is 16-bit mono at its rate, as long as asked, and holds the tone."""
    samples, rate = read_wav(write_tone(tmp_path / "t.wav", 1250, 2.5))
    assert (rate, len(samples)) == (8000, 20_000)
    assert tones_in(samples, rate, expected=1250, other=440).is_mostly(1250)


def test_a_stereo_wav_is_refused(tmp_path: Path) -> None:
    """A stereo WAV is a ToneError that says 16-bit mono was expected."""
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"\0" * 400)
    with pytest.raises(ToneError, match=r"2 channel.*expected 16-bit mono"):
        read_wav(path)


def test_a_file_that_is_no_wav_is_refused(tmp_path: Path) -> None:
    """A file that is not a WAV is a ToneError naming the file."""
    path = tmp_path / "not.wav"
    path.write_bytes(b"this is no RIFF header at all")
    with pytest.raises(ToneError, match=r"not\.wav: not a PCM WAV file"):
        read_wav(path)


def test_a_stretch_too_short_is_refused() -> None:
    """Fewer than 0.1 s of samples is a ToneError: too short to tell tones apart."""
    with pytest.raises(ToneError, match="too short"):
        tones_in(sine(440, seconds=0.05), RATE, expected=440, other=1250)


def test_a_tone_past_half_the_rate_is_refused(tmp_path: Path) -> None:
    """A tone at or above half the sample rate cannot be written: a ToneError says so."""
    with pytest.raises(ToneError, match=r"4000\.0 Hz"):
        write_tone(tmp_path / "t.wav", 4500, 1.0)
