"""`callcenter demo`: seeded logins, bots beside a person, and the command end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from callcenter.api.demo import PERSON, busy_start, demo_logins, person_agent, seed_demo
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.scenario.phones import EXAMPLE_CUSTOMERS
from callcenter.store import create_engine_for, session_factory
from callcenter.store.customers import find_customer
from callcenter.store.seed import linked_agents
from callcenter.store.users import authenticate, supervised_agents
from tests.serving import free_port, wait_until_serving

CLI = Path(sys.executable).with_name("callcenter")
SCENARIO = load_scenario(scenario_path("customer-service"))


def test_busy_start_skips_a_sunday_to_an_open_weekday() -> None:
    """On a Sunday (queues closed, no callers) the demo starts on the Friday before."""
    t = busy_start(SCENARIO, date(2026, 11, 29))
    assert t == SCENARIO.epoch(date(2026, 11, 27), 10 * 3600)


def test_the_persons_agent_has_every_skill_at_ten_in_every_queue() -> None:
    """The person's agent can take any call of the scenario, first in every tier."""
    you = person_agent(SCENARIO)
    assert {m.queue_id for m in you.queues} == {q.id for q in SCENARIO.queues}
    assert all(m.tier == 1 for m in you.queues)
    needed = {r.skill for s in SCENARIO.arrivals for r in s.skills}
    needed |= {r.skill for q in SCENARIO.queues for r in q.required_skills}
    assert needed <= {s for s, level in you.skills if level == 10}


def test_seeded_logins_authenticate_and_the_agent_login_is_a_person(tmp_path: Path) -> None:
    """Every demo login works with its printed password; only the agent login's agent is
    linked (left to a person), and the supervisor supervises every agent."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    logins = seed_demo(url)
    agents = {a.id for g in SCENARIO.groups for a in g.agents} | {PERSON}
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            for login in logins:
                user = authenticate(session, login.username, login.password)
                assert user is not None and user.role == login.role
            person = next(x.agent_id for x in logins if x.role == "agent")
            assert linked_agents(session) == {person}
            sup = authenticate(session, "supervisor", "supervisor")
            assert sup is not None and set(supervised_agents(session, sup)) == agents
    finally:
        database.dispose()
    assert [x.username for x in logins] == [x.username for x in demo_logins()]


def test_the_demo_directory_knows_the_example_customers(tmp_path: Path) -> None:
    """The seeded directory finds an example customer by the number simulated callers
    call from, and by the account number the example IVR's callers key in."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(url)
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            for c in (EXAMPLE_CUSTOMERS[0], EXAMPLE_CUSTOMERS[-1]):
                row = find_customer(session, number=c.numbers[0])
                assert row is not None and row.name == c.name
            by_account = find_customer(session, account="4711001")
            assert by_account is not None and by_account.name == EXAMPLE_CUSTOMERS[0].name
    finally:
        database.dispose()


def test_the_demo_seeds_the_example_scripts_with_a_questionnaire(tmp_path: Path) -> None:
    """The seeded demo holds the five example scripts, the research questionnaire and the
    satisfaction questionnaire among them, each at version 1."""
    from callcenter.store.scripts import newest_scripts

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(url)
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            found = {(r.name, r.purpose, r.version) for r in newest_scripts(session)}
    finally:
        database.dispose()
    assert found == {("after_sale", "satisfaction", 1), ("ebike_study", "survey", 1),
                     ("spring_offer", "sales", 1), ("comeback", "reactivation", 1),
                     ("address_check", "address_update", 1)}


def _get(client: httpx.Client, path: str) -> httpx.Response:
    r = client.get(path)
    assert r.status_code == 200, r.text
    return r


