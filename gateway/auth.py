"""Who is calling: tenant keys for the public API, admin keys or operator sessions for /admin.

No credential opens another's door. 401 means "no valid credential" (missing, malformed,
unknown, revoked); 403 means "a valid credential that may not do this" (the wrong key space,
a missing scope or role, a browser session without its CSRF token). Every authenticated
request is charged to its rate-limit buckets here, so handlers never forget to.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Awaitable, Callable, Literal

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from gateway.anon_quotas import client_address
from gateway.browser_sessions import COOKIE, CSRF_HEADER
from gateway import metrics
from gateway.errors import ApiError
from gateway.ratelimit import Bucket
from gateway.runtime import Runtime, runtime
from governance.policy import Approver
from voxray.keys import AdminRole, KeyKind, Scope, digest, parse

tenant_bearer = HTTPBearer(auto_error=False, scheme_name="TenantKey",
                           description="A tenant API key: `Authorization: Bearer vxk_...`")
admin_bearer = HTTPBearer(auto_error=False, scheme_name="AdminKey",
                          description="An admin or operator key: `Authorization: Bearer vxa_...`")
session_cookie = APIKeyCookie(name=COOKIE, auto_error=False, scheme_name="OperatorSession",
                              description="Browser session from `POST /api/v1/auth/login`; unsafe methods "
                                          "also need the `X-CSRF-Token` header")

_SAFE = {"GET", "HEAD", "OPTIONS"}
BOOTSTRAP_KEY_ID = "bootstrap"


@dataclass(frozen=True)
class TenantPrincipal:
    tenant_id: str
    key_id: str
    scopes: frozenset[Scope]


@dataclass(frozen=True)
class AdminPrincipal:
    key_id: str
    role: AdminRole
    via: Literal["key", "session"]
    owner: str | None = None
    # F4: whether the key's person is vouched for, and who issued the key and its issuers.
    vouched: bool = False
    issuer_chain: frozenset[str] = frozenset()

    @property
    def actor(self) -> str:
        """How audit records and the two-person rule name who did something: the person."""
        return f"admin:{self.owner}" if self.owner else f"admin-key:{self.key_id}"

    @property
    def is_bootstrap(self) -> bool:
        return self.key_id == BOOTSTRAP_KEY_ID

    def approver(self) -> "Approver":
        return Approver(actor=self.actor, bootstrap=self.is_bootstrap, vouched=self.vouched,
                        issuer_chain=self.issuer_chain)


def client_ip(request: Request) -> str:
    """The client's rate-limit identity: its address as uvicorn resolved it (X-Forwarded-For
    only from VOXRAY_FORWARDED_ALLOW_IPS), IPv6 by its /64 (gateway/anon_quotas.py)."""
    return client_address(request)


async def charge(request: Request, rt: Runtime, buckets: list[Bucket]) -> None:
    """Take a token from each bucket; headers go on the response, 429 when any is empty."""
    verdict = await rt.limiter.take(buckets)
    request.state.response_headers = verdict.headers()
    if not verdict.allowed:
        metrics.rate_limited(buckets[0].name)
        raise ApiError(429, "rate_limited", "Too many requests",
                       f"Retry after {verdict.retry_after_s} s")


async def _unauthenticated(request: Request, rt: Runtime, code: str, title: str) -> ApiError:
    # Failed attempts are charged per client address: guessing keys gets slow fast.
    s = rt.settings
    await charge(request, rt, [Bucket(f"authfail:{client_ip(request)}", s.auth_fail_per_s, s.auth_fail_burst)])
    return ApiError(401, code, title)


def bootstrap_digest(rt: Runtime) -> str | None:
    key = rt.settings.admin_key
    return digest(key.get_secret_value()) if key is not None else None


def _is_bootstrap(rt: Runtime, given: str) -> bool:
    key = rt.settings.admin_key
    return key is not None and hmac.compare_digest(given.encode(), key.get_secret_value().encode())


async def admin_from_key(rt: Runtime, given: str) -> AdminPrincipal | None:
    if _is_bootstrap(rt, given):
        return AdminPrincipal(BOOTSTRAP_KEY_ID, "admin", "key")
    record = await rt.keys.verify(given)
    if record is None or record.kind is not KeyKind.ADMIN or record.role is None:
        return None
    return AdminPrincipal(record.id, record.role, "key", record.owner, record.vouched, frozenset(record.issuer_chain))


def require_tenant(scope: Scope) -> Callable[..., Awaitable[TenantPrincipal]]:
    """Dependency: a live tenant key holding ``scope``."""

    async def dependency(request: Request, rt: Runtime = Depends(runtime),
                         bearer: HTTPAuthorizationCredentials | None = Security(tenant_bearer)) -> TenantPrincipal:
        if bearer is None:
            if await rt.browser.get(request.cookies.get(COOKIE, "")) is not None:
                raise ApiError(403, "wrong_credential_kind", "Operator sessions cannot use the tenant API")
            raise await _unauthenticated(request, rt, "unauthenticated", "A tenant API key is required")
        parsed = parse(bearer.credentials)
        if parsed is None or parsed[0] is not KeyKind.TENANT:
            if await admin_from_key(rt, bearer.credentials) is not None:
                raise ApiError(403, "wrong_credential_kind", "Admin keys cannot use the tenant API")
            raise await _unauthenticated(request, rt, "invalid_credentials", "The API key is not valid")
        record = await rt.keys.verify(bearer.credentials)
        if record is None or record.tenant_id is None:
            raise await _unauthenticated(request, rt, "invalid_credentials", "The API key is not valid")
        tenant = await rt.store.get_tenant(record.tenant_id)
        if tenant is None:
            raise await _unauthenticated(request, rt, "invalid_credentials", "The API key's tenant no longer exists")
        limits = tenant.rate_limits
        await charge(request, rt, [Bucket(f"key:{record.id}", limits.key_per_s, limits.key_burst),
                                   Bucket(f"tenant:{tenant.id}", limits.tenant_per_s, limits.tenant_burst)])
        if scope not in record.scopes:
            raise ApiError(403, "insufficient_scope", f"This key lacks the {scope.value} scope")
        return TenantPrincipal(tenant.id, record.id, frozenset(record.scopes))

    return dependency


def require_admin(role: AdminRole = "admin") -> Callable[..., Awaitable[AdminPrincipal]]:
    """Dependency: an admin key, or an operator browser session (CSRF-checked on unsafe methods).

    ``role="operator"`` admits operators as well as admins.
    """

    async def dependency(request: Request, rt: Runtime = Depends(runtime),
                         bearer: HTTPAuthorizationCredentials | None = Security(admin_bearer),
                         cookie: str | None = Security(session_cookie)) -> AdminPrincipal:
        principal: AdminPrincipal | None
        if bearer is not None:
            principal = await admin_from_key(rt, bearer.credentials)
            if principal is None:
                if await rt.keys.verify(bearer.credentials) is not None:
                    raise ApiError(403, "wrong_credential_kind", "Tenant keys cannot use the admin API")
                raise await _unauthenticated(request, rt, "invalid_credentials", "The admin key is not valid")
        elif cookie is not None:
            principal = await _admin_from_session(request, rt, cookie)
        else:
            raise await _unauthenticated(request, rt, "unauthenticated", "An admin key or operator session is required")
        s = rt.settings
        await charge(request, rt, [Bucket(f"admin:{principal.key_id}", s.admin_rate_per_s, s.admin_burst)])
        if role == "admin" and principal.role != "admin":
            raise ApiError(403, "insufficient_role", "Operators may not do this; an admin may")
        return principal

    return dependency


async def _admin_from_session(request: Request, rt: Runtime, cookie: str) -> AdminPrincipal:
    session = await rt.browser.get(cookie)
    if session is None:
        raise await _unauthenticated(request, rt, "session_expired", "The session has expired or was closed")
    owner: str | None = None
    vouched, chain = False, frozenset[str]()
    if session.key_id == BOOTSTRAP_KEY_ID:
        if session.bootstrap_digest != bootstrap_digest(rt):
            raise await _unauthenticated(request, rt, "session_expired", "The bootstrap key has changed")
    else:
        record = await rt.keys.get(session.key_id)
        if record is None or not record.active:  # revoking a key ends its sessions
            raise await _unauthenticated(request, rt, "session_expired", "The key behind this session was revoked")
        owner, vouched, chain = record.owner, record.vouched, frozenset(record.issuer_chain)
    if request.method not in _SAFE and not session.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise ApiError(403, "csrf_failed", "X-CSRF-Token is missing or wrong for this session")
    return AdminPrincipal(session.key_id, session.role, "session", owner, vouched, chain)


async def require_anonymous_quota(request: Request, rt: Runtime = Depends(runtime)) -> None:
    """Rate limit for unauthenticated endpoints, per client address."""
    s = rt.settings
    await charge(request, rt, [Bucket(f"anon:{client_ip(request)}", s.anon_rate_per_s, s.anon_burst)])
