"""A tenant's webhook endpoint for tests: a real aiohttp server that records what it gets."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

import httpx
import orjson
from aiohttp import web

from tests.integration.api import ApiTenant


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A tenant's endpoint: answers 500 to its first ``fail_first`` requests (or all), then 200."""

    fail_first: int = 0
    always_fail: bool = False
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(Received(dict(request.headers), await request.read(), time.monotonic()))
        failing = self.always_fail or len(self.requests) <= self.fail_first
        return web.Response(status=500 if failing else 200, text="nope" if failing else "ok")


@asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    rec.url = f"http://127.0.0.1:{port}/hook"
    yield rec
    await runner.cleanup()


async def configure(api: httpx.AsyncClient, tenant: ApiTenant, url: str, **body: Any) -> dict[str, Any]:
    r = await api.put("/api/v1/webhook-endpoint", json={"url": url, **body}, headers=tenant.auth)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def event_types(rec: Receiver) -> list[str]:
    return [str(orjson.loads(r.body)["type"]) for r in rec.requests]
