"""The credential matrix: every endpoint against every kind of credential, 401 vs 403 right.

A tenant's own key with the right scope passes; none, malformed, unknown and revoked keys get
401; a valid credential of the wrong kind (admin key on the tenant API, tenant key on the admin
API, an operator session on the tenant API) or without the scope or role gets 403; another
tenant's key sees nothing of this tenant (404 on its records).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
import pytest

from tests.integration.api import ADMIN, ApiTenant, bearer, create_admin_key, create_tenant
from voxray.records import CallRecord
from voxray.store import Store

pytestmark = pytest.mark.asyncio(loop_scope="session")


@dataclass
class Creds:
    a: ApiTenant
    b: ApiTenant
    a_readonly: str
    a_revoked: str
    operator: str
    admin: str
    admin_revoked: str
    call_sid: str


@pytest.fixture
async def creds(api: httpx.AsyncClient, store: Store) -> Creds:
    a = await create_tenant(api)
    b = await create_tenant(api)
    r = await api.post(f"/api/v1/admin/tenants/{a.id}/api-keys", json={"scopes": ["logs:read"]}, headers=ADMIN)
    a_readonly = r.json()["key"]
    r = await api.post(f"/api/v1/admin/tenants/{a.id}/api-keys", json={}, headers=ADMIN)
    revoked_id, a_revoked = r.json()["id"], r.json()["key"]
    assert (await api.delete(f"/api/v1/admin/tenants/{a.id}/api-keys/{revoked_id}", headers=ADMIN)).status_code == 200
    _, operator = await create_admin_key(api, "operator")
    _, admin = await create_admin_key(api, "admin")
    revoked_admin_id, admin_revoked = await create_admin_key(api, "admin")
    assert (await api.delete(f"/api/v1/admin/admin-keys/{revoked_admin_id}", headers=ADMIN)).status_code == 200
    call_sid = "CA" + secrets.token_hex(16)
    await store.save_call(CallRecord(call_sid=call_sid, tenant_id=a.id, from_number="+15550001111",
                                     to_number=a.number))
    return Creds(a, b, a_readonly, a_revoked, operator, admin, admin_revoked, call_sid)


# (method, path template, kind) where kind is the credential the endpoint is for.
TENANT_READ = [("GET", "/api/v1/call-logs"), ("GET", "/api/v1/call-logs/{call}"),
               ("GET", "/api/v1/voice-sessions"), ("GET", "/api/v1/voice-sessions/{call}")]
TENANT_WRITE = [("PATCH", "/api/v1/voice-sessions/{call}"), ("POST", "/api/v1/make-call"),
                ("PUT", "/api/v1/webhook-endpoint"), ("GET", "/api/v1/webhook-deliveries")]
ADMIN_READ = [("GET", "/api/v1/admin/tenants"), ("GET", "/api/v1/admin/tenants/{tenant}"),
              ("GET", "/api/v1/admin/tenants/{tenant}/runtime-config"),
              ("GET", "/api/v1/admin/tenants/{tenant}/api-keys"), ("GET", "/api/v1/admin/live-sessions")]
ADMIN_WRITE = [("PATCH", "/api/v1/admin/tenants/{tenant}"), ("GET", "/api/v1/admin/admin-keys"),
               ("PUT", "/api/v1/admin/tenants/{tenant}/runtime-config")]
BODIES: dict[str, object] = {"PATCH": {}, "PUT": {}, "POST": {}}
# What the tenant's own key gets once authorised (these bodies are deliberately incomplete).
OWN_KEY_STATUS = {"/api/v1/make-call": 422, "/api/v1/webhook-endpoint": 422}


async def _call(api: httpx.AsyncClient, c: Creds, method: str, path: str, headers: dict[str, str]) -> int:
    url = path.format(call=c.call_sid, tenant=c.a.id)
    body = BODIES.get(method)
    r = await api.request(method, url, json=body, headers=headers)
    assert r.headers.get("x-request-id")
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
        assert r.json()["code"] and r.json()["request_id"] == r.headers["x-request-id"]
    return r.status_code


async def test_tenant_endpoints_admit_only_the_tenants_own_scoped_key(api: httpx.AsyncClient, creds: Creds) -> None:
    for method, path in TENANT_READ + TENANT_WRITE:
        expect = {
            "own key": (creds.a.auth, OWN_KEY_STATUS.get(path, 200)), "no credential": ({}, 401),
            "malformed": ({"Authorization": "Bearer not-a-key"}, 401),
            "unknown key": (bearer("vxk_" + "0" * 12 + "_" + "0" * 48), 401),
            "basic scheme": ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
            "revoked key": (bearer(creds.a_revoked), 401),
            "admin key": (bearer(creds.admin), 403), "bootstrap admin key": (ADMIN, 403),
            "operator key": (bearer(creds.operator), 403),
            "revoked admin key": (bearer(creds.admin_revoked), 401),
        }
        # That key holds logs:read only.
        expect["key without scope"] = (bearer(creds.a_readonly), 200 if "call-logs" in path else 403)
        if "{call}" in path:
            expect["other tenant's key"] = (creds.b.auth, 404)
        for label, (headers, status) in expect.items():
            got = await _call(api, creds, method, path, headers)
            assert got == status, f"{method} {path} with {label}: {got} != {status}"


async def test_other_tenants_lists_never_show_this_tenants_calls(api: httpx.AsyncClient, creds: Creds) -> None:
    for path in ("/api/v1/call-logs", "/api/v1/voice-sessions"):
        own = (await api.get(path, headers=creds.a.auth)).json()["data"]
        other = (await api.get(path, headers=creds.b.auth)).json()["data"]
        assert [c["id"] for c in own] == [creds.call_sid]
        assert other == []


async def test_admin_endpoints_admit_admins_and_operators_only_to_reads(api: httpx.AsyncClient, creds: Creds) -> None:
    for method, path in ADMIN_READ + ADMIN_WRITE:
        write = (method, path) in ADMIN_WRITE
        expect = {
            "admin key": (bearer(creds.admin), 200), "bootstrap": (ADMIN, 200),
            "operator key": (bearer(creds.operator), 403 if write else 200),
            "no credential": ({}, 401), "malformed": ({"Authorization": "Bearer nope"}, 401),
            "revoked admin key": (bearer(creds.admin_revoked), 401),
            "tenant key": (creds.a.auth, 403), "revoked tenant key": (bearer(creds.a_revoked), 401),
        }
        for label, (headers, status) in expect.items():
            got = await _call(api, creds, method, path, headers)
            assert got == status, f"{method} {path} with {label}: {got} != {status}"


async def test_browser_session_needs_csrf_for_writes_and_dies_with_its_key(api: httpx.AsyncClient,
                                                                          creds: Creds) -> None:
    key_id, key = await create_admin_key(api, "admin")
    login = await api.post("/api/v1/auth/login", json={"api_key": key})
    assert login.status_code == 200, login.text
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" in cookie
    session = {"Cookie": f"vx_session={login.cookies['vx_session']}"}
    csrf = {**session, "X-CSRF-Token": login.json()["csrf_token"]}
    tenant_path = f"/api/v1/admin/tenants/{creds.a.id}"
    assert (await api.get(tenant_path, headers=session)).status_code == 200
    no_csrf = await api.patch(tenant_path, json={"name": "Renamed"}, headers=session)
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "csrf_failed"
    wrong = await api.patch(tenant_path, json={"name": "Renamed"}, headers={**session, "X-CSRF-Token": "x" * 32})
    assert wrong.status_code == 403
    assert (await api.patch(tenant_path, json={"name": "Renamed"}, headers=csrf)).status_code == 200
    # A session is for operator pages, never the tenant API.
    assert (await api.get("/api/v1/call-logs", headers=session)).status_code == 403
    assert (await api.post("/api/v1/auth/login", json={"api_key": creds.a.key})).status_code == 401
    # Revoking the key closes its sessions.
    assert (await api.delete(f"/api/v1/admin/admin-keys/{key_id}", headers=ADMIN)).status_code == 200
    gone = await api.get(tenant_path, headers=session)
    assert gone.status_code == 401 and gone.json()["code"] == "session_expired"


async def test_logout_ends_the_session(api: httpx.AsyncClient) -> None:
    _, key = await create_admin_key(api, "operator")
    login = (await api.post("/api/v1/auth/login", json={"api_key": key}))
    session = {"Cookie": f"vx_session={login.cookies['vx_session']}"}
    assert (await api.get("/api/v1/admin/live-sessions", headers=session)).status_code == 200
    assert (await api.post("/api/v1/auth/logout", headers=session)).status_code == 403  # CSRF first
    out = await api.post("/api/v1/auth/logout", headers={**session, "X-CSRF-Token": login.json()["csrf_token"]})
    assert out.status_code == 204
    assert (await api.get("/api/v1/admin/live-sessions", headers=session)).status_code == 401


async def test_keys_are_shown_once_and_stored_hashed(api: httpx.AsyncClient, creds: Creds, store: Store) -> None:
    assert (await api.get("/api/v1/call-logs", headers=creds.a.auth)).status_code == 200
    listed = (await api.get(f"/api/v1/admin/tenants/{creds.a.id}/api-keys", headers=ADMIN)).json()
    assert all("key" not in k and "hash" not in k for k in listed)
    mine = next(k for k in listed if k["id"] == creds.a.key_id)
    assert creds.a.key.startswith(mine["prefix"]) and mine["last_used_at"] is not None
    raw = await store.redis.get(f"{store.p}:apikey:{creds.a.key_id}")
    assert creds.a.key.encode() not in raw
    tenant = (await api.get(f"/api/v1/admin/tenants/{creds.a.id}", headers=ADMIN)).text
    assert creds.a.auth_token not in tenant  # the Twilio auth token never leaves
