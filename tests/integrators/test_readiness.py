"""``GET /api/v1/readiness`` over HTTP: whether a tenant can take calls now and what is missing."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from tests.integration.api import ADMIN, bearer, create_tenant, tenant_body
from tests.integration.webhook_receiver import Receiver, configure

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _by_name(body: dict[str, object]) -> dict[str, dict[str, object]]:
    return {c["name"]: c for c in body["checks"]}  # type: ignore[index, union-attr]


async def _readiness(api: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, object]:
    r = await api.get("/api/v1/readiness", headers=auth)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_configured_tenant_is_ready_and_says_webhooks_are_not_set_up(api: httpx.AsyncClient) -> None:
    t = await create_tenant(api)
    body = await _readiness(api, t.auth)
    checks = _by_name(body)
    assert body["tenant_id"] == t.id and body["ready"] is True
    assert body["missing"] == ["webhooks"]
    assert checks["webhooks"]["status"] == "warning" and checks["webhooks"]["blocking"] is False
    for name in ("phone_numbers", "twilio_credentials", "agent_config", "tools", "limits", "kill_switch"):
        assert checks[name]["status"] == "ok", checks[name]
    assert t.number in str(checks["phone_numbers"]["detail"])


async def test_a_tenant_without_numbers_is_not_ready(api: httpx.AsyncClient) -> None:
    body_in = tenant_body(phone_numbers=[])
    assert (await api.post("/api/v1/admin/tenants", json=body_in, headers=ADMIN)).status_code == 201
    r = await api.post(f"/api/v1/admin/tenants/{body_in['id']}/api-keys", json={"name": "t"}, headers=ADMIN)
    body = await _readiness(api, bearer(r.json()["key"]))
    assert body["ready"] is False and "phone_numbers" in body["missing"]  # type: ignore[operator]
    assert _by_name(body)["phone_numbers"]["status"] == "failing"


async def test_webhook_health_follows_the_last_deliveries(api: httpx.AsyncClient, receiver: Receiver) -> None:
    t = await create_tenant(api)
    await configure(api, t, receiver.url)
    assert (await api.post("/api/v1/webhook-endpoint/test", headers=t.auth)).status_code == 202
    for _ in range(100):
        check = _by_name(await _readiness(api, t.auth))["webhooks"]
        if check["status"] == "ok" and "delivered" in str(check["detail"]):
            break
        await asyncio.sleep(0.1)
    assert check["status"] == "ok" and "delivered" in str(check["detail"]), check
    receiver.always_fail = True
    assert (await api.post("/api/v1/webhook-endpoint/test", headers=t.auth)).status_code == 202
    for _ in range(100):
        body = await _readiness(api, t.auth)
        if _by_name(body)["webhooks"]["status"] == "failing":
            break
        await asyncio.sleep(0.1)
    check = _by_name(body)["webhooks"]
    assert check["status"] == "failing" and "HTTP 500" in str(check["detail"]), check
    assert body["ready"] is True  # webhook trouble never stops calls


async def test_a_fallback_kill_switch_makes_the_tenant_not_ready(api: httpx.AsyncClient) -> None:
    t = await create_tenant(api)
    r = await api.put(f"/api/v1/admin/tenants/{t.id}/kill-switch", json={"mode": "fallback", "reason": "drill"},
                      headers=ADMIN)
    assert r.status_code == 200, r.text
    body = await _readiness(api, t.auth)
    assert body["ready"] is False and _by_name(body)["kill_switch"]["status"] == "failing"
    await api.delete(f"/api/v1/admin/tenants/{t.id}/kill-switch", headers=ADMIN)
    assert (await _readiness(api, t.auth))["ready"] is True


async def test_readiness_needs_a_tenant_key_with_calls_read(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/v1/readiness")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert (await api.get("/api/v1/readiness", headers=ADMIN)).status_code == 403
    t = await create_tenant(api, scopes=["logs:read"])
    r = await api.get("/api/v1/readiness", headers=t.auth)
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"


async def test_the_public_document_describes_readiness_and_the_twilio_contract(api: httpx.AsyncClient) -> None:
    public = (await api.get("/api-docs/public.json")).json()
    admin = (await api.get("/api-docs/admin.json")).json()
    assert "get" in public["paths"]["/api/v1/readiness"]
    incoming = public["paths"]["/api/v1/incoming-call"]["post"]
    assert incoming["x-called-by"] == "twilio" and incoming["security"] == []
    assert "Voice URL" in incoming["description"]
    assert incoming["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["$ref"].endswith(
        "/TwilioVoiceRequest")
    assert "TwilioVoiceRequest" in public["components"]["schemas"]
    assert [p["name"] for p in incoming["parameters"]] == ["X-Twilio-Signature"]
    assert "/api/v1/incoming-call" not in admin["paths"] and "/api/v1/readiness" not in admin["paths"]
    assert "/api/v1/call-status" not in public["paths"]  # the other Twilio callbacks stay internal
