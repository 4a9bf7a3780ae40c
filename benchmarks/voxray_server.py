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
import sys
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI

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
    args = parser.parse_args()

    public = f"http://127.0.0.1:{args.port}"
    settings = load_settings(
        port=args.port, data_dir=args.data_dir, public_base_url=public, openai_websocket_base_url=args.model_url,
        stream_token_secret=secrets.token_hex(32), admin_key=secrets.token_urlsafe(24), log_level=args.log_level,
        key_prefix="vxbench",
    )
    configure_logging(settings.log_level)
    secure_start(settings)  # as `voxray up`: egress checks, and the sealer the tenant seed needs
    stack = Stack(settings).start_backends()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    gateway: GatewayThread | None = None
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
        info = {"gateway_url": public, "public_base_url": public, "redis_url": stack.redis_url,
                "key_prefix": settings.key_prefix, "tenant_id": tenant.id, "to_number": DEMO_NUMBER,
                "auth_token": auth_token, "account_sid": tenant.twilio_account_sid,
                "isolation": getattr(tenant, "isolation", None), "pool": pool,
                "settings": {k: getattr(settings, k) for k in KNOBS if hasattr(settings, k)},
                "env": sorted(k for k in os.environ if k.startswith("VOXRAY_")),
                "warm_s": round(time.monotonic() - started, 1)}
        print("listening " + json.dumps(info, default=str), flush=True)
        stopped.wait()
    finally:
        if gateway is not None:
            gateway.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
