"""Campaigns over HTTP: CRUD with audit rows, state, lead import and listing, do-not-call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from callcenter.store.models import AuditRow
from tests.api.conftest import Harness

BODY: dict[str, Any] = {"name": "spring", "caller_id": "+4930123456", "default_region": "DE",
                        "timezone": "Europe/Berlin"}
CSV = "customer,phone,name\nc1,030 1234567,Anna\nc2,+1 212 555 0101,Bob\n"
BAD_CSV = CSV + "c3,not a number,Cleo\n"


def create(h: Harness, **changes: Any) -> Any:
    """POST a campaign as the admin."""
    return h.post("/api/campaigns", json={**BODY, **changes}, headers=h.auth("root"))


def upload(h: Harness, text: str, **params: Any) -> Any:
    """POST a CSV body to the spring campaign's leads."""
    return h.post("/api/campaigns/spring/leads", content=text.encode(),
                  params={"number": "phone", "id": "customer", **params},
                  headers={**h.auth("root"), "Content-Type": "text/csv"})


def test_create_answers_the_campaign_stopped(harness: Harness) -> None:
    """A created campaign comes back with the core's defaults and state stopped."""
    r = create(harness)
    assert (r.status_code, r.json()["state"], r.json()["max_attempts"]) == (201, "stopped", 10)


def test_duplicate_name_is_409(sqlite_harness: Harness) -> None:
    """A second campaign of the same name is refused."""
    create(sqlite_harness)
    assert create(sqlite_harness).status_code == 409


def test_core_refusal_names_the_field(sqlite_harness: Harness) -> None:
    """A caller id the core refuses is a 422 on field caller_id."""
    r = create(sqlite_harness, caller_id="12")
    assert r.json()["errors"][0]["field"] == "caller_id"


def test_agentless_and_preview_settings_are_taken_and_read_back(sqlite_harness: Harness) -> None:
    """The body takes flow, max_lines and the preview settings; an agentless campaign
    without a flow is a 422 on field flow."""
    h = sqlite_harness
    r = create(h, dial_mode="agentless", information_message="Goodbye")
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "flow")
    r = create(h, dial_mode="agentless", information_message="Goodbye", flow="survey",
               max_lines=4, preview_timeout=30, preview_timeout_action="dial", skip_delay=0)
    assert r.status_code == 201
    got = h.get("/api/campaigns/spring", headers=h.auth("sup")).json()
    assert (got["flow"], got["max_lines"], got["preview_timeout"],
            got["preview_timeout_action"], got["skip_delay"]) == ("survey", 4, 30, "dial", 0)


def test_put_replaces_the_configuration(sqlite_harness: Harness) -> None:
    """PUT changes a field and GET reads it back."""
    create(sqlite_harness)
    body = {k: v for k, v in BODY.items() if k != "name"}
    sqlite_harness.request("PUT", "/api/campaigns/spring", json={**body, "max_attempts": 4},
                           headers=sqlite_harness.auth("root"))
    r = sqlite_harness.get("/api/campaigns/spring", headers=sqlite_harness.auth("sup"))
    assert r.json()["max_attempts"] == 4


def test_each_change_writes_an_audit_row(sqlite_harness: Harness) -> None:
    """Create, start and delete leave three audit rows for the campaign."""
    h = sqlite_harness
    create(h)
    h.post("/api/campaigns/spring/start", headers=h.auth("root"))
    h.post("/api/campaigns/spring/stop", headers=h.auth("root"))
    h.request("DELETE", "/api/campaigns/spring", headers=h.auth("root"))
    with h.server.sessions() as s:
        actions = s.scalars(select(AuditRow.action).where(AuditRow.entity == "campaign")
                            .order_by(AuditRow.id)).all()
    assert actions == ["create", "start", "stop", "delete"]


def test_pause_of_a_stopped_campaign_is_409(sqlite_harness: Harness) -> None:
    """Only a running campaign can be paused."""
    create(sqlite_harness)
    r = sqlite_harness.post("/api/campaigns/spring/pause", headers=sqlite_harness.auth("root"))
    assert r.status_code == 409


