"""Webhook events for tenants: the catalog, the envelope, the Redis outbox, and ``emit``.

Shared by the gateway and the session actors, so it imports nothing from either. ``emit`` only
writes the event to the tenant's outbox in Redis (two round trips); the gateway's delivery
worker (gateway/webhooks) signs and POSTs it, retries, and dead-letters.

Payload shape per the Standard Webhooks spec: ``{"id", "type", "timestamp", "data"}``; the
event id is also the ``webhook-id`` header and stays the same on every retry, so receivers
deduplicate on it. Nothing internal (tenant id, endpoint id) is in the payload.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any, Mapping, Sequence

import orjson
import redis.asyncio as aioredis
import structlog
from pydantic import BaseModel, ModelWrapValidatorHandler, PrivateAttr, SecretStr, model_validator

from voxray import sealing
from voxray.records import CallRecord

log = structlog.get_logger("voxray.events")


class EventType(StrEnum):
    """Every event a tenant can subscribe to. Add a member and its line in DESCRIPTIONS."""

    CALL_INITIATED = "call.initiated"
    CALL_RINGING = "call.ringing"
    CALL_ANSWERED = "call.answered"
    CALL_COMPLETED = "call.completed"
    CALL_FAILED = "call.failed"
    SESSION_STARTED = "session.started"
    SESSION_COMPLETED = "session.completed"
    TRANSCRIPT_READY = "transcript.ready"
    TOOL_CALLED = "tool.called"
    HANDOFF_REQUESTED = "handoff.requested"
    ROLLOUT_PROMOTED = "rollout.promoted"
    ROLLOUT_HELD = "rollout.held"
    ROLLOUT_ROLLED_BACK = "rollout.rolled_back"
    WEBHOOK_TEST = "webhook.test"


DESCRIPTIONS: dict[EventType, str] = {
    EventType.CALL_INITIATED: "A call was placed or received and is being set up.",
    EventType.CALL_RINGING: "The called party's phone is ringing.",
    EventType.CALL_ANSWERED: "The call was answered and the agent is connected.",
    EventType.CALL_COMPLETED: "The call ended normally.",
    EventType.CALL_FAILED: "The call could not be completed (busy, no answer, failed, canceled).",
    EventType.SESSION_STARTED: "The agent's voice session started on a call.",
    EventType.SESSION_COMPLETED: "The agent's voice session ended; its log is available.",
    EventType.TRANSCRIPT_READY: "The call's transcript is complete and can be fetched.",
    EventType.TOOL_CALLED: "The agent called one of the tenant's tools (functions).",
    EventType.HANDOFF_REQUESTED: "The agent or a rule asked to hand the call to a person.",
    EventType.ROLLOUT_PROMOTED: "An agent version's rollout was promoted to more traffic.",
    EventType.ROLLOUT_HELD: "An agent version's rollout was held at its current traffic share.",
    EventType.ROLLOUT_ROLLED_BACK: "An agent version's rollout was rolled back.",
    EventType.WEBHOOK_TEST: "A test event, sent on request to check the endpoint.",
}
assert set(DESCRIPTIONS) == set(EventType), "every event type needs a description"

# Receivers must accept this much; larger events are dropped (and logged) rather than queued.
# Events carry ids and summaries; the tenant fetches big things (transcripts) from the API.
MAX_PAYLOAD_BYTES = 64 * 1024
# Per-tenant delivery log: the newest LOG_KEEP deliveries, each kept RETENTION_S at most.
LOG_KEEP = 10_000
RETENTION_S = 30 * 24 * 3600


def new_event_id(now: float) -> str:
    """``evt_`` + milliseconds (hex, so ids sort by time) + 80 random bits."""
    return f"evt_{int(now * 1000):012x}{secrets.token_hex(10)}"


class Event(BaseModel):
    """The envelope a tenant receives (Standard Webhooks' recommended payload, plus ``id``)."""

    id: str
    type: str
    timestamp: datetime
    data: dict[str, Any]

    def body(self) -> bytes:
        """The exact bytes POSTed and signed; stored once and reused on every retry."""
        return orjson.dumps(self.model_dump(mode="json"))


class DeliveryState(StrEnum):
    PENDING = "pending"      # not attempted yet (or redelivered)
    FAILED = "failed"        # the last attempt failed; a retry is scheduled
    DELIVERED = "delivered"  # a 2xx answer
    DEAD = "dead"            # out of attempts (or the endpoint is gone): dead-lettered


class EndpointRecord(BaseModel):
    """A tenant's webhook endpoint as stored (secret included; the store is inside the trust boundary)."""

    id: str
    url: str
    description: str = ""
    # None: every event type, including ones added to the catalog later.
    event_types: list[str] | None = None
    secret: SecretStr
    # After a rotation both secrets sign, so receivers can switch without losing events.
    previous_secret: SecretStr | None = None
    previous_secret_expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    # As read from Redis: field -> (plaintext, stored value), so writing back an unchanged secret
    # gives the very bytes read (the endpoint's compare-and-set compares them).
    _as_stored: dict[str, tuple[str, str]] = PrivateAttr(default_factory=dict)

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types

    @model_validator(mode="wrap")
    @classmethod
    def _open_sealed(cls, data: Any, handler: ModelWrapValidatorHandler["EndpointRecord"]) -> "EndpointRecord":
        """Sealed secrets (voxray/sealing.py) are opened with the process's key on the way in."""
        if not isinstance(data, dict):
            return handler(data)
        opened, seen = dict(data), {}
        for name in _SEALED_ENDPOINT_FIELDS:
            value = data.get(name)
            if isinstance(value, str) and sealing.is_sealed(value):
                opened[name] = sealing.current().open(value)
                seen[name] = (opened[name], value)
        record = handler(opened)
        record._as_stored = seen
        return record

    def stored(self) -> bytes:
        """JSON for Redis with the secrets sealed (an unchanged secret keeps its sealed bytes)."""
        data = self.model_dump(mode="json")
        for name in _SEALED_ENDPOINT_FIELDS:
            secret: SecretStr | None = getattr(self, name)
            if secret is None:
                continue
            plain = secret.get_secret_value()
            kept = self._as_stored.get(name)
            data[name] = kept[1] if kept is not None and kept[0] == plain else sealing.current().seal(plain)
        return orjson.dumps(data)


_SEALED_ENDPOINT_FIELDS = ("secret", "previous_secret")


class Subscription(BaseModel):
    """What emitting an event needs of an endpoint: no secret (session actors hold no key)."""

    id: str
    event_types: list[str] | None = None

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types


class DeliveryRecord(BaseModel):
    """One event to one endpoint: its state across attempts."""

    event_id: str
    event_type: str
    endpoint_id: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    # Attempts made before the latest redelivery: the retry budget counts from here.
    round_base: int = 0
    created_at: datetime
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    last_url: str | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class WebhookKeys:
    """The Redis layout. Tenant data lives under ``{prefix}:t:{tenant}:wh:``; the schedule is global.

    A delivery is named by ``{event_id}:{endpoint_id}`` within its tenant and by
    ``{tenant}:{event_id}:{endpoint_id}`` in the schedule (none of the parts can hold a colon).
    """

    prefix: str

    def tenant(self, tid: str) -> str:
        return f"{self.prefix}:t:{tid}:wh:"

    def endpoints(self, tid: str) -> str:
        return f"{self.tenant(tid)}ep"  # HASH endpoint id -> EndpointRecord

    def event(self, tid: str, event_id: str) -> str:
        return f"{self.tenant(tid)}ev:{event_id}"  # HASH body -> bytes, ep:{id} -> DeliveryRecord

    def attempts(self, tid: str, event_id: str) -> str:
        return f"{self.event(tid, event_id)}:att"  # LIST of attempt records, oldest first

    def log(self, tid: str) -> str:
        return f"{self.tenant(tid)}log"  # ZSET delivery name -> created_at

    def dead(self, tid: str) -> str:
        return f"{self.tenant(tid)}dead"  # ZSET delivery name -> dead-lettered at

    @property
    def due(self) -> str:
        return f"{self.prefix}:wh:due"  # ZSET schedule member -> due at (or lease end while claimed)

    def lease(self, member: str) -> str:
        return f"{self.prefix}:wh:lease:{member}"


def delivery_name(event_id: str, endpoint_id: str) -> str:
    return f"{event_id}:{endpoint_id}"


def schedule_member(tid: str, event_id: str, endpoint_id: str) -> str:
    return f"{tid}:{event_id}:{endpoint_id}"


# Writes the event and its deliveries, schedules them, and trims the tenant's log to LOG_KEEP,
# deleting finished deliveries that fall off, in one atomic step. Keys of trimmed events are built here from
# ARGV[5] (fine on the single Redis the runtime uses; not cluster-safe).
_ENQUEUE = """
local ev, logk, due, dead = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local event_id, created, retention, keep, tprefix, tid = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
redis.call('HSET', ev, 'body', ARGV[7])
for i = 8, #ARGV, 2 do
  local ep = ARGV[i]
  redis.call('HSET', ev, 'ep:' .. ep, ARGV[i + 1])
  redis.call('ZADD', logk, created, event_id .. ':' .. ep)
  redis.call('ZADD', due, created, tid .. ':' .. event_id .. ':' .. ep)
end
redis.call('EXPIRE', ev, retention)
local excess = redis.call('ZCARD', logk) - keep
if excess > 0 then
  -- Only finished deliveries fall off: one still scheduled is kept (at least once), so the
  -- log may run over while an endpoint is down, by what is pending for it.
  local removed = 0
  for _, m in ipairs(redis.call('ZRANGE', logk, 0, excess + 99)) do
    if removed >= excess then break end
    if not redis.call('ZSCORE', due, tid .. ':' .. m) then
      local old = string.match(m, '^([^:]+):')
      redis.call('DEL', tprefix .. 'ev:' .. old, tprefix .. 'ev:' .. old .. ':att')
      redis.call('ZREM', dead, m)
      redis.call('ZREM', logk, m)
      removed = removed + 1
    end
  end
end
return 1
"""


async def enqueue(redis: aioredis.Redis, prefix: str, tenant_id: str, event: Event,
                  endpoints: Sequence[EndpointRecord | Subscription]) -> None:
    """Queue ``event`` for each endpoint, due now. Raises on Redis errors (``emit`` does not)."""
    keys = WebhookKeys(prefix)
    created = event.timestamp.timestamp()
    args: list[str | bytes | float | int] = [event.id, created, RETENTION_S, LOG_KEEP, keys.tenant(tenant_id),
                                             tenant_id, event.body()]
    for ep in endpoints:
        record = DeliveryRecord(event_id=event.id, event_type=event.type, endpoint_id=ep.id,
                                created_at=event.timestamp, next_attempt_at=event.timestamp)
        args += [ep.id, record.model_dump_json()]
    script = redis.register_script(_ENQUEUE)
    await script(keys=[keys.event(tenant_id, event.id), keys.log(tenant_id), keys.due, keys.dead(tenant_id)],
                 args=args)


async def subscribed_endpoints(redis: aioredis.Redis, prefix: str, tenant_id: str,
                               event_type: str) -> list[Subscription]:
    raw = await redis.hvals(WebhookKeys(prefix).endpoints(tenant_id))  # type: ignore[misc]
    endpoints = [Subscription.model_validate_json(r) for r in raw]
    return [ep for ep in endpoints if ep.wants(event_type)]


async def emit(redis: aioredis.Redis, prefix: str, tenant_id: str, event_type: EventType,
               data: Mapping[str, Any], *, timeout_s: float = 2.0) -> str | None:
    """Queue one event for the tenant's subscribed endpoints; returns its id, or None if none wants it.

    Never raises and never waits longer than ``timeout_s``: the media path must not fail or
    stall for a webhook. A lost event is logged with its type and tenant.
    """
    try:
        kind = EventType(event_type)  # a plain string from a caller is checked against the catalog
        now = time.time()
        event = Event(id=new_event_id(now), type=kind.value, timestamp=datetime.fromtimestamp(now, timezone.utc),
                      data=dict(data))
        size = len(event.body())
        if size > MAX_PAYLOAD_BYTES:
            log.warning("webhook_event_too_large", tenant_id=tenant_id, event_type=kind.value, bytes=size)
            return None
        async with asyncio.timeout(timeout_s):
            endpoints = await subscribed_endpoints(redis, prefix, tenant_id, kind.value)
            if not endpoints:
                return None
            await enqueue(redis, prefix, tenant_id, event, endpoints)
    except Exception as exc:  # noqa: BLE001 - by contract: log and drop, never fail the caller
        log.warning("webhook_event_dropped", tenant_id=tenant_id, event_type=str(event_type),
                    error=f"{type(exc).__name__}: {exc}")
        return None
    return event.id


def call_data(call: CallRecord) -> dict[str, Any]:
    """The common payload of call.* and session.* events: ids and a summary, never transcripts."""
    return {"call_id": call.call_sid, "direction": call.direction, "from": call.from_number, "to": call.to_number,
            "status": call.status.value, "agent": {"name": call.agent_name, "version": call.agent_version},
            "duration_s": call.duration_s, "end_reason": call.end_reason}
