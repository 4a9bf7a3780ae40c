"""The Redis store: tenants, numbers, call records, transcripts, function calls, stream nonces.

Every key starts with the configured prefix; tenant data lives under ``{prefix}:t:{tenant}:``
so no query can reach another tenant's records.
"""

from __future__ import annotations

import time
from typing import Any, AsyncIterator

import orjson
import redis.asyncio as aioredis

from voxray.records import CallRecord, FunctionCall, SessionReview, Tenant, TranscriptSegment


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class Store:
    def __init__(self, redis: aioredis.Redis, prefix: str = "vx") -> None:
        self.redis = redis
        self.p = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "vx") -> "Store":
        return cls(aioredis.Redis.from_url(url, decode_responses=False), prefix)

    async def close(self) -> None:
        await self.redis.aclose()

    # ---- keys
    def _tenant(self, tid: str) -> str:
        return f"{self.p}:tenant:{tid}"

    def _number(self, number: str) -> str:
        return f"{self.p}:number:{number}"

    def _call(self, tid: str, sid: str) -> str:
        return f"{self.p}:t:{tid}:call:{sid}"

    # ---- tenants
    async def put_tenant(self, tenant: Tenant) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._tenant(tenant.id), orjson.dumps(tenant.stored()))
            pipe.sadd(f"{self.p}:tenants", tenant.id)
            for number in tenant.phone_numbers:
                pipe.set(self._number(number), tenant.id)
            await pipe.execute()

    async def get_tenant(self, tid: str) -> Tenant | None:
        raw = await self.redis.get(self._tenant(tid))
        return Tenant.model_validate_json(raw) if raw else None

    async def tenant_for_number(self, number: str) -> Tenant | None:
        tid = await self.redis.get(self._number(number))
        return await self.get_tenant(_text(tid)) if tid else None

    async def list_tenants(self) -> list[Tenant]:
        ids = sorted(_text(m) for m in await self.redis.smembers(f"{self.p}:tenants"))
        raws = await self.redis.mget([self._tenant(i) for i in ids]) if ids else []
        return [Tenant.model_validate_json(r) for r in raws if r]

    async def claim_numbers(self, tid: str, numbers: list[str]) -> str | None:
        """Give each number to the tenant unless another tenant holds it; returns the first taken one.

        All or nothing: on a conflict, only the numbers this call newly claimed are released
        (numbers the tenant already held stay mapped).
        """
        claimed: list[str] = []
        for number in numbers:
            if await self.redis.set(self._number(number), tid, nx=True):
                claimed.append(number)
            elif _text(await self.redis.get(self._number(number)) or b"") != tid:
                await self.release_numbers(tid, claimed)
                return number
        return None

    async def release_numbers(self, tid: str, numbers: list[str]) -> None:
        for number in numbers:
            key = self._number(number)
            # Only release what this tenant holds (compare-and-delete).
            await self.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                  "return redis.call('DEL', KEYS[1]) end return 0", 1, key, tid)

    async def delete_tenant(self, tid: str) -> bool:
        """Remove the tenant; its id is retired for good, so a new tenant never inherits its
        records (calls, webhooks, governance state kept for audit)."""
        tenant = await self.get_tenant(tid)
        if tenant is None:
            return False
        await self.release_numbers(tid, tenant.phone_numbers)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._tenant(tid))
            pipe.srem(f"{self.p}:tenants", tid)
            pipe.set(f"{self.p}:tenant_retired:{tid}", "1")
            await pipe.execute()
        return True

    async def tenant_id_taken(self, tid: str) -> bool:
        return bool(await self.redis.exists(self._tenant(tid), f"{self.p}:tenant_retired:{tid}"))

    async def append_config_history(self, tid: str, entry: bytes) -> None:
        await self.redis.rpush(f"{self.p}:tenant:{tid}:config_history", entry)

    async def config_history(self, tid: str, offset: int, limit: int) -> tuple[list[bytes], int]:
        key = f"{self.p}:tenant:{tid}:config_history"
        total = int(await self.redis.llen(key))
        # Newest first.
        end = total - 1 - offset
        start = max(0, end - limit + 1)
        rows = await self.redis.lrange(key, start, end) if end >= 0 else []
        return [r if isinstance(r, bytes) else r.encode() for r in rows[::-1]], total

    async def tenant_count(self) -> int:
        return int(await self.redis.scard(f"{self.p}:tenants"))

    # ---- calls
    async def save_call(self, call: CallRecord) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._call(call.tenant_id, call.call_sid), call.model_dump_json())
            pipe.zadd(f"{self.p}:t:{call.tenant_id}:calls", {call.call_sid: call.created_at.timestamp()})
            pipe.set(f"{self.p}:callidx:{call.call_sid}", call.tenant_id)
            await pipe.execute()

    async def create_call(self, call: CallRecord) -> bool:
        """Claim a CallSid for a tenant: False if any tenant already has a record for it."""
        if not await self.redis.set(f"{self.p}:callidx:{call.call_sid}", call.tenant_id, nx=True):
            return False
        await self.save_call(call)
        return True

    async def get_call(self, tid: str, sid: str) -> CallRecord | None:
        raw = await self.redis.get(self._call(tid, sid))
        return CallRecord.model_validate_json(raw) if raw else None

    async def tenant_of_call(self, sid: str) -> str | None:
        raw = await self.redis.get(f"{self.p}:callidx:{sid}")
        return _text(raw) if raw else None

    async def update_call(self, tid: str, sid: str, **fields: Any) -> CallRecord | None:
        call = await self.get_call(tid, sid)
        if call is None:
            return None
        call = call.model_copy(update=fields)
        await self.save_call(call)
        return call

    async def scan_calls(self, tid: str, *, before: tuple[float, str] | None = None,
                         since: float | None = None, until: float | None = None,
                         batch: int = 200) -> AsyncIterator[CallRecord]:
        """A tenant's calls newest first, ordered by (created_at, call_sid) descending.

        ``before`` is an exclusive keyset position, which is what makes cursors stable while
        new calls are inserted at the head.
        """
        index = f"{self.p}:t:{tid}:calls"
        high: float | str = until if until is not None else "+inf"
        if before is not None:
            high = before[0] if until is None else min(before[0], until)
        low: float | str = since if since is not None else "-inf"
        skip_ties = before
        while True:
            rows: list[Any] = await self.redis.zrevrangebyscore(index, high, low, start=0, num=batch,
                                                                withscores=True)
            members = [(float(score), _text(m)) for m, score in rows]
            if skip_ties is not None:
                # Equal scores sort by member (descending here): drop what the cursor already passed.
                members = [(sc, m) for sc, m in members if sc < skip_ties[0] or m < skip_ties[1]]
            if members:
                raws = await self.redis.mget([self._call(tid, m) for _, m in members])
                for raw in raws:
                    if raw:
                        yield CallRecord.model_validate_json(raw)
            if len(rows) < batch:
                return
            last_score, last_member = float(rows[-1][1]), _text(rows[-1][0])
            high, skip_ties = last_score, (last_score, last_member)

    async def get_review(self, tid: str, sid: str) -> SessionReview:
        raw = await self.redis.get(f"{self._call(tid, sid)}:review")
        return SessionReview.model_validate_json(raw) if raw else SessionReview()

    async def put_review(self, tid: str, sid: str, review: SessionReview) -> None:
        await self.redis.set(f"{self._call(tid, sid)}:review", review.model_dump_json())

    # ---- voice session content
    async def append_transcript(self, tid: str, sid: str, segment: TranscriptSegment) -> None:
        await self.redis.rpush(f"{self._call(tid, sid)}:transcript", segment.model_dump_json())

    async def transcript(self, tid: str, sid: str) -> list[TranscriptSegment]:
        rows = await self.redis.lrange(f"{self._call(tid, sid)}:transcript", 0, -1)
        return [TranscriptSegment.model_validate_json(r) for r in rows]

    async def append_function_call(self, tid: str, sid: str, fc: FunctionCall) -> None:
        await self.redis.rpush(f"{self._call(tid, sid)}:functions", fc.model_dump_json())

    async def function_calls(self, tid: str, sid: str) -> list[FunctionCall]:
        rows = await self.redis.lrange(f"{self._call(tid, sid)}:functions", 0, -1)
        return [FunctionCall.model_validate_json(r) for r in rows]

    # ---- stream tokens
    async def register_stream_nonce(self, nonce: str, call_sid: str, expires_at: int) -> None:
        await self.redis.set(f"{self.p}:stoken:{nonce}", call_sid, exat=expires_at + 1)

    async def consume_stream_nonce(self, nonce: str) -> str | None:
        """Atomically take the nonce: the first caller gets the call SID, replays get None."""
        raw = await self.redis.getdel(f"{self.p}:stoken:{nonce}")
        return _text(raw) if raw else None

    async def ping(self) -> float:
        t = time.perf_counter()
        await self.redis.ping()
        return (time.perf_counter() - t) * 1000
