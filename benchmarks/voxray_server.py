"""voxray under test, in its own process: ``Stack`` (Redis, Ray) + the gateway, pool warm.

The deployment knobs come from ``VOXRAY_*`` environment variables exactly as ``voxray up`` reads
them (calls per actor, warm pool, max live calls, ...): the harness passes them through the
environment and sets nothing else, so the Settings defaults are what is measured unless asked
otherwise. Only what one run needs of its own is set here: port, data dir, public URL, model URL,
key prefix, fresh secrets. The benchmark tenant gets ``--tenant-calls`` concurrent calls and
``--isolation``.

This process is the gateway and the Ray driver, as in ``voxray up``; Redis, raylet, GCS and the
Ray workers are its descendants. Prints one line ``listening <json>`` once the pool is warm, then
serves until SIGTERM.

    VOXRAY_CALLS_PER_ACTOR=50 python -m benchmarks.voxray_server --port 8200 \\
        --model-url ws://127.0.0.1:8765/v1 --data-dir /tmp/vx --tenant-calls 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from launcher.redis_server import free_port
from launcher.processes import stop_process
from launcher.stack import DEMO_NUMBER, GatewayThread, Stack, demo_tenant
from voxray.logging import configure_logging
from voxray.records import Tenant
from voxray.settings import Settings, load_settings
from voxray.start_checks import secure_start
from voxray.store import Store

#: Settings fields that describe the deployment's capacity, echoed in the ``listening`` line.
KNOBS = ("warm_pool_size", "calls_per_actor", "calls_per_core", "max_live_calls", "dedicated_warm",
         "dedicated_max_calls", "actor_cpus")


def bench_tenant(auth_token: str, calls: int, isolation: str | None) -> Tenant:
    update: dict[str, Any] = {"max_concurrent_calls": max(calls, 1)}
    if isolation is not None:
        if "isolation" not in Tenant.model_fields:
            raise SystemExit("--isolation: this voxray's Tenant has no isolation field")
        update["isolation"] = isolation
    return demo_tenant(auth_token).model_copy(update=update)


def wait_warm(registry: Any, timeout_s: float) -> dict[str, Any]:
    """Until the pool supervisor holds its warm capacity; what it reports."""
    import ray

    status = ray.get(registry.supervisor.ensure_warm.remote(timeout_s), timeout=timeout_s + 30)
    return dict(status) if isinstance(status, dict) else {"status": str(status)}


def ray_metrics_urls() -> list[str]:
    """Each alive node's Ray metrics export (session actors report through it)."""
    import ray

    return [f"http://{n['NodeManagerAddress']}:{n['MetricsExportPort']}/metrics" for n in ray.nodes()
            if n["Alive"] and n.get("MetricsExportPort")]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.voxray_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--tenant-calls", type=int, required=True, help="the bench tenant's max_concurrent_calls")
    parser.add_argument("--isolation", choices=["shared", "dedicated"], default=None,
                        help="the bench tenant's isolation (default: the Tenant default)")
    parser.add_argument("--log-level", default=os.environ.get("VOXRAY_LOG_LEVEL", "warning"))
    parser.add_argument("--warm-timeout", type=float, default=900.0)
    parser.add_argument("--media-gateway", action="store_true",
                        help="media streams go to a second `voxray gateway` process (MEDIA_PUBLIC_BASE_URL)")
    args = parser.parse_args()

    public = f"http://127.0.0.1:{args.port}"
    media_port = free_port() if args.media_gateway else None
    settings = load_settings(
        port=args.port, data_dir=args.data_dir, public_base_url=public, openai_websocket_base_url=args.model_url,
        stream_token_secret=secrets.token_hex(32), admin_key=secrets.token_urlsafe(24), log_level=args.log_level,
        key_prefix="vxbench", media_public_base_url=f"http://127.0.0.1:{media_port}" if media_port else None,
    )
    configure_logging(settings.log_level)
    secure_start(settings)  # as `voxray up`: egress checks, and the sealer the tenant seed needs
    stack = Stack(settings).start_backends()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    gateway: GatewayThread | None = None
    media: subprocess.Popen[bytes] | None = None
    try:
        auth_token = secrets.token_hex(16)
        tenant = bench_tenant(auth_token, args.tenant_calls, args.isolation)

        async def seed() -> None:
            store = Store.from_url(stack.redis_url, settings.key_prefix)
            try:
                await store.put_tenant(tenant)
            finally:
                await store.close()

        asyncio.run(seed())
        config = stack.uvicorn_config()
        app = config.app
        assert isinstance(app, FastAPI)  # Stack.uvicorn_config() passes the app object, not an import string
        started = time.monotonic()
        gateway = GatewayThread(config).start(timeout_s=args.warm_timeout)
        pool = wait_warm(app.state.runtime.registry, args.warm_timeout)
        if media_port is not None:
            media = start_media_gateway(settings, stack, media_port, args.warm_timeout)
        info = {"gateway_url": public, "public_base_url": public, "redis_url": stack.redis_url,
                "key_prefix": settings.key_prefix, "tenant_id": tenant.id, "to_number": DEMO_NUMBER,
                "auth_token": auth_token, "account_sid": tenant.twilio_account_sid,
                "isolation": getattr(tenant, "isolation", None), "pool": pool,
                "settings": {k: getattr(settings, k) for k in KNOBS if hasattr(settings, k)},
                "env": sorted(k for k in os.environ if k.startswith("VOXRAY_")),
                "warm_s": round(time.monotonic() - started, 1), "ray_metrics_urls": ray_metrics_urls()}
        print("listening " + json.dumps(info, default=str), flush=True)
        stopped.wait()
    finally:
        if media is not None:
            stop_process(media)
        if gateway is not None:
            gateway.stop()
        stack.stop()
    return 0


def start_media_gateway(settings: Settings, stack: Stack, port: int, timeout_s: float) -> subprocess.Popen[bytes]:
    """A second gateway process for media streams, as a deployment would run one: ``voxray gateway``
    against this stack's Redis and Ray, same secrets and data dir (the secrets key file)."""
    import ray

    env = {**os.environ, "VOXRAY_REDIS_URL": stack.redis_url,
           "VOXRAY_RAY_ADDRESS": ray.get_runtime_context().gcs_address, "RAY_ADDRESS": "",
           "VOXRAY_PORT": str(port), "VOXRAY_HOST": "127.0.0.1", "VOXRAY_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           "VOXRAY_KEY_PREFIX": settings.key_prefix, "VOXRAY_DATA_DIR": str(settings.data_dir),
           "VOXRAY_STREAM_TOKEN_SECRET": settings.stream_token_secret.get_secret_value()  # type: ignore[union-attr]
           , "VOXRAY_ADMIN_KEY": settings.admin_key.get_secret_value() if settings.admin_key else "",
           "VOXRAY_OPENAI_WEBSOCKET_BASE_URL": settings.openai_websocket_base_url or "",
           "VOXRAY_LOG_LEVEL": settings.log_level}
    proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "gateway"], env=env)
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"media gateway exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_process(proc)
    raise RuntimeError("media gateway did not start")


if __name__ == "__main__":
    sys.exit(main())
