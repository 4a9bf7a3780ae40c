"""``POST /api/v1/incoming-call``: Twilio's inbound voice webhook -> TwiML ``<Connect><Stream>``."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from xml.sax.saxutils import escape, quoteattr
from typing import Any, Awaitable, Callable, Literal

import structlog
from fastapi import APIRouter, Depends, Request, Response

from actors.registry import AdmissionRejected
from actors.model_recovery import RecoveryPolicy
from actors.setup import CallSetup
from gateway import metrics, twilio_signature
from gateway.anon_quotas import charge_twilio_number_on, refuse_if_limited
from gateway.errors import ApiError
from gateway.runtime import Runtime, runtime
from actors.handoff import dial_result_url, transfer_twiml
from governance.agent_config import agent_config
from governance.routing import CallRouting
from voxray import stream_token, tracing
from voxray.logging import bind_call
from voxray.events import EventType, call_data, emit
from voxray.records import CallRecord, CallStatus, Tenant, utcnow
from voxray.redis_batch import Batch, Reply
from voxray.store import ClaimedWriteFailed
from voxray.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["twilio"])
log = structlog.get_logger("voxray.gateway")

CALL_SID = re.compile(r"^CA[0-9a-f]{32}$")
TWIML = "application/xml"
Direction = Literal["inbound", "outbound"]
UNAVAILABLE = "We are sorry, the agent is not available right now. Please call again later. Goodbye."


BUSY = "All of our agents are busy right now. Please call again in a few minutes. Goodbye."


def _media_url(public_base_url: str) -> str:
    # Twilio requires wss:// (error 31922) and no query string (§A.1); the token goes in <Parameter>.
    scheme, rest = public_base_url.split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/api/v1/media-stream"


def _twiml_connect(rt: Runtime, token: str) -> str:
    # Hand-written (no XML builder per call): two values, both escaped. The <Say> after </Connect>
    # runs when we close the media socket (model or actor failure, gateway lost): the caller
    # hears a message, never dead air.
    url = quoteattr(_media_url(rt.settings.media_public_base_url or rt.settings.effective_public_base_url))
    return (f'<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url={url}>'
            f'<Parameter name="token" value={quoteattr(token)}/></Stream></Connect>'
            f'<Say>{escape(UNAVAILABLE)}</Say></Response>')


def twiml_busy() -> str:
    """A refused call hears why and is hung up on (never a silent reject)."""
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Say>{escape(BUSY)}</Say><Hangup/></Response>'


# Queues the tenant's lookup on the webhook's first batch (voxray/redis_batch.py).
TenantLookup = Callable[[Batch, dict[str, str]], Reply[Tenant | None]]


def tenant_named(rt: Runtime, tenant_id: str) -> TenantLookup:
    """For webhooks whose URL names the tenant (``?tenant=``, signed with the rest of the URL)."""
    return lambda batch, _: rt.store.get_tenant_on(batch, tenant_id)


async def verified_form(request: Request, rt: Runtime, tenant_of: TenantLookup, unknown: str = "unknown_tenant",
                        quota_key: str | None = None, batch: Batch | None = None) -> tuple[Tenant, dict[str, str]]:
    """Check a Twilio webhook's type, size and signature; return its tenant and form fields.

    ``batch``: the caller's own first-round steps, sent with the quota and the tenant lookup."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise ApiError(415, "unsupported_media_type", "Twilio webhooks are application/x-www-form-urlencoded")
    size = request.headers.get("content-length")
    if size is None:  # Twilio always sends it; a chunked body would be parsed before any check
        raise ApiError(411, "length_required", "Content-Length is required")
    if not size.isdigit() or int(size) > rt.settings.webhook_max_body_bytes:
        raise ApiError(413, "payload_too_large", "Webhook body is too large")
    if "x-twilio-signature" not in request.headers:
        raise ApiError(403, "signature_missing", "X-Twilio-Signature header is required")
    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    # An anonymous surface: a quota per called number (or per named tenant), checked before the
    # tenant is used; both in one round trip (each await is a turn of a busy event loop).
    batch = batch or Batch(rt.store.redis)
    quota = charge_twilio_number_on(batch, rt.limiter, rt.settings,
                                    quota_key or fields.get("To") or fields.get("Called") or "")
    found = tenant_of(batch, fields)
    await batch.run()
    refuse_if_limited(quota.get())
    tenant = found.get()
    if tenant is None:
        raise ApiError(404, unknown, "No tenant owns this call or number")
    url = twilio_signature.public_url(rt.settings.effective_public_base_url, request.url.path, request.url.query)
    twilio_signature.check(tenant.twilio_auth_token.get_secret_value(), url, form, dict(request.headers))
    if fields.get("AccountSid") != tenant.twilio_account_sid:
        raise ApiError(403, "account_mismatch", "AccountSid does not belong to the number's tenant")
    if not CALL_SID.match(fields.get("CallSid", "")):
        raise ApiError(422, "validation_failed", "CallSid must look like CA followed by 32 hex digits")
    return tenant, fields


