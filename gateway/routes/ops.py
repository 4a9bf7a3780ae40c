"""Operator endpoints: health and live actor state (bootstrap admin key until tenant/admin auth lands)."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, Request

from gateway.errors import ApiError
from gateway.runtime import Runtime, runtime

router = APIRouter()


def require_admin(request: Request, rt: Runtime = Depends(runtime)) -> None:
    key = rt.settings.admin_key
    given = request.headers.get("authorization", "")
    if not given.startswith("Bearer "):
        raise ApiError(401, "unauthenticated", "An admin bearer key is required")
    if key is None or not hmac.compare_digest(given[7:].encode(), key.get_secret_value().encode()):
        raise ApiError(403, "forbidden", "This key may not use admin endpoints")


@router.get("/healthz", summary="Liveness and dependencies", operation_id="health")
async def health(rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    return {"status": "ok", "redis_ms": round(await rt.store.ping(), 2), "live_calls": rt.registry.live_count()}


@router.get("/api/v1/admin/live-sessions", summary="Live state of every session actor",
            operation_id="admin_live_sessions", dependencies=[Depends(require_admin)], tags=["admin"])
async def live_sessions(rt: Runtime = Depends(runtime)) -> list[dict[str, Any]]:
    return await rt.registry.states()


@router.get("/api/v1/admin/live-sessions/{call_sid}", summary="Live state of one session actor",
            operation_id="admin_live_session", dependencies=[Depends(require_admin)], tags=["admin"])
async def live_session(call_sid: str, rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    state = await rt.registry.state(call_sid)
    if state is None:
        raise ApiError(404, "not_found", "No live session for that call")
    return state


@router.post("/api/v1/admin/live-sessions/{call_sid}/end", summary="End a live call now", status_code=202,
             operation_id="admin_end_live_session", dependencies=[Depends(require_admin)], tags=["admin"])
async def end_live_session(call_sid: str, rt: Runtime = Depends(runtime)) -> dict[str, str]:
    if not await rt.registry.end(call_sid, "ended_by_operator"):
        raise ApiError(404, "not_found", "No live session for that call")
    return {"call_sid": call_sid, "status": "ending"}
