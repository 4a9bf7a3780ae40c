"""Operator reads the console needs that the tenant API has but the admin API lacked.

A tenant's call logs (with transcript) and webhook deliveries, and redelivery of a dead one,
under ``/api/v1/admin/tenants/{tenant_id}/...`` for admins and operators (keys or the console's
cookie session). They reuse the tenant routes' own queries, so both views always agree.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from gateway.auth import AdminPrincipal, TenantPrincipal, require_admin
from gateway.errors import ApiError
from gateway.pagination import Page, PageRequest, page_params
from gateway.routes import webhooks as tenant_webhooks
from gateway.routes.voice_sessions import _session as session_with_transcript  # the tenant view's own query
from gateway.routes.call_logs import PROBLEMS, CallFilters, call_filters, page_of_calls
from gateway.runtime import Runtime, runtime
from gateway.schemas import CallLog, VoiceSession, call_log
from gateway.webhooks.schemas import WebhookDelivery, WebhookEventLog
from gateway.webhooks.store import WebhookStore
from voxray.keys import Scope

router = APIRouter(prefix="/api/v1/admin/tenants/{tenant_id}", tags=["admin"])
OPERATOR = require_admin("operator")
TenantId = Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


async def _tenant(rt: Runtime, tenant_id: str) -> str:
    if await rt.store.get_tenant(tenant_id) is None:
        raise ApiError(404, "not_found", "No such tenant")
    return tenant_id


def _as_tenant(tenant_id: str, who: AdminPrincipal) -> TenantPrincipal:
    """The tenant routes' principal, acting for an operator (never carried past this call)."""
    return TenantPrincipal(tenant_id=tenant_id, key_id=f"operator:{who.key_id}",
                           scopes=frozenset({Scope.WEBHOOKS_READ, Scope.WEBHOOKS_WRITE}))


@router.get("/call-logs", summary="A tenant's call logs (operators)", operation_id="admin_list_call_logs",
            response_model=Page[CallLog], responses=PROBLEMS)
async def list_call_logs(tenant_id: str = TenantId, page: PageRequest = Depends(page_params),
                         filters: CallFilters = Depends(call_filters), _: AdminPrincipal = Depends(OPERATOR),
                         rt: Runtime = Depends(runtime)) -> Page[CallLog]:
    calls, envelope = await page_of_calls(rt, await _tenant(rt, tenant_id), page, filters)
    return Page[CallLog](data=[call_log(c) for c in calls], **envelope.model_dump(exclude={"data"}))


@router.get("/voice-sessions/{call_id}", summary="One call with its transcript and tool calls (operators)",
            operation_id="admin_get_voice_session", response_model=VoiceSession, responses=PROBLEMS)
async def get_voice_session(call_id: str, tenant_id: str = TenantId, _: AdminPrincipal = Depends(OPERATOR),
                            rt: Runtime = Depends(runtime)) -> VoiceSession:
    return await session_with_transcript(rt, await _tenant(rt, tenant_id), call_id)


@router.get("/webhook-deliveries", summary="A tenant's webhook deliveries (operators)",
            operation_id="admin_list_webhook_deliveries", response_model=Page[WebhookDelivery], responses=PROBLEMS)
async def list_deliveries(tenant_id: str = TenantId, page: PageRequest = Depends(page_params),
                          filters: tenant_webhooks.DeliveryFilters = Depends(tenant_webhooks.delivery_filters),
                          who: AdminPrincipal = Depends(OPERATOR), rt: Runtime = Depends(runtime),
                          ws: WebhookStore = Depends(tenant_webhooks.webhook_store)) -> Page[WebhookDelivery]:
    await _tenant(rt, tenant_id)
    return await tenant_webhooks.list_webhook_deliveries(page, filters, _as_tenant(tenant_id, who), ws)


@router.post("/webhook-deliveries/{event_id}/redeliver", status_code=202,
             summary="Deliver a tenant's failed or dead event again (operators)",
             operation_id="admin_redeliver_webhook", response_model=WebhookEventLog, responses=tenant_webhooks.CONFLICT)
async def redeliver(event_id: str, tenant_id: str = TenantId, who: AdminPrincipal = Depends(OPERATOR),
                    rt: Runtime = Depends(runtime),
                    ws: WebhookStore = Depends(tenant_webhooks.webhook_store)) -> WebhookEventLog:
    await _tenant(rt, tenant_id)
    return await tenant_webhooks.redeliver_webhook(event_id, _as_tenant(tenant_id, who), ws)
