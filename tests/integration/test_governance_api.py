"""Launch governance over the admin API: versions, approval, checklists, routes, rollouts, kill
switches, the audit log, the sweep, the gateway's route cache, and a restarted governance actor.

Real peers (gateway, Redis, Ray); no calls are placed: the sweep reads call records written here.
Each test has its own tenant and number, and sweeps only its own tenant.
"""

from __future__ import annotations

import secrets
from typing import Any, Literal

import httpx
import pytest
import ray

from governance import policy as gp
from governance.client import GovernanceClient, actor_name
from governance.models import PhoneRoute
from tests.conftest import Live
from tests.integration.api import (
    ADMIN,
    ApiTenant,
    bearer,
    create_admin_key,
    create_tenant,
    new_number,
)
from tests.integration.governance_helpers import (
    AGENT,
    FAST_POLICY,
    SPEC,
    A,
    approved_version,
    complete_checklist,
    ok,
    problem,
    sweep,
    versions_url,
)
from voxray.records import CallRecord, CallStatus, Escalation, utcnow
from voxray.store import Store


async def routed_rollout(api: httpx.AsyncClient, tenant: ApiTenant, approver: dict[str, str],
                         policy: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tenant's number on v1 with a running canary of v2 (under ``policy``, named "fast")."""
    v1 = await approved_version(api, tenant, approver)
    v2 = await approved_version(api, tenant, approver, prompt_text="You answer calls for Acme, briefly.")
    await ok(await api.put(f"{A}/phone-routes/{tenant.number}", json={"tenant_id": tenant.id, "agent": AGENT,
                                                                     "version": v1}, headers=ADMIN))
    await ok(await api.put(f"{A}/tenants/{tenant.id}/rollout-policies/fast", json=policy or FAST_POLICY,
                           headers=ADMIN))
    route = await ok(await api.post(f"{A}/phone-routes/{tenant.number}/rollout",
                                    json={"version": v2, "policy": "fast"}, headers=ADMIN))
    assert route["canary"]["version"] == v2 and route["canary"]["state"] == "running"
    return route  # type: ignore[no-any-return]


async def seed_calls(store: Store, tenant: ApiTenant, *, arm: Literal["stable", "canary", "fallback"], version: int,
                     count: int, failed: int = 0, escalated: int = 0) -> None:
    """Ended calls on the tenant's route, as call setup and the session would record them."""
    for i in range(count):
        await store.save_call(CallRecord(
            call_sid="CA" + secrets.token_hex(16), tenant_id=tenant.id, from_number=new_number(),
            to_number=tenant.number, status=CallStatus.FAILED if i < failed else CallStatus.COMPLETED,
            agent_name=AGENT, agent_version=version, route_number=tenant.number, arm=arm,
            escalation=Escalation(at=utcnow(), reason="asked for a person") if i < escalated else None,
            turn_latency_p95_ms=420.0, tool_calls=2, tool_errors=0, ended_at=utcnow()))


async def audit(api: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    page = await ok(await api.get(f"{A}/audit-log", params=filters | {"limit": 200}, headers=ADMIN))
    return page["data"]  # type: ignore[no-any-return]


async def test_version_lifecycle_enforces_two_person_rule_checklist_and_immutability(
        api: httpx.AsyncClient, approver: dict[str, str]) -> None:
    tenant = await create_tenant(api)
    created = await ok(await api.post(versions_url(tenant), json=SPEC, headers=ADMIN), 201)
    assert (created["number"], created["state"]) == (1, "draft")
    url = f"{versions_url(tenant)}/1"
    edited = await ok(await api.patch(url, json={"voice": "cedar"}, headers=ADMIN))
    assert edited["spec"]["voice"] == "cedar" and edited["spec"]["prompt_text"] == SPEC["prompt_text"]
    await problem(await api.patch(url, json={"prompt_text": ""}, headers=ADMIN), 422, "validation_failed")

    await ok(await api.post(f"{url}/stage", headers=ADMIN))
    await problem(await api.patch(url, json={"voice": "marin"}, headers=ADMIN), 409, "immutable_version")
    await problem(await api.post(f"{url}/approve", headers=ADMIN), 403, "self_approval_forbidden")
    incomplete = await problem(await api.post(f"{url}/approve", headers=approver), 409, "checklist_incomplete")
    assert {e["field"] for e in incomplete["errors"]} >= {"pii-reviewed", "business-signoff"}

    await complete_checklist(api, url)
    await ok(await api.delete(f"{url}/checklist/business-signoff", headers=ADMIN))
    await problem(await api.post(f"{url}/approve", headers=approver), 409, "checklist_incomplete")
    await ok(await api.put(f"{url}/checklist/business-signoff", headers=ADMIN))
    approved = await ok(await api.post(f"{url}/approve", headers=approver))
    assert approved["state"] == "approved"
    assert [e["action"] for e in approved["history"]] == ["create", "edit", "stage", "approve"]
    assert approved["history"][-1]["actor"] != approved["history"][0]["actor"]

    rejected = await ok(await api.post(versions_url(tenant), json=SPEC, headers=ADMIN), 201)
    url2 = f"{versions_url(tenant)}/{rejected['number']}"
    await problem(await api.post(f"{url2}/approve", headers=approver), 409, "illegal_transition")
    await ok(await api.post(f"{url2}/stage", headers=ADMIN))
    rejected = await ok(await api.post(f"{url2}/reject", json={"reason": "tone"}, headers=approver))
    assert rejected["state"] == "rejected" and rejected["history"][-1]["note"] == "tone"
    await problem(await api.post(f"{url2}/approve", headers=approver), 409, "illegal_transition")

    listed = await ok(await api.get(versions_url(tenant), headers=ADMIN))
    assert [(v["number"], v["state"]) for v in listed] == [(1, "approved"), (2, "rejected")]
    await problem(await api.get(f"{versions_url(tenant)}/9", headers=ADMIN), 404, "version_not_found")
    await problem(await api.put(f"{url}/checklist/no-such-item", headers=ADMIN), 404, "unknown_checklist_item")
    await problem(await api.post(f"{A}/tenants/no-such-tenant/agents/{AGENT}/versions", json=SPEC, headers=ADMIN),
                  404, "tenant_not_found")


async def test_operators_may_read_governance_but_not_change_it(api: httpx.AsyncClient) -> None:
    tenant = await create_tenant(api)
    _, operator_key = await create_admin_key(api, "operator")
    await ok(await api.post(versions_url(tenant), json=SPEC, headers=ADMIN), 201)
    await ok(await api.get(versions_url(tenant), headers=bearer(operator_key)))
    await ok(await api.get(f"{A}/audit-log", params={"tenant_id": tenant.id}, headers=bearer(operator_key)))
    await problem(await api.post(versions_url(tenant), json=SPEC, headers=bearer(operator_key)), 403,
                  "insufficient_role")
    await problem(await api.post(f"{versions_url(tenant)}/1/stage", headers=bearer(operator_key)), 403,
                  "insufficient_role")
    await problem(await api.get(versions_url(tenant), headers=bearer(tenant.key)), 403, "wrong_credential_kind")


async def test_routes_and_rollouts_start_pause_resume_abort_and_move_version_states(
        api: httpx.AsyncClient, approver: dict[str, str]) -> None:
    tenant = await create_tenant(api)
    other = await create_tenant(api)
    draft = await ok(await api.post(versions_url(tenant), json=SPEC, headers=ADMIN), 201)
    route_url = f"{A}/phone-routes/{tenant.number}"
    body = {"tenant_id": tenant.id, "agent": AGENT, "version": draft["number"]}
    await problem(await api.put(route_url, json=body, headers=ADMIN), 409, "approval_required")
    await problem(await api.put(f"{A}/phone-routes/{other.number}", json=body, headers=ADMIN), 422, "number_not_owned")
    await problem(await api.get(route_url, headers=ADMIN), 404, "route_not_found")

    route = await routed_rollout(api, tenant, approver)
    v1, v2 = route["stable_version"], route["canary"]["version"]
    assert route["canary"]["weight_pct"] == 10 and route["canary"]["policy"] == FAST_POLICY | {"guards": [
        FAST_POLICY["guards"][0] | {"max_absolute_delta": None}]}
    states = {v["number"]: v["state"] for v in await ok(await api.get(versions_url(tenant), headers=ADMIN))}
    assert states == {draft["number"]: "draft", v1: "live", v2: "live"}
    await problem(await api.post(f"{route_url}/rollout", json={"version": v2}, headers=ADMIN), 409,
                  "rollout_in_progress")
    await problem(await api.post(f"{versions_url(tenant)}/{v1}/retire", headers=ADMIN), 409, "version_in_use")
    await problem(await api.post(f"{A}/phone-routes/{other.number}/rollout", json={"version": v2}, headers=ADMIN),
                  404, "route_not_found")

    paused = await ok(await api.post(f"{route_url}/rollout/pause", json={"reason": "lunch"}, headers=ADMIN))
    assert paused["canary"]["state"] == "paused" and paused["canary"]["weight_pct"] == 10
    await problem(await api.post(f"{route_url}/rollout/pause", headers=ADMIN), 409, "illegal_transition")
    resumed = await ok(await api.post(f"{route_url}/rollout/resume", headers=ADMIN))
    assert resumed["canary"]["state"] == "running"
    aborted = await ok(await api.post(f"{route_url}/rollout/abort", json={"reason": "wrong prompt"}, headers=ADMIN))
    assert aborted["canary"] is None and aborted["stable_version"] == v1
    assert aborted["last_rollout"]["state"] == "aborted"
    assert [e["action"] for e in aborted["last_rollout"]["history"]] == ["start", "pause", "resume", "abort"]
    await problem(await api.post(f"{route_url}/rollout/abort", json={"reason": "again"}, headers=ADMIN), 409,
                  "no_active_rollout")
    states = {v["number"]: v["state"] for v in await ok(await api.get(versions_url(tenant), headers=ADMIN))}
    assert (states[v1], states[v2]) == ("live", "approved")  # the canary was withdrawn from traffic

    switched = await ok(await api.put(route_url, json={"tenant_id": tenant.id, "agent": AGENT, "version": v2},
                                      headers=ADMIN))
    assert switched["stable_version"] == v2
    states = {v["number"]: v["state"] for v in await ok(await api.get(versions_url(tenant), headers=ADMIN))}
    assert (states[v1], states[v2]) == ("approved", "live")
    retired = await ok(await api.post(f"{versions_url(tenant)}/{v1}/retire", json={"reason": "old"}, headers=ADMIN))
    assert retired["state"] == "retired"
    listed = await ok(await api.get(f"{A}/phone-routes", params={"tenant_id": tenant.id}, headers=ADMIN))
    assert [r["number"] for r in listed] == [tenant.number]
    await ok(await api.delete(route_url, headers=ADMIN), 204)
    await problem(await api.get(route_url, headers=ADMIN), 404, "route_not_found")


async def test_kill_switches_reach_call_routing_at_once(api: httpx.AsyncClient, approver: dict[str, str],
                                                        live: Live) -> None:
    tenant = await create_tenant(api)
    route = await routed_rollout(api, tenant, approver, FAST_POLICY | {"steps": [50, 100]})
    v1 = route["stable_version"]
    route_url = f"{A}/phone-routes/{tenant.number}"
    callers = [new_number() for _ in range(40)]

    async def arms() -> dict[str, str]:
        found = {}
        for caller in callers:
            preview = await ok(await api.get(f"{route_url}/route-decision", params={"caller": caller}, headers=ADMIN))
            found[caller] = preview["decision"]["arm"]
            assert preview["version"] is None or preview["version"]["number"] == preview["decision"]["version"]
        return found

    before = await arms()
    assert set(before.values()) == {"stable", "canary"}
    assert await arms() == before  # sticky per caller

    await ok(await api.put(f"{route_url}/kill-switch", json={"mode": "fallback", "reason": "bad audio"}, headers=ADMIN))
    assert set((await arms()).values()) == {"fallback"}
    await ok(await api.delete(f"{route_url}/kill-switch", headers=ADMIN))
    assert await arms() == before

    tenant_switch = f"{A}/tenants/{tenant.id}/kill-switch"
    await problem(await api.get(tenant_switch, headers=ADMIN), 404, "kill_switch_not_engaged")
    await ok(await api.put(tenant_switch, json={"mode": "stable", "reason": "incident 42"}, headers=ADMIN))
    assert (await ok(await api.get(tenant_switch, headers=ADMIN)))["reason"] == "incident 42"
    preview = await ok(await api.get(f"{route_url}/route-decision", params={"caller": callers[0]}, headers=ADMIN))
    assert preview["decision"]["arm"] == "stable" and "tenant kill switch: incident 42" in preview["decision"]["reason"]
    assert preview["version"]["number"] == v1
    await ok(await api.delete(tenant_switch, headers=ADMIN), 204)
    assert await arms() == before

    # In this process too: a client's cache refetches only when the generation moves.
    client = await GovernanceClient.connect(live.redis_url, live.key_prefix)
    try:
        first = await client.decide_call(tenant.number, callers[0])
        assert first is not None and first.decision.arm == before[callers[0]]
        refreshes = client.routes.refreshes
        for caller in callers:
            await client.decide_call(tenant.number, caller)
        assert client.routes.refreshes == refreshes
        await ok(await api.put(f"{route_url}/kill-switch", json={"mode": "stable", "reason": "r"}, headers=ADMIN))
        killed = await client.decide_call(tenant.number, callers[0])
        assert killed is not None and killed.decision.arm == "stable" and killed.route.kill_switch is not None
        assert client.routes.refreshes == refreshes + 1
        assert await client.decide_call(new_number(), callers[0]) is None  # no route: the tenant's runtime config
    finally:
        await client.close()


async def test_audit_log_records_every_change_and_pages_with_filters(api: httpx.AsyncClient,
                                                                    approver: dict[str, str]) -> None:
    tenant = await create_tenant(api)
    await routed_rollout(api, tenant, approver)
    await ok(await api.put(f"{A}/phone-routes/{tenant.number}/kill-switch", json={"mode": "stable", "reason": "drill"},
                           headers=ADMIN))
    entries = await audit(api, tenant_id=tenant.id)
    version_story = ["version.create", *["checklist.complete"] * 9, "version.stage", "version.approve"]
    assert [e["action"] for e in reversed(entries)] == [
        *version_story, *version_story, "route.create", "version.go_live", "policy.put", "rollout.start",
        "version.go_live", "kill_switch.engage"]
    approvals = await audit(api, tenant_id=tenant.id, action="version.approve")
    assert len(approvals) == 2 and all(e["actor"].startswith("admin:") and e["actor"] != "admin-key:bootstrap"
                                       for e in approvals)
    start = (await audit(api, subject=f"route:{tenant.number}", action="rollout.start"))[0]
    assert start["details"]["policy_name"] == "fast" and start["details"]["weight_pct"] == 10
    kill = entries[0]
    assert kill["details"]["reason"] == "drill" and kill["subject"] == f"route:{tenant.number}"

    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"tenant_id": tenant.id, "limit": 7} | ({"cursor": cursor} if cursor else {})
        page = await ok(await api.get(f"{A}/audit-log", params=params, headers=ADMIN))
        pages += page["data"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert [e["id"] for e in pages] == [e["id"] for e in entries]
    await problem(await api.get(f"{A}/audit-log", params={"tenant_id": "other", "cursor": cursor or "x"},
                                headers=ADMIN), 400, "cursor_invalid")


async def test_sweep_dry_run_changes_nothing_and_applied_sweep_rolls_back_naming_the_guard(
        api: httpx.AsyncClient, store: Store, approver: dict[str, str]) -> None:
    tenant = await create_tenant(api)
    endpoint = {"url": "http://127.0.0.1:9/hooks", "event_types": ["rollout.rolled_back", "rollout.promoted"]}
    await ok(await api.put("/api/v1/webhook-endpoint", json=endpoint, headers=tenant.auth), 201)
    route = await routed_rollout(api, tenant, approver)
    v1, v2 = route["stable_version"], route["canary"]["version"]
    await seed_calls(store, tenant, arm="canary", version=v2, count=6, failed=4)
    await seed_calls(store, tenant, arm="stable", version=v1, count=10, failed=1)
    await seed_calls(store, tenant, arm="fallback", version=0, count=3, failed=3)  # counted for neither

    [report] = await sweep(api, tenant, dry_run=True)
    decision = report["decision"]
    assert decision["action"] == "rollback" and decision["to_weight"] == 0
    assert decision["canary_metrics"]["calls"] == 6 and decision["stable_metrics"]["calls"] == 10
    kinds = {b["kind"]: b for b in decision["breaches"]}
    assert set(kinds) == {"absolute_max", "ratio_vs_stable"}
    assert kinds["absolute_max"]["metric"] == "failure_rate"
    assert kinds["absolute_max"]["by"] == pytest.approx(4 / 6 - 0.3)
    assert kinds["ratio_vs_stable"]["limit"] == pytest.approx(0.2)
    assert any("guard 0 (failure_rate) breached" in r for r in decision["reasons"])
    route_url = f"{A}/phone-routes/{tenant.number}"
    assert (await ok(await api.get(route_url, headers=ADMIN)))["canary"]["state"] == "running"
    assert not await audit(api, tenant_id=tenant.id, action="rollout.rollback")

    [report] = await sweep(api, tenant, dry_run=False)
    assert report["decision"]["action"] == "rollback" and report["route"]["last_rollout"]["state"] == "rolled_back"
    after = await ok(await api.get(route_url, headers=ADMIN))
    assert after["canary"] is None and after["stable_version"] == v1
    [logged] = await audit(api, tenant_id=tenant.id, action="rollout.rollback")
    assert logged["actor"] == "system:sweep" and logged["details"]["breaches"][0]["metric"] == "failure_rate"
    withdrawn = await ok(await api.get(f"{versions_url(tenant)}/{v2}", headers=ADMIN))
    assert withdrawn["state"] == "approved" and withdrawn["history"][-1]["actor"] == "system:sweep"
    assert await sweep(api, tenant, dry_run=False) == []  # nothing left to evaluate

    deliveries = await ok(await api.get("/api/v1/webhook-deliveries", headers=tenant.auth))
    assert [d["event_type"] for d in deliveries["data"]] == ["rollout.rolled_back"]


async def test_sweep_promotes_one_step_on_good_metrics_then_completes(api: httpx.AsyncClient, store: Store,
                                                                     approver: dict[str, str]) -> None:
    tenant = await create_tenant(api)
    route = await routed_rollout(api, tenant, approver)
    v1, v2 = route["stable_version"], route["canary"]["version"]
    await seed_calls(store, tenant, arm="canary", version=v2, count=3)
    [held] = await sweep(api, tenant, dry_run=False)
    assert held["decision"]["action"] == "hold" and "calls 3/5" in held["decision"]["reasons"]
    assert (await audit(api, tenant_id=tenant.id, action="rollout.hold"))[0]["details"]["to_weight"] == 10

    await seed_calls(store, tenant, arm="canary", version=v2, count=3, escalated=1)
    await seed_calls(store, tenant, arm="stable", version=v1, count=6)
    [dry] = await sweep(api, tenant, dry_run=True)
    assert dry["decision"]["action"] == "promote" and dry["route"]["canary"]["weight_pct"] == 50
    assert dry["decision"]["canary_metrics"]["escalated"] == 1
    route_url = f"{A}/phone-routes/{tenant.number}"
    assert (await ok(await api.get(route_url, headers=ADMIN)))["canary"]["weight_pct"] == 10

    [promoted] = await sweep(api, tenant, dry_run=False)
    assert (promoted["decision"]["from_weight"], promoted["decision"]["to_weight"]) == (10, 50)
    assert (await ok(await api.get(route_url, headers=ADMIN)))["canary"]["weight_pct"] == 50
    [held] = await sweep(api, tenant, dry_run=False)  # a new window: the calls before it no longer count
    assert held["decision"]["action"] == "hold" and held["decision"]["canary_metrics"]["calls"] == 0

    await seed_calls(store, tenant, arm="canary", version=v2, count=5)
    [completed] = await sweep(api, tenant, dry_run=False)
    assert completed["decision"]["action"] == "complete"
    final = await ok(await api.get(route_url, headers=ADMIN))
    assert final["canary"] is None and final["stable_version"] == v2 and final["last_rollout"]["state"] == "completed"
    states = {v["number"]: v["state"] for v in await ok(await api.get(versions_url(tenant), headers=ADMIN))}
    assert (states[v1], states[v2]) == ("retired", "live")
    actions = [e["action"] for e in await audit(api, tenant_id=tenant.id, actor="system:sweep")]
    assert actions == ["version.retire", "rollout.complete", "rollout.hold", "rollout.promote", "rollout.hold"]


async def test_restarted_governance_actor_loses_nothing(api: httpx.AsyncClient, approver: dict[str, str],
                                                        live: Live) -> None:
    tenant = await create_tenant(api)
    await routed_rollout(api, tenant, approver)
    route_url = f"{A}/phone-routes/{tenant.number}"
    await ok(await api.post(f"{route_url}/rollout/pause", json={"reason": "before restart"}, headers=ADMIN))
    await ok(await api.put(f"{A}/tenants/{tenant.id}/kill-switch", json={"mode": "stable", "reason": "r"},
                           headers=ADMIN))
    route = await ok(await api.get(route_url, headers=ADMIN))
    versions = await ok(await api.get(versions_url(tenant), headers=ADMIN))
    entries = await audit(api, tenant_id=tenant.id)

    old = ray.get_actor(actor_name(live.key_prefix))
    ray.kill(old)

    assert await ok(await api.get(route_url, headers=ADMIN)) == route  # the next call recreates and reloads it
    new = ray.get_actor(actor_name(live.key_prefix))
    assert new._actor_id != old._actor_id
    assert await ok(await api.get(versions_url(tenant), headers=ADMIN)) == versions
    assert await audit(api, tenant_id=tenant.id) == entries
    assert (await ok(await api.get(f"{A}/tenants/{tenant.id}/kill-switch", headers=ADMIN)))["reason"] == "r"
    resumed = await ok(await api.post(f"{route_url}/rollout/resume", headers=ADMIN))
    assert resumed["canary"]["rollout_id"] == route["canary"]["rollout_id"]
    assert resumed["canary"]["state"] == "running" and resumed["canary"]["weight_pct"] == 10
    assert (await audit(api, tenant_id=tenant.id))[0]["action"] == "rollout.resume"


async def test_a_change_from_another_writer_is_reloaded_not_overwritten(api: httpx.AsyncClient, store: Store,
                                                                        approver: dict[str, str]) -> None:
    """The generation fences writes: an actor holding an older picture reloads before it changes anything."""
    tenant = await create_tenant(api)
    await routed_rollout(api, tenant, approver)
    routes_key = f"{store.p}:gov:routes"
    stored = await store.redis.hget(routes_key, tenant.number)  # type: ignore[misc]
    assert stored is not None
    route = PhoneRoute.model_validate_json(stored)
    killed = gp.engage_kill_switch(route, mode="stable", actor="elsewhere", reason="split brain", now=utcnow())
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.hset(routes_key, tenant.number, killed.model_dump_json())
        pipe.incr(f"{store.p}:gov:generation")
        await pipe.execute()

    paused = await ok(await api.post(f"{A}/phone-routes/{tenant.number}/rollout/pause", headers=ADMIN))
    assert paused["canary"]["state"] == "paused" and paused["kill_switch"]["reason"] == "split brain"


async def test_two_keys_of_one_person_are_still_one_approver(api: httpx.AsyncClient) -> None:
    """The two-person rule counts people: a second key of the author cannot approve."""
    tenant = await create_tenant(api)
    _, first = await create_admin_key(api, "admin", owner="dana@example.com")
    _, second = await create_admin_key(api, "admin", owner="Dana@Example.com")
    await ok(await api.post(versions_url(tenant), json=SPEC, headers=bearer(first)), 201)
    url = f"{versions_url(tenant)}/1"
    await complete_checklist(api, url)
    await ok(await api.post(f"{url}/stage", headers=bearer(first)))
    await problem(await api.post(f"{url}/approve", headers=bearer(second)), 403, "self_approval_forbidden")
    _, other = await create_admin_key(api, "admin", owner="lee@example.com")
    assert (await ok(await api.post(f"{url}/approve", headers=bearer(other))))["state"] == "approved"
    r = await api.post("/api/v1/admin/admin-keys", json={"role": "admin"}, headers=ADMIN)
    assert r.status_code == 422  # every admin key names its person
