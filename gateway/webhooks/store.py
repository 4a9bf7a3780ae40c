"""Webhook state in Redis: endpoints, the delivery schedule with leases, attempts, dead letters.

Layout in ``voxray.events.WebhookKeys``. Deliveries wait in one schedule ZSET scored by when
they are due. A worker claims due ones by pushing their score to the end of a lease and
setting a lease token, atomically (Lua), so two gateways never run the same attempt at once;
if the worker dies, the score comes due again when the lease ends and another worker retries
(at least once). An attempt's result is written only while its lease token is still current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, AsyncIterator

import redis.asyncio as aioredis
from pydantic import BaseModel

from voxray.events import (RETENTION_S, DeliveryRecord, DeliveryState, EndpointRecord, Event, WebhookKeys,
                           delivery_name, schedule_member)

ATTEMPTS_KEEP = 200  # per event; far above any retry budget, only bounds redelivery loops
DEAD_KEEP = 10_000

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do
  redis.call('ZADD', KEYS[1], ARGV[2], m)
  redis.call('SET', ARGV[6] .. m, ARGV[4], 'PX', ARGV[5])
end
return due
"""

# KEYS: due, lease, event, attempts, dead. ARGV: token, member, field, record, attempt ('' = none), next_at
# ('' = leave the schedule), dead name ('' = not dead), now, retention, attempts kept, dead kept.
_FINISH = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
  if ARGV[5] ~= '' then
    redis.call('RPUSH', KEYS[4], ARGV[5])
    redis.call('LTRIM', KEYS[4], -tonumber(ARGV[10]), -1)
    redis.call('EXPIRE', KEYS[4], ARGV[9])
  end
end
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[1], ARGV[6], ARGV[2]) else redis.call('ZREM', KEYS[1], ARGV[2]) end
if ARGV[7] ~= '' then
  redis.call('ZADD', KEYS[5], ARGV[8], ARGV[7])
  redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -tonumber(ARGV[11]) - 1)
end
return 1
"""

# KEYS: due, lease, event, dead. ARGV: member, field, expected record, new record, due at, dead name.
# -1: an attempt is in flight; 0: the record changed since it was read.
_REDELIVER = """
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[3], ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[6])
return 1
"""

# Compare-and-set one endpoint: ARGV[2] '' = must not exist (and, for now, the tenant has no
# endpoint at all: one per tenant); ARGV[3] '' = delete.
_PUT_ENDPOINT = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  if current or redis.call('HLEN', KEYS[1]) > 0 then return 0 end
elseif current ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
"""


