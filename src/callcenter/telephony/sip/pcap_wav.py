"""Call recordings: rtpengine's pcap files decoded to WAV by us.

rtpengine (`recording-method = pcap`) writes the RTP packets it *receives* for a
call into a pcap file per `start recording` ... `stop recording` segment: a
pause is a stop and a resume a new start, so what was said during a pause is
never written anywhere. After the call, `render_wav` turns the segments into one
WAV file of the whole recorded span:

- each party is a channel (stereo: the caller left, the agent right; a voicemail
  is the caller alone, mono), told apart by the address its packets come from
  (the address in that party's SDP), or failing that by the order they appear;
- G.711 (PCMU, PCMA) is decoded; other payload types (telephone-event keys,
  comfort noise, codecs we do not decode) are skipped;
- within a segment each stream is placed by its RTP timestamps from its first
  packet's arrival, so network jitter does not stretch it; paused spans and lost
  packets are silence, so the file's time matches the call's.

    segments = [read_pcap(p) for p in files]
    render_wav(segments, out, parties=[caller_addr, agent_addr])
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 8000
"""G.711's sample rate, and the WAV's."""

PCMU, PCMA = 0, 8
_LINKTYPE_ETHERNET, _LINKTYPE_RAW, _LINKTYPE_IPV4, _LINKTYPE_IPV6 = 1, 101, 228, 229
_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
          b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}
_UDP = 17

Address = tuple[str, int]


class RecordingError(ValueError):
    """A recording file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet as rtpengine received it."""

    at: float
    """Arrival time (Unix seconds)."""
    source: Address
    payload_type: int
    ssrc: int
    sequence: int
    timestamp: int
    payload: bytes


def _ulaw_table() -> npt.NDArray[np.int16]:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> npt.NDArray[np.int16]:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    sign, exponent, mantissa = codes & 0x80, (codes >> 4) & 0x07, codes & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8,
                         ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(sign != 0, magnitude, -magnitude).astype(np.int16)


_TABLES = {PCMU: _ulaw_table(), PCMA: _alaw_table()}


def decode_g711(payload: bytes, payload_type: int) -> npt.NDArray[np.int16]:
    """16-bit samples of a PCMU (0) or PCMA (8) payload; KeyError for other types."""
    return _TABLES[payload_type][np.frombuffer(payload, dtype=np.uint8)]


def read_pcap(path: Path) -> list[RtpPacket]:
    """The RTP packets of a pcap file rtpengine wrote (raw IP or Ethernet framing, IPv4
    or IPv6). A truncated last record (the file still being written) is ignored;
    anything else that is not a pcap of UDP raises `RecordingError`."""
    data = path.read_bytes()
    if len(data) < 24 or data[:4] not in _MAGIC:
        raise RecordingError(f"{path}: not a pcap file")
    order, unit = _MAGIC[data[:4]]
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    if linktype not in (_LINKTYPE_ETHERNET, _LINKTYPE_RAW, _LINKTYPE_IPV4, _LINKTYPE_IPV6):
        raise RecordingError(f"{path}: link type {linktype} is not raw IP or Ethernet")
    header = struct.Struct(order + "IIII")
    packets: list[RtpPacket] = []
    offset = 24
    while offset + 16 <= len(data):
        seconds, fraction, captured, _ = header.unpack_from(data, offset)
        frame = data[offset + 16:offset + 16 + captured]
        offset += 16 + captured
        if len(frame) < captured:
            break  # the last record is still being written
        if linktype == _LINKTYPE_ETHERNET:
            frame = _ethernet_payload(frame)
        packet = _rtp(frame, seconds + fraction * unit)
        if packet is not None:
            packets.append(packet)
    return packets


def _ethernet_payload(frame: bytes) -> bytes:
    kind, start = (struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else 0), 14
    while kind == 0x8100 and len(frame) >= start + 4:  # VLAN tags
        kind = struct.unpack(">H", frame[start + 2:start + 4])[0]
        start += 4
    return frame[start:] if kind in (0x0800, 0x86DD) else b""


def _rtp(ip: bytes, at: float) -> RtpPacket | None:
    """The RTP packet in an IP datagram, or None (not UDP, not RTP version 2, cut short)."""
    if len(ip) < 20:
        return None
    version = ip[0] >> 4
    if version == 4:
        header = (ip[0] & 0x0F) * 4
        if ip[9] != _UDP:
            return None
        source = ".".join(str(b) for b in ip[12:16])
    elif version == 6 and len(ip) >= 40:
        header = 40
        if ip[6] != _UDP:
            return None
        source = ":".join(f"{a:x}" for a in struct.unpack(">8H", ip[8:24]))
    else:
        return None
    udp = ip[header:]
    rtp = udp[8:]
    if len(udp) < 8 or len(rtp) < 12 or rtp[0] >> 6 != 2:
        return None
    port = struct.unpack(">H", udp[:2])[0]
    count, extension, padding = rtp[0] & 0x0F, rtp[0] & 0x10, rtp[0] & 0x20
    start = 12 + 4 * count
    if extension and len(rtp) >= start + 4:
        start += 4 + 4 * struct.unpack(">H", rtp[start + 2:start + 4])[0]
    end = len(rtp) - (rtp[-1] if padding and rtp[-1] <= len(rtp) - start else 0)
    if start > end:
        return None
    sequence, timestamp, ssrc = struct.unpack(">HII", rtp[2:12])
    return RtpPacket(at, (source, port), rtp[1] & 0x7F, ssrc, sequence, timestamp,
                     rtp[start:end])


@dataclass(frozen=True, slots=True)
class Rendered:
    """What `render_wav` wrote."""

    path: Path
    started: float
    """Arrival time of the first packet (Unix seconds)."""
    seconds: float
    channels: int
    packets: int
    """G.711 packets decoded."""


def render_wav(segments: Sequence[Sequence[RtpPacket]], out: Path,
               parties: Sequence[Address | None], *, channels: int | None = None) -> Rendered:
    """Write the recorded segments as one 8 kHz 16-bit WAV, a channel per party.

    `parties[i]` is the media address party i sends from (from its SDP), None if
    unknown; a stream from no known address takes the first channel no stream has
    taken yet. `channels` defaults to the number of parties. Segments may come in any
    order; what lies between them (pauses) is silence."""
    channels = channels or max(1, len(parties))
    streams: dict[tuple[int, Address, int], list[RtpPacket]] = {}
    for number, segment in enumerate(segments):
        for p in segment:
            if p.payload_type in _TABLES:
                streams.setdefault((number, p.source, p.ssrc), []).append(p)
    all_packets = [p for packets in streams.values() for p in packets]
    if not all_packets:
        _write(out, np.zeros((0, channels), dtype=np.int16))
        return Rendered(out, 0.0, 0.0, channels, 0)
    started = min(p.at for p in all_packets)
    ended = max(p.at for p in all_packets)
    audio = np.zeros((int((ended - started) * RATE) + RATE // 10, channels), dtype=np.int16)
    known = {address: i for i, address in enumerate(parties) if address is not None}
    by_source: dict[Address, int] = {}
    for packets in sorted(streams.values(), key=lambda s: s[0].at):
        channel = _channel(packets[0].source, known, by_source, channels)
        if channel is None:
            continue
        first = packets[0]
        origin = round((first.at - started) * RATE)
        for p in packets:
            samples = decode_g711(p.payload, p.payload_type)
            delta = (p.timestamp - first.timestamp) & 0xFFFFFFFF
            if delta >= 0x80000000:
                continue  # reordered before the first packet
            begin = origin + delta
            end = min(begin + len(samples), len(audio))
            if begin < end:
                audio[begin:end, channel] = samples[:end - begin]
    last = int(np.flatnonzero(audio.any(axis=1))[-1]) + 1 if audio.any() else 0
    audio = audio[:max(last, int((ended - started) * RATE))]
    _write(out, audio)
    return Rendered(out, started, len(audio) / RATE, channels, len(all_packets))


def _channel(source: Address, known: dict[Address, int], by_source: dict[Address, int],
             channels: int) -> int | None:
    if source in known:
        return known[source]
    if source not in by_source:
        taken = set(known.values()) | set(by_source.values())
        free = [c for c in range(channels) if c not in taken]
        if not free:
            return None
        by_source[source] = free[0]
    return by_source[source]


def _write(out: Path, audio: npt.NDArray[np.int16]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(audio.shape[1])
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(audio.astype("<i2").tobytes())
    tmp.replace(out)


def sdp_media_address(sdp: str) -> Address | None:
    """Where a party sends its audio from (and receives it): the `c=` address and the
    audio `m=` port of its SDP. Phones send from the port they receive on
    (symmetric RTP), which is how the recording tells the parties apart."""
    session_host: str | None = None
    host: str | None = None
    port: int | None = None
    section = ""
    for line in sdp.splitlines():
        if line.startswith("m="):
            section = line.split()[0][2:] if port is None else "done"
            if section == "audio":
                fields = line.split()
                port = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
        elif line.startswith("c=IN IP"):
            parts = line.split()
            if len(parts) >= 3:
                if section == "":
                    session_host = parts[2]
                elif section == "audio":
                    host = parts[2]
    host = host or session_host
    if host is None or port is None:
        return None
    return host, port
