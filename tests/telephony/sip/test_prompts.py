"""Prompt files for rtpengine: text rendered by espeak-ng once, at 8 kHz; file prompts
found beside the flows; mistakes named."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest

from callcenter.core.ivr_flow import Prompt
from callcenter.telephony.sip.prompts import RATE, PromptError, PromptFiles, to_8khz


def write(path: Path, samples: np.ndarray, rate: int) -> Path:
    """A 16-bit mono WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def read(path: Path) -> tuple[int, np.ndarray]:
    """(rate, samples) of a 16-bit mono WAV."""
    with wave.open(str(path)) as w:
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_resampling_keeps_the_tone_and_the_length(tmp_path: Path) -> None:
    """A 1 kHz tone at 22,050 Hz becomes the same tone, as long, at 8 kHz."""
    n = np.arange(22050)
    path = write(tmp_path / "t.wav", 8000 * np.sin(2 * np.pi * 1000 * n / 22050), 22050)
    to_8khz(path)
    rate, samples = read(path)
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    assert rate == RATE and len(samples) == RATE
    assert np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))] == 1000


def test_an_8khz_file_is_left_as_it_is(tmp_path: Path) -> None:
    """A WAV already at 8 kHz is not rewritten."""
    path = write(tmp_path / "t.wav", np.arange(800) % 100, RATE)
    before = path.read_bytes()
    to_8khz(path)
    assert path.read_bytes() == before


@pytest.mark.requires_tool("espeak-ng")
def test_text_is_rendered_once_at_8khz(tmp_path: Path) -> None:
    """The same text asked for twice (at once) runs espeak-ng once; the file is 8 kHz."""
    prompts = PromptFiles(tmp_path, tmp_path / "cache")

    async def both() -> list[Path]:
        return list(await asyncio.gather(*(prompts.wav(Prompt(text="Welcome."), "en")
                                           for _ in range(2))))

    first, second = asyncio.run(both())
    rate, samples = read(first)
    assert first == second and prompts.rendered == 1
    assert rate == RATE and len(samples) > RATE // 4


def test_a_missing_prompt_file_is_named(tmp_path: Path) -> None:
    """A `{file: x.wav}` prompt that is not beside the flows is a PromptError naming it."""
    with pytest.raises(PromptError, match=r"no prompt file .*gone\.wav"):
        asyncio.run(PromptFiles(tmp_path, tmp_path).wav(Prompt(file="gone.wav"), None))


def test_a_missing_espeak_is_named(tmp_path: Path) -> None:
    """Without the speech binary the error names the Debian package."""
    prompts = PromptFiles(tmp_path, tmp_path, espeak="no-such-espeak")
    with pytest.raises(PromptError, match="Debian package espeak-ng"):
        asyncio.run(prompts.wav(Prompt(text="Hello."), "en"))
