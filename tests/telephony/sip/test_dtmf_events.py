"""Parsing the JSON DTMF events rtpengine sends to `dtmf-log-dest`."""

from __future__ import annotations

import pytest

from callcenter.telephony.sip.rtpengine_process import DtmfEvent, parse_dtmf_event

# As rtpengine 10.5 sends it (daemon/dtmf.c, dtmf_json_print).
SAMPLE = (b'{"callid":"call1","source_tag":"tagA","tags":["tagA","tagB"],"type":"DTMF",'
          b'"timestamp":1795740018,"source_ip":"127.0.0.1","event":11,"duration":80,"volume":10}')


def test_parses_rtpengine_event() -> None:
    """Call-id, the pressing participant's tag, the digit and its length are read."""
    assert parse_dtmf_event(SAMPLE) == DtmfEvent("call1", "tagA", "#", 80)


@pytest.mark.parametrize("data", [b"", b"not json", b"[]", b'{"callid":"c"}',
                                  SAMPLE.replace(b'"event":11', b'"event":16'),
                                  SAMPLE.replace(b'"event":11', b'"event":-1')])
def test_malformed_event_is_a_value_error(data: bytes) -> None:
    """Anything that is not a DTMF event raises ValueError (the listener logs and drops it)."""
    with pytest.raises(ValueError):
        parse_dtmf_event(data)
