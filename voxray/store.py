"""The Redis store: tenants, numbers, call records, transcripts, function calls, stream nonces.

Every key starts with the configured prefix; tenant data lives under ``{prefix}:t:{tenant}:``
so no query can reach another tenant's records.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
import redis.asyncio as aioredis

from voxray.records import CallRecord, FunctionCall, Tenant, TranscriptSegment


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