def test_demo_command_serves_a_living_call_center(tmp_path: Path) -> None:
    """`callcenter demo` prints its logins, bots of the shift at work answer simulated calls
    from phone numbers, the agent login's agent stays with its person (logged out), and
    Ctrl-C stops it cleanly."""
    port = free_port()
    db = tmp_path / "demo.db"
    out = (tmp_path / "demo.log").open("wb")
    # Ctrl-C as at a terminal: a suite started in the background (`make test &`) hands its
    # children SIGINT ignored, and the demo would not hear it until uvicorn serves.
    proc = subprocess.Popen([str(CLI), "demo", "--port", str(port), "--db", str(db),
                             "--speed", "60"], stdout=out, stderr=subprocess.STDOUT,
                            env={**os.environ, "COLUMNS": "200"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, base, tmp_path / "demo.log")
        token = httpx.post(f"{base}/api/login", json={"username": "supervisor",
                                                      "password": "supervisor"}).json()["token"]
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
        deadline = time.monotonic() + 120  # only against a hang: a loaded machine is slow
        while _get(client, "/api/interactions?outcome=completed").json()["total"] < 3:
            assert time.monotonic() < deadline, "no completed calls"
            time.sleep(0.5)
        done = _get(client, "/api/interactions?outcome=completed").json()["items"]
        assert all(str(i["caller_number"]).startswith("+49") for i in done), done
        agents = {a["agent_id"]: a for a in _get(client, "/api/supervisor/agents").json()}
        assert agents[PERSON]["state"] == "logged_out"
        # The early shift (07:50-16:00) is at work by the demo's 10:00; the late shift
        # (from 11:50) is not yet, unless this machine took over 100 s to get here.
        early = {a.id for g in SCENARIO.groups if g.shift is not None
                 and g.shift.name == "early" for a in g.agents}
        assert len(early) == 18
        assert all(agents[a]["state"] != "logged_out" for a in early)
        client.close()
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()  # never left running for the tests after this one
            proc.wait()
            raise
        finally:
            out.close()
    log = (tmp_path / "demo.log").read_text()
    assert code == 0, log
    for name in ("admin", "supervisor", "agent"):
        assert name in log
    assert base in log


def test_the_demo_seeds_cases_one_breached_one_warning(tmp_path: Path) -> None:
    """Seeded for Friday 27 November 2026 10:00: the fault report of 09:00 (high: first
    response in 30 business minutes) is breached, the billing complaint of 08:18 (2 h,
    warning at 80 % = 96 min, so 09:54) warns, and three more cases are there."""
    from callcenter.crm.cases import CaseFilter, list_cases, target_state

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    start = SCENARIO.epoch(date(2026, 11, 27), 10 * 3600)
    seed_demo(url, now=start)
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            found = {c.subject: target_state(c.first_response_due, c.first_response_warn,
                                             c.first_response_at, start)
                     for c in list_cases(session, CaseFilter(), start)}
    finally:
        database.dispose()
    assert len(found) == 5
    assert found["No dial tone since this morning"] == "breached"
    assert found["Charged twice for October"] == "warning"


def test_the_demo_seeds_a_survey_with_results(tmp_path: Path) -> None:
    """The demo survey has 36 completes in its age x region quota cells, the AAPOR codes
    of its 60 leads, and results weighted by region."""
    from callcenter.api.demo_survey import DEMO_SURVEY
    from callcenter.core import aapor
    from callcenter.store.surveys import (
        campaign_script,
        load_weights,
        outcome_cases,
        quota_counts,
    )

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(url)
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            found = campaign_script(session, DEMO_SURVEY)
            assert found is not None and found.name == "ebike_study"
            counts = quota_counts(session, DEMO_SURVEY, found.script.quota)
            tally = aapor.tally(c.code for c in outcome_cases(session, DEMO_SURVEY))
            weights = load_weights(session, DEMO_SURVEY)
    finally:
        database.dispose()
    assert sum(counts.values()) == 36
    assert tally == aapor.Tally(complete=36, refusal=5, non_contact=10, unknown=8,
                                ineligible=1)
    assert weights is not None and weights[0].name == "region"


def test_the_demo_seeds_a_searchable_knowledge_base_and_directory(tmp_path: Path) -> None:
    """The seeded demo finds its refund article for `refunds` and its two sales-queue
    entries for `sales`; every directory target is a queue or agent of the example or
    an E.164 number."""
    from callcenter.crm.knowledge import search_articles, search_directory

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seed_demo(url, now=SCENARIO.epoch(date(2026, 11, 27), 10 * 3600))
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            titles = [h.title for h in search_articles(session, "refunds")]
            sales = [e.name for e in search_directory(session, "sales")]
            entries = search_directory(session, "")
    finally:
        database.dispose()
    assert titles == ["Refunds for double payments"]
    assert sales == ["Retention desk", "Sales desk"]
    queues = {q.id for q in SCENARIO.queues}
    agents = {a.id for g in SCENARIO.groups for a in g.agents}
    assert len(entries) == 10
    for e in entries:
        assert (e.queue_id in queues or e.agent_id in agents
                or (e.number or "").startswith("+49")), e.name


def test_the_demo_seeds_a_catalog_whose_router_costs_what_the_script_says(tmp_path: Path) -> None:
    """The seeded catalog has four items, one an event with 12 seats two weeks after the
    start, and the telesales script's router prices at 33.53 + 6.37 (19 %) = 39.90."""
    from callcenter.crm.orders import NewLine, quote, search_catalog

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    start = SCENARIO.epoch(date(2026, 11, 27), 10 * 3600)
    seed_demo(url, now=start)
    database = create_engine_for(url)
    try:
        with session_factory(database)() as session:
            items = search_catalog(session, None, False, 100)
            events = [(i.sku, i.available, i.event_at) for i in items if i.kind == "event"]
            totals = quote(session, [NewLine("ROUTER-FB250", 1)]).totals
    finally:
        database.dispose()
    assert len(items) == 4
    assert events == [("EVT-OPEN-DAY", 12, start + 14 * 86400)]
    assert (totals.net_cents, totals.tax_cents, totals.gross_cents) == (3353, 637, 3990)
