"""G.711 mu-law and A-law for tests that send and hear audio (the reference algorithms)."""

from __future__ import annotations

import math
import struct

import numpy as np


def ulaw(samples: np.ndarray) -> bytes:
    """16-bit samples as G.711 mu-law bytes."""
    out = bytearray()
    for x in samples.astype(int):
        sign = 0x80 if x < 0 else 0
        x = min(abs(x), 32635) + 0x84
        exponent = max(0, int(math.log2(x)) - 7)
        mantissa = (x >> (exponent + 3)) & 0x0F
        out.append(~(sign | (exponent << 4) | mantissa) & 0xFF)
    return bytes(out)


def tone(freq: float, seconds: float, amplitude: int = 8000) -> np.ndarray:
    """A sine at 8 kHz, 16-bit."""
    n = np.arange(int(8000 * seconds))
    return (amplitude * np.sin(2 * np.pi * freq * n / 8000)).astype(np.int16)


def pcmu_packets(samples: np.ndarray, *, first_seq: int = 0, first_ts: int = 0,
                 ssrc: int = 0x5151) -> list[bytes]:
    """RTP packets (payload type 0, 20 ms each) carrying `samples`."""
    return [struct.pack(">BBHII", 0x80, 0, (first_seq + k) & 0xFFFF,
                        (first_ts + 160 * k) & 0xFFFFFFFF, ssrc)
            + ulaw(samples[160 * k:160 * (k + 1)]) for k in range(len(samples) // 160)]


def unulaw(data: bytes) -> np.ndarray:
    """G.711 mu-law bytes as 16-bit samples (the reference algorithm, ITU-T G.711)."""
    out = np.empty(len(data), dtype=np.int16)
    for i, byte in enumerate(data):
        code = ~byte & 0xFF
        exponent, mantissa = (code >> 4) & 0x07, code & 0x0F
        magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
        out[i] = -magnitude if code & 0x80 else magnitude
    return out


def unalaw(data: bytes) -> np.ndarray:
    """G.711 A-law bytes as 16-bit samples (the reference algorithm, ITU-T G.711)."""
    out = np.empty(len(data), dtype=np.int16)
    for i, byte in enumerate(data):
        code = byte ^ 0x55
        exponent, mantissa = (code >> 4) & 0x07, code & 0x0F
        magnitude = (mantissa << 4) + 8 if exponent == 0 else \
            ((mantissa << 4) + 0x108) << (exponent - 1)
        out[i] = magnitude if code & 0x80 else -magnitude
    return out
