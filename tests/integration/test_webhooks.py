"""Webhooks end to end: the running gateway signs, retries, dead-letters and logs deliveries
to a real local HTTP receiver, with real Redis; the tenant API configures and inspects them.

The `live` gateway retries after ~0.2 s and ~0.4 s and gives up after 3 attempts (conftest).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from standardwebhooks import Webhook

from gateway.webhooks.store import AttemptRecord, WebhookStore
from tests.integration.api import ApiTenant, bearer, create_tenant
from voxray.events import DeliveryState, EndpointRecord, Event, EventType, emit, enqueue, new_event_id
from tests.integration.webhook_receiver import Receiver, configure
from voxray.store import Store

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def eventually_state(api: httpx.AsyncClient, tenant: ApiTenant, event_id: str, state: str,
                           timeout_s: float = 15.0) -> dict[str, Any]:
    end = time.monotonic() + timeout_s
    while True:
        r = await api.get(f"/api/v1/webhook-deliveries/{event_id}", headers=tenant.auth)
        if r.status_code == 200 and r.json()["deliveries"][0]["state"] == state:
            return r.json()  # type: ignore[no-any-return]
        assert time.monotonic() < end, f"never {state}: {r.text}"
        await asyncio.sleep(0.1)


async def test_failed_deliveries_are_retried_signed_with_the_same_id_until_accepted_once(
        api: httpx.AsyncClient, store: Store, receiver: Receiver) -> None:
    tenant = await create_tenant(api)
    receiver.fail_first = 2
    secret = (await configure(api, tenant, receiver.url))["secret"]
    event_id = await emit(store.redis, store.p, tenant.id, EventType.CALL_COMPLETED, {"call_id": "CA1", "turns": 4})
    assert event_id is not None

    log = await eventually_state(api, tenant, event_id, "delivered")
    assert len(receiver.requests) == 3
    for req in receiver.requests:
        assert req.headers["webhook-id"] == event_id  # receivers deduplicate on it
        payload = Webhook(secret).verify(req.body, req.headers)
        assert payload["id"] == event_id and payload["type"] == "call.completed"
        assert payload["data"] == {"call_id": "CA1", "turns": 4} and set(payload) == {"id", "type", "timestamp", "data"}
    gaps = [b.at - a.at for a, b in zip(receiver.requests, receiver.requests[1:])]
    assert gaps[0] >= 0.15 and gaps[1] >= 0.3, gaps  # backoff ~0.2 s then ~0.4 s, +-20 %
    attempts = log["attempts"]
    assert [(a["attempt"], a["status_code"], a["state"]) for a in attempts] == [
        (1, 500, "failed"), (2, 500, "failed"), (3, 200, "delivered")]
    assert attempts[0]["next_attempt_at"] is not None and attempts[0]["error"] == "HTTP 500"
    assert all(a["url"] == receiver.url and a["duration_ms"] >= 0 for a in attempts)

    await asyncio.sleep(1.0)
    assert len(receiver.requests) == 3  # delivered exactly once after the success
    listed = (await api.get("/api/v1/webhook-deliveries", params={"status": "delivered"}, headers=tenant.auth)).json()
    assert [(d["event_id"], d["attempts"], d["last_status_code"]) for d in listed["data"]] == [(event_id, 3, 200)]


async def test_a_receiver_that_always_fails_is_dead_lettered_and_can_be_redelivered(
        api: httpx.AsyncClient, store: Store, receiver: Receiver) -> None:
    tenant = await create_tenant(api)
    receiver.always_fail = True
    await configure(api, tenant, receiver.url)
    event_id = await emit(store.redis, store.p, tenant.id, EventType.HANDOFF_REQUESTED, {"reason": "billing"})
    assert event_id is not None

    dead = await eventually_state(api, tenant, event_id, "dead")
    assert [a["state"] for a in dead["attempts"]] == ["failed", "failed", "dead"]
    assert dead["deliveries"][0]["next_attempt_at"] is None
    listed = (await api.get("/api/v1/webhook-deliveries", params={"status": "dead"}, headers=tenant.auth)).json()
    assert [d["event_id"] for d in listed["data"]] == [event_id]
    assert await store.redis.zscore(f"{store.p}:t:{tenant.id}:wh:dead", f"{event_id}:{dead['deliveries'][0]['endpoint_id']}")
    await asyncio.sleep(0.8)
    assert len(receiver.requests) == 3  # no attempts after dead

    receiver.always_fail = False
    r = await api.post(f"/api/v1/webhook-deliveries/{event_id}/redeliver", headers=tenant.auth)
    assert r.status_code == 202, r.text
    done = await eventually_state(api, tenant, event_id, "delivered")
    assert [a["attempt"] for a in done["attempts"]] == [1, 2, 3, 4]
    assert {req.headers["webhook-id"] for req in receiver.requests} == {event_id}
    assert not await store.redis.zscore(f"{store.p}:t:{tenant.id}:wh:dead",
                                        f"{event_id}:{dead['deliveries'][0]['endpoint_id']}")
    again = await api.post(f"/api/v1/webhook-deliveries/{event_id}/redeliver", headers=tenant.auth)
    assert again.status_code == 409 and again.json()["code"] == "not_redeliverable"


async def test_the_test_route_sends_a_signed_webhook_test_event_whatever_the_subscription(
        api: httpx.AsyncClient, receiver: Receiver) -> None:
    tenant = await create_tenant(api)
    secret = (await configure(api, tenant, receiver.url, event_types=["call.completed"]))["secret"]
    r = await api.post("/api/v1/webhook-endpoint/test", headers=tenant.auth)
    assert r.status_code == 202, r.text
    event_id = r.json()["event_id"]
    await eventually_state(api, tenant, event_id, "delivered")
    payload = Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)
    assert payload["type"] == "webhook.test" and payload["id"] == event_id


async def test_events_go_only_to_tenants_with_an_endpoint_subscribed_to_their_type(
        api: httpx.AsyncClient, store: Store, receiver: Receiver) -> None:
    tenant = await create_tenant(api)
    assert await emit(store.redis, store.p, tenant.id, EventType.CALL_ANSWERED, {}) is None  # no endpoint
    await configure(api, tenant, receiver.url, event_types=["call.completed", "call.failed", "call.completed"])
    assert await emit(store.redis, store.p, tenant.id, EventType.CALL_ANSWERED, {}) is None
    ids = [await emit(store.redis, store.p, tenant.id, EventType.CALL_FAILED, {"n": n}) for n in range(3)]
    assert None not in ids and len(set(ids)) == 3  # each event id unique
    for event_id in ids:
        await eventually_state(api, tenant, str(event_id), "delivered")
    assert sorted(r.headers["webhook-id"] for r in receiver.requests) == sorted(str(i) for i in ids)

    page = (await api.get("/api/v1/webhook-deliveries", params={"limit": 2}, headers=tenant.auth)).json()
    assert [d["event_id"] for d in page["data"]] == [ids[2], ids[1]] and page["has_more"]
    rest = (await api.get("/api/v1/webhook-deliveries", params={"limit": 2, "cursor": page["next_cursor"]},
                          headers=tenant.auth)).json()
    assert [d["event_id"] for d in rest["data"]] == [ids[0]] and not rest["has_more"]
    other = (await api.get("/api/v1/webhook-deliveries", params={"event_type": "call.completed"},
                           headers=tenant.auth)).json()
    assert other["data"] == []


async def test_emit_never_raises_on_the_callers_path(store: Store) -> None:
    broken = Store.from_url("redis://127.0.0.1:1", store.p)  # nothing listens there
    try:
        assert await emit(broken.redis, broken.p, "t-nobody", EventType.CALL_COMPLETED, {}, timeout_s=1) is None
    finally:
        await broken.close()
    assert await emit(store.redis, store.p, "t-nobody", EventType.CALL_COMPLETED, {"x": object()}) is None
    assert await emit(store.redis, store.p, "t-nobody", "no.such.type", {}) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("body, code", [
    ({"url": "ftp://hooks.example.com/"}, "webhook_url_rejected"),
    ({"url": "not a url"}, "webhook_url_rejected"),
    ({"url": "https://user:pw@hooks.example.com/"}, "webhook_url_rejected"),
    ({"url": "https:///nohost"}, "webhook_url_rejected"),
    ({"url": "https://hooks.example.com/", "event_types": ["call.exploded"]}, "validation_failed"),
    ({"url": "https://hooks.example.com/", "event_types": []}, "validation_failed"),
    ({"url": "https://hooks.example.com/", "secret": "whsec_mine"}, "validation_failed"),
    ({}, "validation_failed"),
])
async def test_invalid_endpoints_are_refused_with_422(api: httpx.AsyncClient, body: dict[str, Any], code: str) -> None:
    tenant = await create_tenant(api)
    r = await api.put("/api/v1/webhook-endpoint", json=body, headers=tenant.auth)
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await api.get("/api/v1/webhook-endpoint", headers=tenant.auth)).status_code == 404


async def test_the_secret_is_shown_only_at_creation_and_rotation_and_both_sign_during_rotation(
        api: httpx.AsyncClient, store: Store, receiver: Receiver) -> None:
    tenant = await create_tenant(api)
    created = await configure(api, tenant, receiver.url, description="CRM")
    first = created["secret"]
    assert first.startswith("whsec_") and first.startswith(created["secret_prefix"])
    got = await api.get("/api/v1/webhook-endpoint", headers=tenant.auth)
    assert got.status_code == 200 and "secret" not in got.json() and first[10:] not in got.text
    assert got.json()["description"] == "CRM" and got.json()["event_types"] is None
    updated = await api.put("/api/v1/webhook-endpoint", json={"url": receiver.url, "event_types": ["call.completed"]},
                            headers=tenant.auth)
    assert updated.status_code == 200 and updated.json()["secret"] is None
    assert updated.json()["id"] == created["id"] and updated.json()["event_types"] == ["call.completed"]

    rotated = await api.post("/api/v1/webhook-endpoint/rotate-secret", headers=tenant.auth)
    assert rotated.status_code == 200
    second = rotated.json()["secret"]
    assert second != first and rotated.json()["previous_secret_expires_at"] is not None
    assert second[10:] not in (await api.get("/api/v1/webhook-endpoint", headers=tenant.auth)).text
    event_id = await emit(store.redis, store.p, tenant.id, EventType.CALL_COMPLETED, {})
    await eventually_state(api, tenant, str(event_id), "delivered")
    for secret in (first, second):
        Webhook(secret).verify(receiver.requests[-1].body, receiver.requests[-1].headers)


async def test_deleting_the_endpoint_dead_letters_what_was_queued_for_it(
        api: httpx.AsyncClient, store: Store, receiver: Receiver) -> None:
    tenant = await create_tenant(api)
    receiver.always_fail = True
    await configure(api, tenant, receiver.url)
    event_id = str(await emit(store.redis, store.p, tenant.id, EventType.CALL_COMPLETED, {}))
    await eventually_state(api, tenant, event_id, "failed")
    assert (await api.delete("/api/v1/webhook-endpoint", headers=tenant.auth)).status_code == 204
    dead = await eventually_state(api, tenant, event_id, "dead")
    assert dead["deliveries"][0]["last_error"] == "endpoint deleted"
    assert (await api.get("/api/v1/webhook-endpoint", headers=tenant.auth)).status_code == 404
    r = await api.post(f"/api/v1/webhook-deliveries/{event_id}/redeliver", headers=tenant.auth)
    assert r.status_code == 409


async def test_tenants_see_and_touch_only_their_own_webhooks(
        api: httpx.AsyncClient, store: Store, receiver: Receiver) -> None:
    a, b = await create_tenant(api), await create_tenant(api)
    await configure(api, a, receiver.url)
    event_id = str(await emit(store.redis, store.p, a.id, EventType.TOOL_CALLED, {"name": "lookup_order"}))
    await eventually_state(api, a, event_id, "delivered")
    assert (await api.get("/api/v1/webhook-deliveries", headers=b.auth)).json()["data"] == []
    assert (await api.get(f"/api/v1/webhook-deliveries/{event_id}", headers=b.auth)).status_code == 404
    assert (await api.post(f"/api/v1/webhook-deliveries/{event_id}/redeliver", headers=b.auth)).status_code == 404
    assert (await api.get("/api/v1/webhook-endpoint", headers=b.auth)).status_code == 404
    assert (await api.get("/api/v1/webhook-deliveries/evt_nonsense", headers=a.auth)).status_code == 404


async def test_webhook_routes_need_the_webhook_scopes(api: httpx.AsyncClient, receiver: Receiver) -> None:
    reader = await create_tenant(api, scopes=["webhooks:read"])
    logs_only = await create_tenant(api, scopes=["logs:read"])
    put = await api.put("/api/v1/webhook-endpoint", json={"url": receiver.url}, headers=reader.auth)
    assert put.status_code == 403 and put.json()["code"] == "insufficient_scope"
    assert (await api.post("/api/v1/webhook-endpoint/test", headers=reader.auth)).status_code == 403
    catalog = await api.get("/api/v1/webhook-events", headers=reader.auth)
    assert catalog.status_code == 200
    assert {e["type"] for e in catalog.json()} == {t.value for t in EventType}
    assert all(e["description"] for e in catalog.json())
    assert (await api.get("/api/v1/webhook-deliveries", headers=logs_only.auth)).status_code == 403
    assert (await api.get("/api/v1/webhook-events")).status_code == 401
    assert (await api.get("/api/v1/webhook-endpoint", headers=bearer("vxk_" + "0" * 12 + "_" + "0" * 48))).status_code == 401


async def test_a_claim_is_leased_and_a_crashed_workers_claim_comes_due_again(store: Store) -> None:
    # A prefix no gateway polls: this test plays two workers against the real Redis schedule.
    prefix = f"vxlease{secrets.token_hex(4)}"
    ws = WebhookStore(store.redis, prefix)
    now = datetime.now(timezone.utc)
    endpoint = EndpointRecord(id="ep_1", url="https://hooks.example.com/", secret=SecretStr("whsec_AAAA"),
                              created_at=now, updated_at=now)
    assert await ws.put_endpoint("t-lease", endpoint, None)
    assert not await ws.put_endpoint("t-lease", endpoint, None)  # one endpoint per tenant
    event = Event(id=new_event_id(time.time()), type="call.completed", timestamp=now, data={})
    try:
        await enqueue(store.redis, prefix, "t-lease", event, [endpoint])
        crashed = await ws.claim(time.time(), lease_s=0.3, limit=10, token="crashed")
        assert crashed == [f"t-lease:{event.id}:ep_1"]
        assert await ws.claim(time.time(), lease_s=0.3, limit=10, token="other") == []  # leased
        await asyncio.sleep(0.4)
        assert await ws.claim(time.time(), lease_s=30, limit=10, token="other") == crashed  # lease ran out
        stale, live = await ws.load(crashed[0], "crashed"), await ws.load(crashed[0], "other")
        assert live.record is not None and live.endpoint is not None and live.body == event.body()
        done = live.record.model_copy(update={"state": DeliveryState.DELIVERED, "attempts": 1})
        attempt = AttemptRecord(endpoint_id="ep_1", url=endpoint.url, attempt=1, at=now, status_code=200, error=None,
                                duration_ms=1.0, state=DeliveryState.DELIVERED, next_attempt_at=None)
        assert not await ws.finish(stale, done, attempt, time.time())  # the crashed worker's lease is gone
        assert await ws.finish(live, done, attempt, time.time())
        assert await store.redis.zcard(ws.keys.due) == 0
        assert [a.status_code for a in await ws.attempts("t-lease", event.id)] == [200]
    finally:
        keys = [k async for k in store.redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await store.redis.delete(*keys)
