"""``Idempotency-Key`` for unsafe requests (as Stripe does it), kept in Redis for 24 h.

The first request with a key claims it with ``SET NX`` before doing anything, so concurrent
duplicates cannot both act: the loser gets 409 while the first is in flight, and the stored
response (with ``Idempotent-Replayed: true``) afterwards. The same key with a different body
is a client bug and gets 422. A request that fails in a way a retry could fix (5xx, 429)
releases its key; any other outcome, 4xx included, is the key's final answer, and so is a
failure whose effect is unknown (the carrier did not answer): a retry must not dial twice.
"""

from __future__ import annotations

import hashlib
import re
from typing import Awaitable, Callable

import orjson
import redis.asyncio as aioredis
from fastapi import Request
from fastapi.responses import JSONResponse

from gateway.errors import PROBLEM, ApiError, problem_body

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
PENDING_TTL_S = 120  # longer than any request may take (the Twilio call has a 10 s timeout)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Hash of what makes two requests the same: method, path and the JSON body's meaning."""
    try:
        canonical = orjson.dumps(orjson.loads(body or b"null"), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


class IdempotencyStore:
    def __init__(self, redis: aioredis.Redis, prefix: str, ttl_s: int) -> None:
        self.redis, self.p, self.ttl_s = redis, prefix, ttl_s

    def _key(self, tenant_id: str, key: str) -> str:
        return f"{self.p}:t:{tenant_id}:idem:{hashlib.sha256(key.encode()).hexdigest()}"

    async def run(self, request: Request, tenant_id: str,
                  act: Callable[[], Awaitable[tuple[int, dict[str, object]]]]) -> JSONResponse:
        key = request.headers.get(HEADER)
        if key is None:
            raise ApiError(400, "idempotency_key_required", f"This operation requires an {HEADER} header")
        if not _KEY.match(key):
            raise ApiError(400, "idempotency_key_invalid", f"{HEADER} must be 1-255 visible ASCII characters")
        fp = fingerprint(request.method, request.url.path, await request.body())
        slot = self._key(tenant_id, key)
        # A short claim: a gateway that dies mid-request frees the key soon, not in 24 h.
        if not await self.redis.set(slot, orjson.dumps({"state": "pending", "fp": fp}), nx=True, ex=PENDING_TTL_S):
            return await self._existing(slot, fp)
        try:
            status, body = await act()
        except ApiError as exc:
            if exc.retryable:
                await self.redis.delete(slot)
            else:
                await self._save(slot, fp, exc.status, problem_body(request, exc.status, exc.code, exc.title, exc.detail))
            raise
        except BaseException:
            await self.redis.delete(slot)
            raise
        await self._save(slot, fp, status, body)
        return JSONResponse(body, status_code=status)

    async def _save(self, slot: str, fp: str, status: int, body: dict[str, object]) -> None:
        await self.redis.set(slot, orjson.dumps({"state": "done", "fp": fp, "status": status, "body": body}),
                             ex=self.ttl_s)

    async def _existing(self, slot: str, fp: str) -> JSONResponse:
        raw = await self.redis.get(slot)
        if raw is None:  # expired between the two commands: rare enough to ask for a retry
            raise ApiError(409, "idempotency_in_progress", "Retry the request")
        saved = orjson.loads(raw)
        if saved["fp"] != fp:
            raise ApiError(422, "idempotency_key_reused",
                           f"This {HEADER} was used with a different request body")
        if saved["state"] == "pending":
            raise ApiError(409, "idempotency_in_progress",
                           f"A request with this {HEADER} is still being processed; retry shortly")
        status = int(saved["status"])
        media = PROBLEM if status >= 400 else "application/json"
        return JSONResponse(saved["body"], status_code=status, headers={REPLAYED: "true"}, media_type=media)

