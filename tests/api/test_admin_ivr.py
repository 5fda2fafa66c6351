"""The administration's IVR and telephony routes: the running flows' file, the check of
a flow text naming the line of its mistake, storing one under sip telephony and the
running IVR taking it, the sip config's numbers and trunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from callcenter.core.ivr import CallEntered
from callcenter.flows import parse_flows
from callcenter.store.audit import audit_entries
from tests.api.conftest import Harness, start

FLOWS = """\
flows:
  main:
    start: welcome
    nodes:
      welcome:
        play: "Welcome."
        next: queue
      queue:
        queue: hotline
"""

TELEPHONY = """\
trunks: [192.0.2.10, 198.51.100.0/24]
dids: {"4940112233": main, "4940112299": main}
agents: {early-1: "sip:1001@192.0.2.7:5062"}
flows: entry.yaml
dial: "sip:carrier:s3cret@192.0.2.1:5060;user={number}"
"""


def check(h: Harness, text: str) -> dict[str, Any]:
    """POST the text to the check; its 200 answer."""
    r = h.post("/api/admin/ivr/validate", json={"text": text}, headers=h.auth("root"))
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


@pytest.fixture
def sip(tmp_path: Path) -> Iterator[Harness]:
    """An app whose settings name a sip telephony config (its calls still the fake's)."""
    (tmp_path / "entry.yaml").write_text(FLOWS, encoding="utf-8")
    config = tmp_path / "telephony.yaml"
    config.write_text(TELEPHONY, encoding="utf-8")
    yield from start(f"sqlite:///{tmp_path / 'api.db'}",
                     settings={"sip": "127.0.0.1:5999", "telephony_config": str(config)},
                     ivr_flows=parse_flows(FLOWS))


def test_a_valid_text_lists_its_flows(shared: Harness) -> None:
    """A text whose nodes reach only running queues is valid, with its one flow."""
    assert check(shared, FLOWS) == {"valid": True, "flows": ["main"], "line": None,
                                    "message": None}


def test_a_queue_the_engine_does_not_run_is_named_with_its_line(shared: Harness) -> None:
    """A queue node sending calls to a queue the engine lacks: the line of its key (9)."""
    answer = check(shared, FLOWS.replace("queue: hotline", "queue: nowhere"))
    assert (answer["valid"], answer["line"]) == (False, 9)
    assert answer["message"].startswith(
        "flows.yaml:9: flows.main.nodes.queue.queue: no queue 'nowhere' (queues: ")


def test_a_missing_node_is_named_with_its_line(shared: Harness) -> None:
    """A `next` to a node that is not there: the line of that `next` (7)."""
    answer = check(shared, FLOWS.replace("next: queue", "next: menu"))
    assert (answer["valid"], answer["line"]) == (False, 7)
    assert "flows.main.nodes.welcome.next" in answer["message"]
    assert "'menu'" in answer["message"]


def test_text_that_is_not_yaml_is_named_with_its_line(shared: Harness) -> None:
    """An unclosed quote on line 6: the YAML error names a line at or after it."""
    answer = check(shared, FLOWS.replace('play: "Welcome."', 'play: "Welcome.'))
    assert answer["valid"] is False
    assert answer["line"] is not None and answer["line"] >= 6
    assert "not valid YAML" in answer["message"]


def test_without_sip_there_are_no_numbers_and_no_flow_file(shared: Harness) -> None:
    """Under the sim adapter without flows: no file, no flows, no numbers or trunks."""
    auth = shared.auth("root")
    assert shared.get("/api/admin/ivr", headers=auth).json() == {
        "source": "none", "file": None, "text": None, "flows": [], "editable": False}
    assert shared.get("/api/admin/telephony", headers=auth).json() == {
        "mode": "simulated", "numbers": [], "trunks": [], "dial": None}


def test_the_sip_config_gives_the_flow_file_numbers_and_trunks(sip: Harness) -> None:
    """The sip config's flow file is shown as written (and may be stored); its numbers,
    trunks and dial target (the password hidden) are listed."""
    auth = sip.auth("root")
    assert sip.get("/api/admin/ivr", headers=auth).json() == {
        "source": "sip", "file": "entry.yaml", "text": FLOWS, "flows": ["main"],
        "editable": True}
    assert sip.get("/api/admin/telephony", headers=auth).json() == {
        "mode": "sip",
        "numbers": [{"number": "4940112233", "flow": "main"},
                    {"number": "4940112299", "flow": "main"}],
        "trunks": ["192.0.2.10", "198.51.100.0/24"],
        "dial": "sip:carrier:***@192.0.2.1:5060;user={number}"}


OTHER = FLOWS + """\
  other:
    nodes:
      straight:
        queue: hotline
"""


def put(h: Harness, text: str) -> httpx.Response:
    """PUT a flow text as the admin."""
    return h.request("PUT", "/api/admin/ivr", json={"text": text}, headers=h.auth("root"))


def test_a_stored_text_is_written_and_run_at_once(sip: Harness, tmp_path: Path) -> None:
    """A new flow stored through the API is in the file, audited, and a call entering it
    reaches its queue without a restart (before the change the IVR had no such flow)."""
    assert "other" not in sip.server.runtime.center.ivr.flows
    r = put(sip, OTHER)
    assert r.status_code == 200, r.text
    assert (r.json()["flows"], r.json()["text"], r.json()["editable"]) == (
        ["main", "other"], OTHER, True)
    assert (tmp_path / "entry.yaml").read_text(encoding="utf-8") == OTHER
    sip.inject(CallEntered("ivr-1", "other", caller="+4930555000"))
    assert sip.server.runtime.engine.interaction_state("ivr-1") is not None
    with sip.server.sessions() as session:
        (entry,) = [e for e in audit_entries(session) if e.entity == "ivr_flows"]
    assert (entry.actor, entry.action, entry.entity_id) == ("root", "update", "entry.yaml")


def test_a_text_without_a_numbers_flow_is_refused_and_nothing_changes(
        sip: Harness, tmp_path: Path) -> None:
    """Dropping flow `main`, which both numbers start in, is 422 naming `text`; the file
    and the running flows stay."""
    r = put(sip, OTHER.replace("  main:", "  first:"))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "text", "message": (
        "entry.yaml: no flow 'main', which the number 4940112233 starts in "
        "(flows: first, other)")}]
    assert (tmp_path / "entry.yaml").read_text(encoding="utf-8") == FLOWS
    assert set(sip.server.runtime.center.ivr.flows) == {"main"}


