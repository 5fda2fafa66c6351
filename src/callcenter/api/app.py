"""The server's composition root: `create_app(settings)` and the lifespan that owns everything.

    app = create_app(ServerSettings.from_env())
    uvicorn.run(app, host=settings.host, port=settings.port)

On start the lifespan migrates the store to head, reads the queues and agents from
the store (an empty store is first seeded with the scenario's:
`callcenter.store.seed`), builds the telephony adapter and gives it to the runtime
(engine, driver; `runtime.simulated` for the sim adapter, whose bots leave agents
linked to a user to their people) with the store as its persistence sink (behind a
`DurableSink`, whose journal `settings.journal_path()` keeps what the database fails
to take: `callcenter.runtime.durable`) and the live dialer on the store
(`callcenter.store.dialer`), stores what the journal of the last run still holds,
reconciles what a crash left open (`callcenter.store.reconcile`: open interactions
closed as `lost`, agents logged out) and only then starts the runtime (the dialer
takes the running campaigns up). On stop (SIGTERM, Ctrl-C) it drains
(`Runtime.drain`: no new calls, those in progress end within `settings.drain_seconds`
or are closed with reason `shutdown`), stops the runtime (dialer and telephony
first, then the driver finishes what is queued), closes the journal (a batch still
waiting stays in it for the next start) and the database. With `settings.sip` the
telephony is the `sip` adapter (real calls through the IVR flows of its config)
instead of the simulated callers; their customer lookups are answered from the
store's customer directory. Under SIP no scenario is loaded unless
`settings.scenario` names one (then only to seed an empty store).
Nothing here is module-level state: two apps share nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.orm import Session, sessionmaker

from callcenter import web
from callcenter.api import (
    admin,
    campaigns,
    cases,
    csat,
    customers,
    knowledge,
    orders,
    redact,
    routes_agents,
    routes_auth,
    routes_media,
    routes_preview,
    routes_read,
    routes_reports,
    routes_supervisor,
    routes_wallboard,
    routes_ws,
    scripts,
    surveys,
)
from callcenter.api.auth import Sessions
from callcenter.api.edge import Edge
from callcenter.api.errors import logged, one_invalid_shape
from callcenter.api.media import MediaStore
from callcenter.api.metrics import ServerMetrics
from callcenter.api.origin import OriginCheck
from callcenter.api.settings import ServerSettings
from callcenter.api.state import Server, server_of
from callcenter.api.throttle import LoginThrottle
from callcenter.clock import Clock
from callcenter.core.errors import RoutingError, UnknownAgent, UnknownInteraction, UnknownQueue
from callcenter.core.ivr_flow import Flow
from callcenter.crm.directory import StoreDirectory
from callcenter.crm.privacy import retention_forever
from callcenter.runtime.app import Runtime, RuntimeSettings, build_runtime
from callcenter.runtime.driver import Degraded, DriverStopped, NotPersisted
from callcenter.runtime.durable import Backoff, DurableSink
from callcenter.runtime.journal import Journal
from callcenter.runtime.simulated import SimSettings, build_simulated
from callcenter.scenario.load import load_scenario, scenario_path
from callcenter.scenario.spec import Scenario
from callcenter.store import Conflict, NotFound, create_engine_for, migrate, session_factory
from callcenter.store.dialer import SqlDialerStore
from callcenter.store.reconcile import LOST, Reconciled, reconcile
from callcenter.store.seed import Routing, linked_agents, routing_config
from callcenter.store.sink import StoreSink
from callcenter.telephony.base import Dialing, Telephony
from callcenter.web import apidocs

DEFAULT_SCENARIO = "hotline"
"""The scenario of simulated telephony when the settings name none."""

_NOT_FOUND = (UnknownAgent, UnknownInteraction, UnknownQueue, NotFound)


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=code)


async def _on_routing_error(_request: Request, exc: Exception) -> Response:
    if isinstance(exc, _NOT_FOUND):
        return _error(status.HTTP_404_NOT_FOUND, str(exc))
    return _error(status.HTTP_409_CONFLICT, str(exc))


async def _on_unavailable(_request: Request, exc: Exception) -> Response:
    if isinstance(exc, Degraded):  # refused before the engine saw it: a fixed message
        return _error(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))
    if isinstance(exc, NotPersisted):  # its cause (the database's error) is only logged
        error_id = logged(exc, "a change was not stored")
        return JSONResponse({"detail": "the change could not be stored; try again later",
                             "error_id": error_id},
                            status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return _error(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))


def _channel(runtime: Runtime, queue_id: str) -> str:
    """The channel of a queue (a batch from the journal may name one removed since)."""
    try:
        return runtime.engine.queue_channel(queue_id)
    except UnknownQueue:
        return "voice"


def _reconcile(sessions: sessionmaker[Session], at: float) -> Reconciled:
    with sessions.begin() as session:
        return reconcile(session, at)


def _routing(sessions: sessionmaker[Session], scenario: Scenario | None
             ) -> tuple[Routing, set[str]]:
    queues = [] if scenario is None else scenario.queues
    agents = [] if scenario is None else [a for g in scenario.groups for a in g.agents]
    with sessions.begin() as session:
        return routing_config(session, queues, agents), linked_agents(session)


def _sip_telephony(settings: ServerSettings, media: MediaStore
                   ) -> tuple[Telephony, Mapping[str, Flow], Dialing]:
    """The `sip` adapter from `settings.telephony_config` (its recordings stored through
    `media`), its IVR flows, and its dialing side for the dialer."""
    from callcenter.telephony.sip.adapter import SipTelephony  # loads sippy: only for SIP
    from callcenter.telephony.sip.config import load_telephony_config
    from callcenter.telephony.sip.dialing import DialRelay, SipDialing

    assert settings.telephony_config is not None
    config = load_telephony_config(settings.telephony_config, listen=settings.sip)
    relay = DialRelay()
    tel = SipTelephony(config, on_recording=media.recording_ready, on_dial=relay)
    return tel, config.flows, SipDialing(tel, relay)


def create_app(settings: ServerSettings, *, clock: Clock | None = None,
               telephony: Telephony | None = None,
               ivr_flows: Mapping[str, Flow] | None = None,
               backoff: Backoff | None = None,
               login_clock: Callable[[], float] | None = None) -> FastAPI:
    """The server app. `clock` and `telephony` replace the real clock and the sim adapter,
    `ivr_flows` the sip config's flows (tests: calls then start in a flow), `backoff` the
    waits between retries of the store, `login_clock` the monotonic seconds of login
    throttling; everything else comes from `settings`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redact.install()  # after uvicorn configured its loggers: no token in a log line
        url = settings.database_url
        await asyncio.to_thread(migrate, url)
        database = create_engine_for(url)
        sessions = session_factory(database)
        journal: Journal | None = None
        try:
            sip = telephony is None and settings.sip is not None
            name = settings.scenario if sip else settings.scenario or DEFAULT_SCENARIO
            scenario = None if name is None else load_scenario(scenario_path(name))
            routing, humans = await asyncio.to_thread(_routing, sessions, scenario)
            media = MediaStore(sessions)
            holder: list[Runtime] = []  # the sink needs the engine the runtime builds
            sink = StoreSink(sessions, lambda queue_id: _channel(holder[0], queue_id))
            journal = await asyncio.to_thread(Journal.open, settings.journal_path())
            durable = DurableSink(sink, journal=journal, again=sink.again, backoff=backoff)
            run = RuntimeSettings(speed=settings.speed, start=settings.start,
                                  warm_up=settings.warm_up)
            shared: dict[str, Any] = dict(
                persist=durable, backlog=durable, clock=clock, queues=routing.queues,
                agents=routing.agents,
                directory=StoreDirectory(sessions, settings.default_region),
                dialer_store=SqlDialerStore(sessions))
            if sip:
                tel, flows, dialing = _sip_telephony(settings, media)
                runtime = build_runtime(
                    run, tel, flows=flows, dialing=dialing, seed=settings.seed or 0,
                    engine_settings=None if scenario is None else scenario.settings, **shared)
            else:
                assert scenario is not None
                runtime = build_simulated(
                    run, SimSettings(seed=settings.seed, bots=settings.bots,
                                     shifts=settings.shifts),
                    scenario=scenario, telephony=telephony, humans=humans, flows=ivr_flows,
                    **shared)
            holder.append(runtime)
            if runtime.center is not None:  # IVR flows run: store how each call went
                runtime.driver.add_sink("ivr-runs", media.ivr_sink)
            # Before any traffic: what the last run kept for the store goes first, then the
            # new engine, which knows nothing of the dead process's calls and agents, has
            # them closed. The sim adapter carries no call across a restart: no `alive`.
            await durable.replay()
            closed = await asyncio.to_thread(_reconcile, sessions, runtime.clock.time())
            sink.outcomes[LOST] += len(closed.interactions)
            logins = Sessions(settings.session_ttl, store=sessions)
            await logins.load()  # the logins open before a restart go on
            app.state.server = Server(settings, database, sessions, runtime, sink, logins,
                                      ServerMetrics(runtime, sink, durable), media=media,
                                      durable=durable,
                                      throttle=LoginThrottle(login_clock or time.monotonic))
            await runtime.start()
            sweeper = asyncio.create_task(cases.sweep_forever(
                app.state.server, settings.case_sweep_seconds))
            retention = asyncio.create_task(retention_forever(  # on the server's clock
                sessions, settings.retention_seconds,
                lambda: datetime.fromtimestamp(runtime.clock.time(), UTC)))
            try:
                yield
            finally:
                sweeper.cancel()
                retention.cancel()
                try:
                    await runtime.drain(settings.drain_seconds)
                finally:
                    await runtime.stop()
                    await durable.close()
                    await media.drain()
                    del app.state.server
        finally:
            if journal is not None:
                journal.close()  # unlocked (closed already, unless the start failed)
            database.dispose()

    app = FastAPI(title="callcenter", version="0.1.0", lifespan=lifespan,
                  description="Contact-center server: agent actions, live views, history.",
                  docs_url=None, redoc_url=None)  # served offline: web/apidocs.py
    app.include_router(routes_auth.router)
    app.include_router(routes_agents.router)
    app.include_router(routes_preview.router)  # outbound agent actions: preview, callback
    app.include_router(routes_read.router)
    app.include_router(admin.router)
    app.include_router(routes_ws.router)
    app.include_router(routes_supervisor.router)
    app.include_router(routes_wallboard.router)  # the wallboard's figures, thresholds
    app.include_router(routes_reports.router)
    app.include_router(csat.router)  # /api/reports/csat: post-call satisfaction
    app.include_router(routes_media.router)  # recordings, voicemails, IVR runs
    app.include_router(campaigns.router)  # outbound: /api/campaigns, /api/dnc
    app.include_router(cases.router)  # cases, their SLA alerts, /api/reports/fcr
    app.include_router(scripts.router)  # scripts, questionnaires and their runs
    app.include_router(surveys.router)  # /api/surveys: quotas, AAPOR rates, results
    app.include_router(knowledge.router)  # the knowledge base, the transfer directory
    app.include_router(orders.router)  # the catalog, orders and bookings
    app.include_router(customers.router)  # the 360 view, merges, a call's customer
    app.include_router(web.router)  # the browser UI: /, /desktop, /wallboard
    app.include_router(apidocs.router)  # /docs, /redoc with vendored scripts
    web.install_error_pages(app)  # HTML 404 for a person's browser, JSON for /api
    app.add_exception_handler(RoutingError, _on_routing_error)
    app.add_exception_handler(NotFound, _on_routing_error)
    app.add_exception_handler(Conflict, _on_routing_error)
    app.add_exception_handler(NotPersisted, _on_unavailable)
    app.add_exception_handler(DriverStopped, _on_unavailable)

    @app.get("/health", include_in_schema=False)
    async def health(request: Request) -> Response:
        """Whether the server takes new work (no login: meant for a load balancer): 200
        `ok`; 503 `degraded` while changes wait for the database (new work is refused)
        or `stopping` during a graceful stop."""
        server = server_of(request)
        kept = server.durable.health() if server.durable is not None else None
        status_ = ("stopping" if server.runtime.driver.draining
                   else "degraded" if kept is not None and kept.degraded else "ok")
        body = {"status": status_,
                "backlog": {"batches": kept.batches if kept else 0,
                            "commands": kept.commands if kept else 0}}
        return JSONResponse(body, status_code=200 if status_ == "ok" else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        """Prometheus text format (no login: meant for the scraper on a private network)."""
        registry = server_of(request).metrics.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    one_invalid_shape(app)
    app.add_middleware(OriginCheck, allowed=settings.allowed_origins)
    # Outside every route: sizes and text checked before a body is read or a route runs.
    app.add_middleware(Edge, router=app.router, max_body=settings.max_body,
                       max_upload=settings.max_upload)
    return app
