"""The stage the role matrix plays on: a started app on a fake clock with a fake
telephony that records and monitors calls, its subjects' logins, and the arrangements
that bring it to the state in which an operation succeeds (an agent logged in, a call
offered, connected, on hold or in wrap-up, a previewed lead, a recorded call, a
listen, stored resources to change or delete).

Subjects (who calls): `admin` (root), `supervisor` (sup, whose team holds early-1),
`supervisor-outside` (sup-2, in no team), `agent` (early-1, acting on itself),
`agent-other` (early-2, on early-1), `agent-unlinked` (lone: a user of role agent linked
to no agent, with none of its name) and `anonymous` (no credentials).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, MetaData, select

from callcenter.api.auth import Role
from callcenter.clock import FakeClock
from callcenter.core.dialer.leads import Lead
from callcenter.core.events import InteractionArrived
from callcenter.core.ivr import FlowEnded
from callcenter.store import create_engine_for
from callcenter.store.leads import add_leads
from callcenter.store.media import add_ivr_runs
from callcenter.store.models import UserRow
from callcenter.store.users import hash_password
from callcenter.telephony.base import DialStatus, FakeTelephony
from callcenter.telephony.sip.monitoring import NoSuchCall
from callcenter.telephony.sip.recorder import RecordingReady
from tests.api.conftest import MONDAY_9AM, USERS, Harness, start
from tests.api.dialing import advance_settled

ADMIN, SUPERVISOR, OUTSIDER = "admin", "supervisor", "supervisor-outside"
AGENT, OTHER, UNLINKED = "agent", "agent-other", "agent-unlinked"
ANONYMOUS = "anonymous"
USER_OF = {ADMIN: "root", SUPERVISOR: "sup", OUTSIDER: "sup-2", AGENT: "early-1",
           OTHER: "early-2", UNLINKED: "lone"}
SUBJECTS = (ADMIN, SUPERVISOR, OUTSIDER, AGENT, OTHER, UNLINKED, ANONYMOUS)
ROLE_OF_USER = {**USERS, "lone": "agent"}
CALL = "ix-1"  # early-1's connected, recorded call
BERLIN = ZoneInfo("Europe/Berlin")


class MatrixTelephony(FakeTelephony):
    """A fake telephony that also records calls and lets supervisors listen: a call is
    recorded once `record` names it, bridged to the agent given."""

    def __init__(self) -> None:
        super().__init__()
        self.recorded: dict[str, str] = {}  # interaction: recording state
        self.bridged: dict[str, str] = {}  # interaction: agent
        self.listens: set[str] = set()

    def record(self, interaction_id: str, agent_id: str) -> None:
        self.recorded[interaction_id] = "recording"
        self.bridged[interaction_id] = agent_id

    def recording(self, interaction_id: str) -> str | None:
        return self.recorded.get(interaction_id)

    def connected_agent(self, interaction_id: str) -> str | None:
        return self.bridged.get(interaction_id)

    async def _switch(self, interaction_id: str, before: str, after: str) -> bool:
        if self.recorded.get(interaction_id) != before:
            return False
        self.recorded[interaction_id] = after
        return True

    async def pause_recording(self, interaction_id: str) -> bool:
        return await self._switch(interaction_id, "recording", "paused")

    async def resume_recording(self, interaction_id: str) -> bool:
        return await self._switch(interaction_id, "paused", "recording")

    async def listen(self, interaction_id: str, phone: str) -> str:
        if interaction_id not in self.bridged:
            raise NoSuchCall(f"no live call {interaction_id!r}")
        listen_id = f"{interaction_id}-listen-{phone}"
        self.listens.add(listen_id)
        return listen_id

    async def stop_listening(self, listen_id: str) -> bool:
        if listen_id not in self.listens:
            return False
        self.listens.discard(listen_id)
        return True

    def state(self) -> tuple[Any, ...]:
        """What the telephony was told, to compare before and after a refused request."""
        return (len(self.commands), sorted(self.dials), sorted(self.recorded.items()),
                sorted(self.listens), len(self.hung_up), len(self.dropped))


class Stage:
    """A started app on a fake clock, with the logins of its subjects."""

    def __init__(self, harness: Harness, clock: FakeClock, folder: Path) -> None:
        self.h = harness
        self.clock = clock
        self.folder = folder
        self.fills: dict[str, str] = {}
        """Path parameters an arrangement chose (a created customer's id)."""
        self._tokens: dict[str, str] = {}

    @property
    def telephony(self) -> MatrixTelephony:
        found = self.h.telephony
        assert isinstance(found, MatrixTelephony)
        return found

    def login(self, username: str) -> str:
        """A new login of `username`, opened in the app's sessions as `POST /api/login`
        opens it (the password check, argon2, is test_auth's business and costs a good
        part of a second)."""
        role = Role(ROLE_OF_USER[username])
        namesake = role is Role.AGENT and self.h.server.runtime.engine.has_agent(username)
        agent_id = username if namesake else None
        token: str = self.h.portal.call(self.h.server.logins.open, username, role, agent_id)
        return token

    def headers(self, subject: str) -> dict[str, str]:
        """The bearer header of `subject` (none for anonymous), one login per stage."""
        if subject == ANONYMOUS:
            return {}
        user = USER_OF[subject]
        if user not in self._tokens:
            self._tokens[user] = self.login(user)
        return {"Authorization": f"Bearer {self._tokens[user]}"}

    def call(self, method: str, path: str, expect: int = 200, user: str = ADMIN,
             **options: Any) -> httpx.Response:
        """An arranging request as `user`, which must answer `expect`."""
        r = self.h.request(method, path, headers=self.headers(user), **options)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r

    def advance(self, seconds: float) -> None:
        """Move the fake clock in quarter seconds, letting the dialer and driver settle."""
        advance_settled(self.h, self.clock, seconds)

    def local(self, hours: float) -> str:
        """Berlin wall-clock time `hours` from the server's now, as the API takes it."""
        now = datetime.fromtimestamp(self.clock.time(), BERLIN) + timedelta(hours=hours)
        return now.replace(tzinfo=None).isoformat(timespec="minutes")


@contextmanager
def staged(url: str, folder: Path, seed: bool = True) -> Iterator[Stage]:
    """A started app on `url` with the matrix's telephony and a fake clock (`seed`
    false: on a database seeded by an earlier start, see `copied`); cases' SLA is swept
    only when a test says so."""
    clock = FakeClock(MONDAY_9AM)
    with contextmanager(start)(url, clock=clock, telephony=MatrixTelephony(),
                               seed=seed, settings={"case_sweep_seconds": 0}) as harness:
        if seed:
            with harness.server.sessions.begin() as session:
                session.add(UserRow(username="lone", password_hash=_lone_hash(),
                                    role="agent"))
        yield Stage(harness, clock, folder)


@functools.cache
def _lone_hash() -> str:
    return hash_password("pass-phrase-enol")


def seeded_sqlite(folder: Path) -> Path:
    """A SQLite file migrated and seeded by one start and stop of the app (users, agents,
    team floor), for `copied`: a copy starts faster than a migration."""
    path = folder / "seeded.db"
    with staged(f"sqlite:///{path}", folder):
        pass
    return path


@contextmanager
def copied(seeded: Path, folder: Path) -> Iterator[Stage]:
    """A stage of its own on a copy of the `seeded_sqlite` file in `folder`."""
    for companion in seeded.parent.glob(seeded.name + "*"):
        shutil.copy(companion, folder / companion.name.replace(seeded.name, "api.db"))
    with staged(f"sqlite:///{folder / 'api.db'}", folder, seed=False) as stage:
        yield stage


# Arrangements: each brings a stage to the state in which one operation succeeds.

Arrangement = Callable[["Stage"], None]

def logged_in(s: Stage, ready: bool = True) -> None:
    """early-1 logged in (ready, or paused)."""
    s.call("POST", "/api/agents/early-1/login", json={"ready": ready})


def offered(s: Stage, interaction_id: str = "ix-2") -> None:
    """early-1 logged in with a call offered to it."""
    logged_in(s)
    s.h.inject(InteractionArrived(interaction_id, "hotline"))
    offers = s.call("GET", "/api/agents/early-1").json()["offers"]
    assert offers == [interaction_id], offers


def connected(s: Stage, interaction_id: str = "ix-2") -> None:
    """early-1 talking on a call."""
    offered(s, interaction_id)
    s.call("POST", "/api/agents/early-1/accept", json={"interaction_id": interaction_id})


def on_hold(s: Stage) -> None:
    """early-1's call on hold."""
    connected(s)
    s.call("POST", "/api/agents/early-1/hold", json={"interaction_id": "ix-2"})


def wrapping(s: Stage) -> None:
    """early-1 in wrap-up after a call."""
    connected(s)
    s.call("POST", "/api/agents/early-1/hangup", json={"interaction_id": "ix-2"})


def recorded(s: Stage) -> None:
    """early-1 on call ix-1 (stored with its agent), which the telephony records."""
    connected(s, CALL)
    s.telephony.record(CALL, "early-1")


def recording_paused(s: Stage) -> None:
    """ix-1's recording paused."""
    recorded(s)
    s.telephony.recorded[CALL] = "paused"


def listening(s: Stage) -> None:
    """sup listening to ix-1."""
    recorded(s)
    s.call("POST", f"/api/supervisor/interactions/{CALL}/listen", json={}, user=SUPERVISOR)


def stored_media(s: Stage) -> None:
    """ix-1's recording stored (a WAV file) and an IVR run of call-9."""
    wav = s.folder / "ix-1.wav"
    wav.write_bytes(b"RIFF....WAVE")
    media = s.h.server.media
    assert media is not None
    s.h.portal.call(media.recording_ready,
                    RecordingReady(CALL, "call", wav, 100.0, 130.0, 30.0, 0.0))
    s.h.portal.call(media.drain)
    ended = FlowEnded("call-9", "main", "hangup", ("welcome",), (), "en", 1000.0, 1012.5)
    with s.h.server.sessions.begin() as session:
        add_ivr_runs(session, [ended])


PREVIEW = {"name": "pv", "caller_id": "+4930999000", "dial_mode": "preview",
           "skip_delay": 600}


def previewing(s: Stage) -> None:
    """Preview campaign `pv` running, early-1 working it with lead p0 reserved."""
    agent = s.call("GET", "/api/admin/agents/early-1").json()
    agent["skills"].append({"skill": "campaign:pv", "level": 1})
    del agent["id"]
    s.call("PUT", "/api/admin/agents/early-1", json=agent)
    s.call("POST", "/api/campaigns", 201, json=PREVIEW)
    with s.h.server.sessions.begin() as session:
        add_leads(session, "pv", [Lead("p0", "+4930555000", "Europe/Berlin"),
                                  Lead("p1", "+4930555001", "Europe/Berlin")])
    logged_in(s)
    s.call("POST", "/api/campaigns/pv/start")
    s.advance(2)
    lead = s.call("GET", "/api/agents/early-1/preview").json()["lead"]
    assert lead is not None and lead["lead_id"] == "p0", lead


def campaign_call_wrapping(s: Stage) -> None:
    """early-1 in wrap-up after its preview call to p0 (answered); the call's id is the
    `interaction_id` fill."""
    previewing(s)
    s.call("POST", "/api/agents/early-1/preview/dial")
    (call_id,) = s.telephony.dials
    s.telephony.dial_update(call_id, DialStatus.ANSWERED, s.clock.time())
    s.advance(0.5)
    s.call("POST", "/api/agents/early-1/accept", json={"interaction_id": call_id})
    s.call("POST", "/api/agents/early-1/hangup", json={"interaction_id": call_id})
    s.fills["interaction_id"] = call_id


def campaign(name: str, running: bool = False) -> Arrangement:
    """An arrangement: campaign `name` stored, unless it is already (and running)."""
    def arrange(s: Stage) -> None:
        if s.h.get(f"/api/campaigns/{name}", headers=s.headers(ADMIN)).status_code == 404:
            s.call("POST", "/api/campaigns", 201,
                   json={"name": name, "caller_id": "+4930123456"})
        if running:
            s.call("POST", f"/api/campaigns/{name}/start")
    return arrange


def dnc(number: str, name: str | None = None) -> Arrangement:
    """An arrangement: `number` on the global do-not-call list, or campaign `name`'s."""
    def arrange(s: Stage) -> None:
        if name is not None:
            campaign(name)(s)
        s.call("POST", "/api/dnc" if name is None else f"/api/campaigns/{name}/dnc", 201,
               json={"number": number})
    return arrange


def created(path: str, body: dict[str, Any], fill: str | None = None) -> Arrangement:
    """An arrangement: `body` created at `path` (its `id` kept as the `fill` path
    parameter)."""
    def arrange(s: Stage) -> None:
        made = s.call("POST", path, 201, json=body).json()
        if fill is not None:
            s.fills[fill] = str(made["id"])
    return arrange


def case_type(s: Stage, type_id: str = "rs-type") -> None:
    """The case type `type_id` exists (made once per stage)."""
    types = s.call("GET", "/api/case-types").json()["types"]
    if type_id in {t["id"] for t in types}:
        return
    s.call("POST", "/api/admin/case-types", 201, json={"id": type_id, "label": "Complaint"})


def a_case(s: Stage) -> None:
    """A new case of type rs-type (its id kept as `case_id`)."""
    case_type(s)
    made = s.call("POST", "/api/cases", 201, json={"type_id": "rs-type", "subject": "Noisy line"})
    s.fills["case_id"] = str(made.json()["id"])


def acted_on(s: Stage) -> None:
    """The case the workflow's row acts on (its id kept as `case_id`)."""
    case_type(s)
    made = s.call("POST", "/api/cases", 201, json={"type_id": "rs-type", "subject": "Act on me"})
    s.fills["case_id"] = str(made.json()["id"])


def next_action(s: Stage) -> dict[str, Any]:
    """A body moving the case of `acted_on` by the first action its status allows now
    (each allowed subject of the shared stage moves it one step further)."""
    found = [c for c in s.call("GET", "/api/cases?limit=500").json()
             if c["subject"] == "Act on me"]
    return {"json": {"action": found[0]["actions"][0]}}


def sla_policy(priority: str) -> Arrangement:
    """An arrangement: a policy of case type rs-type at `priority` (its id kept as
    `policy_id`)."""
    def arrange(s: Stage) -> None:
        case_type(s)
        made = s.call("POST", "/api/admin/sla-policies", 201, json={
            "type_id": "rs-type", "priority": priority, "resolution_seconds": 3600})
        s.fills["policy_id"] = str(made.json()["id"])
    return arrange


RS_SCRIPT = """\
script: rs_script
purpose: survey
steps:
  - id: greet
    say: Hello {first_name}
  - id: done
    close: complete
"""


def a_script(s: Stage, name: str = "rs_script") -> None:
    """The survey script `name` (RS_SCRIPT's steps) is stored (once per stage)."""
    if s.h.get(f"/api/admin/scripts/{name}", headers=s.headers(ADMIN)).status_code == 404:
        s.call("POST", "/api/admin/scripts", 201,
               json={"text": RS_SCRIPT.replace("rs_script", name)})


def script_run(name: str, answered: bool = False) -> Arrangement:
    """An arrangement: early-1 running script `name` on the call it holds (ix-2,
    connected, when it holds none); the run's id kept as `run_id`; with `answered`, the
    run stands at its closing step."""
    def arrange(s: Stage) -> None:
        a_script(s, name)
        held = s.call("GET", "/api/agents/early-1/work").json()["items"]
        if not held:
            connected(s)
            held = s.call("GET", "/api/agents/early-1/work").json()["items"]
        run = s.call("POST", "/api/agents/early-1/script-runs", json={
            "interaction_id": held[0]["interaction_id"], "script": name}).json()
        s.fills["run_id"] = str(run["id"])
        if answered:
            s.call("PUT", f"/api/agents/early-1/script-runs/{run['id']}/answers/greet",
                   json={"value": None})
    return arrange


@functools.cache
def _tables(database: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(database)
    return metadata


def footprint(s: Stage) -> tuple[Any, ...]:
    """Every row of every table, the events the engine was given and what the telephony
    was told: what a refused request must leave as it was."""
    database = s.h.server.database
    with database.connect() as connection:
        rows = {name: sorted((tuple(map(repr, row)) for row in connection.execute(
                    select(table))), key=repr)
                for name, table in _tables(database).tables.items()}
    return rows, s.h.server.runtime.driver.stats.events, s.telephony.state()


@contextmanager
def restorable(url: str, folder: Path) -> Iterator[Callable[[], None]]:
    """Seed the database at `url` by one start and stop of the app; yield a function that
    puts every table back as the seeding left it (for PostgreSQL, where a fresh schema
    costs a migration per stage)."""
    with staged(url, folder):
        pass
    database = create_engine_for(url)
    try:
        tables = _tables(database).sorted_tables
        with database.connect() as connection:
            rows = {t.name: [dict(r._mapping) for r in connection.execute(select(t))]
                    for t in tables}

        def restore() -> None:
            with database.begin() as connection:
                for table in reversed(tables):
                    connection.execute(table.delete())
                for table in tables:
                    if rows[table.name]:
                        connection.execute(table.insert(), rows[table.name])

        yield restore
    finally:
        database.dispose()


def catalog_item(s: Stage) -> None:
    """The catalog item rs-mug exists, with plenty in stock (made once per stage)."""
    if s.call("GET", "/api/catalog?q=rs-mug").json():
        return
    s.call("POST", "/api/catalog", 201, json={"sku": "rs-mug", "name": "Mug",
                                              "price_cents": 1999, "tax_bp": 1900,
                                              "available": 500})


def an_order(s: Stage) -> None:
    """A draft order agent early-1 took (its id kept as `order_id`)."""
    catalog_item(s)
    made = s.call("POST", "/api/orders", 201, user=AGENT,
                  json={"lines": [{"sku": "rs-mug", "quantity": 1}]})
    s.fills["order_id"] = str(made.json()["id"])


def customer_on_call(interaction_id: str = CALL, address: bool = False) -> Arrangement:
    """A customer linked to early-1's call `interaction_id` (its id kept as
    `customer_id`), made once per stage; on a fresh stage early-1 first takes the call;
    with `address`, the customer has a work address."""
    def arrange(s: Stage) -> None:
        if interaction_id not in s.call("GET", "/api/agents/early-1").json().get(
                "offers", []) and not _holds(s, interaction_id):
            connected(s, interaction_id)
        external = f"RS-{interaction_id}"
        found = s.call("GET", f"/api/customers?external_id={external}").json()["items"]
        if found:
            customer_id = found[0]["id"]
        else:
            customer_id = s.call("POST", "/api/admin/customers", 201,
                                 json={"name": "Caller Ada"}).json()["id"]
            s.call("PATCH", f"/api/customers/{customer_id}", json={"external_id": external})
            s.call("PUT", f"/api/agents/early-1/work/{interaction_id}/customer",
                   json={"customer_id": customer_id})
        if address:
            s.call("PUT", f"/api/customers/{customer_id}/addresses/work",
                   json={"city": "Bonn"})
        s.fills["customer_id"] = str(customer_id)
    return arrange


def _holds(s: Stage, interaction_id: str) -> bool:
    items = s.call("GET", "/api/agents/early-1/work").json()["items"]
    return any(i["interaction_id"] == interaction_id for i in items)


def two_customers(s: Stage) -> None:
    """Two customers (ids kept as `customer_id` and `other_id`)."""
    for fill, name in (("customer_id", "Keep Ada"), ("other_id", "Gone Ada")):
        s.fills[fill] = str(s.call("POST", "/api/admin/customers", 201,
                                   json={"name": name}).json()["id"])


def a_customer(s: Stage) -> None:
    """A customer (its id kept as `customer_id`)."""
    s.fills["customer_id"] = str(s.call("POST", "/api/admin/customers", 201,
                                        json={"name": "Chosen Ada"}).json()["id"])
