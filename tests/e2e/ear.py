"""An ear for the SIP end-to-end tests: a loopback RTP socket that decodes what it hears.

    ear = await Ear.open()                 # its port goes into a sipp phone's SDP
    mark = ear.mark()
    await ear.until_heard(0.5, since=mark) # 0.5 s of audio, counted in samples
    heard = ear.heard(since=mark)          # floats in [-1, 1), 8 kHz
    assert rms(heard) > SPEECH_RMS
    found = await ear.until_tone(523.0)     # a mark, or None at the guard
    async with talking(ear.sock, far_port, 440.0):      # a phone's voice: a tone as RTP
        ...

A task reads every datagram the socket gets; G.711 (PCMU, PCMA) is decoded with the
reference algorithm (`tests/telephony/sip/g711.py`, not the code under test) and its
samples kept in arrival order; other payload types (telephone-events) are only counted.
Audio is measured by its samples, never by the wall clock: a loaded machine delivers the
same samples later. Every wait has the hang guard `GUARD`; `until_heard` raises
`EarError` saying what was heard, `until_tone` returns None so that the test's own
assertion says what was missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import tempfile
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from tests.e2e.tones import Samples, tones_in
from tests.telephony.sip.g711 import pcmu_packets, tone, unalaw, unulaw

GUARD = 20.0
"""Seconds any wait may take before it gives up (a hang guard, not a measurement)."""
RATE = 8000
PCMU, PCMA = 0, 8
SILENCE_RMS = 0.002
"""RMS below which audio is silence (G.711's quietest codes are about 0.0001; a
-40 dBFS hiss is 0.01)."""
PRESENT = 0.3
"""The share of a stretch's energy near a tone for the tone to be there (a tone mixed
half and half with another has about half)."""
SPEECH_RMS = 0.02
"""RMS above which a stretch holds a voice (espeak-ng's prompts are about 0.1)."""


class EarError(AssertionError):
    """An awaited stretch of audio never came within the guard."""


def rms(samples: Samples) -> float:
    """Root mean square of `samples` (0 for none)."""
    return float(np.sqrt(np.mean(samples ** 2))) if len(samples) else 0.0


def loud_frames(samples: Samples, *, frame: int = 160, level: float = SPEECH_RMS) -> float:
    """The share of 20 ms frames of `samples` louder than `level` (RMS)."""
    n = len(samples) // frame
    if n == 0:
        return 0.0
    frames = samples[:n * frame].reshape(n, frame)
    return float(np.mean(np.sqrt(np.mean(frames ** 2, axis=1)) > level))


def tone_share(samples: Samples, *, width: float = 20.0) -> float:
    """The share of the energy of `samples` within `width` Hz of their strongest
    frequency: near 1 for a pure tone, small for speech."""
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    peak = freqs[int(np.argmax(power))]
    total = float(power.sum())
    return float(power[np.abs(freqs - peak) <= width].sum()) / total if total else 0.0


def envelope(samples: Samples, rate: int = RATE, *, frame: float = 0.02) -> Samples:
    """The RMS of each `frame` seconds of `samples` (a voice's syllables and gaps)."""
    size = round(frame * rate)
    n = len(samples) // size
    rms_of_frames: Samples = np.sqrt(np.mean(samples[:n * size].reshape(n, size) ** 2, axis=1))
    return rms_of_frames


def spoken(text: str, voice: str = "en") -> Samples:
    """`text` as espeak-ng says it (its own rate, 22,050 Hz), rendered here by the test
    (`espeak-ng -v <voice> -w`), independently of the server's prompt cache."""
    binary = shutil.which("espeak-ng")
    assert binary is not None, "espeak-ng is not installed"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "spoken.wav"
        subprocess.run([binary, "-v", voice, "-w", str(out), "--", text], check=True,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=GUARD)
        with wave.open(str(out)) as w:
            rate, frames = w.getframerate(), w.readframes(w.getnframes())
    samples = np.frombuffer(frames, "<i2").astype(np.float64) / 32768
    return envelope(samples, rate)


def likeness(heard: Samples, said: Samples, *, lags: int = 10) -> float:
    """How alike the envelope of `heard` (8 kHz samples) is to `said` (an envelope, as
    `spoken` gives), best over `lags` 20 ms frames either way: the correlation of the
    two, 1 for the same words, near 0 for others."""
    ours = envelope(heard)
    best = -1.0
    for lag in range(-lags, lags + 1):
        a = ours[max(0, lag):]
        b = said[max(0, -lag):]
        n = min(len(a), len(b))
        if n > 10 and a[:n].std() > 0 and b[:n].std() > 0:
            best = max(best, float(np.corrcoef(a[:n], b[:n])[0, 1]))
    return best


class Ear:
    """A loopback UDP socket taking RTP, with what it heard decoded (see the module)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.packets = 0
        """RTP packets received (all payload types)."""
        self.events = 0
        """Packets that were not G.711 (telephone-events, comfort noise)."""
        self._chunks: list[Samples] = []
        self._samples = 0
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls) -> Ear:
        """A new ear on a free loopback port, listening."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        ear = cls(sock)
        ear._task = asyncio.ensure_future(ear._listen())
        return ear

    @property
    def port(self) -> int:
        """The socket's port (for an SDP's m= line)."""
        return int(self.sock.getsockname()[1])

    async def _listen(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(OSError):
            while True:
                self.take(await loop.sock_recv(self.sock, 2048))

    def take(self, datagram: bytes) -> None:
        """One datagram received: decoded if it is G.711 RTP."""
        if len(datagram) < 12 or datagram[0] >> 6 != 2:
            return
        self.packets += 1
        payload_type = datagram[1] & 0x7F
        if payload_type not in (PCMU, PCMA):
            self.events += 1
            return
        decode = unulaw if payload_type == PCMU else unalaw
        chunk = decode(datagram[12:]).astype(np.float64) / 32768
        self._chunks.append(chunk)
        self._samples += len(chunk)
        self._changed.set()

    async def close(self) -> None:
        """Stop listening and close the socket."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.sock.close()

    def mark(self) -> int:
        """Samples heard so far (a position to measure from)."""
        return self._samples

    def seconds(self, since: int = 0) -> float:
        """Seconds of audio heard since `since`."""
        return (self._samples - since) / RATE

    def heard(self, since: int = 0, until: int | None = None) -> Samples:
        """The samples heard between two marks (to now without `until`)."""
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        everything = self._chunks[0] if self._chunks else np.zeros(0)
        return everything[since:until]

    async def _next(self) -> None:
        self._changed.clear()
        await self._changed.wait()

    async def until_heard(self, seconds: float, since: int = 0) -> int:
        """Wait until `seconds` of audio are heard since `since`; the mark at its end.
        `EarError` if they do not come within the guard."""
        want = since + round(seconds * RATE)
        try:
            async with asyncio.timeout(GUARD):
                while self._samples < want:
                    await self._next()
        except TimeoutError:
            raise EarError(f"waited {GUARD:g} s for {seconds:g} s of audio; heard"
                           f" {self.seconds(since):.2f} s ({self.packets} packets)") from None
        return want

    async def until_tone(self, hz: float, *, since: int = 0, window: float = 0.2,
                         over: float | None = None) -> int | None:
        """The mark where the first `window` seconds after `since` in which `hz` is
        present (audible, with at least `PRESENT` of the energy within 20 Hz of it)
        begin; with `over`, in which `hz` is also 20 dB above that other tone
        (`Tones.is_mostly`). None if none came within the guard."""
        size = round(window * RATE)
        start = since
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(GUARD):
                while True:
                    while start + size <= self._samples:
                        stretch = self.heard(start, start + size)
                        tones = tones_in(stretch, RATE, expected=hz,
                                         other=hz if over is None else over)
                        if rms(stretch) > SILENCE_RMS and tones.expected >= \
                                PRESENT * tones.total and (over is None or tones.is_mostly(hz)):
                            return start
                        start += size // 4
                    await self._next()
        return None


@contextlib.asynccontextmanager
async def talking(sock: socket.socket, port: int, hz: float) -> AsyncIterator[None]:
    """While the block runs, `sock` sends a `hz` tone (whole Hz: a second of it repeats
    without a seam) as PCMU RTP to `port` on the loopback, a packet every 20 ms."""
    second = pcmu_packets(tone(hz, 1.0), ssrc=0x7E57 + port)

    async def talk() -> None:
        seq = 0
        while True:
            for packet in second:
                header = bytearray(packet[:12])
                header[2:4] = (seq & 0xFFFF).to_bytes(2, "big")
                header[4:8] = ((160 * seq) & 0xFFFFFFFF).to_bytes(4, "big")
                sock.sendto(bytes(header) + packet[12:], ("127.0.0.1", port))
                seq += 1
                await asyncio.sleep(0.02)

    task = asyncio.ensure_future(talk())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
