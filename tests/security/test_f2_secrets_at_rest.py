"""F2: Redis asks for a password, tenant secrets are sealed at rest, rotation re-seals, files are private."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

import httpx
import orjson
import pytest
import redis.asyncio as aioredis
from cryptography.fernet import Fernet

from launcher.cli import _write_runtime
from tests.conftest import Live
from tests.integration.api import ADMIN, create_tenant
from voxray.records import Tenant
from voxray.rotation import reseal_everything
from voxray.sealing import PREFIX, Sealer, SealingError
from voxray.store import Store


async def test_embedded_redis_refuses_clients_without_the_password(live: Live) -> None:
    url = live.redis_url
    assert url.startswith("redis://:") and "@127.0.0.1:" in url
    anonymous = aioredis.Redis.from_url("redis://" + url.split("@", 1)[1])
    with pytest.raises(Exception, match="(?i)auth"):
        await anonymous.get(f"{live.key_prefix}:tenants")
    await anonymous.aclose()


def test_redis_data_and_runtime_file_are_private(live: Live, tmp_path: Path) -> None:
    data = Path(live.stack.settings.data_dir)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in (data / "redis").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert stat.S_IMODE((data / "secrets.key").stat().st_mode) == 0o600
    runtime = tmp_path / "var" / "runtime.json"
    _write_runtime(runtime, {"admin_key": "x"})
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o600 and stat.S_IMODE(runtime.parent.stat().st_mode) == 0o700


async def test_tenant_and_webhook_secrets_are_sealed_in_redis(api: httpx.AsyncClient, store: Store) -> None:
    t = await create_tenant(api)
    r = await api.post(f"/api/v1/admin/tenants/{t.id}/tool-signing-secret/rotate", headers=ADMIN)
    tool_secret = r.json()["tool_signing_secret"]
    r = await api.put("/api/v1/webhook-endpoint", json={"url": "https://hooks.example.com/x"}, headers=t.auth)
    assert r.status_code == 201, r.text
    webhook_secret = r.json()["secret"]
    # Replacing it compares the stored bytes: an unchanged sealed secret must keep them.
    r = await api.put("/api/v1/webhook-endpoint", json={"url": "https://hooks.example.com/y"}, headers=t.auth)
    assert r.status_code == 200, r.text
    everything = b""
    async for key in store.redis.scan_iter(match=f"{store.p}:*{t.id}*"):
        kind = await store.redis.type(key)
        if kind == b"string":
            everything += await store.redis.get(key) or b""
        elif kind == b"hash":
            everything += b"".join(v for v in (await store.redis.hgetall(key)).values())  # type: ignore[misc]
    for secret in (t.auth_token, tool_secret, webhook_secret):
        assert secret.encode() not in everything
    raw = orjson.loads(await store.redis.get(f"{store.p}:tenant:{t.id}"))
    assert raw["twilio_auth_token"].startswith(PREFIX) and raw["tool_signing_secret"].startswith(PREFIX)
    tenant = await store.get_tenant(t.id)  # opened on read
    assert tenant is not None and tenant.twilio_auth_token.get_secret_value() == t.auth_token
    assert tenant.tool_signing_secret.get_secret_value() == tool_secret


def test_sealer_round_trip_and_tamper() -> None:
    sealer = Sealer(Fernet.generate_key())
    sealed = sealer.seal("hunter2-token")
    assert sealed.startswith(PREFIX) and "hunter2" not in sealed
    assert sealer.open(sealed) == "hunter2-token"
    assert sealer.seal("same") != sealer.seal("same")  # a data key per secret
    with pytest.raises(SealingError):
        Sealer(Fernet.generate_key()).open(sealed)
    with pytest.raises(SealingError):
        sealer.open(sealed[:-4] + "AAAA")


async def test_rotation_reseals_tenants_and_webhook_endpoints(live: Live) -> None:
    """Secrets sealed with key A are re-sealed with key B; afterwards B alone opens them, A does not."""
    prefix = f"vxrot{secrets.token_hex(3)}"
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    redis = aioredis.Redis.from_url(live.redis_url)
    before = Store(redis, prefix, Sealer(old_key))
    tenant = Tenant(id="rot-tenant", name="Rot", twilio_account_sid="AC" + "0" * 32, twilio_auth_token="tok-" + "9" * 20,
                    phone_numbers=["+15557770000"])
    await before.put_tenant(tenant)
    legacy = Tenant(id="rot-legacy", name="Legacy", twilio_account_sid="AC" + "1" * 32,
                    twilio_auth_token="legacy-" + "8" * 20)
    legacy_json = legacy.model_dump(mode="json") | {"twilio_auth_token": "legacy-" + "8" * 20,
                                                    "tool_signing_secret": "whsec_legacy"}
    await redis.set(f"{prefix}:tenant:rot-legacy", orjson.dumps(legacy_json))  # written before sealing existed
    await redis.sadd(f"{prefix}:tenants", "rot-legacy")
    endpoint = {"id": "ep_1", "url": "https://h.example.com/", "secret": Sealer(old_key).seal("whsec_endpoint"),
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    await redis.hset(f"{prefix}:t:rot-tenant:wh:ep", "ep_1", orjson.dumps(endpoint))  # type: ignore[misc]

    rotating = Store(redis, prefix, Sealer(new_key, [old_key]))
    assert await reseal_everything(rotating) == (2, 1)
    assert await reseal_everything(rotating) == (0, 0)  # idempotent

    after = Store(redis, prefix, Sealer(new_key))
    got = await after.get_tenant("rot-tenant")
    assert got is not None and got.twilio_auth_token.get_secret_value() == "tok-" + "9" * 20
    got_legacy = await after.get_tenant("rot-legacy")
    assert got_legacy is not None and got_legacy.tool_signing_secret.get_secret_value() == "whsec_legacy"
    stored = orjson.loads(await redis.hget(f"{prefix}:t:rot-tenant:wh:ep", "ep_1"))  # type: ignore[misc]
    assert Sealer(new_key).open(stored["secret"]) == "whsec_endpoint"
    with pytest.raises(SealingError):
        await Store(redis, prefix, Sealer(old_key)).get_tenant("rot-tenant")
    await redis.aclose()


def test_a_key_is_required_with_an_external_redis(tmp_path: Path) -> None:
    from voxray.sealing import SealingUnavailable
    from voxray.settings import load_settings

    with pytest.raises(SealingUnavailable):
        Sealer.from_settings(load_settings(redis_url="redis://example:6379/0", data_dir=tmp_path))
    made = Sealer.from_settings(load_settings(data_dir=tmp_path))  # embedded: a key file, 0600
    assert stat.S_IMODE(os.stat(tmp_path / "secrets.key").st_mode) == 0o600
    assert Sealer.from_settings(load_settings(data_dir=tmp_path)).open(made.seal("x")) == "x"
