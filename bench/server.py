"""Server benchmark: N agents on WebSockets, M new calls/s, offer latency, on SQLite and PostgreSQL.

The real server (`create_app(ServerSettings(...))` under uvicorn, as `callcenter
serve` runs it) runs in a process of its own on a free loopback port, its store on
a fresh SQLite file, then on a scratch PostgreSQL database. Its scenario (written
to a temporary folder) has one voice queue, N agents and no bots; the sim adapter
brings callers as a Poisson stream of M per second who never hang up on their own.
This process is the load generator (`bench/_loadgen.py`): N agents log in (REST,
bearer tokens), open `/api/ws`, go ready, and answer every offer: accept, talk
2 s, hang up, wrap up 1 s, finish wrap-up. Callers start to arrive only once every
agent is ready (`POST /bench/go`), so the run measures the steady state.

Each server is started afresh (ours on a fresh SQLite file or scratch PostgreSQL
database), loaded, and stopped right after its run: a server left running would go
on taking its simulated callers while the next one is measured. The peer and ours
on each database make a round: they start together and wait idle (no callers),
then each is loaded in turn and stopped. The order rotates by one every round
(`--repeats`, 3 by default; `--quick` makes one round, a smoke run whose ratios
have no spread, since a start of ours costs 10-20 s here), and the figures are the
medians over the rounds with the ratio's spread, paired by round
(`bench/_results.py`; full runs write
`docs/benchmarks/server.json`).

Latency is the caller's *scheduled* arrival -> `OfferToAgent` at the agent's
socket: the moment the caller's arrival timer was due in the server process (on
`time.time()`'s scale; with speed 1 the engine's clock is that clock), not the
moment the server's loop ran it, so a stalled loop shows in the latency in full
(no coordinated omission); the loop's lag (due -> reported) is given apart. The end
is the moment the load generator's socket hands over the offer. It covers the
driver's queue, routing, the group commit, the fan-out to the subscriptions and
both event loops. Only callers due in the measured window count; errors are
non-2xx answers, sockets the server closed, messages dropped, offers withdrawn,
calls never offered or never finished, and the driver's own error counters.

The peer (`bench/_serve_peer.py`) is a bare FastAPI/uvicorn app doing the same
transport work for the same load generator: a Poisson arrival picks the
longest-idle connected agent and pushes the same messages to its socket; the
agent answers with the same REST calls. It has no engine and no store, so it is
the floor that Python, uvicorn and this machine set. Two ratios, per database:
our p99 / peer p99 (what routing and a committed store add to the tail), and our
capacity / peer capacity, where capacity = calls handled per server CPU-second in
the window: one event loop cannot use more than about one core, so this is the
sustainable rate each would reach on its own core (an estimate; the database
server's own CPU is not counted).

    python bench/server.py                 # 500 agents, 50 calls/s, 30 s per run, 3 rounds
    python bench/server.py --quick         # 100 agents, 20 calls/s, 3 s per run, 1 round
    python bench/server.py --json          # one JSON object: ours per database, peer, ratios
    python bench/server.py --agents 200 --rate 20 --seconds 30 --db sqlite

PostgreSQL: `CALLCENTER_TEST_POSTGRES_URL` (default the local `test` database, as
the tests use) is where a scratch database is created and dropped again; when no
server answers, that part is skipped with a note.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _loadgen import Plan, drive
from _results import Comparison, compare, record

HERE = Path(__file__).resolve().parent
POSTGRES_URL = os.environ.get("CALLCENTER_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "bench-password"
QUEUE = "bench"


@dataclass(frozen=True)
class Size:
    agents: int
    rate: float
    seconds: float
    talk: float
    wrap: float
    settle: float
    grace: float
    """Seconds after the window for its calls to finish (talk, wrap-up, round trips)."""
    password_logins: int


FULL = Size(agents=500, rate=50.0, seconds=30.0, talk=2.0, wrap=1.0, settle=8.0, grace=5.0,
            password_logins=3)
QUICK = Size(agents=100, rate=20.0, seconds=3.0, talk=0.5, wrap=0.25, settle=0.75,
             grace=1.25, password_logins=1)
PEER_NAME = "bare FastAPI/uvicorn peer (bench/_serve_peer.py)"
TARGET = {"agents": 500, "calls_per_s": 50, "p99_ms": 50.0, "errors": 0}


def _tod(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def write_scenario(folder: Path, size: Size, horizon: float) -> Path:
    """One voice queue, `size.agents` agents without shifts, callers from now (UTC)
    for `horizon` seconds at `size.rate` per second, who wait and talk as long as the
    agent likes (the agent hangs up)."""
    now = datetime.now(UTC)
    begin = now.hour * 3600 + now.minute * 60 + now.second - 1
    end = begin + horizon
    windows = [(begin, min(end, 86_400))] + ([(0, end - 86_400)] if end > 86_400 else [])
    arrivals = "".join(
        f'\n[[arrivals]]\nqueue = "{QUEUE}"\nper_hour = {size.rate * 3600}\n'
        f'start = "{_tod(a)}"\nend = "{"24:00" if b >= 86_400 else _tod(b)}"\n'
        for a, b in windows)
    text = f"""[simulation]
