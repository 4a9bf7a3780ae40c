"""Operator endpoints: health and the live state of session actors."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from gateway.auth import require_admin
from gateway.errors import ApiError
from gateway.runtime import Runtime, runtime

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


@router.get("/healthz", summary="Liveness and dependencies", operation_id="health", tags=["health"])
async def health(rt: Runtime = Depends(runtime)) -> Health:
    return Health(status="ok", redis_ms=round(await rt.store.ping(), 2), live_calls=rt.registry.live_count())


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
