"""A canary rollout driven by real simulated calls on the local model server.

Callers are picked by their sticky bucket so each step gets canary and stable calls; the
sweep reads the call records those calls wrote. A good canary is promoted step by step to
stable; a bad one (its model script fails the calls) is rolled back and its callers return
to the stable version.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest

from governance import policy as gp
from simulators.carrier import CallConfig, Hangup, Say, Silence, WaitForAgent, place_call
from tests.conftest import Live
from tests.integration.api import ADMIN, ApiTenant, create_tenant
from tests.integration.governance_helpers import A, approved_version, ok, sweep
from voxray.store import Store

pytestmark = pytest.mark.asyncio(loop_scope="session")

POLICY: dict[str, Any] = {
    "steps": [20, 50, 100], "min_calls": 2, "bake_time_s": 0,
    "guards": [{"metric": "failure_rate", "max_ratio_vs_stable": 2.0, "absolute_max": 0.3, "min_samples": 2}],
}
GOOD_CALL = (Silence(300), Say("Hello, I have a question."), WaitForAgent(15), Hangup())
# quota_then_drop refuses the first turn for quota and drops the model on the second: a model
# that cannot be recovered, so the call fails (and is transferred) instead of reconnecting.
BAD_CALL = (Silence(300), Say("Hello, I have a question."), Silence(2500), Say("Are you there?"), Silence(4000))


def callers(route_number: str, rollout_id: str, weight_pct: int, *, canary: int, stable: int) -> list[str]:
    """Caller numbers whose sticky bucket lands ``canary`` of them in the canary and ``stable`` not."""
    picked: dict[bool, list[str]] = {True: [], False: []}
    for i in itertools.count():
        number = f"+1555{7_000_000 + i:07d}"
        in_canary = gp.caller_bucket(route_number, rollout_id, number) < weight_pct * 100
        want = canary if in_canary else stable
        if len(picked[in_canary]) < want:
            picked[in_canary].append(number)
        if len(picked[True]) == canary and len(picked[False]) == stable:
            return picked[True] + picked[False]
    raise AssertionError("unreachable")


async def call_from(live: Live, t: ApiTenant, numbers: list[str], script: tuple[Any, ...]) -> None:
    configs = [CallConfig(gateway_url=live.gateway_url, public_base_url=live.public_base_url, auth_token=t.auth_token,
                          to_number=t.number, from_number=n, script=script, account_sid=t.account_sid,
                          max_duration_s=40) for n in numbers]
    results = await asyncio.gather(*(place_call(c) for c in configs))
    assert all(r.setup_error is None for r in results), [r.setup_error for r in results]


async def arms(store: Store, t: ApiTenant) -> dict[str, tuple[str | None, int, str]]:
    """caller -> (arm, agent version, status) of every call so far."""
    out: dict[str, tuple[str | None, int, str]] = {}
    async for call in store.scan_calls(t.id):
        out.setdefault(call.from_number, (call.arm, call.agent_version, call.status.value))
    return out


async def rollout(api: httpx.AsyncClient, t: ApiTenant, version: int) -> dict[str, Any]:
    route = await ok(await api.post(f"{A}/phone-routes/{t.number}/rollout", json={"version": version, "policy": "fast"},
                                    headers=ADMIN))
    return route["canary"]  # type: ignore[no-any-return]


async def test_good_canary_is_promoted_step_by_step_and_bad_canary_rolled_back(
        api: httpx.AsyncClient, live: Live, store: Store, approver: dict[str, str]) -> None:
    t = await create_tenant(api)
    v1 = await approved_version(api, t, approver, local_model_script="demo")
    good = await approved_version(api, t, approver, local_model_script="demo", prompt_text="Be brief and kind.")
    bad = await approved_version(api, t, approver, local_model_script="quota_then_drop")
    await ok(await api.put(f"{A}/phone-routes/{t.number}", json={"tenant_id": t.id, "agent": "support", "version": v1},
                           headers=ADMIN))
    await ok(await api.put(f"{A}/tenants/{t.id}/rollout-policies/fast", json=POLICY, headers=ADMIN))

    canary = await rollout(api, t, good)
    for step, weight in enumerate((20, 50)):
        batch = callers(t.number, canary["rollout_id"], weight, canary=2, stable=2)
        await call_from(live, t, batch, GOOD_CALL)
        seen = await arms(store, t)
        assert [seen[n][:2] for n in batch] == [("canary", good)] * 2 + [("stable", v1)] * 2, seen
        (report,) = await sweep(api, t, dry_run=False)
        decision = report["decision"]
        assert decision["action"] == ("promote" if step == 0 else "complete"), decision
        assert decision["from_step"] == step and not decision["breaches"]
    route = await ok(await api.get(f"{A}/phone-routes/{t.number}", headers=ADMIN))
    assert route["stable_version"] == good and route["canary"] is None

    canary = await rollout(api, t, bad)
    batch = callers(t.number, canary["rollout_id"], 20, canary=2, stable=2)
    await call_from(live, t, batch, BAD_CALL)
    seen = await arms(store, t)
    assert [seen[n] for n in batch[:2]] == [("canary", bad, "failed")] * 2, seen
    (report,) = await sweep(api, t, dry_run=False)
    decision = report["decision"]
    assert decision["action"] == "rollback" and decision["breaches"][0]["metric"] == "failure_rate", decision
    # The callers who were in the canary now reach the stable version.
    again = batch[0]
    await call_from(live, t, [again], GOOD_CALL)
    latest = None
    async for call in store.scan_calls(t.id):
        if call.from_number == again:
            latest = call
            break
    assert latest is not None and (latest.arm, latest.agent_version) == ("stable", good)
