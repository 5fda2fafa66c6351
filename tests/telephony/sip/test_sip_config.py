"""The sip adapter's telephony config: a good file loads, each mistake names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.telephony.sip.config import TelephonyConfigError, load_telephony_config
from callcenter.telephony.sip.media import sink_answer

FLOWS = "flows:\n  main:\n    nodes:\n      bye: { hangup: Goodbye. }\n"
GOOD = ("trunks: [127.0.0.1]\ndids: {'4940112233': main}\n"
        "agents: {a1: 'sip:1001@127.0.0.1:5070'}\nflows: flows.yaml\n")


def config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "flows.yaml").write_text(FLOWS)
    path = tmp_path / "telephony.yaml"
    path.write_text(text)
    return path


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(TelephonyConfigError) as info:
        load_telephony_config(config(tmp_path, text))
    return str(info.value)


def test_a_good_file_maps_the_did_to_its_flow(tmp_path: Path) -> None:
    """The DID's entry is the flow the file names."""
    loaded = load_telephony_config(config(tmp_path, GOOD))
    assert loaded.sip.dids == {"4940112233": "main"} and "main" in loaded.flows


def test_the_listen_option_wins_over_the_file(tmp_path: Path) -> None:
    """`--sip HOST:PORT` sets where the B2BUA listens."""
    loaded = load_telephony_config(config(tmp_path, GOOD), listen="127.0.0.1:5099")
    assert (loaded.sip.host, loaded.sip.port) == ("127.0.0.1", 5099)


def test_a_did_to_an_unknown_flow_names_the_did(tmp_path: Path) -> None:
    """A DID mapped to a flow the flow file lacks is an error at `dids.<number>`."""
    text = GOOD.replace(": main}", ": sales}")
    assert "dids.4940112233: no flow 'sales'" in error(tmp_path, text)


def test_a_bad_agent_contact_names_the_agent(tmp_path: Path) -> None:
    """An agent contact that is no SIP URI is an error at `agents.<id>`."""
    assert "agents.a1: not a SIP URI" in error(tmp_path, GOOD.replace("sip:1001@", "tel:1001@"))


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    """A misspelt top-level key is refused by name."""
    assert "trunk: unknown key" in error(tmp_path, GOOD + "trunk: []\n")


def test_a_bad_rtpengine_port_is_named(tmp_path: Path) -> None:
    """A port that is not a number is an error at `rtpengine.<key>`."""
    assert "rtpengine.ng_port" in error(tmp_path, GOOD + "rtpengine: {ng_port: x}\n")


def test_the_dial_uri_is_read(tmp_path: Path) -> None:
    """`dial` and `dial_timeout` reach the config for outbound calls."""
    loaded = load_telephony_config(config(tmp_path, GOOD + "dial: 'sip:{number}@192.0.2.1'\n"
                                                          "dial_timeout: 20\n"))
    assert (loaded.dial, loaded.dial_timeout) == ("sip:{number}@192.0.2.1", 20.0)


def test_a_dial_uri_without_the_number_is_named(tmp_path: Path) -> None:
    """A `dial` URI lacking `{number}` is an error at `dial`."""
    assert "dial: expected a SIP URI with {number}" in error(
        tmp_path, GOOD + "dial: 'sip:trunk@192.0.2.1'\n")


def test_a_missing_flow_file_is_named(tmp_path: Path) -> None:
    """A flow file that cannot be read is an error at `flows`."""
    assert "flows: " in error(tmp_path, GOOD.replace("flows.yaml", "missing.yaml"))


def test_the_sink_answer_sends_media_to_the_sink() -> None:
    """The sink's answer accepts the offered codecs and names the sink's address and port."""
    offer = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
             "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
             "a=rtpmap:101 telephone-event/8000\r\na=rtcp:30001\r\na=sendrecv\r\n")
    answer = sink_answer(offer, "127.0.0.1", 4000)
    assert "m=audio 4000 RTP/AVP 0 101" in answer and "a=rtcp" not in answer


def test_every_config_key_is_documented() -> None:
    """Each key the telephony config accepts appears in the sip adapter's docs section."""
    from callcenter.telephony.sip import config as module
    page = (Path(__file__).resolve().parents[3] / "docs" / "reference" / "telephony.md")
    section = page.read_text().split("## The sip adapter", 1)[1]
    keys = (module._KEYS | module._RTPENGINE_KEYS | module._AGENT_KEYS | module._REGISTRAR_KEYS
            | module._RECORDING_KEYS)
    missing = [k for k in sorted(keys) if f"{k}:" not in section]
    assert missing == []


def test_recording_sets_rtpengine_spool_and_the_folder(tmp_path: Path) -> None:
    """`recording.dir` is relative to the file; rtpengine writes its pcaps in `spool`."""
    loaded = load_telephony_config(config(tmp_path, GOOD + "recording: {dir: rec}\n"))
    assert loaded.recording is not None
    assert (loaded.recording.dir, loaded.recording.calls) == (tmp_path / "rec", True)
    assert loaded.rtpengine.recording_dir == (tmp_path / "rec" / "spool").resolve()


def test_no_recording_section_records_nothing(tmp_path: Path) -> None:
    """Without `recording`, neither the adapter nor rtpengine records."""
    loaded = load_telephony_config(config(tmp_path, GOOD))
    assert loaded.recording is None and loaded.rtpengine.recording_dir is None


def test_a_bad_recording_flag_is_named(tmp_path: Path) -> None:
    """A flag that is not true/false is an error at `recording.<key>`."""
    assert "recording.calls: expected true or false" in error(
        tmp_path, GOOD + "recording: {dir: rec, calls: 'yes'}\n")
    assert "recording.dir" in error(tmp_path, GOOD + "recording: {calls: true}\n")
