"""Recordings: rtpengine's pcap files decoded to WAV (G.711, a channel per party, pauses
as silence), checked on pcap files written here the way rtpengine writes them."""

from __future__ import annotations

import contextlib
import struct
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.telephony.sip.pcap_wav import (
    PCMA,
    PCMU,
    RecordingError,
    decode_g711,
    read_pcap,
    render_wav,
    sdp_media_address,
)
from tests.telephony.sip.g711 import tone, ulaw

CALLER = ("192.0.2.10", 40000)
AGENT = ("192.0.2.20", 50000)


def ip_udp_rtp(source: tuple[str, int], seq: int, ts: int, payload: bytes, pt: int = PCMU,
               ssrc: int = 0x1234) -> bytes:
    """An IPv4/UDP datagram carrying one RTP packet (to rtpengine's port 30000)."""
    rtp = struct.pack(">BBHII", 0x80, pt, seq, ts, ssrc) + payload
    udp = struct.pack(">HHHH", source[1], 30000, 8 + len(rtp), 0) + rtp
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes(int(b) for b in source[0].split(".")),
                     bytes([127, 0, 0, 1]))
    return ip + udp


def write_pcap(path: Path, packets: list[tuple[float, bytes]], linktype: int = 101) -> Path:
    """A little-endian microsecond pcap with raw-IP records, like rtpengine's."""
    data = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for at, frame in packets:
        data += struct.pack("<IIII", int(at), round((at % 1) * 1e6), len(frame), len(frame))
        data += frame
    path.write_bytes(data)
    return path


