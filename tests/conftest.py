"""Session-wide real peers: redis-server, Ray, the local realtime server, the gateway (uvicorn).

Started once per test session; tests isolate themselves by tenant (own id and phone number).
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Iterator

import httpx
import pytest

from tests.integration.api import bearer, create_admin_key
from tests.integration.webhook_receiver import Receiver, running_receiver
from voxray.records import AgentConfig, Tenant
from voxray.logging import configure_logging
from voxray.settings import load_settings
from launcher.stack import GatewayThread, Stack
from voxray.store import Store


@dataclass
class Live:
    gateway_url: str
    public_base_url: str
    redis_url: str
    model_url: str
    key_prefix: str
    stack: Stack
    gateway: GatewayThread


# Webhook deliveries go to receivers on loopback over http, and retry fast. Every gateway on
# the shared Redis runs a delivery worker, so each live gateway must use the same settings.
WEBHOOKS_UNDER_TEST: dict[str, object] = dict(
    webhook_allow_http=True, webhook_allow_private_hosts=True, webhook_backoff_s=[0.2, 0.4],
    webhook_max_attempts=3, webhook_poll_interval_s=0.05, webhook_timeout_s=5,
)


@pytest.fixture(scope="session")
def live() -> Iterator[Live]:
    data = Path(tempfile.mkdtemp(prefix="voxray-test-"))
    settings = load_settings(
        port=0, data_dir=data, local_model_port=0, local_model_script=None, warm_pool_size=2,
        public_base_url="https://voice.example.test", admin_key="test-admin-key-123456",
        stream_token_secret="test-stream-secret", key_prefix="vxtest", stream_token_ttl_s=30, stream_start_timeout_s=4,
        # Rate limits under test are per tenant; the shared buckets must not throttle the suite.
        admin_burst=1_000_000, anon_burst=1_000_000, auth_fail_burst=1_000_000,
        # A busy CI host must not turn test callers away: headroom refusal has its own tests
        # (tests/integration/test_live_calls.py, test_placement.py).
        headroom_lag_ms=250,
        **WEBHOOKS_UNDER_TEST,
    )
    configure_logging(settings.log_level)  # as the gateway process does: every logger through one handler
    stack = Stack(settings).start_backends(think_ms=150)
    gateway = GatewayThread(stack.uvicorn_config()).start()
    stack.gateway_started(f"http://127.0.0.1:{gateway.port}")
    asyncio.run(asyncio.sleep(0))
    yield Live(
        gateway_url=f"http://127.0.0.1:{gateway.port}", public_base_url="https://voice.example.test",
        redis_url=stack.redis_url, model_url=stack.model_url or "", key_prefix=settings.key_prefix,
        stack=stack, gateway=gateway,
    )
    gateway.stop()
    stack.stop()


@pytest.fixture
async def api(live: Live) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A tenant's webhook endpoint: a real HTTP server recording what it receives."""
    async with running_receiver() as rec:
        yield rec


@pytest.fixture
async def approver(api: httpx.AsyncClient) -> dict[str, str]:
    """A second admin: the two-person rule keeps a version's author from approving it."""
    _, key = await create_admin_key(api, "admin")
    return bearer(key)


@pytest.fixture
async def store(live: Live) -> AsyncIterator[Store]:
    s = Store.from_url(live.redis_url, live.key_prefix)
    yield s
    await s.close()


def _number() -> str:
    return "+1555" + str(secrets.randbelow(10**7)).zfill(7)


@pytest.fixture
async def make_tenant(store: Store):  # type: ignore[no-untyped-def]
    """Create an isolated tenant (own id, number, auth token) with a chosen agent config."""

    async def make(**agent: object) -> Tenant:
        tenant = Tenant(id=f"t-{secrets.token_hex(6)}", name="Test Co", twilio_account_sid="AC" + secrets.token_hex(16),
                        twilio_auth_token=secrets.token_hex(16), phone_numbers=[_number()],
                        agent=AgentConfig(**agent))  # type: ignore[arg-type]
        await store.put_tenant(tenant)
        return tenant

    return make