async def answer_call(rt: Runtime, tenant: Tenant, form: dict[str, str], direction: Direction,
                      route_generation: Reply[int] | None = None, room: Reply[str | None] | None = None) -> Response:
    """Admit the call to a session actor and answer TwiML that opens its media stream.

    Cheap by design: after the webhook's first batch, one batch (the CallSid's claim with its
    record, admission, stream token) and no Ray call on the way (the hand-over is not awaited).
    A stream token is issued once per call: a replayed webhook (signatures never expire) gets
    409 (or, while the deployment is full, the busy message), never a second token.
    ``route_generation``: the routes' generation, read in the first batch (None: read it here).
    ``room``: why a shared call would have been refused at that first batch (None: it had room);
    a full cluster is answered at once, before any write.
    """
    call_sid = form["CallSid"]
    started = time.perf_counter()
    bind_call(call_sid, tenant.id)
    line, other = (form.get("To", ""), form.get("From", "")) if direction == "inbound" else (
        form.get("From", ""), form.get("To", ""))
    # The routes are cached per generation: deciding costs no round trip when it is known.
    routing = await _route(rt, line, other, call_sid, tenant.id, _generation(route_generation))
    if routing is not None and routing.route.tenant_id != tenant.id:
        # A route left behind on a number that has since changed hands must not apply.
        log.warning("route_of_other_tenant_ignored", number=line, tenant=tenant.id)
        routing = None
    agent = agent_config(routing.version, tenant.agent) if routing and routing.version else tenant.agent
    record = CallRecord(call_sid=call_sid, tenant_id=tenant.id, direction=direction,
                        from_number=form.get("From", ""), to_number=form.get("To", ""),
                        agent_name=routing.route.agent if routing else agent.name,
                        agent_version=(routing.decision.version or 0) if routing else agent.version,
                        config_version=tenant.config_version, route_number=routing.route.number if routing else None,
                        arm=routing.decision.arm if routing else None)
    # A failed room check is "unknown": admission below still decides.
    full = room.get() if room is not None and room.error is None and tenant.isolation == "shared" else None
    if full is not None and (routing is None or routing.version is not None):
        # Past capacity: the busy message now, the record beside it (claimed first, so a replay of
        # a live call's webhook, answered busy here too, leaves that call's record alone).
        metrics.call_setup("refused", time.perf_counter() - started, full)
        log.warning("call_rejected", call_sid=call_sid, tenant=tenant.id, reason=full)
        _background(_record_refused(rt, record, full))
        return Response(twiml_busy(), media_type=TWIML)
    if direction == "outbound":
        # make-call recorded it (or its status callback did): it is ours if the tenant matches.
        existing = await rt.store.get_call(tenant.id, call_sid)
        if existing is None and not await rt.store.create_call(record):
            raise ApiError(409, "call_conflict", "That CallSid already has a call")
        if existing is not None and (existing.status.terminal or existing.started_at is not None):
            raise ApiError(409, "call_conflict", "That call has already ended or started")
        if existing is not None:
            await rt.store.update_call(tenant.id, call_sid, agent_name=record.agent_name, arm=record.arm,
                                       agent_version=record.agent_version, route_number=record.route_number)
    if routing is not None and routing.version is None:
        # A kill switch sends new calls to the fallback: the operator, or the polite message.
        ended = dict(status=CallStatus.COMPLETED, ended_at=utcnow(),
                     end_reason=f"governance_fallback: {routing.decision.reason}"[:200])
        if direction == "inbound":  # its record is not saved yet
            if not await rt.store.create_call(record.model_copy(update=ended)):
                raise ApiError(409, "call_conflict", "That CallSid already has a call")
        else:
            await rt.store.update_call(tenant.id, call_sid, **ended)
        twiml, _ = transfer_twiml(tenant.telephony, dial_result_url(rt.settings.effective_public_base_url, tenant.id))
        return Response(twiml, media_type=TWIML)
    setup = CallSetup(
        call_sid=call_sid, tenant_id=tenant.id, from_number=record.from_number, to_number=record.to_number,
        agent=agent, redis_url=rt.redis_url, key_prefix=rt.settings.key_prefix,
        model_websocket_base_url=rt.model_websocket_base_url,
        model_api_key=rt.settings.openai_api_key, link_key=secrets.token_urlsafe(24),
        stream_connect_timeout_s=rt.settings.stream_start_timeout_s, direction=direction,
        telephony=tenant.telephony, public_base_url=rt.settings.effective_public_base_url,
        tool_signing_secret=tenant.tool_signing_secret,
        tool_allow_private_hosts=rt.settings.webhook_allow_private_hosts,
        model_recovery=recovery_policy(rt.settings),
    )
    token, claims = stream_token.mint(rt.stream_secret, call_sid, time.time(), rt.settings.stream_token_ttl_s)
    batch = Batch(rt.store.redis, atomic=True)  # a duplicate's claim never lands between these steps
    ours: bool | None = None
    created: Reply[bool] | None = None
    try:
        with tracing.span("admission", call_sid=call_sid, tenant_id=tenant.id):
            setup.trace_context = tracing.inject()
            # The CallSid's claim with the inbound record, the slot and the one stream token in
            # one round trip; every reply is read before anything is judged (a refusal then
            # rewrites the record this webhook created, never another's).
            created = rt.store.create_call_on(batch, record) if direction == "inbound" else None
            admitted = rt.registry.admit_on(batch, setup, tenant.max_concurrent_calls, tenant.isolation)
            issued = rt.registry.live.issue_stream_on(batch, call_sid, claims.nonce, claims.expires_at)
            await batch.run()
            ours = created.get() if created is not None else True
            first = issued.get()
            if ours and first:
                await rt.registry.open_admitted(setup, admitted, tenant.max_concurrent_calls, tenant.isolation,
                                                on_lost=lambda s, why: _setup_lost(rt, s, why))
    except AdmissionRejected as exc:
        if exc.reason == "duplicate_call":  # a replay racing the live call: never touch its record
            if ours and created is not None:  # only a record this webhook itself just wrote
                await _record_failed(rt, tenant.id, call_sid, "rejected: duplicate_call")
            raise ApiError(409, "call_conflict", "That CallSid already has a live session") from None
        metrics.call_setup("refused", time.perf_counter() - started, exc.reason)
        return await _refuse(rt, tenant, call_sid, exc.reason)
    except Exception as exc:
        log.exception("call_setup_failed", call_sid=call_sid, tenant=tenant.id)
        why = f"setup_failed: {type(exc).__name__}"
        # The slot may have been taken beside the step that failed: free it now, not when the
        # actor stops waiting for media (abandon touches only the entry this webhook admitted).
        rt.registry.abandon(setup, why)
        if ours or (created is not None and isinstance(created.error, ClaimedWriteFailed)):
            # Only this webhook's own record (the claim may have gone to another webhook).
            await _record_failed(rt, tenant.id, call_sid, why)
        metrics.call_setup("refused", time.perf_counter() - started, "setup_failed")
        return Response(_twiml_unavailable(), media_type=TWIML)
    if not (ours and first):  # a replay: this webhook's admission (if any) is given back, no token
        rt.registry.give_back_unopened(setup, admitted)
        if ours and created is not None:  # a record this webhook wrote for a call streamed long ago
            await _record_failed(rt, tenant.id, call_sid, "rejected: stream already issued")
        raise ApiError(409, "call_conflict", "That CallSid already has a call" if not ours
                       else "A stream was already issued for that call")
    if direction == "inbound":  # best effort by contract (never raises): off the caller's path
        _background(emit(rt.store.redis, rt.store.p, tenant.id, EventType.CALL_INITIATED, call_data(record)))
    metrics.call_setup("admitted", time.perf_counter() - started)
    log.info("call_answered", call_sid=call_sid, tenant=tenant.id, direction=direction)
    return Response(_twiml_connect(rt, token), media_type=TWIML)


