"""Operator endpoints: health and the live state of session actors."""

from __future__ import annotations

import asyncio
import time

import ray
from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gateway.auth import require_admin
from gateway.errors import ApiError
from gateway.runtime import Runtime, runtime
from voxray.live_calls import SHARED

router = APIRouter()
PROBLEMS: dict[int | str, dict[str, object]] = {401: {"description": "No valid credential"},
                                                403: {"description": "Not an operator"},
                                                404: {"description": "No live session"}}


class LiveAgent(BaseModel):
    name: str
    version: int


class LiveSession(BaseModel):
    """A session actor's view of one live call (extra counters may appear)."""

    model_config = ConfigDict(extra="allow")
    call_sid: str
    tenant_id: str
    state: str
    turn_state: str
    turn_index: int
    vad_speaking: bool
    frames_in: int
    frames_out: int
    buffered_ms: float
    malformed: int
    barge_ins: int
    lost: int
    model_latency_ms: float | None
    model_session_id: str | None
    node: str | None
    pid: int
    agent: LiveAgent
    duration_s: float


class EndingCall(BaseModel):
    call_sid: str
    status: str


class Health(BaseModel):
    status: str
    redis_ms: float
    live_calls: int


class Readiness(BaseModel):
    ready: bool
    draining: bool
    redis: bool
    ray: bool
    free_slots: int = Field(description="Spare shared call slots now, on session actors not reporting overload")
    problems: list[str]


class PoolStatus(BaseModel):
    model_config = ConfigDict(extra="allow")
    actors: list[dict[str, object]]
    free_slots: int
    lost_calls: int


READY_PROBE_TIMEOUT_S = 1.0


@router.get("/livez", summary="Liveness: the process answers (no dependency is checked)", operation_id="livez",
            tags=["health"])
async def livez() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: Redis, Ray, warm capacity, not draining", operation_id="readyz",
            tags=["health"], responses={503: {"description": "Not ready (the body says why)"}})
async def readyz(rt: Runtime = Depends(runtime)) -> JSONResponse:
    problems: list[str] = []
    free = slots = 0
    redis_ok = True
    try:
        async with asyncio.timeout(READY_PROBE_TIMEOUT_S):
            now = time.time()
            shared = [a for a in await rt.registry.live.actors() if a.kind == SHARED and a.capacity > 0]
            slots = sum(a.capacity for a in shared)
            free = sum(a.free for a in shared if a.hot_until <= now)
    except Exception:  # noqa: BLE001 - the probe's answer is the point
        redis_ok = False
        problems.append("redis_unreachable")
    ray_ok = ray.is_initialized()
    if not ray_ok:
        problems.append("ray_not_connected")
    # Ready means able to answer calls: a full pool is still ready (callers past capacity hear
    # the busy message, which beats a balancer with no gateway left to send them to).
    if redis_ok and slots == 0:
        problems.append("no_session_actors")
    if rt.draining:
        problems.append("draining")
    body = Readiness(ready=not problems, draining=rt.draining, redis=redis_ok, ray=ray_ok, free_slots=free,
                     problems=problems)
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.get("/healthz", summary="Liveness and dependencies (kept for compatibility; prefer /livez and /readyz)",
            operation_id="health", tags=["health"])
async def health(rt: Runtime = Depends(runtime)) -> Health:
    return Health(status="ok", redis_ms=round(await rt.store.ping(), 2), live_calls=await rt.registry.live_count())


@router.get("/api/v1/admin/pool", summary="Session actors of the deployment: slots, load, nodes",
            operation_id="admin_pool", dependencies=[Depends(require_admin("operator"))], tags=["admin"],
            responses=PROBLEMS)
async def pool(rt: Runtime = Depends(runtime)) -> PoolStatus:
    return PoolStatus(**await rt.registry.pool_status())


@router.post("/api/v1/admin/nodes/{node_id}/drain", summary="Drain a Ray node: no new calls there, live ones finish",
             status_code=202, operation_id="admin_drain_node", dependencies=[Depends(require_admin())],
             tags=["admin"], responses=PROBLEMS)
async def drain_node(node_id: str = Path(pattern=r"^[0-9a-f]{56}$"), rt: Runtime = Depends(runtime)) -> dict[str, str]:
    return {k: str(v) for k, v in (await rt.registry.drain_node(node_id)).items()}


@router.get("/api/v1/admin/live-sessions", summary="Live state of every session actor",
            operation_id="admin_live_sessions", dependencies=[Depends(require_admin("operator"))], tags=["admin"], responses=PROBLEMS)
async def live_sessions(rt: Runtime = Depends(runtime)) -> list[LiveSession]:
    # A call that ends while we ask answers "gone": it is no longer live.
    return [LiveSession(**s) for s in await rt.registry.states() if s.get("state") not in (None, "gone")]


@router.get("/api/v1/admin/live-sessions/{call_sid}", summary="Live state of one session actor",
            operation_id="admin_live_session", dependencies=[Depends(require_admin("operator"))], tags=["admin"], responses=PROBLEMS)
async def live_session(call_sid: str, rt: Runtime = Depends(runtime)) -> LiveSession:
    state = await rt.registry.state(call_sid)
    if state is None or state.get("state") == "gone":
        raise ApiError(404, "not_found", "No live session for that call")
    return LiveSession(**state)


@router.post("/api/v1/admin/live-sessions/{call_sid}/end", summary="End a live call now", status_code=202,
             operation_id="admin_end_live_session", dependencies=[Depends(require_admin("operator"))], tags=["admin"], responses=PROBLEMS)
async def end_live_session(call_sid: str, rt: Runtime = Depends(runtime)) -> EndingCall:
    if not await rt.registry.end(call_sid, "ended_by_operator"):
        raise ApiError(404, "not_found", "No live session for that call")
    return EndingCall(call_sid=call_sid, status="ending")
