"""The webhook API's request and response shapes, and the pure functions that build them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from pydantic import BaseModel, Field, field_validator

from gateway.schemas import Strict
from gateway.webhooks.signing import secret_hint
from gateway.webhooks.store import AttemptRecord, StoredEvent
from voxray.endpoint_urls import MAX_URL_LENGTH
from voxray.events import DESCRIPTIONS, DeliveryRecord, DeliveryState, EndpointRecord, EventType


class WebhookEndpointIn(Strict):
    url: str = Field(max_length=MAX_URL_LENGTH, description="https:// URL that receives the events")
    event_types: list[EventType] | None = Field(
        default=None, min_length=1,
        description="Event types to send; omitted or null: all of them, including types added later")
    description: str = Field(default="", max_length=500)

    @field_validator("event_types")
    @classmethod
    def _unique(cls, v: list[EventType] | None) -> list[EventType] | None:
        return sorted(set(v)) if v is not None else None


class WebhookEndpoint(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str] | None = Field(description="null: every event type, including types added later")
    secret_prefix: str = Field(description="The first characters of the signing secret, to tell secrets apart")
    previous_secret_expires_at: datetime | None = Field(
        description="Until then, deliveries are also signed with the secret before the last rotation")
    created_at: datetime
    updated_at: datetime


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str | None = Field(
        description="The signing secret (`whsec_` + base64): returned only when the endpoint is created "
                    "or its secret rotated, never again")


class WebhookEventType(BaseModel):
    type: EventType
    description: str


class WebhookDelivery(BaseModel):
    event_id: str = Field(description="Also the `webhook-id` header: the same on every retry")
    event_type: str
    endpoint_id: str
    url: str | None = Field(description="Where the last attempt went")
    state: DeliveryState
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


class WebhookAttempt(AttemptRecord):
    """One delivery attempt as the API shows it (the stored record has nothing secret)."""


class WebhookEventLog(BaseModel):
    event_id: str
    event_type: str
    created_at: datetime
    payload: dict[str, Any] = Field(description="The body exactly as sent")
    deliveries: list[WebhookDelivery]
    attempts: list[WebhookAttempt]


class WebhookEventSent(BaseModel):
    event_id: str


def endpoint_out(ep: EndpointRecord, secret: str | None = None) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret(
        id=ep.id, url=ep.url, description=ep.description, event_types=ep.event_types,
        secret_prefix=secret_hint(ep.secret.get_secret_value()),
        previous_secret_expires_at=ep.previous_secret_expires_at if ep.previous_secret else None,
        created_at=ep.created_at, updated_at=ep.updated_at, secret=secret)


def endpoint_public(ep: EndpointRecord) -> WebhookEndpoint:
    return WebhookEndpoint(**endpoint_out(ep).model_dump(exclude={"secret"}))


def catalog() -> list[WebhookEventType]:
    return [WebhookEventType(type=t, description=DESCRIPTIONS[t]) for t in EventType]


def delivery_out(d: DeliveryRecord) -> WebhookDelivery:
    return WebhookDelivery(event_id=d.event_id, event_type=d.event_type, endpoint_id=d.endpoint_id, url=d.last_url,
                           state=d.state, attempts=d.attempts, created_at=d.created_at,
                           last_attempt_at=d.last_attempt_at, next_attempt_at=d.next_attempt_at,
                           last_status_code=d.last_status_code, last_error=d.last_error, delivered_at=d.delivered_at)


def event_log(stored: StoredEvent, attempts: list[AttemptRecord]) -> WebhookEventLog:
    ev = stored.event
    return WebhookEventLog(event_id=ev.id, event_type=ev.type, created_at=ev.timestamp,
                           payload=orjson.loads(stored.body),
                           deliveries=[delivery_out(d) for d in stored.deliveries],
                           attempts=[WebhookAttempt(**a.model_dump()) for a in attempts])