def test_an_invalid_text_is_refused_naming_its_line(sip: Harness, tmp_path: Path) -> None:
    """A queue node to a queue the engine lacks (line 9): 422 naming `text` and the line."""
    r = put(sip, FLOWS.replace("queue: hotline", "queue: nowhere"))
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["field"] == "text"
    assert error["message"].startswith("entry.yaml:9: flows.main.nodes.queue.queue: no queue")
    assert (tmp_path / "entry.yaml").read_text(encoding="utf-8") == FLOWS


def test_under_simulated_telephony_nothing_is_stored(shared: Harness) -> None:
    """The scenario's flows are not written from here: 409."""
    r = put(shared, FLOWS)
    assert r.status_code == 409
    assert "only under sip telephony" in r.json()["detail"]


def test_under_the_sim_adapter_the_scenarios_flow_file_is_shown(tmp_path: Path) -> None:
    """With the customer-service scenario's IVR running, its [ivr] flow file is shown as
    it is on disk, with the flows it runs (the entry flow and the post-call survey), and
    is not editable."""
    example = Path(__file__).parents[2] / "examples" / "flows" / "customer-service.yaml"
    for h in start(f"sqlite:///{tmp_path / 'api.db'}",
                   settings={"scenario": "customer-service"},
                   ivr_flows=parse_flows(example.read_text(encoding="utf-8"))):
        assert h.get("/api/admin/ivr", headers=h.auth("root")).json() == {
            "source": "scenario", "file": "customer-service.yaml",
            "text": example.read_text(encoding="utf-8"), "flows": ["csat", "main"],
            "editable": False}
