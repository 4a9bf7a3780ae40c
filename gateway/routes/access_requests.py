"""Access requests: a business asks for API access; an admin approves (provisioning a tenant
and its first key) or rejects."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Literal

import redis.asyncio as aioredis
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, EmailStr, Field

from gateway.auth import AdminPrincipal, require_admin, require_anonymous_quota
from gateway.errors import ApiError
from gateway.routes.admin_tenants import PROBLEMS, NewKey, TenantCreate, TenantOut, key_out, provision_tenant, tenant_out
from gateway.runtime import Runtime, runtime
from gateway.schemas import Strict
from voxray.keys import KeyKind
from voxray.records import E164, utcnow

router = APIRouter(prefix="/api/v1")


class AccessState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class AccessRequestIn(Strict):
    company: str = Field(min_length=1, max_length=200)
    contact_name: str = Field(min_length=1, max_length=200)
    contact_email: EmailStr
    contact_phone: str | None = Field(default=None, pattern=E164)
    use_case: str = Field(min_length=10, max_length=4000, description="What the agents will do on calls")
    monthly_call_minutes: int = Field(ge=0, le=100_000_000, description="Expected volume")
    timeline: Literal["now", "1-3 months", "3-6 months", "later"]


class AccessRequest(AccessRequestIn):
    id: str
    state: AccessState = AccessState.PENDING
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    tenant_id: str | None = None


class AccessRequestList(BaseModel):
    data: list[AccessRequest]
    has_more: bool
    next_offset: int | None


class Approval(TenantCreate):
    """The tenant to provision for the request (its Twilio account and numbers)."""

    name: str | None = Field(default=None, min_length=1, max_length=200,  # type: ignore[assignment]
                             description="Default: the request's company")


class Rejection(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class Approved(BaseModel):
    request: AccessRequest
    tenant: TenantOut
    api_key: NewKey


# Store a new request unless ARGV[3] are already pending. KEYS: record, all (zset), pending (zset).
_ADD = """
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
return 1
"""


class AccessRequestStore:
    """Requests by id, indexed newest first overall and per state, so a page is read by its own
    range (never by loading them all), and the undecided ones are capped (F6)."""

    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis, self.p = redis, prefix
        self._add = redis.register_script(_ADD)

    def _index(self, state: AccessState | None) -> str:
        return f"{self.p}:accessreqs" if state is None else f"{self.p}:accessreqs:{state.value}"

    async def add(self, request: AccessRequest, max_pending: int) -> bool:
        """Store the request; False when ``max_pending`` requests already await a decision."""
        added = await self._add(keys=[f"{self.p}:accessreq:{request.id}", self._index(None),
                                      self._index(AccessState.PENDING)],
                                args=[request.model_dump_json(), request.created_at.timestamp(), max_pending,
                                      request.id])
        return bool(added)

    async def get(self, request_id: str) -> AccessRequest | None:
        raw = await self.redis.get(f"{self.p}:accessreq:{request_id}") if len(request_id) <= 64 else None
        return AccessRequest.model_validate_json(raw) if raw else None

    async def claim(self, request_id: str) -> None:
        """Take the right to decide a request; exactly one concurrent decider gets it."""
        if not await self.redis.set(f"{self.p}:accessreq:{request_id}:decided", "1", nx=True):
            raise ApiError(409, "access_request_decided", "This request has already been decided")

    async def unclaim(self, request_id: str) -> None:
        await self.redis.delete(f"{self.p}:accessreq:{request_id}:decided")

    async def decide(self, request: AccessRequest, **changes: object) -> AccessRequest:
        decided = request.model_copy(update={**changes, "decided_at": utcnow()})
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self.p}:accessreq:{request.id}", decided.model_dump_json())
            pipe.zrem(self._index(AccessState.PENDING), request.id)
            pipe.zadd(self._index(decided.state), {request.id: request.created_at.timestamp()})
            await pipe.execute()
        return decided

    async def page(self, state: AccessState | None, offset: int, limit: int) -> tuple[list[AccessRequest], bool]:
        members: list[bytes] = await self.redis.zrevrange(self._index(state), offset, offset + limit)  # type: ignore[assignment]
        ids = [m.decode() if isinstance(m, bytes) else m for m in members]
        raws = await self.redis.mget([f"{self.p}:accessreq:{i}" for i in ids[:limit]]) if ids else []
        return [AccessRequest.model_validate_json(r) for r in raws if r], len(ids) > limit


def _store(rt: Runtime) -> AccessRequestStore:
    return AccessRequestStore(rt.store.redis, rt.store.p)


@router.post("/access-requests", status_code=202, tags=["access-requests"], summary="Ask for API access",
             operation_id="create_access_request", response_model=AccessRequest,
             dependencies=[Depends(require_anonymous_quota)],
             responses={413: {"description": "Body too large"}, 415: {"description": "Not JSON"},
                        422: {"description": "Invalid fields"}, 429: {"description": "Rate limited"},
                        503: {"description": "Too many requests await a decision"}})
async def create_access_request(body: AccessRequestIn, rt: Runtime = Depends(runtime)) -> AccessRequest:
    request = AccessRequest(**body.model_dump(), id=f"ar_{secrets.token_hex(8)}", created_at=utcnow())
    if not await _store(rt).add(request, rt.settings.access_requests_max_pending):
        raise ApiError(503, "access_requests_full", "Too many access requests await a decision; try again later",
                       retryable=True)
    return request


@router.get("/admin/access-requests", tags=["admin"], summary="List access requests, newest first",
            operation_id="admin_list_access_requests", response_model=AccessRequestList, responses=PROBLEMS)
async def list_access_requests(state: AccessState | None = Query(None), offset: int = Query(0, ge=0, le=10_000),
                               limit: int = Query(50, ge=1, le=200),
                               _: AdminPrincipal = Depends(require_admin("operator")),
                               rt: Runtime = Depends(runtime)) -> AccessRequestList:
    items, more = await _store(rt).page(state, offset, limit)
    return AccessRequestList(data=items, has_more=more, next_offset=offset + limit if more else None)


async def _pending(rt: Runtime, request_id: str) -> AccessRequest:
    request = await _store(rt).get(request_id)
    if request is None:
        raise ApiError(404, "access_request_not_found", "No such access request")
    if request.state is not AccessState.PENDING:
        raise ApiError(409, "access_request_decided", "This request has already been decided")
    return request


@router.get("/admin/access-requests/{request_id}", tags=["admin"], summary="Get an access request",
            operation_id="admin_get_access_request", response_model=AccessRequest, responses=PROBLEMS)
async def get_access_request(request_id: str, _: AdminPrincipal = Depends(require_admin("operator")),
                             rt: Runtime = Depends(runtime)) -> AccessRequest:
    request = await _store(rt).get(request_id)
    if request is None:
        raise ApiError(404, "access_request_not_found", "No such access request")
    return request


@router.post("/admin/access-requests/{request_id}/approve", status_code=201, tags=["admin"],
             summary="Approve: provision the tenant and issue its first API key (shown once)",
             operation_id="admin_approve_access_request", response_model=Approved, responses=PROBLEMS)
async def approve_access_request(request_id: str, body: Approval, who: AdminPrincipal = Depends(require_admin()),
                                 rt: Runtime = Depends(runtime)) -> Approved:
    request = await _pending(rt, request_id)
    store = _store(rt)
    await store.claim(request_id)
    tenant_body = TenantCreate(**{**body.model_dump(), "name": body.name or request.company,
                                  "twilio_auth_token": body.twilio_auth_token})
    try:
        tenant = await provision_tenant(rt, tenant_body, who.actor)
    except ApiError:
        await store.unclaim(request_id)  # e.g. the tenant id was taken: the admin may try another
        raise
    record, secret = await rt.keys.create(KeyKind.TENANT, name="first key", tenant_id=tenant.id, created_by=who.actor)
    decided = await store.decide(request, state=AccessState.APPROVED, decided_by=who.actor, tenant_id=tenant.id)
    return Approved(request=decided, tenant=tenant_out(tenant), api_key=NewKey(**key_out(record).model_dump(), key=secret))


@router.post("/admin/access-requests/{request_id}/reject", tags=["admin"], summary="Reject an access request",
             operation_id="admin_reject_access_request", response_model=AccessRequest, responses=PROBLEMS)
async def reject_access_request(request_id: str, body: Rejection, who: AdminPrincipal = Depends(require_admin()),
                                rt: Runtime = Depends(runtime)) -> AccessRequest:
    request = await _pending(rt, request_id)
    await _store(rt).claim(request_id)
    return await _store(rt).decide(request, state=AccessState.REJECTED, decided_by=who.actor, reason=body.reason)
