"""Cluster-wide call state in Redis: which session actor owns each live call, and admission.

Every gateway, session actor and the pool supervisor share this, so a call's webhook and its
media websocket may reach different gateways, and per-tenant and cluster limits hold across all
of them. Each change is one Lua script (one round trip, atomic):

- ``{p}:pool:cap``   HASH actor -> call slots (0: takes no new calls: draining or retiring)
- ``{p}:pool:live``  HASH actor -> calls it holds now
- ``{p}:pool:kind``  HASH actor -> ``shared`` | ``dedicated`` (unbound) | ``dedicated:<tenant>``
- ``{p}:pool:addr``  HASH actor -> ``{"host", "port", "node"}`` (its media socket)
- ``{p}:pool:hot``   HASH actor -> until when it reported no headroom (event-loop lag, CPU)
- ``{p}:pool:calls:<actor>`` SET of its call SIDs
- ``{p}:live:calls`` HASH call SID -> ``{"tenant", "actor", "link_key", "host", "port", "node", "at"}``
- ``{p}:live:t:<tenant>`` ZSET call SID (or a pending outbound placement) -> expiry; live calls
  never expire, outbound calls still ringing do (``ring_timeout_s``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson
import redis.asyncio as aioredis

from voxray.redis_batch import Batch, Reply, run_one, script

SHARED = "shared"
DEDICATED = "dedicated"

# The one rule admission and the room check share (two scripts sent by EVAL cannot share a
# function, so both are sent with it in front).
_SLOT_STATE = """
-- How many more calls actor `name` (capacity `cap`) takes, and whether it reported no headroom
-- (hot) until after `now`.
local function slot_state(live_key, hot_key, name, cap, now)
  local free = cap - tonumber(redis.call('HGET', live_key, name) or '0')
  return free, tonumber(redis.call('HGET', hot_key, name) or '0') > now
end
"""

_ADMIT = _SLOT_STATE + """
-- KEYS: live_calls, tenant_zset, cap, live, kind, addr, hot ; ARGV: sid, tenant, limit, max_live, now, isolation, link_key, pool_calls_prefix
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then
  -- The same admission sent again (a client retry after a lost reply): the same answer.
  if cjson.decode(existing).link_key == ARGV[7] then return {'ok', existing} end
  return {'err', 'duplicate_call'}
end
local now = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[5])
local held = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not held) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return {'err', 'tenant_concurrency_limit'} end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return {'err', 'capacity'} end
local caps = redis.call('HGETALL', KEYS[3])
local best, bestfree, bestbound = nil, 0, false
local hot_seen = false
for i = 1, #caps, 2 do
  local name, cap = caps[i], tonumber(caps[i + 1])
  if cap > 0 then
    local kind = redis.call('HGET', KEYS[5], name) or 'shared'
    local ok, bound = false, false
    if ARGV[6] == 'shared' then
      ok = (kind == 'shared')
    elseif kind == 'dedicated:' .. ARGV[2] then
      ok, bound = true, true
    elseif kind == 'dedicated' then
      ok = true
    end
    if ok then
      local free, hot = slot_state(KEYS[4], KEYS[7], name, cap, now)
      if free > 0 then
        if hot then
          hot_seen = true
        elseif best == nil or (bound and not bestbound) or (bound == bestbound and free > bestfree) then
          best, bestfree, bestbound = name, free, bound
        end
      end
    end
  end
end
if best == nil then
  if ARGV[6] ~= 'shared' and not hot_seen then return {'err', 'no_dedicated_capacity'} end
  return {'err', hot_seen and 'overloaded' or 'capacity'}
end
redis.call('HINCRBY', KEYS[4], best, 1)
if ARGV[6] ~= 'shared' and not bestbound then redis.call('HSET', KEYS[5], best, 'dedicated:' .. ARGV[2]) end
local addr = cjson.decode(redis.call('HGET', KEYS[6], best) or '{}')
local entry = cjson.encode({tenant = ARGV[2], actor = best, link_key = ARGV[7], host = addr.host,
                            port = addr.port, node = addr.node, at = now})
