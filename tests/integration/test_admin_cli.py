"""`voxray sessions|calls|tenants|keys|rollouts` against the live gateway's admin API."""

from __future__ import annotations

import asyncio
import json
import secrets

import pytest
from typer.testing import CliRunner

from launcher.cli import app
from simulators.carrier.call import SimulatedCall
from simulators.carrier.script import Hangup, Say, Silence, WaitForAgent
from tests.integration.api import ADMIN_KEY
from tests.integration.test_call_path import call_config, wait_call_ended

pytestmark = pytest.mark.asyncio(loop_scope="session")
ENV = {"VOXRAY_ADMIN_KEY": ADMIN_KEY, "COLUMNS": "250"}


async def voxray(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    # In a thread: the simulated caller on this loop keeps its real-time pace meanwhile.
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env or ENV)


async def test_sessions_shows_a_live_call_as_a_table_json_and_watch(live, store, make_tenant) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant(local_script="two_turns")
    script = [Silence(300), Say("Hello, I would like to check my order."), WaitForAgent(15), Silence(3000), Hangup()]
    call = asyncio.create_task(SimulatedCall(call_config(live, tenant, script)).run())
    mine: list[dict[str, object]] = []
    for _ in range(100):
        out = await voxray("sessions", "--url", live.gateway_url, "--json")
        assert out.exit_code == 0, out.output
        mine = [s for s in json.loads(out.output) if s["tenant_id"] == tenant.id]
        if mine:
            break
        await asyncio.sleep(0.1)
    assert mine, "the call never showed up in `voxray sessions --json`"
    call_sid = str(mine[0]["call_sid"])

    table = await voxray("sessions", "--url", live.gateway_url)
    assert table.exit_code == 0 and "Live sessions" in table.output and call_sid in table.output
    watch = await voxray("sessions", "--url", live.gateway_url, "--watch", "--interval", "0.2", "--times", "3")
    assert watch.exit_code == 0 and call_sid in watch.output

    result = await call
    assert result.ok, (result.errors, result.timeouts)
    await wait_call_ended(store, tenant.id, call_sid)
    calls = await voxray("calls", tenant.id, "--url", live.gateway_url, "--status", "completed")
    assert calls.exit_code == 0 and call_sid in calls.output and "caller_hangup" in calls.output
    as_json = await voxray("calls", tenant.id, "--url", live.gateway_url, "--json")
    assert [c["id"] for c in json.loads(as_json.output)] == [call_sid]


async def test_tenants_keys_and_rollouts_print_tables_and_bad_credentials_fail_cleanly(live, make_tenant) -> None:  # type: ignore[no-untyped-def]
    tenant = await make_tenant()
    tenants = await voxray("tenants", "--url", live.gateway_url)
    assert tenants.exit_code == 0 and tenant.id in tenants.output and tenant.phone_numbers[0] in tenants.output
    listed = json.loads((await voxray("tenants", "--url", live.gateway_url, "--json")).output)
    assert tenant.id in {t["id"] for t in listed}
    keys = await voxray("keys", "--url", live.gateway_url)
    assert keys.exit_code == 0 and "Admin and operator keys" in keys.output
    tenant_keys = await voxray("keys", tenant.id, "--url", live.gateway_url, "--json")
    assert tenant_keys.exit_code == 0 and json.loads(tenant_keys.output) == []
    rollouts = await voxray("rollouts", "--url", live.gateway_url)
    assert rollouts.exit_code == 0 and "Phone routes" in rollouts.output

    refused = await voxray("tenants", "--url", live.gateway_url, env={"VOXRAY_ADMIN_KEY": "vxa_" + secrets.token_urlsafe(24), "COLUMNS": "250"})
    assert refused.exit_code == 1 and "401" in refused.output and "Traceback" not in refused.output
    missing = await voxray("calls", "no-such-tenant", "--url", live.gateway_url)
    assert missing.exit_code == 1 and "404" in missing.output
