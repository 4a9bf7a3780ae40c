"""``GET /metrics``: the gateway's Prometheus metrics (Ray workers export theirs through Ray)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from gateway import metrics
from gateway.runtime import Runtime, runtime

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def scrape(rt: Runtime = Depends(runtime)) -> Response:
    # Sampled per scrape: one PING per scrape interval costs nothing and needs no timer task.
    try:
        metrics.redis_latency(await rt.store.ping() / 1000)
    except Exception:  # noqa: BLE001 - a scrape still answers while Redis is down
        pass
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
