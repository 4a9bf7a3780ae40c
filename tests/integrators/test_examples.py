"""Every example, in every language, against the running stack: what it printed and what changed
in the records."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from simulators.carrier import Callee, Say, Silence, WaitForAgent
from tests.conftest import Live
from tests.integration.api import ADMIN, ADMIN_KEY, bearer, new_number
from tests.integrators.runner import LANGS, Kit, example_env, free_port, ok, run, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")


@dataclass
class Tenant:
    id: str
    number: str
    key: str
    env: dict[str, str]
    tool_secret: str | None = None


async def admin_path(kit: Kit, live: Live, lang: str, approver_key: str, author_key: str = ADMIN_KEY,
                     **extra: str) -> Tenant:
    """Run the admin-path example: a new tenant taken through governance; checks what it printed."""
    tenant_id, number = f"kit-{lang}-{secrets.token_hex(4)}", new_number()
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    env = example_env(VOXRAY_URL=live.gateway_url, VOXRAY_ADMIN_KEY=author_key, VOXRAY_APPROVER_KEY=approver_key,
                      TWILIO_ACCOUNT_SID=sid, TWILIO_AUTH_TOKEN=token, **extra)
    ran = await ok(kit.command(lang, "admin-path", tenant_id, number), env)
    ran.line(rf"tenant {tenant_id} created \(numbers: \{number}\)")
    key = ran.line(rf"api key \w+ for {tenant_id}: VOXRAY_API_KEY=(vxk_\S+)").group(1)
    ran.line(r"runtime config version [2-9]\d*")
    ran.line(r"agent version support v1 draft")
    ran.line(r"checklist: [1-9]\d* item\(s\) complete")
    ran.line(r"agent version support v1 staged")
    ran.line(r"agent version support v1 approved")
    ran.line(r"sweep \(dry run=(true|True)\): \d+ report\(s\)")
    tool_secret = ran.line(r"tool signing secret: TOOL_SECRET=(whsec_\S+)").group(1) if "TOOL_URL" in extra else None
    assert live.stack.carrier is not None
    live.stack.carrier.add_account(sid, token)
    return Tenant(tenant_id, number, key, example_env(VOXRAY_URL=live.gateway_url, VOXRAY_API_KEY=key), tool_secret)


@pytest.mark.parametrize("lang", LANGS)
async def test_admin_path_creates_a_governed_tenant(lang: str, kit: Kit, live: Live, api: httpx.AsyncClient,
                                                    approver_key: str, author_key: str) -> None:
    """As documented: one admin authors, another person (issued by the first admin) approves."""
    t = await admin_path(kit, live, lang, approver_key, author_key, LOCAL_MODEL_SCRIPT="order_lookup")
    tenant = (await api.get(f"/api/v1/admin/tenants/{t.id}", headers=ADMIN)).json()
    assert tenant["phone_numbers"] == [t.number] and tenant["config_version"] >= 2
    assert tenant["runtime_config"]["local_model_script"] == "order_lookup"
    assert tenant["runtime_config"]["telephony"]["caller_id"] == t.number
    versions = (await api.get(f"/api/v1/admin/tenants/{t.id}/agents/support/versions", headers=ADMIN)).json()
    assert [(v["number"], v["state"]) for v in versions] == [(1, "approved")]
    # The printed key is a working tenant key.
    readiness = (await api.get("/api/v1/readiness", headers=bearer(t.key))).json()
    assert readiness["tenant_id"] == t.id and readiness["ready"] is True, readiness


async def test_admin_path_without_a_second_admin_stops_at_approval(kit: Kit, live: Live, author_key: str) -> None:
    env = example_env(VOXRAY_URL=live.gateway_url, VOXRAY_ADMIN_KEY=author_key, VOXRAY_APPROVER_KEY=author_key,
                      TWILIO_ACCOUNT_SID="AC" + secrets.token_hex(16), TWILIO_AUTH_TOKEN=secrets.token_hex(16))
    ran = await run(kit.command("python", "admin-path", f"kit-solo-{secrets.token_hex(4)}", new_number()), env)
    assert ran.code == 1 and "agent version support v1 staged" in ran.out
    assert "error: 403" in ran.err and "request req_" in ran.err, ran.err  # typed problem: code and request id


@pytest.mark.parametrize("lang", LANGS)
async def test_make_call_is_idempotent_and_call_logs_page_by_page(lang: str, kit: Kit, live: Live,
                                                                  api: httpx.AsyncClient, approver_key: str) -> None:
    t = await admin_path(kit, live, "python", approver_key)
    callee = new_number()
    assert live.stack.carrier is not None
    live.stack.carrier.set_callee(callee, Callee(answer="busy", ring_ms=50))
    key = f"kit-{secrets.token_hex(6)}"
    ran = await ok(kit.command(lang, "make-call", callee, key), t.env)
    sid = ran.line(rf"placed call (CA[0-9a-f]{{32}}) status=queued from=\{t.number} to=\{callee} "
                   rf"idempotency-key={key}").group(1)
    ran.line(rf"retried with the same key: call {sid} Idempotent-Replayed=true")
    # Two more calls, so three pages of one.
    for _ in range(2):
        await ok(kit.command(lang, "make-call", new_number()), t.env)
    logs = (await api.get("/api/v1/call-logs", headers=bearer(t.key))).json()["data"]
    assert len(logs) == 3 and sid in {c["id"] for c in logs}  # the replay placed no call
    ran = await ok(kit.command(lang, "list-call-logs", "1"), t.env)
    for n in (1, 2, 3):
        ran.line(rf"page {n}: 1 call\(s\)")
    ran.line(r"total: 3 call\(s\) in 3 page\(s\)")
    listed = [line.split()[0] for line in ran.out.splitlines() if line.startswith("  CA")]
    assert listed == [c["id"] for c in logs]  # newest first, each once


CALLER = (Silence(400), Say("Hello, I have a question about my order."), WaitForAgent(20), Silence(300))


async def _completed_call(api: httpx.AsyncClient, t: Tenant, sid: str) -> dict[str, Any]:
    for _ in range(300):
        session: dict[str, Any] = (await api.get(f"/api/v1/voice-sessions/{sid}", headers=bearer(t.key))).json()
        if session["call"]["status"] in ("completed", "failed") and session["function_calls"]:
            return session
        await asyncio.sleep(0.1)
    raise AssertionError(f"call {sid} did not complete: {session}")


async def test_a_call_uses_the_example_tool_endpoint_and_every_language_reads_the_session(
        kit: Kit, live: Live, api: httpx.AsyncClient, approver_key: str) -> None:
    port = free_port()
    t = await admin_path(kit, live, "go", approver_key, LOCAL_MODEL_SCRIPT="order_lookup",
                         TOOL_URL=f"http://127.0.0.1:{port}/orders")
    assert t.tool_secret is not None
    async with serving(kit.command("python", "tool-endpoint"), t.env | {"TOOL_SECRET": t.tool_secret}, port) as tool:
        callee = new_number()
        assert live.stack.carrier is not None
        live.stack.carrier.set_callee(callee, Callee(script=CALLER))
        ran = await ok(kit.command("python", "make-call", callee), t.env)
        sid = ran.line(r"placed call (CA[0-9a-f]{32}) .*").group(1)
        await tool.wait_for(rf"tool lookup_order order_id=A-42 for call {sid}", timeout_s=40)
        session = await _completed_call(api, t, sid)
    (fc,) = session["function_calls"]
    assert fc["status"] == "completed" and fc["result"] == {"order_id": "A-42", "status": "shipped"}
    for lang in ("curl", "node", "python", "go"):
        ran = await ok(kit.command(lang, "voice-session", sid), t.env)
        ran.line(rf"session {sid} status=(completed|failed)")
        ran.line(r'  lookup_order \{"order_id": ?"A-42"\} -> completed '
                 r'\{"order_id": ?"A-42", ?"status": ?"shipped"\}')
        ran.line(r"  \[agent\] .*A-42 is shipped.*")
        assert ran.out.index("transcript:") < ran.out.index("tool calls:")


async def test_examples_report_a_problem_with_its_code_and_request_id(kit: Kit, live: Live) -> None:
    env = example_env(VOXRAY_URL=live.gateway_url, VOXRAY_API_KEY="vxk_not_a_real_key_000000000000")
    for lang in LANGS:
        ran = await run(kit.command(lang, "voice-session", "CA" + "0" * 32), env)
        assert ran.code == 1, (lang, ran)
        assert "401" in ran.err and "invalid_credentials" in ran.err, (lang, ran.err)
        assert "req_" in ran.err, (lang, ran.err)  # the request id the example sent, echoed by the server
