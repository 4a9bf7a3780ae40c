"""Tool invocation against a real HTTP endpoint that verifies the Standard Webhooks signature."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web
from standardwebhooks import Webhook

from actors.tools.invoker import MAX_RESPONSE_BYTES, ToolOutcome, invoke, max_duration_s
from gateway.webhooks.signing import new_secret
from voxray.records import ToolSpec

SECRET = new_secret()
PARAMS = {"type": "object", "properties": {"party": {"type": "integer", "minimum": 1}}, "required": ["party"]}


@dataclass
class Seen:
    headers: dict[str, str]
    payload: Any


@dataclass
class Endpoint:
    """A tenant's tool server: each path behaves as its name says; every request must be signed."""

    base: str = ""
    seen: dict[str, list[Seen]] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        payload = Webhook(SECRET).verify(body, dict(request.headers))  # raises: the test fails
        name = request.match_info["name"]
        calls = self.seen.setdefault(name, [])
        calls.append(Seen(dict(request.headers), payload))
        if name == "ok":
            return web.json_response({"booked": True, "party": payload["arguments"]["party"]})
        if name == "flaky" and len(calls) == 1:
            return web.Response(status=500, text="try again")
        if name == "flaky":
            return web.json_response({"booked": True})
        if name == "slow":
            await asyncio.sleep(1.5)
            return web.json_response({"late": True})
        if name == "missing":
            return web.json_response({"message": "no such booking"}, status=404)
        if name == "busy":
            return web.Response(status=503)
        if name == "text":
            return web.Response(text="<html>hello</html>", content_type="text/html")
        if name == "big":
            return web.json_response({"blob": "x" * (MAX_RESPONSE_BYTES + 10)})
        if name == "empty":
            return web.Response(status=204)
        raise AssertionError(name)

    def url(self, name: str) -> str:
        return f"{self.base}/tools/{name}"


@asynccontextmanager
async def running_endpoint() -> AsyncIterator[Endpoint]:
    endpoint = Endpoint()
    app = web.Application()
    app.router.add_post("/tools/{name}", endpoint.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


def spec(endpoint: Endpoint, name: str, **kw: Any) -> ToolSpec:
    return ToolSpec(name=f"t_{name}", description="test tool", endpoint=endpoint.url(name), parameters=PARAMS,
                    **{"retries": 2, "retry_backoff_s": 0.05, "timeout_s": 2.0, **kw})


async def call(tool: ToolSpec, arguments: str = '{"party": 4}') -> ToolOutcome:
    async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:
        return await invoke(tool, arguments, call_id="call_abc", call_sid="CA" + "0" * 32, session_id="sess_1",
                            tenant_id="acme", signing_secret=SECRET, http=http)


@pytest.fixture
async def endpoint() -> AsyncIterator[Endpoint]:
    async with running_endpoint() as ep:
        yield ep


async def test_a_successful_call_returns_the_tools_json_and_carries_call_identity(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "ok"))
    assert out.status == "ok" and out.attempts == 1 and out.latency_ms > 0
    assert out.result == {"booked": True, "party": 4}
    assert orjson.loads(out.model_output()) == {"booked": True, "party": 4}
    [seen] = endpoint.seen["ok"]
    assert seen.payload == {"tool": "t_ok", "arguments": {"party": 4}, "call_id": "call_abc",
                            "call_sid": "CA" + "0" * 32, "session_id": "sess_1", "tenant_id": "acme"}
    assert seen.headers["webhook-id"] == out.webhook_id


async def test_a_5xx_is_retried_with_the_same_webhook_id(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "flaky"))
    assert out.status == "ok" and out.attempts == 2
    ids = {s.headers["webhook-id"] for s in endpoint.seen["flaky"]}
    assert len(endpoint.seen["flaky"]) == 2 and ids == {out.webhook_id}


async def test_a_slow_tool_times_out_within_its_bound(endpoint: Endpoint) -> None:
    tool = spec(endpoint, "slow", timeout_s=0.3, retries=1, retry_backoff_s=0.05)
    started = time.monotonic()
    out = await call(tool)
    elapsed = time.monotonic() - started
    assert out.status == "timeout" and out.attempts == 2
    assert elapsed < max_duration_s(tool) + 0.5
    assert orjson.loads(out.model_output())["error"] == "timeout"


async def test_a_404_is_final_and_explained(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "missing"))
    assert out.status == "error" and out.attempts == 1 and len(endpoint.seen["missing"]) == 1
    assert orjson.loads(out.model_output()) == {"error": "http_error", "message": "the tool answered HTTP 404",
                                                "http_status": 404, "detail": {"message": "no such booking"}}


async def test_persistent_5xx_gives_up_after_the_retries(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "busy", retries=2))
    assert out.status == "error" and out.attempts == 3 and len(endpoint.seen["busy"]) == 3
    assert out.error is not None and out.error.http_status == 503


async def test_a_non_json_answer_is_a_bad_response(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "text"))
    assert out.status == "error" and out.attempts == 1
    assert out.error is not None and out.error.code == "bad_response"


async def test_an_oversized_answer_is_a_bad_response(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "big"))
    assert out.error is not None and out.error.code == "bad_response" and "larger" in out.error.message


async def test_no_content_is_success_without_a_result(endpoint: Endpoint) -> None:
    out = await call(spec(endpoint, "empty"))
    assert out.status == "ok" and out.result is None
    assert orjson.loads(out.model_output()) == {"ok": True}


@pytest.mark.parametrize("arguments", ['{"party": 0}', "{}", "not json"])
async def test_invalid_arguments_never_reach_the_endpoint(endpoint: Endpoint, arguments: str) -> None:
    out = await call(spec(endpoint, "ok"), arguments)
    assert out.status == "invalid_arguments" and out.attempts == 0
    assert "ok" not in endpoint.seen
    model = orjson.loads(out.model_output())
    assert model["error"] == "invalid_arguments" and isinstance(model["errors"], list)


async def test_an_unreachable_endpoint_is_a_connection_error_after_retries() -> None:
    async with running_endpoint() as ep:
        url = ep.url("ok")
    tool = ToolSpec(name="gone", description="d", endpoint=url, parameters=PARAMS, retries=1, retry_backoff_s=0.01)
    out = await call(tool)
    assert out.status == "error" and out.attempts == 2
    assert out.error is not None and out.error.code == "connection_error"