def test_start_then_pause_is_stored(sqlite_harness: Harness) -> None:
    """start then pause leaves the campaign paused."""
    h = sqlite_harness
    create(h)
    h.post("/api/campaigns/spring/start", headers=h.auth("root"))
    h.post("/api/campaigns/spring/pause", headers=h.auth("root"))
    assert h.get("/api/campaigns/spring", headers=h.auth("root")).json()["state"] == "paused"


def test_deleting_a_running_campaign_is_409(sqlite_harness: Harness) -> None:
    """A running campaign must be stopped before it is deleted."""
    h = sqlite_harness
    create(h)
    h.post("/api/campaigns/spring/start", headers=h.auth("root"))
    assert h.request("DELETE", "/api/campaigns/spring", headers=h.auth("root")).status_code == 409


def test_import_stores_the_leads(harness: Harness) -> None:
    """A clean CSV body stores every lead."""
    create(harness)
    assert upload(harness, CSV).json()["stored"] == 2


def test_import_with_a_rejected_row_stores_nothing(sqlite_harness: Harness) -> None:
    """One rejected row: 422 and no lead stored."""
    h = sqlite_harness
    create(h)
    upload(h, BAD_CSV)
    assert h.get("/api/campaigns/spring/leads", headers=h.auth("root")).json()["total"] == 0


def test_import_lists_rejected_rows_with_their_lines(sqlite_harness: Harness) -> None:
    """The 422 names the rejected row's line."""
    create(sqlite_harness)
    r = upload(sqlite_harness, BAD_CSV)
    assert (r.status_code, [row["line"] for row in r.json()["rejected"]]) == (422, [4])


def test_import_takes_a_multipart_file(sqlite_harness: Harness) -> None:
    """The CSV may come as the `file` part of a multipart body."""
    h = sqlite_harness
    create(h)
    r = h.post("/api/campaigns/spring/leads", params={"number": "phone"},
               files={"file": ("leads.csv", CSV.encode(), "text/csv")}, headers=h.auth("root"))
    assert r.json()["stored"] == 2


def test_lead_listing_filters_by_number(sqlite_harness: Harness) -> None:
    """?number= finds the one lead with that E.164 number."""
    h = sqlite_harness
    create(h)
    upload(h, CSV)
    r = h.get("/api/campaigns/spring/leads", params={"number": "+12125550101"},
              headers=h.auth("sup"))
    assert [lead["lead_id"] for lead in r.json()["items"]] == ["c2"]


def test_lead_listing_pages(sqlite_harness: Harness) -> None:
    """limit=1 offset=1 gives the second lead by id and the full total."""
    h = sqlite_harness
    create(h)
    upload(h, CSV)
    page = h.get("/api/campaigns/spring/leads", params={"limit": 1, "offset": 1, "state": "new"},
                 headers=h.auth("sup")).json()
    assert (page["total"], [x["lead_id"] for x in page["items"]]) == (2, ["c2"])


def test_global_dnc_add_and_remove(harness: Harness) -> None:
    """A number added to the global list is listed, and gone after DELETE."""
    h = harness
    h.post("/api/dnc", json={"number": "+4930123457"}, headers=h.auth("root"))
    h.request("DELETE", "/api/dnc/+4930123457", headers=h.auth("root"))
    assert h.get("/api/dnc", headers=h.auth("sup")).json()["total"] == 0


def test_campaign_dnc_is_listed_on_the_campaign(sqlite_harness: Harness) -> None:
    """A number added to a campaign's list is listed there."""
    h = sqlite_harness
    create(h)
    h.post("/api/campaigns/spring/dnc", json={"number": "+4930123457"}, headers=h.auth("root"))
    items = h.get("/api/campaigns/spring/dnc", headers=h.auth("sup")).json()["items"]
    assert [(x["number"], x["list"]) for x in items] == [("+4930123457", "campaign:spring")]


def test_invalid_dnc_number_is_422_on_number(sqlite_harness: Harness) -> None:
    """A number that is not E.164 is refused naming the field."""
    r = sqlite_harness.post("/api/dnc", json={"number": "12"},
                            headers=sqlite_harness.auth("root"))
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "number")


def test_removing_an_absent_dnc_number_is_404(sqlite_harness: Harness) -> None:
    """DELETE of a number not on the list is 404."""
    r = sqlite_harness.request("DELETE", "/api/dnc/+4930123457",
                               headers=sqlite_harness.auth("root"))
    assert r.status_code == 404
