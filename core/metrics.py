"""Prometheus metrics for the city's monitoring: request rates and latency, the Celery queue,
and whatever gauges the apps register (the data center's job outcomes).

Apps add gauges without core knowing them: `register_gauge(name, help, labels, read)` where
`read()` returns {label values tuple: value}; it is called at each scrape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import redis
from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "portal_http_requests_total", "HTTP requests by view and status", ["method", "view", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds", "Time to answer a request, by view", ["view"], registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip


@dataclass(frozen=True)
class Gauge:
    name: str
    help: str
    labels: tuple[str, ...]
    read: Callable[[], dict[tuple[str, ...], float]]


_GAUGES: dict[str, Gauge] = {}


def register_gauge(
    name: str, help: str, labels: Iterable[str], read: Callable[[], dict[tuple[str, ...], float]]
) -> None:
    _GAUGES[name] = Gauge(name, help, tuple(labels), read)


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


def queue_length(queue: str) -> int | None:
    """Messages waiting in a queue of the Redis broker (None when Redis cannot be asked)."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        return int(client.llen(queue))
    except redis.RedisError:
        return None
    finally:
        client.close()


def celery_queue_length() -> dict[tuple[str, ...], float]:
    """Tasks waiting in the broker's default queue and in the data center's ingestion queue."""
    lengths = {queue: queue_length(queue) for queue in dict.fromkeys(["celery", settings.DATACENTER_QUEUE])}
    return {(queue,): float(n) for queue, n in lengths.items() if n is not None}


class _AppGauges(Collector):
    def collect(self) -> Iterable[Metric]:
        for gauge in _GAUGES.values():
            family = GaugeMetricFamily(gauge.name, gauge.help, labels=list(gauge.labels))
            for labels, value in gauge.read().items():
                family.add_metric(list(labels), value)
            yield family


REGISTRY.register(_AppGauges())
register_gauge("portal_celery_queue_length", "Tasks waiting in the Celery queue", ["queue"], celery_queue_length)
