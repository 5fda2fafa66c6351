"""The silent-monitoring mixer: mu-law encoding, SDP reading, and two parties mixed
into one stream, over real loopback sockets."""

from __future__ import annotations

import asyncio
import socket
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from callcenter.telephony.sip.mixer import Mixer, audio_ports, encode_ulaw
from callcenter.telephony.sip.pcap_wav import PCMU, decode_g711
from tests.telephony.sip.g711 import pcmu_packets, tone, ulaw


# No wall-clock limits: on a loaded machine drawing 400 samples once took over a second.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays(np.int16, st.integers(0, 400)))
def test_ulaw_encoding_matches_the_reference(samples: np.ndarray) -> None:
    """The vectorized encoder gives the reference algorithm's bytes for any samples."""
    assert encode_ulaw(samples) == ulaw(samples)


def test_audio_ports_reads_each_stream_with_its_address() -> None:
    """Each audio m= line with its media-level c= (else the session's)."""
    sdp = ("v=0\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
           "m=audio 4002 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\n")
    assert audio_ports(sdp) == [("192.0.2.1", 4000), ("192.0.2.2", 4002)]


def dominant(samples: np.ndarray) -> float:
    """The strongest frequency (Hz) of 8 kHz samples."""
    spectrum = np.abs(np.fft.rfft(samples.astype(float) * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / 8000)[int(np.argmax(spectrum))])


def energy_near(samples: np.ndarray, hz: float) -> float:
    """Spectral energy within 20 Hz of `hz`."""
    power = np.abs(np.fft.rfft(samples.astype(float))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / 8000)
    return float(power[np.abs(freqs - hz) <= 20].sum())


async def mix_two_tones() -> np.ndarray:
    """Party 1 sends 440 Hz, party 2 1,250 Hz; what the phone's socket receives."""
    phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    phone.bind(("127.0.0.1", 0))
    phone.setblocking(False)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    mixer = Mixer("127.0.0.1")
    await mixer.open()
    answer = mixer.subscriber_answer(
        "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 1 RTP/AVP 0\r\nm=audio 3 RTP/AVP 0\r\n")
    ports = [port for _, port in audio_ports(answer)]
    received: list[bytes] = []
    loop = asyncio.get_running_loop()
    try:
        mixer.start(phone.getsockname())
        first = pcmu_packets(tone(440, 1.0))
        second = pcmu_packets(tone(1250, 1.0))
        for a, b in zip(first, second, strict=True):
            sender.sendto(a, ("127.0.0.1", ports[0]))
            sender.sendto(b, ("127.0.0.1", ports[1]))
            await asyncio.sleep(0.02)
            while True:
                try:
                    received.append(await asyncio.wait_for(loop.sock_recv(phone, 2048), 0.001))
                except TimeoutError:
                    break
    finally:
        mixer.close()
        phone.close()
        sender.close()
    return np.concatenate([decode_g711(p[12:], PCMU) for p in received
                           if p[1] & 0x7F == PCMU])


def test_both_parties_are_heard_in_one_stream() -> None:
    """The single stream to the phone carries both tones, with similar energy."""
    mixed = asyncio.run(mix_two_tones())
    assert len(mixed) > 4000
    low, high = energy_near(mixed, 440), energy_near(mixed, 1250)
    assert low > 0 and high > 0
    assert 0.2 < low / high < 5
    assert dominant(mixed) in (pytest.approx(440, abs=10), pytest.approx(1250, abs=10))


def test_the_phone_gets_one_pcmu_stream_with_our_ssrc() -> None:
    """Every packet the phone receives is PCMU with one SSRC and rising sequence numbers."""
    async def collect() -> list[bytes]:
        phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        phone.bind(("127.0.0.1", 0))
        phone.setblocking(False)
        mixer = Mixer("127.0.0.1")
        await mixer.open()
        mixer.start(phone.getsockname())
        loop = asyncio.get_running_loop()
        out: list[bytes] = []
        try:
            async with asyncio.timeout(10):  # a hang guard, not a measurement
                while len(out) < 10:
                    out.append(await loop.sock_recv(phone, 2048))
        finally:
            mixer.close()
            phone.close()
        return out

    packets = asyncio.run(collect())
    headers = [struct.unpack(">BBHII", p[:12]) for p in packets]
    assert {h[1] for h in headers} == {PCMU} and len({h[4] for h in headers}) == 1
    assert [h[2] for h in headers] == list(range(headers[0][2], headers[0][2] + len(headers)))


def test_the_subscriber_answer_accepts_what_each_stream_offers() -> None:
    """Each G.711 audio stream gets a party socket with every offered payload type (and its
    rtpmap); a video section is refused with port 0."""
    offer = ("v=0\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
             "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
             "a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n"
             "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
             "m=audio 4004 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")

    async def answer() -> str:
        mixer = Mixer("127.0.0.1")
        await mixer.open()
        try:
            return mixer.subscriber_answer(offer)
        finally:
            mixer.close()

    lines = asyncio.run(answer()).splitlines()
    media = [line for line in lines if line.startswith("m=")]
    assert [m.split()[0] for m in media] == ["m=audio", "m=video", "m=audio"]
    assert media[0].endswith("RTP/AVP 0 101") and media[1] == "m=video 0 RTP/AVP 96"
    assert "a=rtpmap:101 telephone-event/8000" in lines and lines.count("a=recvonly") == 2


def test_a_subscription_without_g711_cannot_be_mixed() -> None:
    """No G.711 audio stream in the subscription is a ValueError naming it."""
    async def answer() -> None:
        mixer = Mixer("127.0.0.1")
        await mixer.open()
        try:
            mixer.subscriber_answer("v=0\r\nm=audio 4000 RTP/AVP 9\r\n")
        finally:
            mixer.close()

    with pytest.raises(ValueError, match=r"no G\.711 audio stream"):
        asyncio.run(answer())