redis.call('HSET', KEYS[1], ARGV[1], entry)
redis.call('ZADD', KEYS[2], '+inf', ARGV[1])
redis.call('SADD', ARGV[8] .. best, ARGV[1])
return {'ok', entry}
"""

_ROOM = _SLOT_STATE + """
-- KEYS: live_calls, cap, live, kind, hot ; ARGV: max_live, now
-- Why a new shared call would be refused now ('' = it would not): read-only, so a webhook asks it
-- in its first round trip and answers a full cluster at once; admission itself still decides.
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then return 'capacity' end
local caps = redis.call('HGETALL', KEYS[2])
local now, hot_seen = tonumber(ARGV[2]), false
for i = 1, #caps, 2 do
  local name, cap = caps[i], tonumber(caps[i + 1])
  if cap > 0 and (redis.call('HGET', KEYS[4], name) or 'shared') == 'shared' then
    local free, hot = slot_state(KEYS[3], KEYS[5], name, cap, now)
    if free > 0 then
      if not hot then return '' end
      hot_seen = true
    end
  end
end
return hot_seen and 'overloaded' or 'capacity'
"""

_RELEASE = """
-- KEYS: live_calls, live, tenant_zset ; ARGV: sid, pool_calls_prefix, cap, actor ('' = whichever holds it)
-- Only the actor holding the call gives it back: a slow actor whose hand-over timed out must not
-- release the call after it moved on to another one.
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 0
end
local e = cjson.decode(raw)
if ARGV[4] ~= '' and e.actor ~= ARGV[4] then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('SREM', ARGV[2] .. e.actor, ARGV[1]) == 1 and redis.call('HEXISTS', ARGV[3], e.actor) == 1 then
  redis.call('HINCRBY', KEYS[2], e.actor, -1)
end
return 1
"""

_DROP_HOLD = """
-- KEYS: tenant_zset, live_calls ; ARGV: member. A live call's own entry is the release's to remove.
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[1])
"""

_SET_IF_PRESENT = """
-- KEYS: cap (membership), target hash ; ARGV: actor, value. Never re-creates a dropped actor's entry.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""

_HOLD = """
-- KEYS: tenant_zset ; ARGV: member, limit, expiry, now
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[4])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
"""

_REBIND = """
-- KEYS: tenant_zset ; ARGV: old, new, expiry. The new member keeps a live call's 'inf'.
redis.call('ZREM', KEYS[1], ARGV[1])
local cur = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not cur then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2]) end
return 1
"""

_DROP_ACTOR = """
-- KEYS: cap, live, kind, addr, hot, live_calls, pool_calls ; ARGV: actor, tenant_zset_prefix
local sids = redis.call('SMEMBERS', KEYS[7])
local out = {}
for _, sid in ipairs(sids) do
  local raw = redis.call('HGET', KEYS[6], sid)
  if raw then
    local e = cjson.decode(raw)
    if e.actor == ARGV[1] then
      redis.call('HDEL', KEYS[6], sid)
      redis.call('ZREM', ARGV[2] .. e.tenant, sid)
      table.insert(out, sid)
      table.insert(out, e.tenant)
    end
  end
end
for i = 1, 5 do redis.call('HDEL', KEYS[i], ARGV[1]) end
redis.call('DEL', KEYS[7])
return out
"""

_ISSUE_STREAM = """
-- KEYS: streamed marker, nonce key ; ARGV: sid, nonce expiry (unix s), nonce
-- The marker holds the nonce it was issued for: the same request sent again (a client retry
-- after a lost reply) gets the same answer; any other request for the call gets 0.
if not redis.call('SET', KEYS[1], ARGV[3], 'NX', 'EX', 86400) then
  return redis.call('GET', KEYS[1]) == ARGV[3] and 1 or 0
end
redis.call('SET', KEYS[2], ARGV[1], 'EXAT', ARGV[2])
return 1
"""


@dataclass(frozen=True)
class LiveEntry:
    call_sid: str
    tenant_id: str
    actor: str
    link_key: str
    host: str
    port: int
    node: str
    admitted_at: float

    @classmethod
    def parse(cls, sid: str, raw: bytes | str) -> "LiveEntry":
        e = orjson.loads(raw)
        return cls(sid, str(e["tenant"]), str(e["actor"]), str(e["link_key"]), str(e.get("host") or ""),
                   int(e.get("port") or 0), str(e.get("node") or ""), float(e.get("at") or 0))


