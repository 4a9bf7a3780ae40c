"""Prometheus metrics of a gateway process, served at ``/metrics``.

Labels stay low-cardinality: outcomes, reasons, route templates, never a call or request id.
Session actors and the governance actor live in Ray worker processes and report through Ray's
own exporter instead (``actors/metrics.py``). Call sites use the small functions below, so the
metric objects stay private to this module.
"""

from __future__ import annotations

import re

from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from voxray import gc_pauses

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LABEL = re.compile(r"^[a-z0-9_]{1,40}$")

_setups = Counter("voxray_call_setups", "Call setups answered by this gateway, by outcome", ["outcome"])
_refusals = Counter("voxray_call_refusals", "Calls refused at setup, by reason", ["reason"])
_setup_seconds = Histogram("voxray_call_setup_seconds", "Webhook to TwiML, by outcome", ["outcome"],
                           buckets=SECONDS)
_http_requests = Counter("voxray_http_requests", "HTTP requests, by method, route template and status",
                         ["method", "route", "status"])
_http_seconds = Histogram("voxray_http_request_seconds", "HTTP request duration, by method and route template",
                          ["method", "route"], buckets=SECONDS)
_rate_limited = Counter("voxray_rate_limit_refusals", "Requests refused with 429, by bucket kind", ["bucket"])
_webhook_attempts = Counter("voxray_webhook_attempts", "Webhook delivery attempts, by result", ["result"])
_webhook_retries = Counter("voxray_webhook_retries", "Webhook attempts that failed and were scheduled again")
_webhook_dead = Counter("voxray_webhook_dead_letters", "Webhook deliveries given up (dead-lettered)")
_webhook_seconds = Histogram("voxray_webhook_attempt_seconds", "Webhook attempt duration", buckets=SECONDS)
_redis_seconds = Histogram("voxray_redis_latency_seconds", "Redis round trip (PING) measured at each scrape",
                           buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5))


class _CollectorPauses(Collector):
    """The collector's passes in this process, read from ``voxray.gc_pauses`` at each scrape."""

    def collect(self) -> Iterator[Metric]:
        pauses = HistogramMetricFamily("voxray_gc_pause_seconds",
                                       "Garbage-collector passes in this gateway process (it stands still during each), "
                                       "by generation", labels=["generation"])
        for generation, tally in enumerate(gc_pauses.PROCESS_PAUSES.snapshot()):
            pauses.add_metric([str(generation)], tally.cumulative(), tally.total_s)
        yield pauses
        yield GaugeMetricFamily("voxray_gc_frozen_objects", "Objects moved out of the collector's sight at start-up",
                                value=gc_pauses.frozen())


REGISTRY.register(_CollectorPauses())


def label(value: str | None, default: str = "other") -> str:
    """A label value safe for Prometheus and bounded in cardinality (free text becomes ``other``)."""
    value = (value or "").lower()
    return value if _LABEL.match(value) else default


def call_setup(outcome: str, seconds: float, reason: str | None = None) -> None:
    """One answered call webhook: ``outcome`` is ``admitted`` or ``refused`` (then give ``reason``:
    ``capacity``, ``tenant_limit``, ``kill_switch``, ``unknown_number``, ``redis_down``, ...)."""
    outcome = label(outcome)
    _setups.labels(outcome).inc()
    _setup_seconds.labels(outcome).observe(max(0.0, seconds))
    if outcome == "refused":
        _refusals.labels(label(reason)).inc()


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    _http_requests.labels(method, route, str(status)).inc()
    _http_seconds.labels(method, route).observe(max(0.0, seconds))


def rate_limited(bucket_name: str) -> None:
    """A 429: the bucket's kind (``key``, ``tenant``, ``admin``, ``anon``, ``authfail``), never its id."""
    _rate_limited.labels(label(bucket_name.split(":", 1)[0])).inc()


def webhook_attempt(ok: bool, seconds: float, state: str) -> None:
    """One delivery attempt and what followed it: delivered, scheduled again, or dead-lettered."""
    _webhook_attempts.labels("ok" if ok else "failed").inc()
    _webhook_seconds.observe(max(0.0, seconds))
    if state == "dead":
        _webhook_dead.inc()
    elif not ok:
        _webhook_retries.inc()


def webhook_dead_letter() -> None:
    """A delivery dead-lettered without an attempt (its endpoint was deleted)."""
    _webhook_dead.inc()


def redis_latency(seconds: float) -> None:
    _redis_seconds.observe(max(0.0, seconds))


def exposition() -> tuple[bytes, str]:
    """The process's metrics in Prometheus text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