_BACKGROUND: set["asyncio.Task[Any]"] = set()


def _background(work: Awaitable[Any]) -> None:
    task = asyncio.ensure_future(work)
    _BACKGROUND.add(task)  # held until done (the loop keeps only weak references)
    task.add_done_callback(_BACKGROUND.discard)


def _generation(reply: Reply[int] | None) -> int | None:
    if reply is None or reply.error is not None:  # unread or failed: _route reads it itself
        return None
    return reply.get()


async def _route(rt: Runtime, line: str, other: str, call_sid: str, tenant_id: str,
                 generation: int | None = None) -> CallRouting | None:
    try:
        return await rt.governance.decide_call(line, other, generation) if rt.governance else None
    except Exception:  # noqa: BLE001 - governance down or failing: answer with the tenant's own config
        # (a 500 here would leave the caller in dead air).
        log.exception("governance_unavailable_at_call_setup", call_sid=call_sid, tenant=tenant_id)
        return None


_POLICIES: dict[tuple[float, float], RecoveryPolicy] = {}


def recovery_policy(settings: Settings) -> RecoveryPolicy:
    """The deployment's model-recovery policy (built once, not per call)."""
    key = (settings.model_recovery_budget_s, settings.model_max_session_s)
    if key not in _POLICIES:
        _POLICIES[key] = RecoveryPolicy(budget_s=key[0], max_session_s=key[1])
    return _POLICIES[key]


