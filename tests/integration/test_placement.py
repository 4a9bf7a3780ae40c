"""Placement and overload through the real call path: refusal past capacity, dedicated processes.

A second gateway on the session's Redis, Ray and model server, under its own key prefix, so it
has its own pool supervisor and a capacity small enough to overrun: two shared call slots, a
cluster cap of two live calls, one warm dedicated process retired after two calls.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import AsyncIterator, Iterator

import httpx
import pytest

from launcher.stack import GatewayThread, Stack
from simulators.carrier.call import CallConfig, SimulatedCall
from simulators.carrier.result import CallResult
from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent
from simulators.carrier.twiml import parse_twiml
from tests.conftest import WEBHOOKS_UNDER_TEST, Live
from tests.integration.test_call_path import wait_call_ended
from tests.integration.twilio_wire import new_call_sid, post_webhook
from voxray.records import AgentConfig, CallStatus, Tenant
from voxray.settings import load_settings
from voxray.store import Store

ADMIN = {"Authorization": "Bearer test-admin-key-123456"}
SCRIPT = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(500), Hangup()]


@pytest.fixture(scope="module")
def small(live: Live) -> Iterator[Live]:
    settings = load_settings(
        port=0, data_dir=live.stack.settings.data_dir, redis_url=live.redis_url, key_prefix="vxsmall",
        openai_websocket_base_url=live.model_url, twilio_api_base_url=live.stack.twilio_api_url,
        public_base_url=live.public_base_url, admin_key="test-admin-key-123456", stream_token_secret="test-stream-secret",
        stream_start_timeout_s=4, calls_per_actor=2, warm_pool_size=2, max_live_calls=2, dedicated_warm=1,
        dedicated_max_calls=2, admin_burst=1_000_000, anon_burst=1_000_000, auth_fail_burst=1_000_000,
        **WEBHOOKS_UNDER_TEST,
    )
    stack = Stack(settings).start_backends()
    gateway = GatewayThread(stack.uvicorn_config()).start()
    yield Live(gateway_url=f"http://127.0.0.1:{gateway.port}", public_base_url=live.public_base_url,
               redis_url=live.redis_url, model_url=live.model_url, key_prefix="vxsmall", stack=stack, gateway=gateway)
    gateway.stop()


@pytest.fixture
async def small_store(small: Live) -> AsyncIterator[Store]:
    s = Store.from_url(small.redis_url, small.key_prefix)
    yield s
    await s.close()


async def tenant_in(store: Store, **fields: object) -> Tenant:
    tenant = Tenant(id=f"p-{secrets.token_hex(5)}", name="Placement Co", twilio_account_sid="AC" + secrets.token_hex(16),
                    twilio_auth_token=secrets.token_hex(16), phone_numbers=["+1555" + str(secrets.randbelow(10**7)).zfill(7)],
                    agent=AgentConfig(local_script="two_turns"), **fields)  # type: ignore[arg-type]
    await store.put_tenant(tenant)
    return tenant


async def place(small: Live, tenant: Tenant) -> CallResult:
    config = CallConfig(gateway_url=small.gateway_url, public_base_url=small.public_base_url,
                        auth_token=tenant.twilio_auth_token.get_secret_value(), to_number=tenant.phone_numbers[0],
                        from_number="+15557654321", script=SCRIPT, account_sid=tenant.twilio_account_sid)
    return await SimulatedCall(config).run()


async def pids_while(small: Live, task: "asyncio.Future[object]") -> set[int]:
    seen: set[int] = set()
    async with httpx.AsyncClient(base_url=small.gateway_url, headers=ADMIN) as http:
        while not task.done():
            seen |= {s["pid"] for s in (await http.get("/api/v1/admin/live-sessions")).json()}
            await asyncio.sleep(0.1)
    return seen


async def test_twice_capacity_refuses_the_excess_with_a_spoken_busy_message_and_serves_the_rest(
        small: Live, small_store: Store) -> None:
    tenant = await tenant_in(small_store, max_concurrent_calls=10)
    results = await asyncio.gather(*(place(small, tenant) for _ in range(4)))
    admitted = [r for r in results if r.connected]
    refused = [r for r in results if not r.connected]
    assert len(admitted) == 2 and len(refused) == 2
    for r in admitted:  # the admitted calls are whole: greeting, an answer to the caller's turn
        assert r.ok and r.script_completed and r.turns[0].latency_ms is not None, (r.errors, r.timeouts)
    for r in refused:
        assert r.twiml is not None and r.twiml.verb_names == ["Say", "Hangup"]
        assert "busy" in r.twiml.verbs[0].text  # type: ignore[union-attr]
        call = await wait_call_ended(small_store, tenant.id, r.call_sid)
        assert call.status == CallStatus.FAILED and call.end_reason == "rejected: capacity"
    async with httpx.AsyncClient(base_url=small.gateway_url) as http:
        assert (await http.get("/readyz")).status_code == 200  # full is not unready: callers still hear why


async def test_dedicated_tenant_gets_its_own_process_reused_for_its_next_call_then_retired(
        small: Live, small_store: Store) -> None:
    dedicated = await tenant_in(small_store, isolation="dedicated")
    shared = await tenant_in(small_store)
    first = asyncio.ensure_future(place(small, dedicated))
    other = asyncio.ensure_future(place(small, shared))
    both = asyncio.gather(first, other)
    during = await pids_while(small, both)
    r1, r2 = await both
    assert r1.ok and r2.ok and len(during) == 2  # never the same process as another tenant's call
    second = asyncio.ensure_future(place(small, dedicated))
    again = await pids_while(small, second)
    assert (await second).ok
    third = asyncio.ensure_future(place(small, dedicated))
    fresh = await pids_while(small, third)
    assert (await third).ok
    dedicated_pid = (during & again)
    assert len(dedicated_pid) == 1, "the second call reused the first call's process"
    assert not (fresh & dedicated_pid), "retired after two calls: the third gets a new process"


async def test_full_cluster_refuses_make_call_with_503_and_a_new_caller_at_once_without_touching_live_calls(
        small: Live, small_store: Store) -> None:
    tenant = await tenant_in(small_store, max_concurrent_calls=10)
    long_script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(4000), Hangup()]

    async def long_call() -> CallResult:
        config = CallConfig(gateway_url=small.gateway_url, public_base_url=small.public_base_url,
                            auth_token=tenant.twilio_auth_token.get_secret_value(), to_number=tenant.phone_numbers[0],
                            from_number="+15557654321", script=long_script, account_sid=tenant.twilio_account_sid)
        return await SimulatedCall(config).run()

    calls = [asyncio.ensure_future(long_call()) for _ in range(2)]
    async with httpx.AsyncClient(base_url=small.gateway_url, headers=ADMIN, timeout=30) as http:
        for _ in range(100):
            if len((await http.get("/api/v1/admin/live-sessions")).json()) == 2:
                break
            await asyncio.sleep(0.1)
        key = (await http.post(f"/api/v1/admin/tenants/{tenant.id}/api-keys", json={"name": "t"})).json()["key"]
        r = await http.post("/api/v1/make-call", json={"to": "+15558887777"},
                            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": secrets.token_hex(8)})
        live_sids = [s["call_sid"] for s in (await http.get("/api/v1/admin/live-sessions")).json()]
    assert r.status_code == 503 and r.json()["code"] == "capacity" and r.headers["retry-after"] == "5"
    assert r.headers["content-type"].startswith("application/problem+json")
    # An inbound caller now is answered from the webhook's first round trip: the busy message.
    newcomer = new_call_sid()
    busy = await post_webhook(small, tenant, newcomer)
    assert busy.status_code == 200 and parse_twiml(busy.text).verb_names == ["Say", "Hangup"]
    refused = await wait_call_ended(small_store, tenant.id, newcomer)
    assert refused.status == CallStatus.FAILED and refused.end_reason == "rejected: capacity"
    # A replay of a live call's (signed) webhook gets no stream and leaves that call's record alone.
    before = await small_store.get_call(tenant.id, live_sids[0])
    replay = await post_webhook(small, tenant, live_sids[0])
    assert replay.status_code == 200 and parse_twiml(replay.text).connect is None
    await asyncio.sleep(0.3)  # the refusal's record write runs beside the answer
    after = await small_store.get_call(tenant.id, live_sids[0])
    assert before is not None and after is not None and after.created_at == before.created_at
    assert after.status != CallStatus.FAILED and not (after.end_reason or "").startswith("rejected")
    assert all(c.ok for c in await asyncio.gather(*calls))
