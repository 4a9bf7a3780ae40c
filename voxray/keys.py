"""API credentials: tenant keys and admin keys, hashed at rest, shown once, scoped, revocable.

A key reads ``vxk_<id>_<secret>`` (tenant) or ``vxa_<id>_<secret>`` (admin): the prefix names
the key space, so an admin key is never even looked up as a tenant key and vice versa, and the
id lets logs and UIs name a key without holding its secret. Only SHA-256 of the whole key is
stored; keys carry 192 random bits, so a fast hash is enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Literal

import redis.asyncio as aioredis
from pydantic import BaseModel, Field

from voxray.records import utcnow

_KEY = re.compile(r"^(vxk|vxa)_([0-9a-f]{12})_([0-9a-f]{48})$")


class KeyKind(StrEnum):
    TENANT = "vxk"
    ADMIN = "vxa"


class Scope(StrEnum):
    CALLS_WRITE = "calls:write"
    CALLS_READ = "calls:read"
    SESSIONS_READ = "sessions:read"
    SESSIONS_WRITE = "sessions:write"
    LOGS_READ = "logs:read"
    WEBHOOKS_READ = "webhooks:read"
    WEBHOOKS_WRITE = "webhooks:write"


ALL_SCOPES = frozenset(Scope)
AdminRole = Literal["admin", "operator"]


class ApiKey(BaseModel):
    """The stored record of a key (never its secret)."""

    id: str
    kind: KeyKind
    name: str = Field(default="", max_length=100)
    tenant_id: str | None = None
    scopes: list[Scope] = Field(default_factory=list)
    role: AdminRole | None = None
    # Admin keys: the person the key belongs to. Approvals compare people, not keys, so one
    # admin holding two keys is still one person under the two-person rule.
    owner: str | None = None
    # Admin keys (F4): whether ``owner`` is vouched for, i.e. the key was issued by a vouched
    # admin (or by the bootstrap key for the first admin), and the people who issued it and its
    # issuers up to the bootstrap key: any of them held the secret once, so none of their
    # versions may be approved with it. Keys from before this rule are not vouched.
    vouched: bool = False
    issued_by_key: str | None = None
    issuer_chain: list[str] = Field(default_factory=list)
    prefix: str
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    hash: str = ""

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def parse(key: str) -> tuple[KeyKind, str] | None:
    """(kind, id) of a well-formed key, else None."""
    m = _KEY.match(key)
    return (KeyKind(m.group(1)), m.group(2)) if m else None


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def mint(kind: KeyKind) -> tuple[str, str]:
    """A new (key id, full key)."""
    key_id = secrets.token_hex(6)
    return key_id, f"{kind.value}_{key_id}_{secrets.token_hex(24)}"


# Writing last_used_at on every request would double Redis writes on the hot API path.
_LAST_USED_EVERY_S = 30.0


class KeyStore:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis, self.p = redis, prefix

    def _key(self, key_id: str) -> str:
        return f"{self.p}:apikey:{key_id}"

    def _index(self, kind: KeyKind, tenant_id: str | None) -> str:
        return f"{self.p}:t:{tenant_id}:apikeys" if kind is KeyKind.TENANT else f"{self.p}:adminkeys"

    async def create(self, kind: KeyKind, *, name: str = "", tenant_id: str | None = None,
                     scopes: list[Scope] | None = None, role: AdminRole | None = None,
                     owner: str | None = None, created_by: str | None = None, vouched: bool = False,
                     issued_by_key: str | None = None, issuer_chain: list[str] | None = None) -> tuple[ApiKey, str]:
        """Store a new key; returns its record and the secret key (shown once, never stored)."""
        key_id, secret = mint(kind)
        record = ApiKey(id=key_id, kind=kind, name=name, tenant_id=tenant_id, role=role, owner=owner,
                        scopes=sorted(scopes if scopes is not None else ALL_SCOPES) if kind is KeyKind.TENANT else [],
                        prefix=secret[:16], created_by=created_by, hash=digest(secret), vouched=vouched,
                        issued_by_key=issued_by_key, issuer_chain=issuer_chain or [])
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(key_id), record.model_dump_json())
            pipe.sadd(self._index(kind, tenant_id), key_id)
            await pipe.execute()
        return record, secret

    async def claim_first_admin(self, owner: str) -> bool:
        """Whether ``owner`` is the deployment's first admin (the first to claim it is, for good)."""
        key = f"{self.p}:first_admin"
        await self.redis.set(key, owner, nx=True)
        current = await self.redis.get(key)
        return (current.decode() if isinstance(current, bytes) else current) == owner

    async def get(self, key_id: str) -> ApiKey | None:
        raw, used = await self.redis.mget([self._key(key_id), self._used(key_id)])
        return _with_used(ApiKey.model_validate_json(raw), used) if raw else None

    def _used(self, key_id: str) -> str:
        # Kept apart from the record, so recording use can never undo a concurrent revocation.
        return f"{self.p}:apikey:{key_id}:used"

    async def verify(self, key: str) -> ApiKey | None:
        """The active key record this secret proves, else None (unknown, revoked, or wrong secret)."""
        parsed = parse(key)
        if parsed is None:
            return None
        record = await self.get(parsed[1])
        if record is None or record.kind is not parsed[0] or not record.active:
            return None
        if not hmac.compare_digest(record.hash, digest(key)):
            return None
        now = utcnow()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > _LAST_USED_EVERY_S:
            record = record.model_copy(update={"last_used_at": now})
            await self.redis.set(self._used(record.id), now.isoformat())
        return record

    async def list(self, kind: KeyKind, tenant_id: str | None = None) -> list[ApiKey]:
        ids = sorted(m.decode() if isinstance(m, bytes) else m for m in await self.redis.smembers(self._index(kind, tenant_id)))
        keys = [k for k in [await self.get(i) for i in ids] if k is not None]
        return sorted(keys, key=lambda k: (k.created_at, k.id))

    async def revoke(self, key_id: str) -> ApiKey | None:
        record = await self.get(key_id)
        if record is None:
            return None
        if record.active:
            record = record.model_copy(update={"revoked_at": utcnow()})
            await self.redis.set(self._key(key_id), record.model_dump_json(exclude={"last_used_at"}))
        return record


def _with_used(record: ApiKey, used: bytes | str | None) -> ApiKey:
    if not used:
        return record
    text = used.decode() if isinstance(used, bytes) else used
    return record.model_copy(update={"last_used_at": datetime.fromisoformat(text)})

