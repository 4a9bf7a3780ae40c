"""Many gateways, many Ray nodes: what a high-volume deployment relies on, on a real cluster.

Three raylets, two ``voxray gateway`` processes, calls placed by the carrier simulator through
its load balancer. Each test says what the caller heard and what the records say.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import httpx
import pytest

from simulators.carrier.balancer import Balanced, GatewayHealth
from simulators.carrier.call import CallConfig, SimulatedCall
from simulators.carrier.result import CallResult
from simulators.carrier.script import Hangup, Say, Silence, Step, WaitForAgent
from simulators.carrier.urls import UrlMap
from tests.cluster.conftest import PUBLIC, ClusterEnv

pytestmark = pytest.mark.timeout(300)

SHORT: list[Step] = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Hangup()]


def long_call(seconds: int) -> list[Step]:
    return [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(seconds * 1000),
            Hangup()]


async def make_tenant(env: ClusterEnv, limit: int = 20) -> dict[str, Any]:
    tenant = {"id": f"c-{secrets.token_hex(5)}", "name": "Cluster Co", "twilio_account_sid": "AC" + secrets.token_hex(16),
              "twilio_auth_token": secrets.token_hex(16), "phone_numbers": ["+1555" + str(secrets.randbelow(10**7)).zfill(7)],
              "max_concurrent_calls": limit, "runtime_config": {"local_model_script": "two_turns"}}
    async with httpx.AsyncClient(base_url=env.gateways["a"].url, timeout=30) as http:
        r = await http.post("/api/v1/admin/tenants", json=tenant, headers=env.admin())
        assert r.status_code == 201, r.text
    return tenant


def config(tenant: dict[str, Any], script: list[Step], gateway_url: str = "http://unused") -> CallConfig:
    return CallConfig(gateway_url=gateway_url, public_base_url=PUBLIC, auth_token=tenant["twilio_auth_token"],
                      to_number=tenant["phone_numbers"][0], from_number="+1555" + str(secrets.randbelow(10**7)).zfill(7),
                      script=script, account_sid=tenant["twilio_account_sid"])


async def call_via(env: ClusterEnv, tenant: dict[str, Any], script: list[Step], *, gateway: str | None = None,
                   health: GatewayHealth | None = None) -> CallResult:
    """A call through one gateway (webhook and stream), or through the balancer."""
    if gateway is not None:
        url = env.gateways[gateway].url
        return await SimulatedCall(config(tenant, script, url), urls=UrlMap.single(PUBLIC, url)).run()
    health = health or GatewayHealth([g.url for g in env.gateways.values()])
    return await SimulatedCall(config(tenant, script), urls=Balanced(public_base_url=PUBLIC, health=health)).run()


async def record(env: ClusterEnv, tenant: dict[str, Any], sid: str, *, ended: bool = True,
                 timeout_s: float = 20.0) -> dict[str, Any]:
    key = await tenant_key(env, tenant)
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=running(env), timeout=10) as http:
        while True:
            r = await http.get(f"/api/v1/call-logs/{sid}", headers=key)
            if r.status_code == 200 and (not ended or r.json().get("ended_at")):
                return r.json()  # type: ignore[no-any-return]
            assert time.monotonic() < deadline, f"call {sid} not ended: {r.status_code} {r.text[:300]}"
            await asyncio.sleep(0.2)


_KEYS: dict[str, dict[str, str]] = {}


def running(env: ClusterEnv) -> str:
    """A gateway that is up now (tests kill and restart them)."""
    return next(g.url for g in env.gateways.values() if g.proc is not None and g.proc.poll() is None)


async def tenant_key(env: ClusterEnv, tenant: dict[str, Any]) -> dict[str, str]:
    if tenant["id"] not in _KEYS:
        async with httpx.AsyncClient(base_url=running(env), timeout=10) as http:
            r = await http.post(f"/api/v1/admin/tenants/{tenant['id']}/api-keys", json={"name": "t"},
                                headers=env.admin())
            assert r.status_code == 201, r.text
            _KEYS[tenant["id"]] = {"Authorization": f"Bearer {r.json()['key']}"}
    return _KEYS[tenant["id"]]


async def live_sessions(env: ClusterEnv) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=running(env), timeout=10) as http:
        r = await http.get("/api/v1/admin/live-sessions", headers=env.admin())
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


async def wait_live(env: ClusterEnv, n: int, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        states = [s for s in await live_sessions(env) if s["state"] == "in_call"]
        if len(states) >= n:
            return states
        assert time.monotonic() < deadline, f"only {len(states)} of {n} calls live"
        await asyncio.sleep(0.2)


async def test_webhook_on_one_gateway_and_media_on_the_other_make_one_working_call(cluster: ClusterEnv) -> None:
    tenant = await make_tenant(cluster)
    health = GatewayHealth([cluster.gateways["a"].url, cluster.gateways["b"].url])
    result = await call_via(cluster, tenant, SHORT, health=health)
    assert result.ok, (result.setup_error, result.errors, result.timeouts)
    rec = await record(cluster, tenant, result.call_sid)
    assert rec["status"] == "completed" and rec["turns"] == 1
    # The balancer sent the webhook to A and the stream to B.
    assert f'"call_sid": "{result.call_sid}"' in cluster.gateways["a"].log.read_text() or \
        result.call_sid in cluster.gateways["a"].log.read_text()


async def test_tenant_limit_of_three_holds_across_both_gateways(cluster: ClusterEnv) -> None:
    tenant = await make_tenant(cluster, limit=3)
    health = GatewayHealth([cluster.gateways["a"].url, cluster.gateways["b"].url])
    results = await asyncio.gather(*(call_via(cluster, tenant, long_call(1), health=health) for _ in range(6)))
    admitted = [r for r in results if r.connected]
    refused = [r for r in results if not r.connected]
    assert len(admitted) == 3 and len(refused) == 3
    for r in refused:  # the caller heard why, and was hung up on
        assert r.twiml is not None and r.twiml.verb_names == ["Say", "Hangup"]
        rec = await record(cluster, tenant, r.call_sid)
        assert rec["end_reason"] == "rejected: tenant_concurrency_limit"
    assert all(r.ok for r in admitted), [(r.errors, r.timeouts) for r in admitted]


async def test_killed_gateway_loses_only_its_own_calls_and_serves_again_once_restarted(cluster: ClusterEnv) -> None:
    tenant = await make_tenant(cluster)
    on_a = [asyncio.create_task(call_via(cluster, tenant, long_call(20), gateway="a")) for _ in range(2)]
    on_b = [asyncio.create_task(call_via(cluster, tenant, long_call(3), gateway="b")) for _ in range(2)]
    await wait_live(cluster, 4)
    cluster.gateways["a"].kill()
    lost = await asyncio.gather(*on_a)
    for r in lost:  # Twilio resumes the TwiML after </Connect>: the caller hears the apology
        assert r.after_stream and r.after_stream[0].startswith("Say: We are sorry")
        rec = await record(cluster, tenant, r.call_sid, timeout_s=15)
        assert rec["status"] == "failed" and rec["end_reason"] == "gateway_lost"
    kept = await asyncio.gather(*on_b)
    for r in kept:
        assert r.ok and r.script_completed, (r.errors, r.timeouts)
        assert (await record(cluster, tenant, r.call_sid))["status"] == "completed"
    cluster.gateways["a"].start().wait_ready()
    again = await call_via(cluster, tenant, SHORT, gateway="a")
    assert again.ok, (again.setup_error, again.errors)


async def test_rolling_restart_of_both_gateways_drops_no_call(cluster: ClusterEnv) -> None:
    tenant = await make_tenant(cluster, limit=50)
    health = GatewayHealth([g.url for g in cluster.gateways.values()])
    watcher = asyncio.create_task(health.watch(0.1))
    calls: list[asyncio.Task[CallResult]] = []
    stop = asyncio.Event()

    async def steady() -> None:
        while not stop.is_set():
            calls.append(asyncio.create_task(call_via(cluster, tenant, long_call(2), health=health)))
            await asyncio.sleep(1.5)

    feeder = asyncio.create_task(steady())
    try:
        await asyncio.sleep(3)
        for name in ("a", "b"):
            gateway = cluster.gateways[name]
            assert gateway.proc is not None
            gateway.proc.terminate()  # SIGTERM, as a deploy sends it
            async with httpx.AsyncClient(base_url=gateway.url, timeout=5) as http:
                deadline = time.monotonic() + 5
                while (await http.get("/readyz")).status_code != 503:  # out of the balancer's rotation
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.05)
                assert (await http.get("/livez")).status_code == 200  # but alive while it drains
            code = await asyncio.to_thread(gateway.proc.wait, 120)
            assert code == 0, gateway.log.read_text()[-2000:]
            await asyncio.to_thread(cluster.gateways[name].start().wait_ready)
            await asyncio.sleep(1)
    finally:
        stop.set()
        await feeder
    results = await asyncio.gather(*calls)
    watcher.cancel()
    assert len(results) >= 6
    bad = [(r.call_sid, r.setup_error, r.errors, r.timeouts, r.after_stream,
            (await record(cluster, tenant, r.call_sid))["end_reason"]) for r in results
           if not (r.ok and r.script_completed)]
    assert not bad
    for r in results:
        assert (await record(cluster, tenant, r.call_sid))["status"] == "completed"


async def test_node_loss_ends_exactly_its_calls_and_the_next_calls_land_on_the_survivor(cluster: ClusterEnv) -> None:
    tenant = await make_tenant(cluster)
    tasks = [asyncio.create_task(call_via(cluster, tenant, long_call(15), gateway="b")) for _ in range(4)]
    live = await wait_live(cluster, 4)
    nodes = {s["call_sid"]: s["node"] for s in live}
    doomed_node = cluster.ray.workers[0]
    assert set(nodes.values()) == set(cluster.ray.workers[:2]), "calls spread over both call nodes"
    killed_at = time.monotonic()
    cluster.ray.command("remove 0")
    doomed = {sid for sid, node in nodes.items() if node == doomed_node}
    for sid in doomed:
        rec = await record(cluster, tenant, sid, timeout_s=10)
        assert rec["end_reason"] == "node_lost" and rec["status"] == "failed"
    assert time.monotonic() - killed_at < 5.0 + 1.0  # within 5 s (plus this poll's own step)
    results = {r.call_sid: r for r in await asyncio.gather(*tasks)}
    for sid, r in results.items():
        if sid in doomed:
            assert r.after_stream and r.after_stream[0].startswith("Say: We are sorry"), r.after_stream
        else:
            assert r.ok and r.script_completed, (r.errors, r.timeouts)
            assert (await record(cluster, tenant, sid))["status"] == "completed"
    after = asyncio.create_task(call_via(cluster, tenant, long_call(2), gateway="a"))
    [state] = await wait_live(cluster, 1)
    assert state["node"] == cluster.ray.workers[1]
    assert (await after).ok
    cluster.ray.workers[0] = cluster.ray.command("add")["added"]
    await wait_actor_on(cluster, cluster.ray.workers[0])  # a new call node gets its actor


async def wait_actor_on(env: ClusterEnv, node: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=running(env), timeout=10) as http:
        while True:
            status = (await http.get("/api/v1/admin/pool", headers=env.admin())).json()
            if any(a["node"] == node and a["capacity"] > 0 for a in status["actors"]):
                return
            assert time.monotonic() < deadline, f"no actor on {node[:12]}: {status}"
            await asyncio.sleep(0.3)


async def test_the_pool_asks_the_ray_autoscaler_for_call_node_capacity(cluster: ClusterEnv) -> None:
    bundles = cluster.ray.command("requests")["bundles"]
    assert bundles, "the pool supervisor never called request_resources"
    assert all(b.get("voxray_call_node") == 1.0 and b.get("CPU") == 1.0 for b in bundles)


async def test_draining_a_node_takes_no_new_calls_there_and_lets_its_calls_finish(cluster: ClusterEnv) -> None:
    tenant = await make_tenant(cluster)
    tasks = [asyncio.create_task(call_via(cluster, tenant, long_call(12), gateway="a")) for _ in range(2)]
    live = await wait_live(cluster, 2)
    drained = live[0]["node"]
    async with httpx.AsyncClient(base_url=running(cluster), timeout=30) as http:
        r = await http.post(f"/api/v1/admin/nodes/{drained}/drain", headers=cluster.admin())
        assert r.status_code == 202, r.text
    newcomer = asyncio.create_task(call_via(cluster, tenant, long_call(1), gateway="b"))
    first = {x["call_sid"] for x in live}
    deadline = time.monotonic() + 20
    while not (new := [s for s in await live_sessions(cluster) if s["call_sid"] not in first]):
        if newcomer.done() or time.monotonic() > deadline:
            result = await newcomer
            raise AssertionError(f"the new call never went live: {result.setup_error} {result.errors} "
                                 f"{(await record(cluster, tenant, result.call_sid))['end_reason']}")
        await asyncio.sleep(0.2)
    assert new[0]["node"] != drained
    for r in await asyncio.gather(*tasks, newcomer):
        assert r.ok and r.script_completed, (r.errors, r.timeouts)
        assert (await record(cluster, tenant, r.call_sid))["status"] == "completed"
    # Its calls done, the node's actors leave and Ray lets the drained node go.
    deadline = time.monotonic() + 30
    while drained in cluster.ray.command("alive")["alive"]:
        assert time.monotonic() < deadline, "drained node never left"
        await asyncio.sleep(0.5)
    fresh = cluster.ray.command("add")["added"]
    cluster.ray.workers[cluster.ray.workers.index(drained)] = fresh
    await wait_actor_on(cluster, fresh)