@dataclass(frozen=True)
class ActorSlot:
    """One session actor as the pool records it."""

    name: str
    capacity: int
    live: int
    kind: str
    host: str
    port: int
    node: str
    hot_until: float

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.live)


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


class LiveCalls:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis = redis
        self.p = prefix
        self._release = redis.register_script(_RELEASE)
        self._hold = redis.register_script(_HOLD)
        self._rebind = redis.register_script(_REBIND)
        self._drop = redis.register_script(_DROP_ACTOR)
        self._drop_hold = redis.register_script(_DROP_HOLD)
        self._set_if_present = redis.register_script(_SET_IF_PRESENT)

    # ---- keys
    @property
    def calls_key(self) -> str:
        return f"{self.p}:live:calls"

    def tenant_key(self, tenant_id: str) -> str:
        return f"{self.p}:live:t:{tenant_id}"

    def _pool(self, what: str) -> str:
        return f"{self.p}:pool:{what}"

    def _pool_keys(self) -> list[str]:
        return [self._pool(k) for k in ("cap", "live", "kind", "addr", "hot")]

    # ---- admission
    async def admit(self, call_sid: str, tenant_id: str, *, tenant_limit: int, max_live: int, link_key: str,
                    isolation: str = SHARED) -> LiveEntry:
        """Claim a slot on the session actor with the most free room; raises ``Refused``."""
        return await run_one(self.redis, lambda batch: self.admit_on(
            batch, call_sid, tenant_id, tenant_limit=tenant_limit, max_live=max_live, link_key=link_key,
            isolation=isolation))

    def admit_on(self, batch: Batch, call_sid: str, tenant_id: str, *, tenant_limit: int, max_live: int,
                 link_key: str, isolation: str = SHARED) -> Reply[LiveEntry]:
        """``admit`` as part of a batch: its reply raises ``Refused`` when read."""
        cap, live, kind, addr, hot = self._pool_keys()
        script(batch.pipe, _ADMIT, [self.calls_key, self.tenant_key(tenant_id), cap, live, kind, addr, hot],
               [call_sid, tenant_id, tenant_limit, max_live, time.time(), isolation, link_key, self._pool("calls:")])
        return batch.mark(lambda r: self._admitted(call_sid, r[0]))

    @staticmethod
    def _admitted(call_sid: str, res: Any) -> LiveEntry:
        status, body = _text(res[0]), res[1]
        if status != "ok":
            raise Refused(_text(body))
        return LiveEntry.parse(call_sid, body)

    def room_on(self, batch: Batch, max_live: int) -> Reply[str | None]:
        """Why a shared call would be refused now (None: it would not), as part of a batch."""
        cap, live, kind, _, hot = self._pool_keys()
        script(batch.pipe, _ROOM, [self.calls_key, cap, live, kind, hot], [max_live, time.time()])
        return batch.mark(lambda r: _text(r[0]) or None)

    async def room(self, max_live: int) -> str | None:
        return await run_one(self.redis, lambda batch: self.room_on(batch, max_live))

    async def release(self, call_sid: str, tenant_id: str, actor: str = "") -> bool:
        """Give the call's slot back (idempotent); with ``actor``, only if that actor holds it."""
        return bool(await self._release(keys=[self.calls_key, self._pool("live"), self.tenant_key(tenant_id)],
                                        args=[call_sid, self._pool("calls:"), self._pool("cap"), actor]))

    async def hold(self, tenant_id: str, member: str, *, limit: int, ttl_s: float) -> bool:
        """Count an outbound call being placed or ringing against the tenant's limit until ``ttl_s``."""
        now = time.time()
        return bool(await self._hold(keys=[self.tenant_key(tenant_id)], args=[member, limit, now + ttl_s, now]))

    async def rebind(self, tenant_id: str, old: str, new: str, *, ttl_s: float) -> None:
        await self._rebind(keys=[self.tenant_key(tenant_id)], args=[old, new, time.time() + ttl_s])

    async def drop_hold(self, tenant_id: str, member: str) -> None:
        """Forget a placement or ringing hold (never a live call's entry)."""
        await self._drop_hold(keys=[self.tenant_key(tenant_id), self.calls_key], args=[member])

    async def issue_stream(self, call_sid: str, nonce: str, expires_at: int) -> bool:
        """Register a stream token's nonce, once per call: False if one was ever issued for it."""
        return await run_one(self.redis, lambda batch: self.issue_stream_on(batch, call_sid, nonce, expires_at))

    def issue_stream_on(self, batch: Batch, call_sid: str, nonce: str, expires_at: int) -> Reply[bool]:
        """``issue_stream`` as part of a batch."""
        script(batch.pipe, _ISSUE_STREAM, [f"{self.p}:streamed:{call_sid}", f"{self.p}:stoken:{nonce}"],
               [call_sid, expires_at + 1, nonce])
        return batch.mark(lambda r: bool(r[0]))

    # ---- lookups
    async def get(self, call_sid: str) -> LiveEntry | None:
        raw = await self.redis.hget(self.calls_key, call_sid)
        return LiveEntry.parse(call_sid, raw) if raw else None

    async def entries(self) -> list[LiveEntry]:
        rows: dict[Any, Any] = await self.redis.hgetall(self.calls_key)
        return [LiveEntry.parse(_text(k), v) for k, v in rows.items()]

    async def count(self, tenant_id: str | None = None) -> int:
        if tenant_id is None:
            return int(await self.redis.hlen(self.calls_key))
        key = self.tenant_key(tenant_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", f"({time.time()}")
            pipe.zcard(key)
            _, n = await pipe.execute()
        return int(n)

    # ---- the pool (written by the supervisor and the actors themselves)
    async def register_actor(self, name: str, *, capacity: int, kind: str, host: str, port: int, node: str) -> None:
        cap, live, kind_key, addr, _ = self._pool_keys()
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(addr, name, orjson.dumps({"host": host, "port": port, "node": node}))
            pipe.hset(kind_key, name, kind)
            pipe.hsetnx(live, name, 0)
            pipe.hset(cap, name, capacity)
            await pipe.execute()

    async def set_capacity(self, name: str, capacity: int) -> None:
        """0 stops new calls (drain, retire); only an actor still in the pool is touched."""
        await self._set_if_present(keys=[self._pool("cap"), self._pool("cap")], args=[name, capacity])

    async def set_hot(self, name: str, until: float) -> None:
        await self._set_if_present(keys=[self._pool("cap"), self._pool("hot")], args=[name, until])

    async def mark_drained(self, node: str) -> None:
        await self.redis.sadd(self._pool("drained"), node)

    async def drained_nodes(self) -> set[str]:
        return {_text(n) for n in await self.redis.smembers(self._pool("drained"))}

    async def drop_actor(self, name: str) -> list[tuple[str, str]]:
        """Remove an actor from the pool; returns the (call SID, tenant) of the calls it still held."""
        out = await self._drop(keys=[*self._pool_keys(), self.calls_key, self._pool(f"calls:{name}")],
                               args=[name, f"{self.p}:live:t:"])
        items = [_text(x) for x in out]
        return list(zip(items[0::2], items[1::2]))

    async def actors(self) -> list[ActorSlot]:
        cap, live, kind, addr, hot = self._pool_keys()
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in (cap, live, kind, addr, hot):
                pipe.hgetall(key)
            caps, lives, kinds, addrs, hots = await pipe.execute()

        def get(d: dict[Any, Any], name: bytes, default: Any) -> Any:
            return d.get(name, default)

        slots = []
        for raw_name, raw_cap in caps.items():
            a = orjson.loads(get(addrs, raw_name, b"{}"))
            slots.append(ActorSlot(_text(raw_name), int(raw_cap), int(get(lives, raw_name, 0)),
                                   _text(get(kinds, raw_name, SHARED)), str(a.get("host", "")),
                                   int(a.get("port", 0)), str(a.get("node", "")), float(get(hots, raw_name, 0))))
        return slots
