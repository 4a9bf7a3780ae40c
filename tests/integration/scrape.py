"""Read Prometheus metrics the way Prometheus does: the gateway's /metrics and Ray's export port."""

from __future__ import annotations

import asyncio
import time
from typing import Callable

import httpx
import ray
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[str, list[tuple[dict[str, str], float]]]


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out.setdefault(s.name, []).append((dict(s.labels), float(s.value)))
    return out


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(v for lab, v in samples.get(name, []) if all(lab.get(k) == want for k, want in labels.items()))


async def gateway(url: str) -> Samples:
    async with httpx.AsyncClient(timeout=10) as http:
        r = await http.get(f"{url}/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain"), r.text
        return parse(r.text)


async def ray_metrics() -> Samples:
    """Every alive node's Ray metrics export (session actors report through it)."""
    out: Samples = {}
    async with httpx.AsyncClient(timeout=10) as http:
        for node in ray.nodes():
            if node["Alive"] and node.get("MetricsExportPort"):
                r = await http.get(f"http://{node['NodeManagerAddress']}:{node['MetricsExportPort']}/metrics")
                for name, rows in parse(r.text).items():
                    out.setdefault(name, []).extend(rows)
    return out


async def eventually(read: Callable[[], "asyncio.Future[Samples] | object"], ok: Callable[[Samples], bool],
                     timeout_s: float = 40.0) -> Samples:
    """Ray's agent exports every few seconds: poll until ``ok`` holds."""
    end = time.monotonic() + timeout_s
    while True:
        samples: Samples = await read()  # type: ignore[misc]
        if ok(samples) or time.monotonic() > end:
            return samples
        await asyncio.sleep(1.0)
