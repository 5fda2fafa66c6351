"""Test tones: write a sine WAV for a phone to send, and tell which tone a recording holds.

    write_tone(path, 440.0, seconds=120)
    samples, rate = read_wav(recorded)
    heard = tones_in(samples[-rate:], rate, expected=1250.0, other=440.0)
    assert heard.is_mostly(1250.0)

The spectrum is numpy's FFT of a Hann-windowed stretch; a tone's energy is the energy
of the bins within `width` Hz of it. WAVs are 16-bit mono PCM (what baresip's `aufile`
plays and its `sndfile` writes for G.711); anything else is a `ToneError` naming it.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]

TOLERANCE = 15.0
"""Hz the dominant frequency may be off the expected tone (FFT bins are rate/len wide)."""
DOMINANCE = 100.0
"""How much more energy the expected tone must have than the other one (20 dB)."""


class ToneError(ValueError):
    """A WAV that is not 16-bit mono PCM, or a stretch too short to analyse."""


def write_tone(path: Path, hz: float, seconds: float, *, rate: int = 8000,
               amplitude: float = 0.3) -> Path:
    """A 16-bit mono WAV at `rate` holding a sine of `hz` for `seconds`; returns `path`."""
    if not 0 < hz < rate / 2:
        raise ToneError(f"tone {hz} Hz is not between 0 and half the rate ({rate / 2} Hz)")
    if not 0 < amplitude <= 1:
        raise ToneError(f"amplitude {amplitude} is not in (0, 1]")
    t = np.arange(round(seconds * rate)) / rate
    pcm = np.round(amplitude * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def read_wav(path: Path) -> tuple[Samples, int]:
    """The samples (as floats in [-1, 1)) and the rate of a 16-bit mono WAV."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ToneError(f"{path}: not a PCM WAV file ({exc})") from exc
    if (channels, width) != (1, 2):
        raise ToneError(f"{path}: {channels} channel(s) of {8 * width}-bit samples;"
                        " expected 16-bit mono")
    return np.frombuffer(frames, "<i2").astype(np.float64) / 32768, rate


@dataclass(frozen=True)
class Tones:
    """What a stretch of audio holds: its strongest frequency and two tones' energies."""

    dominant: float
    """Hz of the strongest FFT bin."""
    expected: float
    """Energy within `width` Hz of the expected tone."""
    other: float
    """Energy within `width` Hz of the other tone."""
    total: float
    """Energy of the whole stretch (all bins)."""

    def is_mostly(self, hz: float, *, tolerance: float = TOLERANCE,
                  dominance: float = DOMINANCE) -> bool:
        """The dominant frequency is `hz` (within `tolerance`) and the expected tone has
        `dominance` times the other's energy."""
        return abs(self.dominant - hz) <= tolerance and self.expected > dominance * self.other


def tones_in(samples: Samples, rate: int, *, expected: float, other: float,
             width: float = 20.0) -> Tones:
    """The dominant frequency of `samples` and the energy near `expected` and `other`."""
    if len(samples) < rate // 10:
        raise ToneError(f"{len(samples)} samples is under 0.1 s at {rate} Hz: too short"
                        " to tell tones apart")
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)

    def near(hz: float) -> float:
        return float(power[np.abs(freqs - hz) <= width].sum())

    return Tones(float(freqs[int(np.argmax(power))]), near(expected), near(other),
                 float(power.sum()))
