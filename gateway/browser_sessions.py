"""Cookie sessions for operator pages: opened with an admin or operator key, expiring, revocable.

The cookie holds a random token; Redis holds only its hash, the key that opened it and a CSRF
token. Unsafe methods must echo the CSRF token in ``X-CSRF-Token`` (the synchronizer-token
pattern): a cross-site form can send the cookie but cannot read the token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from pydantic import BaseModel

from voxray.keys import AdminRole
from voxray.records import utcnow

COOKIE = "vx_session"
CSRF_HEADER = "x-csrf-token"


class BrowserSession(BaseModel):
    key_id: str
    role: AdminRole
    # Sessions of the bootstrap key (no record to revoke) die when that key changes.
    bootstrap_digest: str | None = None
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def csrf_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.csrf_token.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BrowserSessionStore:
    def __init__(self, redis: aioredis.Redis, prefix: str, ttl_s: int) -> None:
        self.redis, self.p, self.ttl_s = redis, prefix, ttl_s

    def _key(self, token: str) -> str:
        return f"{self.p}:bsession:{_digest(token)}"

    async def open(self, key_id: str, role: AdminRole, bootstrap_digest: str | None = None) -> tuple[str, BrowserSession]:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        session = BrowserSession(key_id=key_id, role=role, bootstrap_digest=bootstrap_digest,
                                 csrf_token=secrets.token_urlsafe(24),
                                 created_at=now, expires_at=now + timedelta(seconds=self.ttl_s))
        await self.redis.set(self._key(token), session.model_dump_json(), ex=self.ttl_s)
        return token, session

    async def get(self, token: str) -> BrowserSession | None:
        if not token or len(token) > 128:
            return None
        raw = await self.redis.get(self._key(token))
        return BrowserSession.model_validate_json(raw) if raw else None

    async def close(self, token: str) -> None:
        await self.redis.delete(self._key(token))
