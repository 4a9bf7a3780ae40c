"""The API's operating model over HTTP: errors, request ids, rate limits, pagination, body rules,
runtime config versions, access requests and the scoped OpenAPI documents."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.integration.api import ADMIN, bearer, create_tenant, new_number, tenant_body
from voxray.records import CallRecord, CallStatus, Escalation
from voxray.store import Store

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _problem(r: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code and body["status"] == status and body["request_id"] == r.headers["x-request-id"]
    return body  # type: ignore[no-any-return]


async def test_request_id_is_echoed_when_well_formed_and_minted_otherwise(api: httpx.AsyncClient) -> None:
    mine = "req-" + secrets.token_hex(8)
    r = await api.get("/api/v1/call-logs", headers={"X-Request-Id": mine})
    assert r.headers["x-request-id"] == mine and r.json()["request_id"] == mine
    r = await api.get("/api/v1/call-logs", headers={"X-Request-Id": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces" and len(r.headers["x-request-id"]) == 32


async def test_rate_limits_per_key_and_per_tenant_with_headers_and_recovery(api: httpx.AsyncClient) -> None:
    t = await create_tenant(api, rate_limits={"key_per_s": 1, "key_burst": 3, "tenant_per_s": 1, "tenant_burst": 4})
    seen = []
    for _ in range(3):
        r = await api.get("/api/v1/call-logs", headers=t.auth)
        assert r.status_code == 200
        seen.append(int(r.headers["ratelimit-remaining"]))
        assert r.headers["ratelimit-limit"] == "3" and int(r.headers["ratelimit-reset"]) >= 1
    assert seen[0] > seen[-1] and seen[-1] == 0
    limited = await api.get("/api/v1/call-logs", headers=t.auth)
    _problem(limited, 429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1 and limited.headers["ratelimit-remaining"] == "0"
    # A second key of the same tenant has its own bucket but shares the tenant's.
    r = await api.post(f"/api/v1/admin/tenants/{t.id}/api-keys", json={}, headers=ADMIN)
    other = bearer(r.json()["key"])
    statuses = [(await api.get("/api/v1/call-logs", headers=other)).status_code for _ in range(3)]
    assert 429 in statuses, statuses
    await asyncio.sleep(int(limited.headers["retry-after"]) + 0.2)
    assert (await api.get("/api/v1/call-logs", headers=t.auth)).status_code == 200


async def _seed_calls(store: Store, tenant_id: str, n: int, start: datetime, **fields: object) -> list[str]:
    sids = []
    for i in range(n):
        sid = "CA" + secrets.token_hex(16)
        await store.save_call(CallRecord(call_sid=sid, tenant_id=tenant_id, from_number="+15550001111",
                                         to_number="+15550002222", created_at=start + timedelta(seconds=i),
                                         **fields))  # type: ignore[arg-type]
        sids.append(sid)
    return sids


async def test_cursor_pages_are_stable_while_calls_arrive(api: httpx.AsyncClient, store: Store) -> None:
    t = await create_tenant(api)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    existing = await _seed_calls(store, t.id, 25, base)
    # Two calls at the same instant still sort in one total order.
    for _ in range(2):
        existing += await _seed_calls(store, t.id, 1, base - timedelta(seconds=5))
    expected = [c for c in existing[:25]][::-1] + sorted(existing[25:], reverse=True)
    got: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        r = await api.get("/api/v1/call-logs", params=params, headers=t.auth)
        assert r.status_code == 200, r.text
        body = r.json()
        got += [c["id"] for c in body["data"]]
        # New calls keep arriving at the head between pages.
        await _seed_calls(store, t.id, 2, datetime.now(timezone.utc) + timedelta(seconds=pages * 10))
        pages += 1
        if not body["has_more"]:
            break
        cursor = body["next_cursor"]
    assert got == expected


async def test_offset_pages_filters_and_bad_pagination(api: httpx.AsyncClient, store: Store) -> None:
    t = await create_tenant(api)
    base = datetime(2026, 2, 1, tzinfo=timezone.utc)
    done = await _seed_calls(store, t.id, 5, base, status=CallStatus.COMPLETED)
    failed = await _seed_calls(store, t.id, 3, base + timedelta(minutes=1), status=CallStatus.FAILED,
                               direction="outbound")
    escalated = await _seed_calls(store, t.id, 2, base + timedelta(minutes=2), status=CallStatus.COMPLETED,
                                  escalation=Escalation(at=base, reason="caller asked", target="+15550009999"))
    page1 = (await api.get("/api/v1/call-logs", params={"limit": 4}, headers=t.auth)).json()
    assert page1["has_more"] and page1["next_offset"] == 4 and len(page1["data"]) == 4
    page3 = (await api.get("/api/v1/call-logs", params={"limit": 4, "offset": 8}, headers=t.auth)).json()
    assert not page3["has_more"] and page3["next_offset"] is None and len(page3["data"]) == 2

    async def ids(**params: object) -> set[str]:
        r = await api.get("/api/v1/call-logs", params={"limit": 200, **params}, headers=t.auth)
        assert r.status_code == 200, r.text
        return {c["id"] for c in r.json()["data"]}

    assert await ids(status="failed") == set(failed)
    assert await ids(direction="outbound") == set(failed)
    assert await ids(escalated="true") == set(escalated)
    assert await ids(escalated="false") == set(done) | set(failed)
    assert await ids(since=(base + timedelta(minutes=1)).isoformat(),
                     until=(base + timedelta(minutes=1, seconds=10)).isoformat()) == set(failed)
    assert await ids(phone_number="+15550002222") == set(done + failed + escalated)
    log = (await api.get(f"/api/v1/call-logs/{escalated[0]}", headers=t.auth)).json()
    assert log["escalation"] == {"escalated": True, "reason": "caller asked", "target": "+15550009999",
                                 "by": "tool", "at": log["escalation"]["at"]}

    cursor = (await api.get("/api/v1/call-logs", params={"limit": 2, "status": "completed"},
                            headers=t.auth)).json()["next_cursor"]
    _problem(await api.get("/api/v1/call-logs", params={"cursor": cursor}, headers=t.auth), 400, "cursor_invalid")
    _problem(await api.get("/api/v1/call-logs", params={"cursor": "garbage!"}, headers=t.auth), 400, "cursor_invalid")
    _problem(await api.get("/api/v1/call-logs", params={"cursor": cursor, "offset": 2, "status": "completed"},
                           headers=t.auth), 400, "pagination_conflict")
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"status": "exploded"}, {"phone_number": "12"},
                {"since": "yesterday"}):
        body = _problem(await api.get("/api/v1/call-logs", params=bad, headers=t.auth), 422, "validation_failed")
        assert body["errors"] and all("field" in e and "message" in e for e in body["errors"])  # type: ignore[union-attr]
    _problem(await api.get("/api/v1/call-logs", params={"since": "2026-01-01T00:00:00"}, headers=t.auth),
             400, "invalid_time_range")


async def test_voice_session_tags_and_qa_are_editable_and_validated(api: httpx.AsyncClient, store: Store) -> None:
    t = await create_tenant(api)
    (sid,) = await _seed_calls(store, t.id, 1, datetime.now(timezone.utc))
    url = f"/api/v1/voice-sessions/{sid}"
    before = (await api.get(url, headers=t.auth)).json()
    assert before["tags"] == [] and before["qa"]["state"] == "unreviewed" and before["transcript"] == []
    r = await api.patch(url, json={"tags": ["billing", "billing", "vip"], "qa": {"state": "failed", "score": 40,
                                                                                 "notes": "missed the refund"}},
                        headers=t.auth)
    assert r.status_code == 200, r.text
    assert r.json()["tags"] == ["billing", "vip"] and r.json()["qa"]["state"] == "failed"
    assert r.json()["qa"]["reviewed_by"] == f"api-key:{t.key_id}"
    r = await api.patch(url, json={"qa": {"state": "passed"}}, headers=t.auth)
    assert r.json()["qa"]["score"] == 40 and r.json()["tags"] == ["billing", "vip"]  # unset fields stay
    _problem(await api.patch(url, json={"qa": {"state": "great"}}, headers=t.auth), 422, "validation_failed")
    for null in ({"qa": {"state": None}}, {"qa": {"notes": None}}):  # omit to keep; null is refused
        _problem(await api.patch(url, json=null, headers=t.auth), 422, "validation_failed")
    assert (await api.get(url, headers=t.auth)).status_code == 200
    body = _problem(await api.patch(url, json={"tagz": ["x"]}, headers=t.auth), 422, "validation_failed")
    assert any("tagz" in e["field"] for e in body["errors"])  # type: ignore[union-attr]
    _problem(await api.patch(url, json={"tags": ["x" * 65]}, headers=t.auth), 422, "validation_failed")
    listed = (await api.get("/api/v1/voice-sessions", headers=t.auth)).json()["data"]
    assert listed[0]["id"] == sid and listed[0]["qa"]["state"] == "passed"


async def test_bodies_must_be_json_and_small(api: httpx.AsyncClient, store: Store) -> None:
    t = await create_tenant(api)
    (sid,) = await _seed_calls(store, t.id, 1, datetime.now(timezone.utc))
    url = f"/api/v1/voice-sessions/{sid}"
    _problem(await api.patch(url, content=b"tags=x", headers={**t.auth, "Content-Type": "text/plain"}),
             415, "unsupported_media_type")
    _problem(await api.patch(url, content=b"{}", headers=t.auth), 415, "unsupported_media_type")  # no type
    huge = b'{"tags": ["' + b"x" * 300_000 + b'"]}'
    _problem(await api.patch(url, content=huge, headers={**t.auth, "Content-Type": "application/json"}),
             413, "payload_too_large")

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(300):
            yield b" " * 1024

    r = await api.patch(url, content=chunks(), headers={**t.auth, "Content-Type": "application/json"})
    _problem(r, 413, "payload_too_large")
    _problem(await api.patch(url, content=b"{not json", headers={**t.auth, "Content-Type": "application/json"}),
             422, "validation_failed")


async def test_runtime_config_is_validated_versioned_and_applies_to_new_calls(api: httpx.AsyncClient,
                                                                             store: Store) -> None:
    t = await create_tenant(api)
    url = f"/api/v1/admin/tenants/{t.id}/runtime-config"
    first = (await api.get(url, headers=ADMIN)).json()
    config = {**first["config"], "voice": "cedar", "prompt_key": "support-v2", "instructions": "Be kind.",
              "telephony": {"caller_id": t.number, "operator_number": "+15550007777"}}
    r = await api.put(url, json=config, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == first["version"] + 1 and r.json()["changed_by"] == "admin-key:bootstrap"
    tenant = await store.get_tenant(t.id)
    assert tenant is not None and tenant.agent.voice == "cedar" and tenant.config_version == r.json()["version"]
    _problem(await api.put(url, json={**config, "telephony": {"caller_id": new_number()}}, headers=ADMIN),
             422, "caller_id_not_owned")
    _problem(await api.put(url, json={**config, "vad": {"aggressiveness": 9}}, headers=ADMIN), 422, "validation_failed")
    _problem(await api.put(url, json={**config, "temperature": 2}, headers=ADMIN), 422, "validation_failed")
    history = (await api.get(f"{url}/history", headers=ADMIN)).json()
    assert history["total"] == 2 and [v["version"] for v in history["data"]] == [2, 1]
    assert history["data"][1]["config"]["voice"] == "marin"


async def test_tenant_crud_and_number_ownership(api: httpx.AsyncClient, store: Store) -> None:
    a = await create_tenant(api)
    _problem(await api.post("/api/v1/admin/tenants", json=tenant_body(phone_numbers=[a.number]), headers=ADMIN),
             409, "number_taken")
    _problem(await api.post("/api/v1/admin/tenants", json=tenant_body(id=a.id), headers=ADMIN), 409, "tenant_exists")
    _problem(await api.post("/api/v1/admin/tenants", json=tenant_body(twilio_account_sid="nope"), headers=ADMIN),
             422, "validation_failed")
    listed = (await api.get("/api/v1/admin/tenants", headers=ADMIN)).json()
    assert a.id in {x["id"] for x in listed}
    moved = new_number()
    r = await api.patch(f"/api/v1/admin/tenants/{a.id}", json={"phone_numbers": [moved]}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["phone_numbers"] == [moved]
    # The released number is free for another tenant now.
    assert (await api.post("/api/v1/admin/tenants", json=tenant_body(phone_numbers=[a.number]),
                           headers=ADMIN)).status_code == 201
    # A refused number change leaves the numbers the tenant had mapped to it.
    c = await create_tenant(api)
    r = await api.patch(f"/api/v1/admin/tenants/{c.id}", json={"phone_numbers": [c.number, moved]}, headers=ADMIN)
    _problem(r, 409, "number_taken")
    assert (await store.tenant_for_number(c.number)).id == c.id  # type: ignore[union-attr]
    assert (await api.delete(f"/api/v1/admin/tenants/{a.id}", headers=ADMIN)).status_code == 204
    _problem(await api.post("/api/v1/admin/tenants", json=tenant_body(id=a.id), headers=ADMIN), 409, "tenant_exists")
    _problem(await api.get(f"/api/v1/admin/tenants/{a.id}", headers=ADMIN), 404, "tenant_not_found")
    _problem(await api.get("/api/v1/call-logs", headers=a.auth), 401, "invalid_credentials")  # keys revoked


async def test_access_request_flow(api: httpx.AsyncClient) -> None:
    ask = {"company": "Bright Dental", "contact_name": "Ana Ruiz", "contact_email": "ana@brightdental.example",
           "use_case": "Book and reschedule cleanings by phone", "monthly_call_minutes": 12000, "timeline": "1-3 months"}
    r = await api.post("/api/v1/access-requests", json=ask)
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    assert r.json()["state"] == "pending" and "ratelimit-remaining" in r.headers
    _problem(await api.post("/api/v1/access-requests", json={**ask, "contact_email": "not-an-email"}), 422,
             "validation_failed")
    _problem(await api.post("/api/v1/access-requests", json={**ask, "timeline": "someday"}), 422, "validation_failed")
    pending = (await api.get("/api/v1/admin/access-requests", params={"state": "pending", "limit": 200},
                             headers=ADMIN)).json()
    assert rid in {x["id"] for x in pending["data"]}
    body = tenant_body()
    body.pop("name")
    r = await api.post(f"/api/v1/admin/access-requests/{rid}/approve", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    approved = r.json()
    assert approved["request"]["state"] == "approved" and approved["tenant"]["name"] == "Bright Dental"
    assert (await api.get("/api/v1/call-logs", headers=bearer(approved["api_key"]["key"]))).status_code == 200
    _problem(await api.post(f"/api/v1/admin/access-requests/{rid}/reject", json={"reason": "late"}, headers=ADMIN),
             409, "access_request_decided")
    other = (await api.post("/api/v1/access-requests", json=ask)).json()["id"]
    rejected = await api.post(f"/api/v1/admin/access-requests/{other}/reject", json={"reason": "Not a fit"},
                              headers=ADMIN)
    assert rejected.json()["state"] == "rejected" and rejected.json()["reason"] == "Not a fit"
    _problem(await api.post("/api/v1/admin/access-requests/ar_missing/approve", json=tenant_body(), headers=ADMIN),
             404, "access_request_not_found")


async def test_openapi_documents_are_scoped(api: httpx.AsyncClient) -> None:
    public = (await api.get("/api-docs/public.json")).json()
    admin = (await api.get("/api-docs/admin.json")).json()
    full = (await api.get("/api-docs/openapi.json")).json()
    assert public["paths"] and admin["paths"]
    assert not any(p.startswith("/api/v1/admin") or p.startswith("/api/v1/auth") for p in public["paths"])
    assert all(p.startswith(("/api/v1/admin", "/api/v1/auth")) for p in admin["paths"])
    # The Twilio contract tenants configure is public (marked as called by Twilio); the other callbacks are not.
    assert public["paths"]["/api/v1/incoming-call"]["post"]["x-called-by"] == "twilio"
    assert "/api/v1/call-status" not in public["paths"] and "/api/v1/call-status" in full["paths"]
    assert set(public["paths"]) | set(admin["paths"]) <= set(full["paths"])
    assert "TenantCreate" not in public["components"]["schemas"]
    # Tenant-only shapes stay out of the admin document (operators may read call logs, never place calls).
    assert "MakeCall" in public["components"]["schemas"] and "MakeCall" not in admin["components"]["schemas"]
    assert set(public["components"]["securitySchemes"]) == {"TenantKey"}
    for doc in (public, admin, full):
        for path, item in doc["paths"].items():
            for method, op in item.items():
                assert op.get("operationId") and op.get("summary"), (method, path)
                if not path.startswith(("/api/v1/incoming-call", "/api/v1/outbound-answer", "/api/v1/call-status")) \
                        and path not in ("/healthz", "/livez", "/readyz"):
                    assert any(code.startswith("4") for code in op["responses"]), (method, path)
    ui = await api.get("/swagger-ui", params={"doc": "public"})
    assert ui.status_code == 200 and "/api-docs/public.json" in ui.text
    for page in ("/docs/versioning", "/docs/changelog"):
        r = await api.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown") and "#" in r.text


async def test_operator_console_is_served_with_a_strict_policy(api: httpx.AsyncClient) -> None:
    page = await api.get("/operator")
    assert page.status_code == 200 and "/operator/app.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = await api.get("/operator/app.js")
    assert script.status_code == 200 and "X-CSRF-Token" in script.text