def stream(source: tuple[str, int], samples: np.ndarray, start: float, first_seq: int = 0,
           ssrc: int = 0x1234) -> list[tuple[float, bytes]]:
    """20 ms packets of `samples` sent from `source` from time `start`."""
    out = []
    for k in range(len(samples) // 160):
        chunk = ulaw(samples[k * 160:(k + 1) * 160])
        out.append((start + 0.02 * k,
                    ip_udp_rtp(source, first_seq + k, 160 * k, chunk, ssrc=ssrc)))
    return out


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    """(channels, samples as a frames x channels array)."""
    with wave.open(str(path)) as w:
        channels = w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return channels, data.reshape(-1, channels)


def dominant(samples: np.ndarray) -> float:
    """The strongest frequency in `samples` (Hz)."""
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    return float(np.fft.rfftfreq(len(samples), 1 / 8000)[int(np.argmax(spectrum))])


def test_g711_decoding_matches_the_standard_values() -> None:
    """Known code points: mu-law 0xFF is 0 and 0x00 is -32124; A-law 0xD5 is 8, 0xAA 32256."""
    assert decode_g711(bytes([0xFF, 0x00, 0x80]), PCMU).tolist() == [0, -32124, 32124]
    assert decode_g711(bytes([0xD5, 0x55, 0xAA, 0x2A]), PCMA).tolist() == [8, -8, 32256,
                                                                         -32256]


def test_mu_law_round_trip_keeps_a_tone() -> None:
    """A tone encoded and decoded stays within G.711's quantization error."""
    samples = tone(440, 0.1)
    decoded = decode_g711(ulaw(samples), PCMU).astype(int)
    assert np.max(np.abs(decoded - samples)) <= 0.05 * 8000


def test_pcap_packets_are_read_with_source_and_timing(tmp_path: Path) -> None:
    """Each record's arrival time, source address and RTP header come back."""
    pcap = write_pcap(tmp_path / "a.pcap", stream(CALLER, tone(440, 0.06), 1000.0))
    packets = read_pcap(pcap)
    assert [(p.source, p.sequence, p.timestamp) for p in packets] == [
        (CALLER, 0, 0), (CALLER, 1, 160), (CALLER, 2, 320)]
    assert packets[1].at == pytest.approx(1000.02)
    assert len(packets[0].payload) == 160


def test_a_truncated_last_record_is_ignored(tmp_path: Path) -> None:
    """A file still being written (last record cut short) yields the complete records."""
    pcap = write_pcap(tmp_path / "a.pcap", stream(CALLER, tone(440, 0.06), 1000.0))
    pcap.write_bytes(pcap.read_bytes()[:-50])
    assert len(read_pcap(pcap)) == 2


def test_not_a_pcap_is_an_error_naming_the_file(tmp_path: Path) -> None:
    """A file that is not a pcap raises RecordingError with its name."""
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"hello, this is not a capture")
    with pytest.raises(RecordingError, match=r"bad\.pcap: not a pcap"):
        read_pcap(bad)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_records_never_crash_the_reader(body: bytes) -> None:
    """Whatever follows a valid header, reading returns packets or raises RecordingError."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.pcap"
        path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101) + body)
        with contextlib.suppress(RecordingError):
            read_pcap(path)


def test_each_party_gets_its_own_channel(tmp_path: Path) -> None:
    """Caller at 440 Hz and agent at 1250 Hz end up left and right, by their SDP address."""
    packets = stream(AGENT, tone(1250, 1.0), 1000.0, ssrc=2) + \
        stream(CALLER, tone(440, 1.0), 1000.005, ssrc=1)
    pcap = write_pcap(tmp_path / "call.pcap", packets)
    rendered = render_wav([read_pcap(pcap)], tmp_path / "call.wav", [CALLER, AGENT])
    channels, audio = read_wav(rendered.path)
    assert channels == 2
    assert dominant(audio[:8000, 0]) == pytest.approx(440, abs=5)
    assert dominant(audio[:8000, 1]) == pytest.approx(1250, abs=5)
    assert rendered.seconds == pytest.approx(1.0, abs=0.05)


def test_a_pause_is_silence_of_its_length(tmp_path: Path) -> None:
    """Two segments 2 s apart: the WAV holds both, with 1.5 s of silence between."""
    first = write_pcap(tmp_path / "1.pcap", stream(CALLER, tone(440, 0.5), 1000.0))
    second = write_pcap(tmp_path / "2.pcap",
                        stream(CALLER, tone(440, 0.5), 1002.0, first_seq=100))
    rendered = render_wav([read_pcap(second), read_pcap(first)], tmp_path / "v.wav",
                          [CALLER], channels=1)
    _, audio = read_wav(rendered.path)
    assert rendered.seconds == pytest.approx(2.5, abs=0.05)
    assert not audio[int(0.6 * 8000):int(1.9 * 8000)].any()
    assert audio[int(2.1 * 8000):int(2.4 * 8000)].any()


def test_jitter_does_not_stretch_the_audio(tmp_path: Path) -> None:
    """Packets arriving late are placed by their RTP timestamps: the tone stays clean."""
    packets = stream(CALLER, tone(440, 1.0), 1000.0)
    jittered = [(at + (0.015 if k % 3 == 1 else 0.0), frame)
                for k, (at, frame) in enumerate(packets)]
    pcap = write_pcap(tmp_path / "j.pcap", jittered)
    rendered = render_wav([read_pcap(pcap)], tmp_path / "j.wav", [CALLER], channels=1)
    _, audio = read_wav(rendered.path)
    assert np.count_nonzero(audio[80:7900, 0] == 0) < 200  # no holes but zero crossings


def test_unknown_sources_take_free_channels_in_order(tmp_path: Path) -> None:
    """Without SDP addresses, the first stream heard is the first channel."""
    packets = stream(CALLER, tone(440, 0.5), 1000.0, ssrc=1) + \
        stream(AGENT, tone(1250, 0.5), 1000.3, ssrc=2)
    pcap = write_pcap(tmp_path / "u.pcap", packets)
    rendered = render_wav([read_pcap(pcap)], tmp_path / "u.wav", [None, None])
    _, audio = read_wav(rendered.path)
    assert dominant(audio[:4000, 0]) == pytest.approx(440, abs=5)
    assert dominant(audio[2400:6400, 1]) == pytest.approx(1250, abs=5)


def test_key_presses_are_not_decoded_as_audio(tmp_path: Path) -> None:
    """telephone-event packets (payload type 101) add nothing to the WAV."""
    packets = [(1000.0, ip_udp_rtp(CALLER, 0, 0, bytes([1, 0x0A, 0, 160]), pt=101))]
    pcap = write_pcap(tmp_path / "d.pcap", packets)
    rendered = render_wav([read_pcap(pcap)], tmp_path / "d.wav", [CALLER], channels=1)
    assert rendered.packets == 0
    assert read_wav(rendered.path)[1].size == 0


def test_sdp_media_address_prefers_the_audio_section() -> None:
    """The audio m= port with its own c= line, else the session's c= address."""
    session = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\n"
    media = session + "c=IN IP4 192.0.2.9\r\nm=video 5000 RTP/AVP 96\r\nc=IN IP4 192.0.2.7\r\n"
    assert sdp_media_address(session) == ("192.0.2.1", 4000)
    assert sdp_media_address(media) == ("192.0.2.9", 4000)
    assert sdp_media_address("v=0\r\n") is None