class AttemptRecord(BaseModel):
    endpoint_id: str
    url: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float
    state: DeliveryState
    next_attempt_at: datetime | None


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery and all that is needed to attempt it."""

    member: str
    token: str
    tenant_id: str
    record: DeliveryRecord | None  # None: the event expired or was trimmed from the log
    body: bytes | None
    endpoint: EndpointRecord | None  # None: the endpoint was deleted


@dataclass(frozen=True)
class StoredEvent:
    event: Event
    body: bytes  # exactly as sent
    deliveries: list[DeliveryRecord]


def _bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode()


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class RedeliveryConflict(Exception):
    """The delivery cannot be redelivered now (delivered already, or an attempt is in flight)."""


class WebhookStore:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis = redis
        self.keys = WebhookKeys(prefix)
        self._claim = redis.register_script(_CLAIM)
        self._finish = redis.register_script(_FINISH)
        self._redeliver = redis.register_script(_REDELIVER)
        self._put_endpoint = redis.register_script(_PUT_ENDPOINT)

    # ---- endpoints
    async def endpoint(self, tid: str) -> EndpointRecord | None:
        """The tenant's endpoint (one per tenant for now; the layout holds several)."""
        raw: list[Any] = await self.redis.hvals(self.keys.endpoints(tid))  # type: ignore[misc]
        records = sorted((EndpointRecord.model_validate_json(r) for r in raw), key=lambda e: e.created_at)
        return records[0] if records else None

    async def get_endpoint(self, tid: str, endpoint_id: str) -> EndpointRecord | None:
        raw = await self.redis.hget(self.keys.endpoints(tid), endpoint_id)  # type: ignore[misc]
        return EndpointRecord.model_validate_json(raw) if raw else None

    async def put_endpoint(self, tid: str, new: EndpointRecord | None, old: EndpointRecord | None) -> bool:
        """Replace ``old`` (None: create) with ``new`` (None: delete); False if it changed meanwhile."""
        current = new or old
        if current is None:
            return True
        done = await self._put_endpoint(keys=[self.keys.endpoints(tid)],
                                        args=[current.id, old.stored() if old else "", new.stored() if new else ""])
        return bool(done)

    # ---- the schedule
    async def claim(self, now: float, lease_s: float, limit: int, token: str) -> list[str]:
        rows = await self._claim(keys=[self.keys.due],
                                 args=[now, now + lease_s, limit, token, int(lease_s * 1000), self.keys.lease("")])
        return [_text(r) for r in rows]

    async def load(self, member: str, token: str) -> Claimed:
        tid, event_id, endpoint_id = member.split(":")
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self.keys.event(tid, event_id), ["body", f"ep:{endpoint_id}"])
            pipe.hget(self.keys.endpoints(tid), endpoint_id)
            (body, record), endpoint = await pipe.execute()
        return Claimed(member=member, token=token, tenant_id=tid,
                       record=DeliveryRecord.model_validate_json(record) if record else None,
                       body=_bytes(body) if body else None,
                       endpoint=EndpointRecord.model_validate_json(endpoint) if endpoint else None)

    async def finish(self, claimed: Claimed, record: DeliveryRecord, attempt: AttemptRecord | None,
                     now: float) -> bool:
        """Write an attempt's outcome and reschedule, retire or dead-letter; False if the lease was lost."""
        tid, event_id, endpoint_id = claimed.member.split(":")
        waiting = record.state in (DeliveryState.PENDING, DeliveryState.FAILED)
        next_at = record.next_attempt_at.timestamp() if waiting and record.next_attempt_at else ""
        dead = delivery_name(event_id, endpoint_id) if record.state is DeliveryState.DEAD else ""
        done = await self._finish(
            keys=[self.keys.due, self.keys.lease(claimed.member), self.keys.event(tid, event_id),
                  self.keys.attempts(tid, event_id), self.keys.dead(tid)],
            args=[claimed.token, claimed.member, f"ep:{endpoint_id}", record.model_dump_json(),
                  attempt.model_dump_json() if attempt else "", next_at, dead, now, RETENTION_S, ATTEMPTS_KEEP,
                  DEAD_KEEP])
        return bool(done)

    async def drop(self, claimed: Claimed) -> None:
        """Take a delivery whose event is gone off the schedule (only while we hold its lease)."""
        await self.redis.eval("if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) "
                              "redis.call('ZREM', KEYS[1], ARGV[2]) end return 1", 2,  # type: ignore[misc]
                              self.keys.due, self.keys.lease(claimed.member), claimed.token, claimed.member)

    # ---- the log
    async def scan_deliveries(self, tid: str, *, before: tuple[float, str] | None = None,
                              batch: int = 200) -> AsyncIterator[DeliveryRecord]:
        """The tenant's deliveries newest first, by (created_at, name) descending; ``before`` is exclusive."""
        index = self.keys.log(tid)
        high: float | str = before[0] if before else "+inf"
        skip_ties = before
        while True:
            rows: list[Any] = await self.redis.zrevrangebyscore(index, high, "-inf", start=0, num=batch,
                                                                withscores=True)
            names = [(float(score), _text(m)) for m, score in rows]
            if skip_ties is not None:
                names = [(s, n) for s, n in names if s < skip_ties[0] or n < skip_ties[1]]
            if names:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for _, name in names:
                        event_id, endpoint_id = name.split(":")
                        pipe.hget(self.keys.event(tid, event_id), f"ep:{endpoint_id}")
                    raws = await pipe.execute()
                for raw in raws:
                    if raw:
                        yield DeliveryRecord.model_validate_json(raw)
            if len(rows) < batch:
                return
            high, skip_ties = float(rows[-1][1]), (float(rows[-1][1]), _text(rows[-1][0]))

    async def event(self, tid: str, event_id: str) -> StoredEvent | None:
        raw: dict[Any, Any] = await self.redis.hgetall(self.keys.event(tid, event_id))  # type: ignore[misc]
        fields = {_text(k): v for k, v in raw.items()}
        if "body" not in fields:
            return None
        deliveries = [DeliveryRecord.model_validate_json(v) for k, v in sorted(fields.items()) if k.startswith("ep:")]
        body = _bytes(fields["body"])
        return StoredEvent(Event.model_validate_json(body), body, deliveries)

    async def attempts(self, tid: str, event_id: str) -> list[AttemptRecord]:
        rows: list[Any] = await self.redis.lrange(self.keys.attempts(tid, event_id), 0, -1)  # type: ignore[misc]
        return [AttemptRecord.model_validate_json(r) for r in rows]

    async def redeliver(self, tid: str, event_id: str, endpoint_id: str, now: datetime) -> DeliveryRecord:
        """Make a failed or dead delivery due now with a fresh retry budget."""
        field = f"ep:{endpoint_id}"
        raw = await self.redis.hget(self.keys.event(tid, event_id), field)  # type: ignore[misc]
        if not raw:
            raise RedeliveryConflict("the delivery no longer exists")
        record = DeliveryRecord.model_validate_json(raw)
        if record.state not in (DeliveryState.FAILED, DeliveryState.DEAD):
            raise RedeliveryConflict(f"the delivery is {record.state.value}")
        again = record.model_copy(update={"state": DeliveryState.PENDING, "round_base": record.attempts,
                                          "next_attempt_at": now})
        member = schedule_member(tid, event_id, endpoint_id)
        # Compare-and-set on the stored bytes: a worker's concurrent write wins, and we say so.
        done = await self._redeliver(
            keys=[self.keys.due, self.keys.lease(member), self.keys.event(tid, event_id), self.keys.dead(tid)],
            args=[member, field, _bytes(raw), again.model_dump_json(), now.timestamp(),
                  delivery_name(event_id, endpoint_id)])
        if done == -1:
            raise RedeliveryConflict("an attempt is in flight")
        if done == 0:
            raise RedeliveryConflict("the delivery changed meanwhile; read it again")
        return again
