"""`/metrics`: Prometheus text format from a registry owned by one app (never the global one).

Gauges are read from the engine and the store's backlog (`DurableSink`) at scrape
time; counters come from the persistence sink, the backlog and the driver's stats;
the routing latency histogram times every `driver.submit` the API makes (queueing,
the engine, and the store's commit).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from callcenter.core.agent_state import AgentState
from callcenter.runtime.app import Runtime
from callcenter.runtime.durable import DurableSink
from callcenter.store.sink import StoreSink

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _LiveCollector(Collector):
    """Reads the engine, the sink and the driver when scraped (on the event loop)."""

    def __init__(self, runtime: Runtime, sink: StoreSink, durable: DurableSink | None) -> None:
        self._runtime = runtime
        self._sink = sink
        self._durable = durable

    def collect(self) -> Iterator[Metric]:
        engine = self._runtime.engine
        waiting = GaugeMetricFamily("callcenter_queue_waiting",
                                    "Interactions waiting in each queue.", labels=["queue"])
        for queue in engine.queues():
            waiting.add_metric([queue.queue_id], queue.waiting)
        yield waiting
        agents = GaugeMetricFamily("callcenter_agents", "Agents in each state.",
                                   labels=["state"])
        for state, count in engine.agents_by_state().items():
            agents.add_metric([AgentState(state).value], count)
        yield agents
        outcomes = CounterMetricFamily("callcenter_interactions",
                                       "Interactions completed and stored since start, "
                                       "by outcome.", labels=["outcome"])
        for outcome in ("completed", "abandoned", "timed_out", "rejected", "lost"):
            outcomes.add_metric([outcome], self._sink.outcomes.get(outcome, 0))
        yield outcomes
        stats = self._runtime.driver.stats
        events = CounterMetricFamily("callcenter_engine_events",
                                     "Events the engine handled, and those it refused.",
                                     labels=["result"])
        events.add_metric(["handled"], stats.events)
        events.add_metric(["refused"], stats.refused)
        events.add_metric(["peer_refused"], stats.peer_refused)
        events.add_metric(["error"], stats.engine_errors)
        yield events
        yield CounterMetricFamily("callcenter_persist_errors",
                                  "Batches neither stored nor journaled (callers got 503).",
                                  value=stats.persist_errors)
        refused = CounterMetricFamily("callcenter_refused",
                                      "New work refused: API changes while degraded, new "
                                      "calls turned away while degraded or stopping.",
                                      labels=["what"])
        refused.add_metric(["api_change"], stats.degraded_refused)
        refused.add_metric(["call"], stats.calls_refused)
        yield refused
        if self._durable is not None:
            yield from _backlog(self._durable)


def _backlog(durable: DurableSink) -> Iterator[Metric]:
    health, stats = durable.health(), durable.stats
    yield GaugeMetricFamily("callcenter_degraded",
                            "1 while batches wait for the database (new work refused).",
                            value=int(health.degraded))
    yield GaugeMetricFamily("callcenter_store_backlog_batches",
                            "Batches kept (in memory and the journal) for the database.",
                            value=health.batches)
    yield GaugeMetricFamily("callcenter_store_backlog_commands",
                            "Commands in the batches kept for the database.",
                            value=health.commands)
    yield CounterMetricFamily("callcenter_store_writes_failed",
                              "Batch writes the database refused (first tries and retries).",
                              value=stats.failures)
    yield CounterMetricFamily("callcenter_store_batches_kept",
                              "Batches the database failed to take, kept for a retry.",
                              value=stats.kept)


class ServerMetrics:
    """The app's registry and the instruments the routes use."""

    def __init__(self, runtime: Runtime, sink: StoreSink,
                 durable: DurableSink | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_LiveCollector(runtime, sink, durable))
        self.routing_latency = Histogram(
            "callcenter_routing_latency_seconds",
            "Seconds from handing an API event to the engine driver until it is "
            "handled and stored.",
            labelnames=["event"], buckets=LATENCY_BUCKETS, registry=self.registry)
