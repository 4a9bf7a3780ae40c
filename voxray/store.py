"""The Redis store: tenants, numbers, call records, transcripts, function calls, stream nonces.

Every key starts with the configured prefix; tenant data lives under ``{prefix}:t:{tenant}:``
so no query can reach another tenant's records.
"""

from __future__ import annotations

import time
from typing import Any, AsyncIterator

import orjson
import redis.asyncio as aioredis

from voxray import sealing
from voxray.records import (SEALED_TENANT_FIELDS, CallRecord, FunctionCall, SessionReview, Tenant,
                            TranscriptSegment)
from voxray.redis_batch import Batch, Reply, run_one, script
from voxray.redis_client import resilient
from voxray.sealing import Sealer, SealingUnavailable


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class StaleRecord(Exception):
    """The record changed since it was read (its revision is now ``current``)."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the record is at revision {current}")
        self.current = current


class RecordGone(Exception):
    """The record was deleted meanwhile."""


class NumberTaken(Exception):
    def __init__(self, number: str) -> None:
        super().__init__(f"{number} belongs to another tenant")
        self.number = number


# Compare-and-set. KEYS: record, its revision[, a set to add ARGV[3] to]. ARGV[1]: "any",
# "absent" (create), or the revision the writer read; ARGV[4] "1": the record must exist
# (tenants) unless creating. Returns the new revision, -1 when stale (as -1 - current), -2 gone.
_CAS = """
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
local exists = redis.call('EXISTS', KEYS[1]) == 1
local want = ARGV[1]
if want == 'absent' then
  if exists or redis.call('EXISTS', KEYS[2]) == 1 then return -1 - cur end
elseif want ~= 'any' then
  if ARGV[4] == '1' and not exists then return -1000000000 end
  if tonumber(want) ~= cur then return -1 - cur end
end
redis.call('SET', KEYS[1], ARGV[2])
if KEYS[3] then redis.call('SADD', KEYS[3], ARGV[3]) end
return redis.call('INCR', KEYS[2])
"""
_GONE = -1_000_000_000

# Delete a tenant at a revision. KEYS: record, revision, tenants set, retired marker.
_DELETE = """
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
if cur ~= tonumber(ARGV[1]) then return -1 - cur end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], tostring(cur + 1))
redis.call('SREM', KEYS[3], ARGV[2])
redis.call('SET', KEYS[4], '1')
return 1
"""

_CREATE_CALL = """
-- KEYS: callidx, record, tenant_calls ; ARGV: tenant, record_json, created_at, sid
-- The CallSid's first claim wins, and only the winner's record is written (one round trip).
-- A write failing after the claim is reported with the claim ({1, error}): the claim is the
-- caller's either way, so it may still mark its own record failed.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  -- The same request sent again (a client retry after a lost reply): the same answer. The record
  -- carries its creation time to the microsecond, so only the first request's copy matches.
  if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('GET', KEYS[2]) == ARGV[2] then return 1 end
  return 0
end
for _, r in ipairs({redis.pcall('SET', KEYS[2], ARGV[2]), redis.pcall('ZADD', KEYS[3], ARGV[3], ARGV[4])}) do
  if type(r) == 'table' and r.err then return {1, r.err} end
