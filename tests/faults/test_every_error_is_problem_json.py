"""Every failure underneath becomes problem+json (or, for a Twilio voice webhook, a spoken apology).

An app with the gateway's error handling installed, whose routes and middleware raise what the
real dependencies raise when they fail (Redis, Ray, governance, a bug), driven over HTTP.
"""

from __future__ import annotations

from typing import AsyncIterator, Callable

import httpx
import pytest
import ray.exceptions
from fastapi import FastAPI, Request
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import errors
from governance.errors import GovernanceUnavailable

pytestmark = pytest.mark.asyncio


def _wrapped_redis() -> Exception:
    try:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    except RedisConnectionError as exc:
        try:
            raise RuntimeError("lookup failed") from exc
        except RuntimeError as outer:
            return outer


FAILURES: dict[str, Callable[[], Exception]] = {
    "redis-down": lambda: RedisConnectionError("Connection refused"),
    "redis-slow": lambda: RedisTimeoutError("Timeout reading from socket"),
    "redis-wrapped": _wrapped_redis,
    "ray": lambda: ray.exceptions.RayActorError(),
    "governance": lambda: GovernanceUnavailable("governance actor unreachable"),
    "bug": lambda: KeyError("oops"),
}


class FailingMiddleware:
    """Raises before the router when the path asks for it (rate limits and auth run there)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/mw/"):
            raise FAILURES[scope["path"].rsplit("/", 1)[-1]]()
        await self.app(scope, receive, send)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.add_middleware(FailingMiddleware)
    errors.install(app)

    @app.get("/route/{kind}")
    async def route(kind: str) -> dict[str, str]:
        raise FAILURES[kind]()

    @app.post("/api/v1/incoming-call")
    async def incoming_call(request: Request) -> dict[str, str]:
        raise RedisConnectionError("Connection refused")

    @app.post("/api/v1/outbound-answer")
    async def outbound_answer(request: Request) -> dict[str, str]:
        kind = request.query_params.get("status", "503")
        raise errors.ApiError(int(kind), "session_unavailable" if kind == "503" else "signature_invalid", "No")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
        yield c


EXPECTED = {"redis-down": (503, "store_unavailable"), "redis-slow": (503, "store_unavailable"),
            "redis-wrapped": (503, "store_unavailable"), "ray": (503, "runtime_unavailable"),
            "governance": (503, "governance_unavailable"), "bug": (500, "internal_error")}


@pytest.mark.parametrize("where", ["route", "mw"])
@pytest.mark.parametrize("kind", sorted(FAILURES))
async def test_a_failure_underneath_is_problem_json(client: httpx.AsyncClient, where: str, kind: str) -> None:
    r = await client.get(f"/{where}/{kind}", headers={"X-Request-Id": "req-12345678"})
    status, code = EXPECTED[kind]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert (body["status"], body["code"], body["request_id"]) == (status, code, "req-12345678")
    assert r.headers["x-request-id"] == "req-12345678"
    assert "Connection refused" not in r.text and "oops" not in r.text  # internals stay in the logs
    if status == 503:
        assert int(r.headers["retry-after"]) > 0
    else:
        assert "retry-after" not in r.headers


async def test_a_twilio_voice_webhook_gets_a_spoken_apology_not_an_error(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/incoming-call", "/api/v1/outbound-answer?status=503"):
        r = await client.post(path, data={"CallSid": "CA1"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml"), path
        assert "<Say>We are sorry" in r.text and r.text.endswith("<Hangup/></Response>")
    # A request refused for what it is (a bad signature) still gets its problem+json.
    r = await client.post("/api/v1/outbound-answer?status=403", data={"CallSid": "CA1"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
