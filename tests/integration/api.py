"""Helpers for driving the tenant and admin API over HTTP."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

ADMIN_KEY = "test-admin-key-123456"  # the bootstrap key the `live` fixture configures
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def new_number() -> str:
    return "+1555" + str(secrets.randbelow(10**7)).zfill(7)


@dataclass
class ApiTenant:
    id: str
    key: str
    key_id: str
    number: str
    account_sid: str
    auth_token: str

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.key)


def tenant_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"api-{secrets.token_hex(5)}", "name": "Acme Plumbing", "twilio_account_sid": "AC" + secrets.token_hex(16),
        "twilio_auth_token": secrets.token_hex(16), "phone_numbers": [new_number()],
    }
    body.update(overrides)
    return body


async def create_tenant(http: httpx.AsyncClient, scopes: list[str] | None = None, **overrides: Any) -> ApiTenant:
    body = tenant_body(**overrides)
    r = await http.post("/api/v1/admin/tenants", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    key_body: dict[str, Any] = {"name": "test"}
    if scopes is not None:
        key_body["scopes"] = scopes
    r = await http.post(f"/api/v1/admin/tenants/{body['id']}/api-keys", json=key_body, headers=ADMIN)
    assert r.status_code == 201, r.text
    return ApiTenant(id=body["id"], key=r.json()["key"], key_id=r.json()["id"], number=body["phone_numbers"][0],
                     account_sid=body["twilio_account_sid"], auth_token=body["twilio_auth_token"])


ROOT_OWNER = "root@example.com"  # the first admin: the only person the bootstrap key vouches for
_root_keys: dict[str, str] = {}


async def root_admin(http: httpx.AsyncClient) -> dict[str, str]:
    """The first admin's key (issued by the bootstrap key once per gateway URL's Redis)."""
    base = str(http.base_url)
    if base not in _root_keys:
        r = await http.post("/api/v1/admin/admin-keys", json={"name": "root", "role": "admin", "owner": ROOT_OWNER},
                            headers=ADMIN)
        assert r.status_code == 201, r.text
        _root_keys[base] = r.json()["key"]
    return bearer(_root_keys[base])


async def create_admin_key(http: httpx.AsyncClient, role: str, owner: str | None = None,
                           issuer: dict[str, str] | None = None) -> tuple[str, str]:
    """A key for ``owner`` issued (and so vouched for) by the first admin, or by ``issuer``."""
    owner = owner or f"{role}-{secrets.token_hex(4)}@example.com"  # a different person each time
    r = await http.post("/api/v1/admin/admin-keys", json={"name": role, "role": role, "owner": owner},
                        headers=issuer or await root_admin(http))
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["key"]
