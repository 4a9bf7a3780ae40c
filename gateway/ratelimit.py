"""Token-bucket rate limits in Redis, several buckets checked and charged atomically.

One Lua script refills every bucket of a request (say the key's and its tenant's) by elapsed
time, and takes a token from each only if all have one, so a refused request costs nothing and
two gateways never race. Redis's own clock (``TIME``) is used, so gateways need not agree.
Headers follow the IETF RateLimit draft: ``RateLimit-Limit``/``-Remaining``/``-Reset`` report
the tightest bucket; a refusal adds ``Retry-After``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import redis.asyncio as aioredis

from voxray.redis_batch import Batch, Reply, run_one, script

# KEYS: bucket keys. ARGV: per bucket (rate per second, burst). Returns per bucket
# [allowed(0/1), tokens left x1000, ms until one token, ms until full].
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local tokens, rates, bursts = {}, {}, {}
local ok = 1
for i = 1, n do
  local rate = tonumber(ARGV[2 * i - 1]) / 1000
  local burst = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'at')
  local have = tonumber(state[1]) or burst
  local at = tonumber(state[2]) or now
  have = math.min(burst, have + math.max(0, now - at) * rate)
  tokens[i], rates[i], bursts[i] = have, rate, burst
  if have < 1 then ok = 0 end
end
local out = {}
for i = 1, n do
  local have = tokens[i]
  if ok == 1 then have = have - 1 end
  redis.call('HSET', KEYS[i], 'tokens', tostring(have), 'at', tostring(now))
  local full_ms = math.ceil((bursts[i] - have) / rates[i])
  redis.call('PEXPIRE', KEYS[i], full_ms + 1000)
  local next_ms = 0
  if have < 1 then next_ms = math.ceil((1 - have) / rates[i]) end
  out[i] = {ok, math.floor(have * 1000), next_ms, full_ms}
end
return out
"""


@dataclass(frozen=True)
class Bucket:
    name: str
    per_s: float
    burst: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    retry_after_s: int

    def headers(self) -> dict[str, str]:
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                   "RateLimit-Reset": str(self.reset_s)}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after_s)
        return headers


def tightest(buckets: list[Bucket], rows: list[list[int]]) -> Verdict:
    """Reduce per-bucket script results to what the client is told: the bucket closest to empty."""
    allowed = bool(rows[0][0])
    index = min(range(len(rows)), key=lambda i: rows[i][1] / buckets[i].burst)
    bucket, (_, milli, next_ms, full_ms) = buckets[index], rows[index]
    retry = max((row[2] for row in rows), default=0)
    return Verdict(allowed=allowed, limit=bucket.burst, remaining=max(0, milli // 1000),
                   reset_s=math.ceil(full_ms / 1000) if allowed else math.ceil(next_ms / 1000),
                   retry_after_s=max(1, math.ceil(retry / 1000)))


class RateLimiter:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis, self.p = redis, prefix

    async def take(self, buckets: list[Bucket]) -> Verdict:
        return await run_one(self.redis, lambda batch: self.take_on(batch, buckets))

    def take_on(self, batch: Batch, buckets: list[Bucket]) -> Reply[Verdict]:
        """``take`` as part of a batch (one round trip with the caller's other steps)."""
        args: list[float | int] = []
        for b in buckets:
            args += [b.per_s, b.burst]
        script(batch.pipe, _SCRIPT, [f"{self.p}:rl:{b.name}" for b in buckets], args)
        return batch.mark(lambda r: tightest(buckets, [[int(v) for v in row] for row in r[0]]))
