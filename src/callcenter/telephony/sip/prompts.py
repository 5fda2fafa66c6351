"""Prompts as WAV files for rtpengine's `play media`.

`{file: x.wav}` prompts are found in the flow file's folder. Text prompts are
rendered once by espeak-ng (`espeak-ng -v <language> -w <file> <text>`) into the
cache folder, named by a hash of language and text, so the same words in the
same language are spoken from the same file on every call and after restarts.
espeak-ng speaks at 22,050 Hz; the file is resampled to 8 kHz, the rate of the
calls' G.711, so rtpengine does not resample it on every play (it cost rtpengine
about 2.7 ms of CPU per call in the SIP benchmark). A file is written under a
temporary name and renamed, so a half-written WAV is never played. Hold music
without a configured file is a generated soft tone. Paths found once are
remembered: a play costs no file-system lookups.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import shutil
import struct
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly  # type: ignore[import-untyped]

from callcenter.core.ivr_flow import Prompt

DEFAULT_LANGUAGE = "en"
RATE = 8000
"""The sample rate of rendered prompts (G.711's)."""


class PromptError(Exception):
    """A prompt could not be made playable (espeak-ng missing or failing, no such file)."""


class PromptFiles:
    """Turns prompts into WAV paths; text is rendered by espeak-ng once and cached."""

    def __init__(self, prompt_dir: Path, cache_dir: Path, *, espeak: str = "espeak-ng") -> None:
        self.prompt_dir = prompt_dir
        self.cache_dir = cache_dir
        self.espeak = espeak
        self.rendered = 0
        """Texts rendered by espeak-ng since start (cache misses)."""
        self._pending: dict[Path, asyncio.Future[Path]] = {}
        self._known: dict[tuple[str | None, str | None, str | None], Path] = {}

    async def wav(self, prompt: Prompt, language: str | None) -> Path:
        """The WAV file to play for `prompt` (text in `language`)."""
        key = (prompt.file, prompt.text, language)
        known = self._known.get(key)
        if known is not None:
            return known
        path = await self._find(prompt, language)
        self._known[key] = path
        return path

    async def _find(self, prompt: Prompt, language: str | None) -> Path:
        if prompt.file is not None:
            path = self.prompt_dir / prompt.file
            if not path.is_file():
                raise PromptError(f"no prompt file {path}")
            return path.resolve()
        assert prompt.text is not None
        voice = language or DEFAULT_LANGUAGE
        key = hashlib.sha256(f"{voice}\n{RATE}\n{prompt.text}".encode()).hexdigest()[:32]
        path = (self.cache_dir / f"{key}.wav").resolve()
        if path.is_file():
            return path
        pending = self._pending.get(path)
        if pending is None:  # one espeak-ng per text, however many calls ask at once
            pending = asyncio.ensure_future(self._render(prompt.text, voice, path))
            self._pending[path] = pending
            pending.add_done_callback(lambda _: self._pending.pop(path, None))
        return await asyncio.shield(pending)

    async def _render(self, text: str, voice: str, path: Path) -> Path:
        binary = shutil.which(self.espeak)
        if binary is None:
            raise PromptError(f"{self.espeak} is not installed (Debian package espeak-ng)")
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.part")
        process = await asyncio.create_subprocess_exec(
            binary, "-v", voice, "-w", str(part), "--", text,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        _, err = await process.communicate()
        if process.returncode != 0 or not part.is_file():
            part.unlink(missing_ok=True)
            raise PromptError(f"espeak-ng failed for {text[:40]!r} ({voice}): "
                              f"{err.decode(errors='replace').strip()}")
        await asyncio.to_thread(to_8khz, part)
        part.replace(path)
        self.rendered += 1
        return path

    def default_music(self) -> Path:
        """A generated hold tone (written once into the cache folder)."""
        path = (self.cache_dir / "default-hold.wav").resolve()
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_suffix(f".{os.getpid()}.part")
            write_tone(part, seconds=4.0)
            part.replace(path)
        return path


def to_8khz(path: Path) -> None:
    """Rewrite a 16-bit mono WAV at `RATE` (anti-aliased polyphase resampling)."""
    with wave.open(str(path), "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        frames = w.readframes(w.getnframes())
    if (rate, width, channels) == (RATE, 2, 1):
        return
    if width != 2:
        raise PromptError(f"{path}: {8 * width}-bit audio; expected 16-bit")
    samples = np.frombuffer(frames, "<i2").reshape(-1, channels).mean(axis=1)
    ratio = Fraction(RATE, rate)
    out = resample_poly(samples, ratio.numerator, ratio.denominator)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes())


def write_tone(path: Path, *, seconds: float, rate: int = 8000,
               frequencies: tuple[float, ...] = (440.0, 554.37)) -> None:
    """Notes of equal length, each fading (default: a soft 440 Hz, 554 Hz chime),
    16-bit mono."""
    frames = bytearray()
    half = int(rate * seconds / len(frequencies))
    for freq in frequencies:
        for n in range(half):
            fade = 1.0 - n / half
            frames += struct.pack("<h", int(3000 * fade * math.sin(2 * math.pi * freq * n / rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
