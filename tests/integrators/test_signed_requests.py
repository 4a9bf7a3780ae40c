"""The webhook receivers and tool endpoints of the examples verify Standard Webhooks signatures:
real deliveries from the gateway and real tool requests from the session's invoker are accepted,
forged or tampered ones are refused; curl's verify script checks saved requests."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from standardwebhooks import Webhook

from actors.tools.invoker import invoke
from tests.conftest import Live
from tests.integration.api import create_tenant
from tests.integration.webhook_receiver import Receiver
from tests.integrators.runner import EXAMPLES, SERVER_LANGS, Kit, example_env, free_port, ok, run, serving
from voxray.records import ToolSpec

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORDER = {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}


async def _delivered(api: httpx.AsyncClient, auth: dict[str, str], event_id: str) -> dict[str, Any]:
    for _ in range(100):
        delivery: dict[str, Any] = (await api.get(f"/api/v1/webhook-deliveries/{event_id}", headers=auth)).json()
        if [d["state"] for d in delivery["deliveries"]] == ["delivered"]:
            return delivery
        await asyncio.sleep(0.1)
    raise AssertionError(f"not delivered: {delivery}")


@pytest.mark.parametrize("lang", SERVER_LANGS)
async def test_webhook_receiver_verifies_events_and_drops_duplicates(lang: str, kit: Kit, live: Live,
                                                                   api: httpx.AsyncClient) -> None:
    t = await create_tenant(api)
    port = free_port()
    r = await api.put("/api/v1/webhook-endpoint", json={"url": f"http://127.0.0.1:{port}/events"}, headers=t.auth)
    secret = r.json()["secret"]
    env = example_env(WEBHOOK_SECRET=secret)
    async with serving(kit.command(lang, "webhook-receiver"), env, port) as receiver:
        sent = (await api.post("/api/v1/webhook-endpoint/test", headers=t.auth)).json()
        await receiver.wait_for(r"verified webhook\.test (msg_\S+|evt_\S+)")
        await _delivered(api, t.auth, sent["event_id"])
        # At-least-once delivery: the same webhook-id twice is processed once.
        body = orjson.dumps({"id": "evt_" + "2" * 32, "type": "call.completed", "data": {}})
        now = datetime.now(timezone.utc)
        signed = {"webhook-id": "msg_twice", "webhook-timestamp": str(int(now.timestamp())),
                  "webhook-signature": Webhook(secret).sign("msg_twice", now, body.decode()),
                  "content-type": "application/json"}
        async with httpx.AsyncClient() as http:
            for _ in range(2):
                assert (await http.post(f"http://127.0.0.1:{port}/events", content=body, headers=signed)).is_success
        await receiver.wait_for(r"verified call\.completed msg_twice")
        await receiver.wait_for(r"duplicate msg_twice")
        # A forged event (signed with another secret) is refused with 401.
        body = orjson.dumps({"type": "call.forged", "data": {}})
        forged = {"webhook-id": "msg_forged", "webhook-timestamp": str(int(now.timestamp())),
                  "webhook-signature": "v1,AAAA", "content-type": "application/json"}
        async with httpx.AsyncClient() as http:
            answer = await http.post(f"http://127.0.0.1:{port}/events", content=body, headers=forged)
        assert answer.status_code == 401
        await receiver.wait_for(r"rejected: .+")
        assert not any("call.forged" in seen for seen in receiver.lines)


def _tool(url: str) -> ToolSpec:
    return ToolSpec(name="lookup_order", description="Look up an order.", parameters=ORDER, endpoint=url, retries=0)


async def _call_tool(url: str, secret: str) -> object:
    async with httpx.AsyncClient() as http:
        return await invoke(_tool(url), {"order_id": "B-7"}, call_id="call_1", call_sid="CA" + "1" * 32,
                            session_id="CA" + "1" * 32, tenant_id="t-kit", signing_secret=secret, http=http)


@pytest.mark.parametrize("lang", SERVER_LANGS)
async def test_tool_endpoint_answers_signed_requests_and_refuses_others(lang: str, kit: Kit) -> None:
    from voxray.records import new_signing_secret
    secret, port = new_signing_secret(), free_port()
    async with serving(kit.command(lang, "tool-endpoint"), example_env(TOOL_SECRET=secret), port) as endpoint:
        outcome = await _call_tool(f"http://127.0.0.1:{port}/orders", secret)
        assert outcome.ok and outcome.result == {"order_id": "B-7", "status": "shipped"}, outcome  # type: ignore[attr-defined]
        await endpoint.wait_for(rf"tool lookup_order order_id=B-7 for call CA{'1' * 32}")
        refused = await _call_tool(f"http://127.0.0.1:{port}/orders", new_signing_secret())
        assert not refused.ok and refused.error.http_status == 401  # type: ignore[attr-defined]
        await endpoint.wait_for(r"rejected: .+")


async def test_curl_registers_an_endpoint_and_verifies_a_saved_delivery(kit: Kit, live: Live, api: httpx.AsyncClient,
                                                                       receiver: Receiver, tmp_path: Path) -> None:
    t = await create_tenant(api)
    env = example_env(VOXRAY_URL=live.gateway_url, VOXRAY_API_KEY=t.key, WAIT_S="1")
    ran = await ok(kit.command("curl", "webhooks", receiver.url), env)
    ran.line(rf"endpoint ep_\w+ -> {receiver.url}")
    secret = ran.line(r"signing secret: WEBHOOK_SECRET=(whsec_\S+)").group(1)
    event_id = ran.line(r"sent webhook\.test event (evt_\w+)").group(1)
    ran.line(rf"delivery {event_id} webhook\.test (delivered|pending|failed) attempts=\d+")
    for _ in range(50):
        if receiver.requests:
            break
        await asyncio.sleep(0.1)
    saved = receiver.requests[0]
    headers, body = tmp_path / "headers.txt", tmp_path / "body.json"
    headers.write_text("".join(f"{k}: {v}\r\n" for k, v in saved.headers.items()))
    body.write_bytes(saved.body)
    script = str(EXAMPLES / "curl" / "verify-signature.sh")
    assert (await ok(["bash", script, secret, str(headers), str(body)], env)).out.strip() == "valid"
    body.write_bytes(saved.body.replace(b"webhook.test", b"webhook.fake"))
    tampered = await run(["bash", script, secret, str(headers), str(body)], env)
    assert tampered.code == 1 and tampered.out.strip() == "invalid: no signature matches"
    other = "whsec_" + secrets.token_urlsafe(8)
    assert (await run(["bash", script, other, str(headers), str(body)], env)).code == 1
