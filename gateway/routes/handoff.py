"""``POST /api/v1/dial-result``: Twilio reports how an operator transfer's ``<Dial>`` ended."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Depends, Query, Request, Response

from actors.handoff import after_dial_twiml
from gateway.routes.calls import TENANT_ID
from gateway.routes.twilio_voice import TWILIO_RESPONSES, TWIML, tenant_named, verified_form
from gateway.runtime import Runtime, runtime

router = APIRouter(prefix="/api/v1", tags=["twilio"])
log = structlog.get_logger("voxray.gateway")


@router.post("/dial-result", summary="Twilio <Dial action> callback after an operator transfer",
             operation_id="dial_result", response_class=Response, responses=TWILIO_RESPONSES)
async def dial_result(request: Request, tenant: str = Query(pattern=TENANT_ID),
                      rt: Runtime = Depends(runtime)) -> Response:
    owner, form = await verified_form(request, rt, tenant_named(rt, tenant), quota_key=f"tenant:{tenant}")
    status = form.get("DialCallStatus", "")
    log.info("dial_result", call_sid=form["CallSid"], tenant=owner.id, dial_status=status)
    if status in ("busy", "no-answer", "failed", "canceled"):
        call = await rt.store.get_call(owner.id, form["CallSid"])
        # Signatures never expire: a replayed callback must not append to the reason again.
        if call is not None and call.escalation is not None and call.escalation.dial_status is None:
            escalation = call.escalation.model_copy(update={"reason": f"{call.escalation.reason} (operator {status})",
                                                            "dial_status": status})
            await rt.store.update_call(owner.id, call.call_sid, escalation=escalation)
    return Response(after_dial_twiml(status, owner.telephony), media_type=TWIML)
