"""The FastAPI gateway: Twilio webhooks, media websockets and the operator API."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from typing import AsyncIterator

import structlog
from fastapi import FastAPI

from actors.registry import SessionRegistry
from gateway import errors
from gateway.routes import media, ops, twilio_voice
from gateway.runtime import Runtime
from voxray.settings import Settings
from voxray.store import Store

log = structlog.get_logger("voxray.gateway")


def create_app(settings: Settings, *, redis_url: str, model_websocket_base_url: str | None) -> FastAPI:
    """Build the app; Ray must already be initialised in this process (the registry uses it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store.from_url(redis_url, settings.key_prefix)
        registry = SessionRegistry(pool_size=settings.warm_pool_size, max_live_calls=settings.max_live_calls,
                                   actor_cpus=settings.actor_cpus, bind_host=settings.media_bind_host,
                                   calls_per_actor=settings.calls_per_actor, log_level=settings.log_level,
                                   model_api_key=settings.openai_api_key.get_secret_value(),
                                   model_websocket_base_url=model_websocket_base_url, store=store)
        secret = settings.stream_token_secret
        if secret is None:
            log.warning("stream_token_secret_generated", hint="set VOXRAY_STREAM_TOKEN_SECRET for multiple gateways")
        app.state.runtime = Runtime(
            settings=settings, store=store, registry=registry,
            stream_secret=(secret.get_secret_value() if secret else secrets.token_hex(32)).encode(),
            redis_url=redis_url, model_websocket_base_url=model_websocket_base_url,
        )
        # Call setup must not wait for a worker process: be ready only once the pool is warm.
        await registry.warm_up()
        try:
            yield
        finally:
            await registry.shutdown()
            await store.close()

    app = FastAPI(title="voxray", version="0.1.0", lifespan=lifespan, docs_url="/swagger-ui", redoc_url=None)
    errors.install(app)
    app.include_router(twilio_voice.router)
    app.include_router(media.router)
    app.include_router(ops.router)
    return app