def _twiml_unavailable() -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response><Say>{escape(UNAVAILABLE)}</Say><Hangup/></Response>'


async def _setup_lost(rt: Runtime, setup: CallSetup, why: str) -> None:
    """No actor took an admitted call after its TwiML went out: Twilio's stream will find no
    session and the caller hears the apology after </Connect>; the record says why."""
    metrics.call_setup("refused", 0.0, "setup_failed")
    await _record_failed(rt, setup.tenant_id, setup.call_sid, why)


async def _record_failed(rt: Runtime, tenant_id: str, call_sid: str, why: str) -> None:
    """Best effort: the caller's answer (an apology or the busy message) must not become a 500
    because Redis is what failed."""
    try:
        await rt.store.update_call(tenant_id, call_sid, status=CallStatus.FAILED, ended_at=utcnow(), end_reason=why)
    except Exception:  # noqa: BLE001 - logged; the sweeper and the actor's own record remain
        log.exception("call_failure_record_failed", call_sid=call_sid, tenant=tenant_id, reason=why)


async def _record_refused(rt: Runtime, record: CallRecord, reason: str) -> None:
    failed = record.model_copy(update=dict(status=CallStatus.FAILED, ended_at=utcnow(),
                                           end_reason=f"rejected: {reason}"))
    try:
        await rt.store.create_call(failed)
    except Exception:  # noqa: BLE001 - the caller already heard the busy message
        log.exception("call_failure_record_failed", call_sid=record.call_sid, tenant=record.tenant_id, reason=reason)


async def _refuse(rt: Runtime, tenant: Tenant, call_sid: str, reason: str) -> Response:
    """Past capacity (or a tenant's limit, or a draining gateway): a spoken busy message, at once."""
    await _record_failed(rt, tenant.id, call_sid, f"rejected: {reason}")
    log.warning("call_rejected", call_sid=call_sid, tenant=tenant.id, reason=reason)
    return Response(twiml_busy(), media_type=TWIML)


TWILIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {TWIML: {}}, "description": "TwiML"}, 403: {"description": "Signature missing or invalid"},
    404: {"description": "Unknown number or tenant"}, 409: {"description": "CallSid conflict"},
    411: {"description": "Content-Length required"}, 413: {"description": "Body too large"},
    415: {"description": "Not form-encoded"}, 422: {"description": "Invalid CallSid"},
    503: {"description": "No session available"},
}


@router.post("/incoming-call", summary="Twilio inbound call webhook", operation_id="incoming_call",
             response_class=Response, responses=TWILIO_RESPONSES)
async def incoming_call(request: Request, rt: Runtime = Depends(runtime)) -> Response:
    def by_called_number(batch: Batch, form: dict[str, str]) -> Reply[Tenant | None]:
        return rt.store.tenant_for_number_on(batch, form.get("To") or form.get("Called") or "")

    batch = Batch(rt.store.redis)
    generation = rt.governance.routes.generation_on(batch) if rt.governance else None
    room = rt.registry.room_on(batch)
    tenant, form = await verified_form(request, rt, by_called_number, "unknown_number", batch=batch)
    return await answer_call(rt, tenant, form, "inbound", route_generation=generation, room=room)
