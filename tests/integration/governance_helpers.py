"""Helpers for driving the governance admin API in tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.api import ADMIN, ApiTenant

A = "/api/v1/admin"
AGENT = "support"
SPEC: dict[str, Any] = {"prompt_key": "support-v1", "prompt_text": "You answer calls for Acme Plumbing.",
                        "model": "gpt-realtime", "voice": "marin"}
FAST_POLICY: dict[str, Any] = {
    "steps": [10, 50, 100], "min_calls": 5, "bake_time_s": 0,
    "guards": [{"metric": "failure_rate", "max_ratio_vs_stable": 2.0, "absolute_max": 0.3, "min_samples": 5}],
}


def versions_url(tenant: ApiTenant, agent: str = AGENT) -> str:
    return f"{A}/tenants/{tenant.id}/agents/{agent}/versions"


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def complete_checklist(api: httpx.AsyncClient, url: str) -> None:
    checklist = await ok(await api.get(f"{url}/checklist", headers=ADMIN))
    for item in checklist["items"]:
        await ok(await api.put(f"{url}/checklist/{item['key']}", json={"note": "checked"}, headers=ADMIN))


async def approved_version(api: httpx.AsyncClient, tenant: ApiTenant, approver: dict[str, str],
                           **spec: Any) -> int:
    version = await ok(await api.post(versions_url(tenant), json=SPEC | spec, headers=ADMIN), 201)
    url = f"{versions_url(tenant)}/{version['number']}"
    await complete_checklist(api, url)
    await ok(await api.post(f"{url}/stage", headers=ADMIN))
    approved = await ok(await api.post(f"{url}/approve", headers=approver))
    assert approved["state"] == "approved"
    return int(version["number"])


async def sweep(api: httpx.AsyncClient, tenant: ApiTenant, dry_run: bool) -> list[dict[str, Any]]:
    result = await ok(await api.post(f"{A}/rollout-governance/sweep", json={"dry_run": dry_run, "tenant_id": tenant.id},
                                     headers=ADMIN))
    assert result["dry_run"] is dry_run
    return result["reports"]  # type: ignore[no-any-return]
