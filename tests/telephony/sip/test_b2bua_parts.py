"""The B2BUA's pure parts: settings, SIP URIs, datagram clean-up, the reactor thread."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from callcenter.telephony.sip.b2bua_interface import SipSettings, SipUri
from callcenter.telephony.sip.stack import bad_request, malformed, normalise_datagram
from callcenter.telephony.sip.thread import SippyThread


def test_trunks_admit_addresses_and_networks_only() -> None:
    """A source is admitted when it is a listed trunk address or inside a listed network."""
    settings = SipSettings(trunks=("192.0.2.10", "10.0.0.0/8", "::1"))
    assert settings.allows_source("192.0.2.10")
    assert settings.allows_source("10.1.2.3")
    assert settings.allows_source("[::1]")
    assert not settings.allows_source("192.0.2.11")
    assert not settings.allows_source("not-an-address")


def test_a_trunk_that_is_not_an_address_is_a_config_error() -> None:
    """SipSettings refuses a trunk that is neither an address nor a network, naming it."""
    with pytest.raises(ValueError, match=r"pbx\.example"):
        SipSettings(trunks=("pbx.example",))


def test_sip_uri_parts_and_default_port() -> None:
    """A dialled URI yields user, host and port (5060 when absent); non-UDP transports are refused."""  # noqa: E501
    assert SipUri.parse("sip:1001@192.0.2.7:5062") == SipUri("1001", "192.0.2.7", 5062)
    assert SipUri.parse("sip:agent@127.0.0.1;transport=UDP") == SipUri("agent", "127.0.0.1", 5060)
    with pytest.raises(ValueError, match="only UDP"):
        SipUri.parse("sip:1001@192.0.2.7;transport=tcp")
    with pytest.raises(ValueError, match="not a SIP URI"):
        SipUri.parse("tel:+4940112233")


def test_datagram_transports_are_lower_cased_in_headers_only() -> None:
    """`;transport=UDP` becomes lower case in the headers; the body and other text stay as sent."""
    data = (
        b"INVITE sip:1@h;transport=UDP SIP/2.0\r\nContact: <sip:a@h:5;TRANSPORT=Udp>\r\n\r\n"
        b"a=x;transport=UDP\r\n"
    )
    text = normalise_datagram(data)
    assert text is not None
    head, body = text.split("\r\n\r\n")
    assert head.count(";transport=udp") == 2
    assert body == "a=x;transport=UDP\r\n"


def test_datagram_that_is_not_utf8_is_dropped() -> None:
    """A datagram that is not UTF-8 text is not handed to sippy."""
    assert normalise_datagram(b"INVITE \xff\xfe sip:1@h SIP/2.0\r\n\r\n") is None


def test_reactor_thread_runs_calls_and_stops() -> None:
    """Work sent to the reactor runs on its thread, results come back to asyncio, and stop joins it."""  # noqa: E501

    async def main() -> tuple[int, int, bool]:
        thread = SippyThread(name="sippy-test")
        thread.start()
        try:
            ident = await thread.run(threading.get_ident)
            with pytest.raises(RuntimeError, match="one reactor per process"):
                SippyThread().start()
        finally:
            thread.stop()
        return ident, threading.get_ident(), thread.running

    reactor, ours, running = asyncio.run(main())
    assert reactor != ours
    assert not running


def test_sippy_reads_the_same_clocks_without_ctypes_once_the_reactor_runs() -> None:
    """After start, sippy's MonoTime reads its clocks through `time` (no ctypes) and still
    tells the monotonic time sippy's clock id names."""
    from sippy.Time import MonoTime as mono
    from sippy.Time.clock_dtime import CLOCK_MONOTONIC

    async def main() -> tuple[float, float, float, object]:
        thread = SippyThread(name="sippy-test")
        thread.start()
        try:
            before = time.clock_gettime(CLOCK_MONOTONIC)
            reading = await thread.run(lambda: mono.MonoTime().monot)
            return before, reading, time.clock_gettime(CLOCK_MONOTONIC), mono.clock_getdtime
        finally:
            thread.stop()

    before, reading, after, clock = asyncio.run(main())
    assert clock is time.clock_gettime
    assert before <= reading <= after


HEADERS = ("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@h>;tag=1\r\n"
           "To: <sip:b@h>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n")


def test_a_well_formed_request_is_not_malformed() -> None:
    """A SIP/2.0 request whose Content-Length matches its body passes the check."""
    assert malformed(f"INVITE sip:b@h SIP/2.0\r\n{HEADERS}Content-Length: 3\r\n\r\nv=0") is None


def test_another_sip_version_is_malformed() -> None:
    """A request line naming SIP/9.9 is refused before sippy sees it."""
    assert malformed(f"INVITE sip:b@h SIP/9.9\r\n{HEADERS}\r\n") is not None


@pytest.mark.parametrize("length", ["-4", "x", "9"])
def test_a_bad_content_length_is_malformed(length: str) -> None:
    """A Content-Length that is negative, not a number or past the body is refused."""
    text = f"INVITE sip:b@h SIP/2.0\r\n{HEADERS}l: {length}\r\n\r\nv=0"
    assert malformed(text) is not None


def test_the_400_copies_the_transaction_headers() -> None:
    """Our 400 carries the request's Via, From, To, Call-ID and CSeq."""
    answer = bad_request(f"INVITE sip:b@h SIP/9.9\r\n{HEADERS}\r\n")
    assert answer == f"SIP/2.0 400 Bad Request\r\n{HEADERS}Content-Length: 0\r\n\r\n"


def test_a_request_without_a_via_gets_no_400() -> None:
    """Without the headers to copy there is nobody to answer: silence."""
    assert bad_request("INVITE sip:b@h SIP/9.9\r\nCall-ID: c1\r\n\r\n") is None