name = "server benchmark"
timezone = "UTC"
seed = 1

[queues.{QUEUE}]
wrap_up = 60
offer_timeout = 20
handle_time = 3600
patience = "never"

[[agents]]
name = "agent"
count = {size.agents}
{arrivals}"""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.toml"
    path.write_text(text, encoding="utf-8")
    return path


def prepare_store(url: str, scenario: Path) -> list[str]:
    """Migrate, store the queue and agents, and one agent user per agent, linked to it.
    Every user has the same password and the same argon2 hash (hashed once: 500
    hashes would take minutes; each login still verifies at full cost)."""
    from callcenter.scenario.load import load_scenario
    from callcenter.store import create_engine_for, migrate, session_factory
    from callcenter.store.configs import save_agent, save_queue
    from callcenter.store.models import UserRow
    from callcenter.store.users import create_user, link_agent

    sc = load_scenario(scenario)
    agents = [a for g in sc.groups for a in g.agents]
    migrate(url)
    database = create_engine_for(url)
    try:
        with session_factory(database).begin() as session:
            for q in sc.queues:
                save_queue(session, q)
            first = create_user(session, agents[0].id, PASSWORD)
            for a in agents:
                save_agent(session, a)
                user = first if a.id == first.username else UserRow(
                    username=a.id, password_hash=first.password_hash, role="agent")
                session.add(user)
                session.flush()
                link_agent(session, a.id, user)
    finally:
        database.dispose()
    return [a.id for a in agents]


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """A database of our own on the PostgreSQL server, dropped afterwards; None if no
    server answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    from callcenter.store import database_url

    base = database_url(POSTGRES_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        try:
            with admin.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError:
            yield None
            return
        name = f"bench_server_{os.getpid()}_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One server process (`python <args> --port P`) on a free loopback port; `stop()`
    ends it by PID (SIGTERM, then SIGKILL)."""

    def __init__(self, args: list[str], log: Path) -> None:
        self.args, self.log = args, log
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        with log.open("wb") as out:
            # In its own folder: ours on PostgreSQL keeps its journal in the working folder.
            self.proc = subprocess.Popen([sys.executable, *args, "--port", str(port)],
                                         stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)

    def wait(self, timeout: float = 90.0) -> str:
        """The base URL, once the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.args[0]} exited with {self.proc.returncode}:\n"
                                   f"{self.log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/bench/cpu", timeout=1.0).is_success:
                    return self.base
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.args[0]} did not answer within {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _log_errors(log: Path) -> int:
    text = log.read_text(errors="replace")
    found = text.count("Traceback") + text.count("ERROR")
    if found:
        print(f"{log.name}: {found} errors logged; the last:\n{text[-2500:]}", file=sys.stderr)
    return found


def run_one(base: str, agents: list[str], size: Size) -> dict[str, Any]:
    """One load run against the server at `base`: the load generator's figures."""
    plan = Plan(base=base, agents=agents, password=PASSWORD, talk=size.talk, wrap=size.wrap,
                seconds=size.seconds, settle=size.settle, grace=size.grace,
                password_logins=size.password_logins)
    return asyncio.run(drive(plan))


def _raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65_536 if hard == resource.RLIM_INFINITY else min(hard, 65_536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(143)  # unwinds through the finally blocks: children and database


def start_server(name: str, size: Size, folder: Path, stack: contextlib.ExitStack
                 ) -> tuple[Server, list[str]] | str:
    """Start one server afresh (the peer, or ours on a fresh store) without waiting for
    it; the server and its agents, or why it was skipped. It stays idle (no caller
    arrives before `POST /bench/go`) until its run."""
    folder.mkdir(parents=True)
    log = folder / "server.log"
    if name == "peer":
        args = [str(HERE / "_serve_peer.py"), "--rate", str(size.rate)]
        agents = [f"agent-{i}" for i in range(1, size.agents + 1)]
    else:
        scenario = write_scenario(folder, size, horizon=900.0 + size.seconds)
        if name == "sqlite":
            url: str | None = f"sqlite:///{folder / 'bench.db'}"
        else:
            url = stack.enter_context(scratch_postgres())
            if url is None:
                return f"no PostgreSQL server at {POSTGRES_URL}"
        agents = prepare_store(url, scenario)
        args = [str(HERE / "_serve_ours.py"), "--db", url, "--scenario", str(scenario)]
    server = Server(args, log)
    stack.callback(server.stop)  # before the scratch database is dropped
    return server, agents


def load(name: str, server: Server, agents: list[str], size: Size, err: Any
         ) -> dict[str, Any]:
    """Load one started server, then stop it at once: its figures."""
    who = "peer" if name == "peer" else f"ours on {name}"
    try:
        base = server.wait()
        load_before = os.getloadavg()[0]
        err.print(f"[dim]{who}: {size.agents} agents, {size.rate:g} calls/s, "
                  f"{size.seconds:g} s (load average {load_before:.1f})")
        figures = run_one(base, agents, size)
        figures["load"] = load_before
    except BaseException:
        server.stop()
        print(f"{who}'s log, the end:\n{server.log.read_text(errors='replace')[-3000:]}",
              file=sys.stderr)
        raise
    server.stop()  # at once: its callers would go on arriving while the next is measured
    logged = _log_errors(server.log)  # complete once the server stopped
    if logged:
        figures["error_kinds"]["server log errors"] = logged
        figures["errors"] += logged
    return figures


def measure(size: Size, dbs: list[str], repeats: int, err: Any) -> dict[str, Any]:
    """`repeats` rounds. A round starts the peer and ours on each database afresh, all at
    once (they wait idle, without callers), then loads them one after the other, each
    stopped right after its run; the order rotates by one every round (so no server
    always goes first, or always follows the same one)."""
    names = ["peer", *dbs]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    orders: list[list[str]] = []
    results: dict[str, Any] = {"size": asdict(size), "repeats": repeats, "skipped": {}}
    with tempfile.TemporaryDirectory(prefix="callcenter-bench-") as tmp:
        for r in range(repeats):
            order = names[r % len(names):] + names[:r % len(names)]
            orders.append(order)
            with contextlib.ExitStack() as stack:  # servers stopped, scratch databases dropped
                started = {}
                for name in order:
                    if name in results["skipped"]:
                        continue
                    got = start_server(name, size, Path(tmp) / f"{r}-{name}", stack)
                    if isinstance(got, str):
                        results["skipped"][name] = got
                        err.print(f"[yellow]skipped {name}: {got}")
                    else:
                        started[name] = got
                for server, _ in started.values():  # none is loaded while another starts
                    server.wait()
                for name, (server, agents) in started.items():
                    runs[name].append(load(name, server, agents, size, err))
    results["orders"] = orders
    results["runs"] = {name: rs for name, rs in runs.items() if rs}
    results["target"] = TARGET
    return results


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(np.median([r[key] for r in runs]))


def comparisons(results: dict[str, Any]) -> list[Comparison]:
    """Per database: p99 and p50 latency and capacity (calls per server CPU-second),
    ours against the peer, paired by round."""
    runs = results["runs"]
    peer = runs["peer"]
    out = []
    for db, ours in runs.items():
        if db == "peer":
            continue
        pairs = list(zip(ours, peer, strict=False))
        for key, label in (("p99_ms", "p99 offer latency"), ("p50_ms", "p50 offer latency")):
            out.append(compare(f"{label}, {db}", "ms", [o[key] for o, _ in pairs],
                               [p[key] for _, p in pairs], peer_name=PEER_NAME,
                               higher_is_better=False))
        out.append(compare(f"capacity, {db}", "calls per server CPU-s",
                           [1e3 / o["cpu_ms_per_call"] for o, _ in pairs],
                           [1e3 / p["cpu_ms_per_call"] for _, p in pairs],
                           peer_name=PEER_NAME, higher_is_better=True))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced size, under 60 s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--agents", type=int, help="connected agents")
    parser.add_argument("--rate", type=float, help="new calls per second")
    parser.add_argument("--seconds", type=float, help="seconds of measured load")
    parser.add_argument("--repeats", type=int,
                        help="rounds of every server [3; 1 with --quick]")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    size = replace(size, **{k: v for k, v in (("agents", args.agents), ("rate", args.rate),
                                                ("seconds", args.seconds)) if v is not None})
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if size.agents < 1 or size.rate <= 0 or size.seconds <= 0 or repeats < 1:
        parser.error("--agents, --rate, --seconds and --repeats must be positive")
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    _raise_open_files()
    signal.signal(signal.SIGTERM, _on_sigterm)

    from rich.console import Console
    from rich.table import Table

    err = Console(stderr=True)
    results = measure(size, dbs, repeats, err)
    found = comparisons(results)
    path = record("server", found, quick=args.quick, details=results)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    table = Table(title=f"Server: {size.agents} agents, {size.rate:g} calls/s, "
                        f"{size.seconds:g} s, {repeats} rounds",
                  caption="latency: caller's scheduled arrival -> offer at the agent's "
                          "socket; lag: scheduled -> reported in the server")
    for col in ("server", "round", "arrived/s", "handled/s", "p50 ms", "p99 ms", "max ms",
                "lag p99 ms", "CPU ms/call", "errors"):
        table.add_column(col, justify="right")
    for name, runs in results["runs"].items():
        label = "peer" if name == "peer" else f"ours, {name}"
        for i, r in enumerate(runs):
            table.add_row(label, str(i + 1), f"{r['arrived_per_s']:.1f}",
                          f"{r['handled_per_s']:.1f}", f"{r['p50_ms']:.1f}",
                          f"{r['p99_ms']:.1f}", f"{r['max_ms']:.1f}", f"{r['lag_p99_ms']:.1f}",
                          f"{r['cpu_ms_per_call']:.2f}", str(r["errors"]))
    Console(width=max(130, Console().width)).print(table)
    print("orders: " + "; ".join(", ".join(o) for o in results["orders"]))
    for name, runs in results["runs"].items():
        for i, r in enumerate(runs):
            if r["error_kinds"]:
                print(f"{name} round {i + 1} errors: "
                      + ", ".join(f"{k}: {v}" for k, v in r["error_kinds"].items()))
    for c in found:
        better = "lower" if not c.higher_is_better else "higher"
        print(f"{c.name}: ours {c.ours:.2f}, peer {c.peer:.2f} {c.unit} (medians; {better} is "
              f"better); ours better by {c.ratio:.2f}x ({c.low:.2f}-{c.high:.2f}x)")
    print("target: 500 agents, 50 calls/s, p99 < 50 ms, no errors")
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
