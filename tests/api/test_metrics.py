"""`/metrics`: Prometheus text from the app's own registry."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.api.conftest import Harness


def test_scrape_has_every_metric(shared: Harness) -> None:
    """Waiting per queue, agents per state, interactions by outcome, routing latency."""
    shared.post("/api/agents/late-5/ready", headers=shared.auth("sup"))  # one latency sample
    r = shared.get("/metrics")
    assert r.headers["content-type"].startswith("text/plain")
    names = {f.name for f in text_string_to_metric_families(r.text)}
    assert {"callcenter_queue_waiting", "callcenter_agents", "callcenter_interactions",
            "callcenter_routing_latency_seconds"} <= names


def test_metrics_are_not_in_the_global_registry(shared: Harness) -> None:
    """The app registers nothing on prometheus_client's process-wide registry."""
    assert not [n for n in REGISTRY._names_to_collectors if n.startswith("callcenter")]
