"""Workflow tools and operator handoff on real simulated calls.

Each call is placed with make-call: the carrier simulator's REST stand-in rings a callee who
plays the caller, the local model server follows a script (tool calls, stated transcripts), the
session actor runs the tools against a real local HTTP endpoint that verifies our signature,
and transfers go back through the twilio library to the stand-in as ``calls(sid).update``.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import httpx
import orjson
import pytest
from aiohttp import web
from standardwebhooks import Webhook

from simulators.carrier import Callee, Dtmf, Say, Silence, WaitForAgent
from simulators.carrier.rest import CallTimeline
from tests.conftest import Live
from tests.integration.api import ADMIN, ApiTenant, create_tenant, new_number
from tests.integration.webhook_receiver import Receiver, configure, event_types

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORDER_SCHEMA = {"type": "object", "properties": {"order_id": {"type": "string", "pattern": "^[A-Z]-\\d+$"}},
                "required": ["order_id"], "additionalProperties": False}


@dataclass
class ToolServer:
    """The tenant's tool endpoint: verifies each request's Standard Webhooks signature."""

    secret: str = ""
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    failures_left: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        Webhook(self.secret).verify(body, dict(request.headers))  # raises on a bad signature
        payload = orjson.loads(body)
        self.requests.append({"payload": payload, "webhook_id": request.headers["webhook-id"],
                              "path": request.path})
        if request.path == "/slow":
            await asyncio.sleep(3)
        if request.path == "/broken" or self.failures_left > 0:
            self.failures_left -= 1
            return web.json_response({"error": "database unavailable"}, status=500)
        order_id = payload["arguments"]["order_id"]
        return web.json_response({"order_id": order_id, "status": "shipped"})


@pytest.fixture
async def tool_server() -> AsyncIterator[ToolServer]:
    server = ToolServer()
    app = web.Application()
    app.router.add_post("/{name}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield server
    await runner.cleanup()


def order_tool(server: ToolServer, path: str = "orders", **spec: Any) -> dict[str, Any]:
    return {"name": "lookup_order", "description": "Look up an order's status by its id.",
            "parameters": ORDER_SCHEMA, "endpoint": f"{server.url}/{path}", **spec}


async def agent_tenant(api: httpx.AsyncClient, live: Live, script: str, server: ToolServer | None = None,
                       **config: Any) -> ApiTenant:
    number = new_number()
    runtime_config = {"local_model_script": script, **config}
    runtime_config.setdefault("telephony", {})
    runtime_config["telephony"] = {"caller_id": number, **runtime_config["telephony"]}
    t = await create_tenant(api, phone_numbers=[number], runtime_config=runtime_config)
    assert live.stack.carrier is not None
    live.stack.carrier.add_account(t.account_sid, t.auth_token)
    if server is not None:
        r = await api.post(f"/api/v1/admin/tenants/{t.id}/tool-signing-secret/rotate", headers=ADMIN)
        server.secret = r.json()["tool_signing_secret"]
    return t


CALLER = (Silence(400), Say("Hello, I have a question about my order."), WaitForAgent(20), Silence(300))


async def place(api: httpx.AsyncClient, live: Live, t: ApiTenant, script: tuple[Any, ...] = CALLER,
                timeout_s: float = 60) -> tuple[str, CallTimeline, dict[str, Any]]:
    """Make the call, wait for it to end at the carrier, return (sid, carrier timeline, voice session)."""
    assert live.stack.carrier is not None
    callee = new_number()
    live.stack.carrier.set_callee(callee, Callee(script=script))
    r = await api.post("/api/v1/make-call", json={"to": callee},
                       headers={**t.auth, "Idempotency-Key": secrets.token_hex(8)})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    timeline = await live.stack.carrier.wait_for_call(sid, timeout_s=timeout_s)
    session: dict[str, Any] = {}
    for _ in range(100):  # the session writes its records as it ends
        session = (await api.get(f"/api/v1/voice-sessions/{sid}", headers=t.auth)).json()
        if session["call"]["status"] in ("completed", "failed"):
            break
        await asyncio.sleep(0.1)
    return sid, timeline, session


def agent_lines(session: dict[str, Any]) -> list[str]:
    return [line["text"] or "" for line in session["transcript"] if line["speaker"] == "agent"]


async def test_a_tool_result_is_spoken_back_and_recorded(api: httpx.AsyncClient, live: Live,
                                                         tool_server: ToolServer, receiver: Receiver) -> None:
    t = await agent_tenant(api, live, "order_lookup", tool_server, tools=[order_tool(tool_server)])
    await configure(api, t, receiver.url)
    sid, _, session = await place(api, live, t)
    (request,) = tool_server.requests
    assert request["payload"]["arguments"] == {"order_id": "A-42"} and request["payload"]["call_sid"] == sid
    assert request["payload"]["tool"] == "lookup_order" and request["payload"]["session_id"] == sid
    (fc,) = session["function_calls"]
    assert fc["name"] == "lookup_order" and fc["status"] == "completed" and fc["latency_ms"] > 0
    assert fc["result"] == {"order_id": "A-42", "status": "shipped"}
    assert any("A-42 is shipped" in line for line in agent_lines(session)), agent_lines(session)
    assert "tool.called" in event_types(receiver)


async def test_a_slow_tool_gets_a_filler_then_times_out_as_a_structured_error(
        api: httpx.AsyncClient, live: Live, tool_server: ToolServer) -> None:
    tool = order_tool(tool_server, "slow", timeout_s=1.0, retries=0, filler_after_ms=200,
                      filler_text="One moment while I check that.")
    t = await agent_tenant(api, live, "order_lookup", tool_server, tools=[tool])
    _, _, session = await place(api, live, t)
    (fc,) = session["function_calls"]
    assert fc["status"] == "failed" and fc["result"]["error"] == "timeout", fc
    assert 900 < fc["latency_ms"] < 3000
    assert "One moment while I check that." in agent_lines(session), agent_lines(session)
    assert session["call"]["status"] == "completed"  # never a hung call


async def test_invalid_arguments_never_reach_the_endpoint(api: httpx.AsyncClient, live: Live,
                                                         tool_server: ToolServer) -> None:
    t = await agent_tenant(api, live, "order_lookup_bad_args", tool_server, tools=[order_tool(tool_server)])
    _, _, session = await place(api, live, t)
    (fc,) = session["function_calls"]
    assert fc["status"] == "failed" and fc["result"]["error"] == "invalid_arguments", fc
    assert fc["result"]["errors"] and tool_server.requests == []


async def test_a_500_is_retried_with_the_same_webhook_id(api: httpx.AsyncClient, live: Live,
                                                       tool_server: ToolServer) -> None:
    tool_server.failures_left = 1
    tool = order_tool(tool_server, retries=2, retry_backoff_s=0.1)
    t = await agent_tenant(api, live, "order_lookup", tool_server, tools=[tool])
    _, _, session = await place(api, live, t)
    assert len(tool_server.requests) == 2
    assert tool_server.requests[0]["webhook_id"] == tool_server.requests[1]["webhook_id"]
    (fc,) = session["function_calls"]
    assert fc["status"] == "completed" and fc["result"]["status"] == "shipped"


@pytest.mark.parametrize("mode", ["warm", "cold"])
async def test_transfer_redirects_the_call_to_the_operator(api: httpx.AsyncClient, live: Live,
                                                           receiver: Receiver, mode: str) -> None:
    operator = new_number()
    t = await agent_tenant(api, live, "transfer", telephony={"operator_number": operator},
                           handoff={"transfer_mode": mode})
    await configure(api, t, receiver.url, event_types=["handoff.requested"])
    sid, timeline, session = await place(api, live, t)
    # The carrier saw the REST update with <Dial> to the operator, which ended the stream.
    updates = [r for r in timeline.requests if r.path.endswith(f"/Calls/{sid}.json") and r.method == "POST"]
    assert updates and "<Dial" in updates[0].form["Twiml"][0] and operator in updates[0].form["Twiml"][0]
    assert timeline.dials == [f"Number:{operator}"]
    assert timeline.media and timeline.media[0].stop_sent
    call = session["call"]
    assert call["status"] == "completed" and call["end_reason"] == "transferred_to_operator"
    assert call["escalation"]["escalated"] and call["escalation"]["by"] == "tool"
    assert call["escalation"]["target"] == operator and "billing dispute" in call["escalation"]["reason"]
    announced = any("connect you" in line for line in agent_lines(session))
    assert announced == (mode == "warm"), agent_lines(session)
    for _ in range(50):
        if receiver.requests:
            break
        await asyncio.sleep(0.1)
    event = orjson.loads(receiver.requests[0].body)
    assert event["type"] == "handoff.requested" and event["data"]["summary"]
    assert event["data"]["transcript_url"] == f"/api/v1/voice-sessions/{sid}"


async def test_without_an_operator_the_caller_gets_the_fallback(api: httpx.AsyncClient, live: Live) -> None:
    t = await agent_tenant(api, live, "transfer", telephony={"fallback_message": "Please leave a message."},
                           handoff={"transfer_mode": "cold"})
    _, timeline, session = await place(api, live, t)
    verbs = [v.verb for v in timeline.verbs]
    assert "Say" in verbs and "Record" in verbs and "Dial" not in verbs, verbs
    assert session["call"]["end_reason"] == "transferred_to_fallback"
    assert session["call"]["escalation"]["target"] is None


async def test_operator_not_answering_falls_back(api: httpx.AsyncClient, live: Live) -> None:
    from twilio.request_validator import RequestValidator

    t = await agent_tenant(api, live, "demo", telephony={"fallback_message": "Nobody is free right now."})
    form = {"AccountSid": t.account_sid, "CallSid": "CA" + secrets.token_hex(16), "DialCallStatus": "no-answer"}
    url = f"{live.public_base_url}/api/v1/dial-result?tenant={t.id}"
    r = await api.post(f"/api/v1/dial-result?tenant={t.id}", data=form,
                       headers={"X-Twilio-Signature": RequestValidator(t.auth_token).compute_signature(url, form)})
    assert r.status_code == 200 and "Nobody is free right now." in r.text and "<Record" in r.text
    form["DialCallStatus"] = "completed"
    r = await api.post(f"/api/v1/dial-result?tenant={t.id}", data=form,
                       headers={"X-Twilio-Signature": RequestValidator(t.auth_token).compute_signature(url, form)})
    assert "<Hangup" in r.text


FORCED = [
    ("dtmf", "demo", {}, (Silence(400), Say("Hi."), WaitForAgent(15), Dtmf("0"), Silence(4000))),
    # Warm: the agent announces the transfer before it happens.
    ("keyword", "ask_for_person", {"transfer_mode": "warm"}, CALLER + (Silence(8000),)),
    ("no_progress", "going_in_circles", {"max_turns_without_progress": 2},
     (Silence(400), Say("My internet is down."), WaitForAgent(15), Say("My internet is down."), WaitForAgent(15),
      Say("My internet is down."), WaitForAgent(15), Silence(3000))),
    ("max_call_length", "demo", {"max_call_s": 4.0}, (Silence(400), Say("Hello there."), Silence(8000))),
]


@pytest.mark.parametrize(("rule", "script", "rules", "caller"), FORCED, ids=[f[0] for f in FORCED])
async def test_forced_handoff_rules(api: httpx.AsyncClient, live: Live, rule: str, script: str,
                                    rules: dict[str, Any], caller: tuple[Any, ...]) -> None:
    operator = new_number()
    t = await agent_tenant(api, live, script, telephony={"operator_number": operator},
                           handoff={"transfer_mode": "cold", **rules})
    _, timeline, session = await place(api, live, t, caller)
    escalation = session["call"]["escalation"]
    assert escalation["escalated"] and escalation["by"] == "rule", session["call"]
    assert escalation["reason"].startswith(f"{rule}:"), escalation
    assert timeline.dials == [f"Number:{operator}"]
    assert (session["call"]["status"], session["call"]["end_reason"]) == ("completed", "transferred_to_operator")
    if rules.get("transfer_mode") == "warm":
        assert any("connect you" in line for line in agent_lines(session)), agent_lines(session)


async def test_repeated_tool_failures_force_a_handoff(api: httpx.AsyncClient, live: Live,
                                                      tool_server: ToolServer) -> None:
    operator = new_number()
    tool = order_tool(tool_server, "broken", retries=0)
    t = await agent_tenant(api, live, "order_lookup_twice", tool_server, tools=[tool],
                           telephony={"operator_number": operator},
                           handoff={"transfer_mode": "cold", "max_tool_failures": 2})
    caller = CALLER + (Say("Are you still there?"), WaitForAgent(20), Silence(3000))
    _, timeline, session = await place(api, live, t, caller)
    assert [fc["status"] for fc in session["function_calls"]] == ["failed", "failed"]
    assert session["call"]["escalation"]["reason"].startswith("tool_failures:")
    assert timeline.dials == [f"Number:{operator}"]


async def test_dtmf_is_collected_for_the_model_and_redacted_in_the_record(api: httpx.AsyncClient,
                                                                          live: Live) -> None:
    t = await agent_tenant(api, live, "collect_pin", builtin_tools=["collect_dtmf", "end_call"])
    # The model asks for the PIN once the caller's turn ends; keys come after the tool started.
    caller = (Silence(400), Say("Hi."), Silence(3000), Dtmf("4"), Dtmf("2"), Dtmf("0"), Dtmf("7"), Dtmf("#"),
              WaitForAgent(15), Silence(300))
    _, _, session = await place(api, live, t, caller)
    (fc,) = session["function_calls"]
    assert fc["name"] == "collect_dtmf" and fc["status"] == "completed"
    assert fc["result"]["digits"] == "****" and fc["result"]["reason"] == "max_digits", fc
    assert any("I got 4207" in line for line in agent_lines(session)), agent_lines(session)
    assert session["call"]["escalation"]["escalated"] is False  # the 0 of a PIN is no handoff


async def test_tool_definitions_are_validated_when_saved(api: httpx.AsyncClient) -> None:
    bad_schema = {"name": "x", "description": "d", "parameters": {"type": "object", "properties": {"a": {"type": 5}}},
                  "endpoint": "https://tools.example.com/x"}
    shadowing = {**bad_schema, "name": "transfer_to_operator", "parameters": {"type": "object"}}
    t = await create_tenant(api)
    for tool in (bad_schema, shadowing):
        r = await api.put(f"/api/v1/admin/tenants/{t.id}/runtime-config", json={"tools": [tool]}, headers=ADMIN)
        assert r.status_code == 422 and r.json()["code"] == "invalid_tool", r.text
    r = await api.put(f"/api/v1/admin/tenants/{t.id}/runtime-config",
                      json={"tools": [{**bad_schema, "parameters": {"type": "object"}, "endpoint": "ftp://x/y"}]},
                      headers=ADMIN)
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"
