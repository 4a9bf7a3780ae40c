"""Outbound calls: ``POST /api/v1/make-call`` and the Twilio webhooks that follow it.

make-call places the call with the Twilio REST API; Twilio then fetches ``/outbound-answer``
when the callee picks up (answered like an inbound call: a session actor and a media stream)
and reports progress to ``/call-status``. Both carry the tenant in their query string, which
Twilio signs with the rest of the URL (PROTOCOLS B.1), so they never depend on make-call's
record being written before Twilio's first request arrives.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from gateway.auth import TenantPrincipal, require_tenant
from gateway.errors import ApiError
from gateway.idempotency import HEADER as IDEMPOTENCY_HEADER
from gateway.routes.twilio_voice import TWILIO_RESPONSES, answer_call, tenant_named, verified_form
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict
from gateway.twilio_rest import CarrierError
from voxray.events import EventType, call_data, emit
from voxray.keys import Scope
from voxray.records import E164, CallRecord, CallStatus, Tenant, utcnow

router = APIRouter(prefix="/api/v1")
log = structlog.get_logger("voxray.gateway")

TENANT_ID = r"^[a-z0-9][a-z0-9_-]{1,62}$"


class MakeCall(Strict):
    to: str = Field(pattern=E164, description="The number to call (E.164)")
    from_number: str | None = Field(default=None, pattern=E164,
                                    description="Caller ID; one of the tenant's numbers. Default: telephony.caller_id")


class PlacedCallOut(BaseModel):
    id: str = Field(description="The Twilio CallSid")
    status: CallStatus
    direction: Literal["outbound"] = "outbound"
    from_number: str
    to_number: str
    created_at: datetime


def _callback_url(rt: Runtime, path: str, tenant: Tenant) -> str:
    return f"{rt.settings.effective_public_base_url}/api/v1/{path}?{urlencode({'tenant': tenant.id})}"


@router.post("/make-call", status_code=201, tags=["calls"], summary="Place an outbound call with the tenant's agent",
             operation_id="make_call", response_model=PlacedCallOut,
             openapi_extra={"parameters": [{"name": IDEMPOTENCY_HEADER, "in": "header", "required": True,
                                            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                                            "description": "Same key and body within 24 h replays the first "
                                                           "response (Idempotent-Replayed: true)"}]},
             responses={400: {"description": "Idempotency-Key missing"}, 401: {"description": "No valid key"},
                        403: {"description": "Key lacks calls:write"}, 409: {"description": "Duplicate in flight"},
                        413: {"description": "Body too large"}, 415: {"description": "Not JSON"},
                        422: {"description": "Invalid numbers, or the key was used with another body"},
                        429: {"description": "Rate or concurrency limit"},
                        503: {"description": "No call capacity right now (Retry-After)"},
                        502: {"description": "The carrier refused or failed"}})
async def make_call(body: MakeCall, request: Request, who: TenantPrincipal = Depends(require_tenant(Scope.CALLS_WRITE)),
                    rt: Runtime = Depends(runtime)) -> Response:
    async def place() -> tuple[int, dict[str, object]]:
        tenant = await rt.store.get_tenant(who.tenant_id)
        if tenant is None:
            raise ApiError(404, "tenant_not_found", "The tenant no longer exists")
        caller_id = body.from_number or tenant.telephony.caller_id or next(iter(tenant.phone_numbers), None)
        if caller_id is None or caller_id not in tenant.phone_numbers:
            raise ApiError(422, "caller_id_not_owned", "from_number must be one of the tenant's phone numbers")
        if body.to in tenant.phone_numbers:
            raise ApiError(422, "invalid_destination", "An agent cannot call its own number")
        # The placement holds a slot of the tenant's limit (live calls and ringing outbound calls,
        # counted in Redis across every gateway) before Twilio is asked, so concurrent make-calls
        # can never overshoot it; the hold moves to the CallSid and lapses after ring_timeout_s.
        live = rt.registry.live
        # Past the deployment's capacity the callee would only be rung to hear the busy message:
        # refuse now (503, Retry-After) instead.
        if not await rt.registry.has_room():
            raise ApiError(503, "capacity", "No call capacity right now; retry shortly", retry_after_s=5)
        pending = f"placing:{secrets.token_hex(8)}"
        if not await live.hold(tenant.id, pending, limit=tenant.max_concurrent_calls,
                               ttl_s=rt.settings.twilio_timeout_s + 5):
            raise ApiError(429, "concurrency_limit", f"The tenant's limit of {tenant.max_concurrent_calls} "
                                                     "concurrent calls is reached")
        try:
            placed = await rt.twilio.create_call(tenant, to=body.to, from_=caller_id,
                                                 url=_callback_url(rt, "outbound-answer", tenant),
                                                 status_callback=_callback_url(rt, "call-status", tenant))
        except CarrierError as exc:
            await live.drop_hold(tenant.id, pending)
            log.warning("make_call_refused", tenant=tenant.id, status=exc.status, code=exc.code)
            if exc.status in (401, 403):
                # The tenant's Twilio credentials are wrong: ours to fix, so 5xx (and retryable).
                raise ApiError(502, "carrier_auth_failed", "The carrier refused the tenant's credentials") from None
            if 400 <= exc.status < 500:
                raise ApiError(422, "carrier_rejected", "The carrier refused the call",
                               f"Twilio error {exc.code}: {exc.message}") from None
            # Twilio may have placed the call before the answer was lost: not safe to repeat
            # under this key (a new key is the client's explicit choice to try again).
            raise ApiError(502, "carrier_unavailable", "The carrier did not answer; the call may have been placed",
                           retryable=exc.status != 0) from None
        except BaseException:
            await live.drop_hold(tenant.id, pending)
            raise
        await live.rebind(tenant.id, pending, placed.sid, ttl_s=rt.settings.ring_timeout_s)
        record = CallRecord(call_sid=placed.sid, tenant_id=tenant.id, direction="outbound", from_number=caller_id,
                            to_number=body.to, status=CallStatus.QUEUED, agent_name=tenant.agent.name,
                            agent_version=tenant.agent.version, config_version=tenant.config_version)
        if not await rt.store.create_call(record):  # a status callback got here first
            record = await rt.store.get_call(tenant.id, placed.sid) or record
        log.info("call_placed", call_sid=placed.sid, tenant=tenant.id)
        out = PlacedCallOut(id=record.call_sid, status=record.status, from_number=record.from_number,
                            to_number=record.to_number, created_at=record.created_at)
        return 201, out.model_dump(mode="json")

    return await rt.idempotency.run(request, who.tenant_id, place)


@router.post("/outbound-answer", tags=["twilio"], summary="Twilio voice webhook when an outbound call is answered",
             operation_id="outbound_answer", response_class=Response, responses=TWILIO_RESPONSES)
async def outbound_answer(request: Request, tenant: str = Query(pattern=TENANT_ID),
                          rt: Runtime = Depends(runtime)) -> Response:
    owner, form = await verified_form(request, rt, tenant_named(rt, tenant), quota_key=f"tenant:{tenant}")
    if form.get("Direction") != "outbound-api":
        raise ApiError(422, "validation_failed", "Direction must be outbound-api")
    return await answer_call(rt, owner, form, "outbound")


_STATUS_EVENTS = {
    CallStatus.INITIATED: EventType.CALL_INITIATED, CallStatus.RINGING: EventType.CALL_RINGING,
    CallStatus.IN_PROGRESS: EventType.CALL_ANSWERED, CallStatus.COMPLETED: EventType.CALL_COMPLETED,
    CallStatus.BUSY: EventType.CALL_FAILED, CallStatus.NO_ANSWER: EventType.CALL_FAILED,
    CallStatus.FAILED: EventType.CALL_FAILED, CallStatus.CANCELED: EventType.CALL_FAILED,
}

# Twilio's statuses that end a call, and the order in which live ones may advance.
_PROGRESS = [CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING, CallStatus.IN_PROGRESS]


def next_status(current: CallStatus, reported: CallStatus) -> CallStatus:
    """Callbacks can arrive out of order and after the session ended: never move backwards."""
    if current.terminal:
        return current
    if reported.terminal:
        return reported
    return reported if _PROGRESS.index(reported) > _PROGRESS.index(current) else current


@router.post("/call-status", tags=["twilio"], summary="Twilio call status callback", operation_id="call_status",
             status_code=204, response_class=Response, responses={**TWILIO_RESPONSES, 200: {"description": "Unused"}})
async def call_status(request: Request, tenant: str = Query(pattern=TENANT_ID),
                      rt: Runtime = Depends(runtime)) -> Response:
    owner, form = await verified_form(request, rt, tenant_named(rt, tenant), quota_key=f"tenant:{tenant}")
    try:
        reported = CallStatus(form.get("CallStatus", ""))
    except ValueError:
        raise ApiError(422, "validation_failed", "Unknown CallStatus") from None
    sid = form["CallSid"]
    # Each carrier report takes effect once: a replayed callback (signatures never expire) is
    # acknowledged and changes nothing, emits nothing.
    report = f"{rt.store.p}:t:{owner.id}:callback:{sid}:{reported.value}:{form.get('SequenceNumber', '')}"
    if not await rt.store.redis.set(report, 1, nx=True, ex=7 * 24 * 3600):
        return Response(status_code=204)
    call = await rt.store.get_call(owner.id, sid)
    if call is None:
        claimed_by = await rt.store.tenant_of_call(sid)
        if claimed_by is not None and claimed_by != owner.id:
            raise ApiError(409, "call_conflict", "That CallSid belongs to another tenant")
        call = CallRecord(call_sid=sid, tenant_id=owner.id, direction="outbound" if form.get("Direction", "").startswith(
            "outbound") else "inbound", from_number=form.get("From", ""), to_number=form.get("To", ""),
            status=CallStatus.QUEUED)
        await rt.store.create_call(call)
    status = next_status(call.status, reported)
    changes: dict[str, object] = {"status": status}
    if status.terminal and not call.status.terminal:
        changes["ended_at"] = call.ended_at or utcnow()
        changes["end_reason"] = call.end_reason or (
            "completed" if status is CallStatus.COMPLETED else f"carrier_{status.value}")
        duration = form.get("CallDuration", "")
        if call.duration_s is None and duration.isdigit():
            changes["duration_s"] = float(duration)
        # A call that never answered still holds a slot of the tenant's limit; give it back.
        if not await rt.registry.end(sid, f"carrier_{status.value}"):
            await rt.registry.live.drop_hold(owner.id, sid)
    if status != call.status or len(changes) > 1:
        call = await rt.store.update_call(owner.id, sid, **changes) or call
    # One event per carrier report: the session may have recorded the end already.
    event = _STATUS_EVENTS.get(reported)
    if event is not None:
        await emit(rt.store.redis, rt.store.p, owner.id, event, {**call_data(call), "status": reported.value})
    log.info("call_status", call_sid=sid, tenant=owner.id, reported=reported.value, status=status.value)
    return Response(status_code=204)
