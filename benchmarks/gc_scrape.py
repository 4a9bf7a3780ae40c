"""The collector's passes during a run, read where Prometheus would read them.

The webhook gateway serves ``voxray_gc_pause_seconds`` on /metrics; session actors report
``ray_voxray_gc_passes`` / ``ray_voxray_gc_pause_ms`` through each node's Ray metrics export (which
lags by its export interval, so the end-of-run read is taken once the stack is quiet).
"""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

# where -> (passes sample, time sample, ms per unit of the time sample)
SERIES = {"gateway": ("voxray_gc_pause_seconds_count", "voxray_gc_pause_seconds_sum", 1000.0),
          "session_actors": ("ray_voxray_gc_passes_total", "ray_voxray_gc_pause_ms_total", 1.0)}

Passes = dict[str, dict[str, dict[str, float]]]  # where -> generation -> {"passes", "ms"}


def read(info: dict[str, Any]) -> Passes:
    """Totals so far, summed over every process of each kind. A diagnostic: a scrape that fails
    leaves its kind out rather than cost the run it describes."""
    urls = {"gateway": [info["gateway_url"] + "/metrics"], "session_actors": list(info.get("ray_metrics_urls", []))}
    out: Passes = {}
    for where, (passes_name, time_name, scale) in SERIES.items():
        try:
            totals: dict[str, dict[str, float]] = {}
            for url in urls[where]:
                r = httpx.get(url, timeout=30, trust_env=False)
                r.raise_for_status()
                for family in text_string_to_metric_families(r.text):
                    for s in family.samples:
                        if s.name in (passes_name, time_name) and "generation" in s.labels:
                            gen = totals.setdefault(s.labels["generation"], {"passes": 0.0, "ms": 0.0})
                            gen["passes" if s.name == passes_name else "ms"] += s.value * (
                                1.0 if s.name == passes_name else scale)
            out[where] = totals
        except (httpx.HTTPError, ValueError):
            continue
    return out


def during(before: Passes, after: Passes) -> Passes:
    """What happened between two reads (kinds missing from either are left out)."""
    return {where: {gen: {k: round(v - before[where].get(gen, {}).get(k, 0.0), 1) for k, v in now.items()}
                    for gen, now in gens.items()}
            for where, gens in after.items() if where in before}
