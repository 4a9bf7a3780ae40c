"""voxray under test, in its own process: ``Stack`` (Redis, Ray) + the gateway, warm pool full.

The benchmark measures this process's CPU as the gateway's (it is also the Ray driver, as in
``voxray up``); Redis, raylet, GCS and the Ray workers are its descendants. Prints one line
``listening <json>`` once ready actors hold ``--pool`` spare call slots, then serves until SIGTERM.

    python -m benchmarks.voxray_server --port 8200 --model-url ws://127.0.0.1:8765/v1 --pool 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

from fastapi import FastAPI

from voxray.logging import configure_logging
from voxray.settings import load_settings
from launcher.stack import DEMO_NUMBER, GatewayThread, Stack, demo_tenant
from voxray.store import Store


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.voxray_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model-url", required=True)
    parser.add_argument("--pool", type=int, required=True, help="warm pool size (>= calls)")
    parser.add_argument("--max-calls", type=int, required=True)
    parser.add_argument("--calls-per-actor", type=int, default=None, help="default: the settings default")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--freeze-pool", action="store_true",
                        help="do not refill the warm pool once warm (isolates the media path from actor start-up)")
    parser.add_argument("--warm-timeout", type=float, default=900.0)
    args = parser.parse_args()

    public = f"http://127.0.0.1:{args.port}"
    settings = load_settings(
        port=args.port, data_dir=args.data_dir, public_base_url=public, openai_websocket_base_url=args.model_url,
        warm_pool_size=args.pool, max_live_calls=args.max_calls, stream_token_secret=secrets.token_hex(32),
        admin_key=secrets.token_urlsafe(24), log_level=args.log_level, key_prefix="vxbench",
        **({"calls_per_actor": args.calls_per_actor} if args.calls_per_actor else {}),
    )
    configure_logging(settings.log_level)
    stack = Stack(settings).start_backends()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    gateway: GatewayThread | None = None
    try:
        auth_token = secrets.token_hex(16)
        tenant = demo_tenant(auth_token).model_copy(update={"max_concurrent_calls": max(args.max_calls, 1)})

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
        # The lifespan's warm_up gives up after 120 s; wait until the warm capacity is really there.
        registry = app.state.runtime.registry
        deadline = time.monotonic() + args.warm_timeout

        def warm_slots() -> int:
            return sum(a.free for a in list(registry._actors))

        while warm_slots() < args.pool and time.monotonic() < deadline and not stopped.is_set():
            time.sleep(0.1)
        warm = warm_slots()
        if args.freeze_pool:
            registry.pool_size = 0  # refill() then has nothing to add
        info = {"gateway_url": public, "public_base_url": public, "redis_url": stack.redis_url,
                "key_prefix": settings.key_prefix, "tenant_id": tenant.id, "to_number": DEMO_NUMBER,
                "auth_token": auth_token, "account_sid": tenant.twilio_account_sid, "warm": warm, "calls_per_actor": getattr(settings, "calls_per_actor", 1),
                "actors": len(registry._actors),
                "warm_s": round(time.monotonic() - started, 1), "admin_key": settings.admin_key.get_secret_value()}  # type: ignore[union-attr]
        print("listening " + json.dumps(info), flush=True)
        stopped.wait()
    finally:
        if gateway is not None:
            gateway.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