end
return 1
"""

class ClaimedWriteFailed(Exception):
    """The CallSid was claimed, but writing its record or index failed."""


def _created(rows: list[Any]) -> bool:
    res = rows[0]
    if isinstance(res, list):
        raise ClaimedWriteFailed(res[1].decode() if isinstance(res[1], bytes) else str(res[1]))
    return bool(res)


# The number's tenant in one round trip (call setup pays each trip behind a busy event loop).
# ARGV[1] is the key prefix: the tenant key is only known once the number is read.
_TENANT_OF_NUMBER = """
local tid = redis.call('GET', KEYS[1])
if not tid then return false end
return redis.call('GET', ARGV[1] .. ':tenant:' .. tid)
"""


def _cas_result(rev: int) -> int:
    if rev == _GONE:
        raise RecordGone()
    if rev < 0:
        raise StaleRecord(-rev - 1)
    return rev


class Store:
    def __init__(self, redis: aioredis.Redis, prefix: str = "vx", sealer: Sealer | None = None) -> None:
        self.redis = redis
        self.p = prefix
        self._own_sealer = sealer
        self._cas = redis.register_script(_CAS)
        self._delete = redis.register_script(_DELETE)

    @classmethod
    def from_url(cls, url: str, prefix: str = "vx", sealer: Sealer | None = None) -> "Store":
        return cls(resilient(url), prefix, sealer)  # retries across a Redis restart (redis_client.py)

    @property
    def _sealer(self) -> Sealer | None:
        """The sealer for reading: this store's, else the process's, else None (cleartext only)."""
        if self._own_sealer is not None:
            return self._own_sealer
        try:
            return sealing.current()
        except SealingUnavailable:
            return None

    @property
    def sealer(self) -> Sealer:
        """The sealer for writing: required (secrets are never written in clear)."""
        return self._own_sealer or sealing.current()

    async def reseal_tenants(self) -> int:
        """Re-seal every tenant's secrets with the primary key (rotation); returns how many changed."""
        changed = 0
        for tid in sorted(_text(m) for m in await self.redis.smembers(f"{self.p}:tenants")):
            for _ in range(10):
                raw, rev = await self.redis.mget([self._tenant(tid), self._tenant_rev(tid)])
                if not raw:
                    break
                data = orjson.loads(raw)
                todo = {n: data[n] for n in SEALED_TENANT_FIELDS
                        if isinstance(data.get(n), str) and not self.sealer.sealed_by_primary(data[n])}
                if not todo:
                    break
                data.update({n: self.sealer.reseal(v) for n, v in todo.items()})
                try:
                    _cas_result(int(await self._cas(keys=[self._tenant(tid), self._tenant_rev(tid)],
                                                    args=[str(int(rev or 0)), orjson.dumps(data), "", "1"])))
                    changed += 1
                    break
                except StaleRecord:
                    continue
        return changed

    async def close(self) -> None:
        await self.redis.aclose()

    # ---- keys
    def _tenant(self, tid: str) -> str:
        return f"{self.p}:tenant:{tid}"

    def _tenant_rev(self, tid: str) -> str:
        return f"{self.p}:tenant:{tid}:rev"

    def _number(self, number: str) -> str:
        return f"{self.p}:number:{number}"

    def _call(self, tid: str, sid: str) -> str:
        return f"{self.p}:t:{tid}:call:{sid}"

    # ---- tenants
    # Every tenant record and review has a revision (``...:rev``), bumped by each write. Writes
    # name the revision they read and the script refuses if it moved, so two concurrent edits
    # never lose one another (F3, F9). Number -> tenant mappings change only through
    # claim_numbers and release_numbers: saving a tenant never touches them.

    async def put_tenant(self, tenant: Tenant) -> int:
        """Create or overwrite a tenant, claiming its numbers (seeding and tests; the API uses
        create_tenant/update_tenant). Raises NumberTaken if another tenant holds one."""
        if (taken := await self.claim_numbers(tenant.id, tenant.phone_numbers)) is not None:
            raise NumberTaken(taken)
        return await self._write_tenant(tenant, "any")

    async def create_tenant(self, tenant: Tenant) -> int:
        """Store a new tenant (its numbers already claimed); returns its revision."""
        return await self._write_tenant(tenant, "absent")

    async def update_tenant(self, tenant: Tenant, expected_rev: int) -> int:
        """Replace the tenant if it is still at ``expected_rev``; raises StaleRecord or RecordGone."""
        return await self._write_tenant(tenant, str(expected_rev))

    async def _write_tenant(self, tenant: Tenant, expect: str) -> int:
        rev = await self._cas(keys=[self._tenant(tenant.id), self._tenant_rev(tenant.id), f"{self.p}:tenants"],
                              args=[expect, orjson.dumps(tenant.stored(self.sealer)), tenant.id, "1"])
        return _cas_result(int(rev))

    async def get_tenant(self, tid: str) -> Tenant | None:
        found = await self.get_tenant_rev(tid)
        return found[0] if found else None

    async def get_tenant_rev(self, tid: str) -> tuple[Tenant, int] | None:
        """The tenant and its revision (the API's ETag)."""
        raw, rev = await self.redis.mget([self._tenant(tid), self._tenant_rev(tid)])
        return (Tenant.from_stored(raw, self._sealer), int(rev or 0)) if raw else None

    async def tenant_for_number(self, number: str) -> Tenant | None:
        return await run_one(self.redis, lambda batch: self.tenant_for_number_on(batch, number))

    def tenant_for_number_on(self, batch: Batch, number: str) -> Reply[Tenant | None]:
        """``tenant_for_number`` as part of a batch."""
        script(batch.pipe, _TENANT_OF_NUMBER, [self._number(number)], [self.p])
        return batch.mark(lambda r: self._number_owner(number, r[0]))

    def get_tenant_on(self, batch: Batch, tid: str) -> Reply[Tenant | None]:
        """``get_tenant`` as part of a batch."""
        batch.pipe.get(self._tenant(tid))
        return batch.mark(lambda r: Tenant.from_stored(r[0], self._sealer) if r[0] else None)

    def _number_owner(self, number: str, raw: bytes | None) -> Tenant | None:
        tenant = Tenant.from_stored(raw, self._sealer) if raw else None
        # A number claimed by an edit that has not been saved (or failed) is nobody's yet.
        return tenant if tenant is not None and number in tenant.phone_numbers else None

    async def list_tenants(self) -> list[Tenant]:
        ids = sorted(_text(m) for m in await self.redis.smembers(f"{self.p}:tenants"))
        raws = await self.redis.mget([self._tenant(i) for i in ids]) if ids else []
        return [Tenant.from_stored(r, self._sealer) for r in raws if r]

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

    async def newly_claim_numbers(self, tid: str, numbers: list[str]) -> tuple[list[str], str | None]:
        """Like claim_numbers, also returning the numbers this call newly claimed (to undo them)."""
        claimed: list[str] = []
        for number in numbers:
            if await self.redis.set(self._number(number), tid, nx=True):
                claimed.append(number)
            elif _text(await self.redis.get(self._number(number)) or b"") != tid:
                await self.release_numbers(tid, claimed)
                return [], number
        return claimed, None

    async def release_numbers(self, tid: str, numbers: list[str]) -> None:
        for number in numbers:
            key = self._number(number)
            # Only release what this tenant holds (compare-and-delete).
            await self.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                  "return redis.call('DEL', KEYS[1]) end return 0", 1, key, tid)

    async def delete_tenant(self, tid: str, expected_rev: int | None = None) -> bool:
        """Remove the tenant (at ``expected_rev`` if given, else StaleRecord); its id is retired for
        good, so a new tenant never inherits its records (calls, webhooks, governance state kept for
        audit), and a concurrent edit can never bring it back (the edit finds no record)."""
        found = await self.get_tenant_rev(tid)
        if found is None:
            return False
        tenant, rev = found
        if expected_rev is not None and rev != expected_rev:
            raise StaleRecord(rev)
        gone = int(await self._delete(keys=[self._tenant(tid), self._tenant_rev(tid), f"{self.p}:tenants",
                                            f"{self.p}:tenant_retired:{tid}"], args=[rev, tid]))
        if gone < 0:
            raise StaleRecord(-gone - 1)
        await self.release_numbers(tid, tenant.phone_numbers)
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
            self._queue_save(pipe, call)
            await pipe.execute()

    def _queue_save(self, pipe: Any, call: CallRecord) -> None:
        pipe.set(self._call(call.tenant_id, call.call_sid), call.model_dump_json())
        pipe.zadd(f"{self.p}:t:{call.tenant_id}:calls", {call.call_sid: call.created_at.timestamp()})
        pipe.set(f"{self.p}:callidx:{call.call_sid}", call.tenant_id)

    async def create_call(self, call: CallRecord) -> bool:
        """Claim a CallSid for a tenant and save its record: False (nothing written) if any
        tenant already has a record for it."""
        return await run_one(self.redis, lambda batch: self.create_call_on(batch, call))

    def create_call_on(self, batch: Batch, call: CallRecord) -> Reply[bool]:
        """``create_call`` as part of a batch."""
        script(batch.pipe, _CREATE_CALL, [f"{self.p}:callidx:{call.call_sid}", self._call(call.tenant_id, call.call_sid),
                                          f"{self.p}:t:{call.tenant_id}:calls"],
               [call.tenant_id, call.model_dump_json(), call.created_at.timestamp(), call.call_sid])
        return batch.mark(_created)

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
        return (await self.get_review_rev(tid, sid))[0]

    async def get_review_rev(self, tid: str, sid: str) -> tuple[SessionReview, int]:
        """The review and its revision (0: never written)."""
        key = f"{self._call(tid, sid)}:review"
        raw, rev = await self.redis.mget([key, f"{key}:rev"])
        return (SessionReview.model_validate_json(raw) if raw else SessionReview()), int(rev or 0)

    async def put_review(self, tid: str, sid: str, review: SessionReview, expected_rev: int | None = None) -> int:
        """Write the review if it is still at ``expected_rev`` (None: unconditionally); raises StaleRecord."""
        key = f"{self._call(tid, sid)}:review"
        rev = await self._cas(keys=[key, f"{key}:rev"],
                              args=["any" if expected_rev is None else str(expected_rev), review.model_dump_json(),
                                    "", "0"])
        return _cas_result(int(rev))

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
