"""Tenant webhooks: the endpoint (URL, event types, signing secret), the catalog, the delivery log."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Depends, Query, Response
from pydantic import SecretStr

from gateway.auth import TenantPrincipal, require_tenant
from gateway.errors import ApiError
from gateway.pagination import Page, PageRequest, decode_cursor, page_params, paginate
from gateway.routes.call_logs import PROBLEMS
from gateway.runtime import Runtime, runtime
from gateway.webhooks.schemas import (WebhookDelivery, WebhookEndpoint, WebhookEndpointIn, WebhookEndpointWithSecret,
                                      WebhookEventLog, WebhookEventSent, WebhookEventType, catalog, delivery_out,
                                      endpoint_out, endpoint_public, event_log)
from gateway.webhooks.signing import new_secret
from gateway.webhooks.store import RedeliveryConflict, WebhookStore
from voxray.endpoint_urls import UrlRejected, check_endpoint_url
from voxray.events import (DeliveryRecord, DeliveryState, EndpointRecord, Event, EventType, delivery_name, enqueue,
                           new_event_id)
from voxray.keys import Scope
from voxray.records import utcnow

router = APIRouter(prefix="/api/v1", tags=["webhooks"])

CONFLICT: dict[int | str, dict[str, object]] = {**PROBLEMS, 409: {"description": "Conflicts with the current state"}}
# After a rotation the old secret keeps signing for this long, so receivers can switch over.
ROTATION_GRACE = timedelta(hours=24)
_EVENT_ID = re.compile(r"^evt_[0-9a-f]{32}$")

READ = require_tenant(Scope.WEBHOOKS_READ)
WRITE = require_tenant(Scope.WEBHOOKS_WRITE)


async def webhook_store(rt: Runtime = Depends(runtime)) -> WebhookStore:
    return WebhookStore(rt.store.redis, rt.store.p)


async def _endpoint(ws: WebhookStore, tenant_id: str) -> EndpointRecord:
    endpoint = await ws.endpoint(tenant_id)
    if endpoint is None:
        raise ApiError(404, "webhook_endpoint_not_found", "This tenant has no webhook endpoint")
    return endpoint


async def _save(ws: WebhookStore, tenant_id: str, new: EndpointRecord, old: EndpointRecord | None) -> None:
    if not await ws.put_endpoint(tenant_id, new, old):
        raise ApiError(409, "webhook_endpoint_changed", "The endpoint was changed meanwhile; read it and retry")


@router.put("/webhook-endpoint", summary="Create or replace the webhook endpoint",
            operation_id="put_webhook_endpoint", response_model=WebhookEndpointWithSecret,
            responses={**CONFLICT, 201: {"description": "Created; the response carries the signing secret, once",
                                         "model": WebhookEndpointWithSecret}})
async def put_webhook_endpoint(body: WebhookEndpointIn, response: Response, who: TenantPrincipal = Depends(WRITE),
                               rt: Runtime = Depends(runtime),
                               ws: WebhookStore = Depends(webhook_store)) -> WebhookEndpointWithSecret:
    s = rt.settings
    try:
        url = check_endpoint_url(body.url, allow_http=s.webhook_allow_http,
                                 allow_private=s.webhook_allow_private_hosts)
    except UrlRejected as exc:
        raise ApiError(422, "webhook_url_rejected", "The endpoint URL is not accepted", f"url {exc}") from None
    old = await ws.endpoint(who.tenant_id)
    now = utcnow()
    types = [t.value for t in body.event_types] if body.event_types is not None else None
    if old is None:
        secret = new_secret()
        new = EndpointRecord(id=f"ep_{secrets.token_hex(8)}", url=url, description=body.description,
                             event_types=types, secret=SecretStr(secret), created_at=now, updated_at=now)
        await _save(ws, who.tenant_id, new, None)
        response.status_code = 201
        return endpoint_out(new, secret)
    new = old.model_copy(update={"url": url, "description": body.description, "event_types": types,
                                 "updated_at": now})
    await _save(ws, who.tenant_id, new, old)
    return endpoint_out(new)


@router.get("/webhook-endpoint", summary="Get the webhook endpoint (never its secret)",
            operation_id="get_webhook_endpoint", response_model=WebhookEndpoint, responses=PROBLEMS)
async def get_webhook_endpoint(who: TenantPrincipal = Depends(READ),
                               ws: WebhookStore = Depends(webhook_store)) -> WebhookEndpoint:
    return endpoint_public(await _endpoint(ws, who.tenant_id))


@router.delete("/webhook-endpoint", status_code=204, summary="Delete the webhook endpoint",
               operation_id="delete_webhook_endpoint", responses=CONFLICT,
               description="Deliveries still queued for it are dead-lettered when they come due.")
async def delete_webhook_endpoint(who: TenantPrincipal = Depends(WRITE),
                                  ws: WebhookStore = Depends(webhook_store)) -> Response:
    old = await _endpoint(ws, who.tenant_id)
    if not await ws.put_endpoint(who.tenant_id, None, old):
        raise ApiError(409, "webhook_endpoint_changed", "The endpoint was changed meanwhile; read it and retry")
    return Response(status_code=204)


@router.post("/webhook-endpoint/rotate-secret", summary="Rotate the signing secret (new one shown once)",
             operation_id="rotate_webhook_secret", response_model=WebhookEndpointWithSecret, responses=CONFLICT,
             description="For 24 hours deliveries carry signatures with both the new and the previous secret.")
async def rotate_webhook_secret(who: TenantPrincipal = Depends(WRITE),
                                ws: WebhookStore = Depends(webhook_store)) -> WebhookEndpointWithSecret:
    old = await _endpoint(ws, who.tenant_id)
    now = utcnow()
    secret = new_secret()
    new = old.model_copy(update={"secret": SecretStr(secret), "previous_secret": old.secret,
                                 "previous_secret_expires_at": now + ROTATION_GRACE, "updated_at": now})
    await _save(ws, who.tenant_id, new, old)
    return endpoint_out(new, secret)


@router.post("/webhook-endpoint/test", status_code=202, summary="Send a webhook.test event to the endpoint",
             operation_id="test_webhook_endpoint", response_model=WebhookEventSent, responses=PROBLEMS,
             description="Sent whatever event types the endpoint subscribes to; follow it in the delivery log.")
async def test_webhook_endpoint(who: TenantPrincipal = Depends(WRITE), rt: Runtime = Depends(runtime),
                                ws: WebhookStore = Depends(webhook_store)) -> WebhookEventSent:
    endpoint = await _endpoint(ws, who.tenant_id)
    now = time.time()
    event = Event(id=new_event_id(now), type=EventType.WEBHOOK_TEST.value,
                  timestamp=datetime.fromtimestamp(now, timezone.utc),
                  data={"message": "A test event from voxray: your endpoint receives and verifies webhooks."})
    await enqueue(rt.store.redis, rt.store.p, who.tenant_id, event, [endpoint])
    return WebhookEventSent(event_id=event.id)


@router.get("/webhook-events", summary="List the event types", operation_id="list_webhook_event_types",
            response_model=list[WebhookEventType], responses=PROBLEMS)
async def list_webhook_event_types(_: TenantPrincipal = Depends(READ)) -> list[WebhookEventType]:
    return catalog()


@dataclass(frozen=True)
class DeliveryFilters:
    status: DeliveryState | None
    event_type: EventType | None

    def keep(self, d: DeliveryRecord) -> bool:
        return (self.status is None or d.state == self.status) and \
            (self.event_type is None or d.event_type == self.event_type)

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if v is not None}


async def delivery_filters(status: DeliveryState | None = Query(None, description="The delivery's current state"),
                     event_type: EventType | None = Query(None)) -> DeliveryFilters:
    return DeliveryFilters(status, event_type)


@router.get("/webhook-deliveries", summary="List webhook deliveries, newest first",
            operation_id="list_webhook_deliveries", response_model=Page[WebhookDelivery], responses=PROBLEMS,
            description="One item per event and endpoint; the newest 10,000 are kept.")
async def list_webhook_deliveries(page: PageRequest = Depends(page_params),
                                  filters: DeliveryFilters = Depends(delivery_filters),
                                  who: TenantPrincipal = Depends(READ),
                                  ws: WebhookStore = Depends(webhook_store)) -> Page[WebhookDelivery]:
    wanted = filters.as_dict()
    before = decode_cursor(page.cursor, wanted) if page.cursor else None
    items, envelope = await paginate(
        ws.scan_deliveries(who.tenant_id, before=before), page, keep=filters.keep, filters=wanted,
        position=lambda d: (d.created_at.timestamp(), delivery_name(d.event_id, d.endpoint_id)))
    return Page[WebhookDelivery](data=[delivery_out(d) for d in items], **envelope.model_dump(exclude={"data"}))


async def _event(ws: WebhookStore, tenant_id: str, event_id: str) -> WebhookEventLog:
    # Another tenant's event is indistinguishable from no event.
    stored = await ws.event(tenant_id, event_id) if _EVENT_ID.match(event_id) else None
    if stored is None:
        raise ApiError(404, "not_found", "No such webhook event for this tenant")
    return event_log(stored, await ws.attempts(tenant_id, event_id))


@router.get("/webhook-deliveries/{event_id}", summary="Get an event's deliveries and every attempt",
            operation_id="get_webhook_delivery", response_model=WebhookEventLog, responses=PROBLEMS)
async def get_webhook_delivery(event_id: str, who: TenantPrincipal = Depends(READ),
                               ws: WebhookStore = Depends(webhook_store)) -> WebhookEventLog:
    return await _event(ws, who.tenant_id, event_id)


@router.post("/webhook-deliveries/{event_id}/redeliver", status_code=202,
             summary="Deliver a failed or dead event again", operation_id="redeliver_webhook",
             response_model=WebhookEventLog, responses=CONFLICT,
             description="Every failed or dead delivery of the event is due now, with a fresh retry budget; "
                         "receivers see the same `webhook-id` again.")
async def redeliver_webhook(event_id: str, who: TenantPrincipal = Depends(WRITE),
                            ws: WebhookStore = Depends(webhook_store)) -> WebhookEventLog:
    current = await _event(ws, who.tenant_id, event_id)
    eligible = [d for d in current.deliveries if d.state in (DeliveryState.FAILED, DeliveryState.DEAD)]
    if not eligible:
        raise ApiError(409, "not_redeliverable", "Only failed or dead deliveries can be redelivered")
    for d in eligible:
        if await ws.get_endpoint(who.tenant_id, d.endpoint_id) is None:
            raise ApiError(409, "webhook_endpoint_not_found", "The endpoint of this delivery was deleted")
        try:
            await ws.redeliver(who.tenant_id, event_id, d.endpoint_id, utcnow())
        except RedeliveryConflict as exc:
            raise ApiError(409, "not_redeliverable", "The delivery cannot be redelivered now", str(exc)) from None
    return await _event(ws, who.tenant_id, event_id)
