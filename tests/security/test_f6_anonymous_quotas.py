"""F6: quotas on the anonymous surfaces, IPv6 by /64, trusted proxies only by configuration."""

from __future__ import annotations

import asyncio
import secrets
import threading
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway.anon_quotas import (address_bucket, charge_twilio_number, client_address, media_connect_allowed,
                                 uvicorn_kwargs)
from gateway.errors import ApiError
from gateway.ratelimit import RateLimiter
from gateway.routes.access_requests import AccessRequest, AccessRequestStore, AccessState
from launcher.redis_server import free_port
from tests.conftest import Live
from voxray.records import utcnow
from voxray.settings import load_settings


def test_ipv6_clients_are_bucketed_by_their_64() -> None:
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64"
    assert address_bucket("2001:db8:1:3::1") != address_bucket("2001:db8:1:2::1")
    assert address_bucket("::ffff:192.0.2.7") == "192.0.2.7" == address_bucket("192.0.2.7")
    assert address_bucket(None) == "unknown"


class _Conn:
    def __init__(self, host: str) -> None:
        self.client = type("Client", (), {"host": host})()


@pytest.fixture
async def limiter(live: Live) -> Any:
    redis = aioredis.Redis.from_url(live.redis_url)
    yield RateLimiter(redis, f"vxq{secrets.token_hex(3)}")
    await redis.aclose()


async def test_media_connects_are_capped_per_address_and_globally(limiter: RateLimiter) -> None:
    s = load_settings(media_connect_per_s=0.01, media_connect_burst=3, media_connect_global_per_s=0.01,
                      media_connect_global_burst=5)
    one = _Conn("2001:db8::1")
    same_64 = _Conn("2001:db8::ffff")
    verdicts = [await media_connect_allowed(limiter, s, c) for c in (one, same_64, one, same_64)]  # type: ignore[arg-type]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    others = [await media_connect_allowed(limiter, s, _Conn(f"198.51.100.{i}")) for i in range(3)]  # type: ignore[arg-type]
    assert [v.allowed for v in others] == [True, True, False]  # the deployment's 5 are spent
    assert others[-1].retry_after_s >= 1


async def test_twilio_webhooks_are_capped_per_called_number(limiter: RateLimiter) -> None:
    s = load_settings(twilio_webhook_per_s=0.01, twilio_webhook_burst=2)
    await charge_twilio_number(limiter, s, "+15550101010")
    await charge_twilio_number(limiter, s, "+15550101010")
    with pytest.raises(ApiError) as refused:
        await charge_twilio_number(limiter, s, "+15550101010")
    assert refused.value.status == 429
    await charge_twilio_number(limiter, s, "+15550101011")  # another number has its own bucket


async def test_access_requests_are_bounded_and_paged_by_range(live: Live, api: httpx.AsyncClient) -> None:
    redis = aioredis.Redis.from_url(live.redis_url)
    store = AccessRequestStore(redis, f"vxar{secrets.token_hex(3)}")
    body = {"company": "Acme", "contact_name": "Ann", "contact_email": "ann@example.com",
            "use_case": "Answer the phone for bookings", "monthly_call_minutes": 10, "timeline": "now"}
    made = []
    for i in range(3):
        request = AccessRequest(**body, id=f"ar_{i}", created_at=utcnow())
        assert await store.add(request, max_pending=3)
        made.append(request)
    assert not await store.add(AccessRequest(**body, id="ar_x", created_at=utcnow()), max_pending=3)
    await store.decide(made[0], state=AccessState.REJECTED, reason="no")
    assert await store.add(AccessRequest(**body, id="ar_y", created_at=utcnow()), max_pending=3)  # room again
    page, more = await store.page(AccessState.PENDING, 0, 2)
    assert [r.id for r in page] == ["ar_y", "ar_2"] and more
    page, more = await store.page(AccessState.PENDING, 2, 2)
    assert [r.id for r in page] == ["ar_1"] and not more
    assert [r.id for r in (await store.page(AccessState.REJECTED, 0, 10))[0]] == ["ar_0"]
    await redis.aclose()
    # And through HTTP: the anonymous endpoint stores one and answers 202.
    r = await api.post("/api/v1/access-requests", json=body)
    assert r.status_code == 202, r.text


def _serve(config: uvicorn.Config) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread


async def test_forwarded_for_is_believed_only_from_configured_proxies() -> None:
    async def who(request: Request) -> PlainTextResponse:
        return PlainTextResponse(client_address(request))

    app = Starlette(routes=[Route("/", who)])
    forwarded = {"X-Forwarded-For": "2001:db8:9:9::5"}
    for allow, expected in (("", "127.0.0.1"), ("127.0.0.1", "2001:db8:9:9::/64"), ("10.0.0.1", "127.0.0.1")):
        port = free_port()
        kwargs = uvicorn_kwargs(load_settings(forwarded_allow_ips=allow))
        server, thread = _serve(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **kwargs))
        try:
            for _ in range(100):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            async with httpx.AsyncClient() as http:
                r = await http.get(f"http://127.0.0.1:{port}/", headers=forwarded)
            assert r.text == expected, (allow, r.text)
        finally:
            server.should_exit = True
            thread.join(5)
