"""`/metrics`: Prometheus text format from a registry owned by one app (never the global one).

Gauges are read from the engine at scrape time; counters come from the persistence
sink and the driver's stats; the routing latency histogram times every
`driver.submit` the API makes (queueing, the engine, and the store's commit).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from callcenter.core.agent_state import AgentState
from callcenter.runtime.app import Runtime
from callcenter.store.sink import StoreSink

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _LiveCollector(Collector):
    """Reads the engine, the sink and the driver when scraped (on the event loop)."""

    def __init__(self, runtime: Runtime, sink: StoreSink) -> None:
        self._runtime = runtime
        self._sink = sink

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
                                  "Batches the store failed to commit.",
                                  value=stats.persist_errors)


class ServerMetrics:
    """The app's registry and the instruments the routes use."""

    def __init__(self, runtime: Runtime, sink: StoreSink) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_LiveCollector(runtime, sink))
        self.routing_latency = Histogram(
            "callcenter_routing_latency_seconds",
            "Seconds from handing an API event to the engine driver until it is "
            "handled and stored.",
            labelnames=["event"], buckets=LATENCY_BUCKETS, registry=self.registry)
