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


async def create_admin_key(http: httpx.AsyncClient, role: str, owner: str | None = None) -> tuple[str, str]:
    owner = owner or f"{role}-{secrets.token_hex(4)}@example.com"  # a different person each time
    r = await http.post("/api/v1/admin/admin-keys", json={"name": role, "role": role, "owner": owner}, headers=ADMIN)
    assert r.status_code == 201, r.text
    return r.json()["id"], r.json()["key"]
