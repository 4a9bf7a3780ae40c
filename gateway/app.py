"""The FastAPI gateway: Twilio webhooks, media websockets and the operator API."""

from __future__ import annotations

import asyncio
import secrets
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import structlog
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from actors.pool import pool_config
from actors.link_mux import Links
from actors.registry import SessionRegistry, connect_supervisor
from gateway import errors
from gateway.access_log import AccessLogMiddleware
from gateway.body_limits import BodyLimitMiddleware
from gateway.browser_sessions import BrowserSessionStore
from gateway.idempotency import IdempotencyStore
from gateway.openapi_scopes import with_problem_responses
from gateway.query_params import reject_unknown_query
from gateway.ratelimit import RateLimiter
from gateway.twilio_rest import TwilioRest
from gateway.routes import (access_requests, admin_keys, admin_tenants, auth_sessions, call_logs, calls, docs,
                            governance, handoff, media, ops, phone_routes, twilio_voice, voice_sessions, webhooks)
from gateway.routes import admin_console, metrics as metrics_route
from gateway.routes import readiness
from gateway.runtime import Runtime
from gateway.webhooks.delivery import DeliveryWorker
from gateway.webhooks.store import WebhookStore
from governance.client import GovernanceClient
from voxray import gc_pauses, redis_client
from voxray.keys import KeyStore
from voxray.live_calls import LiveCalls
from voxray.preload import preload
from voxray.settings import Settings
from voxray.start_checks import secure_start
from voxray.store import Store

log = structlog.get_logger("voxray.gateway")


REDIS_WARM_CONNECTIONS = 32  # a burst of calls finds them open (voxray/redis_client.py)


def create_app(settings: Settings, *, redis_url: str, model_websocket_base_url: str | None) -> FastAPI:
    """Build the app; Ray must already be initialised in this process (the registry uses it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        preload()  # not on the first request's path
        store = Store.from_url(redis_url, settings.key_prefix, sealer=secure_start(settings))
        # Session actors belong to the deployment's pool supervisor, not to this gateway.
        registry = SessionRegistry(LiveCalls(store.redis, store.p),
                                   connect_supervisor(pool_config(settings, redis_url, model_websocket_base_url),
                                                      settings.control_resource),
                                   namespace=settings.ray_namespace, max_live_calls=settings.max_live_calls)
        # The governance actor is shared by every gateway; this gets it (or creates it) and its routes.
        governance_client = await GovernanceClient.connect(
            redis_url, settings.key_prefix, num_cpus=settings.governance_actor_cpus,
            audit_max_entries=settings.governance_audit_max_entries, control_resource=settings.control_resource)
        secret = settings.stream_token_secret
        if secret is None:
            log.warning("stream_token_secret_generated", hint="set VOXRAY_STREAM_TOKEN_SECRET for multiple gateways")
        app.state.runtime = Runtime(
            settings=settings, store=store, registry=registry,
            stream_secret=(secret.get_secret_value() if secret else secrets.token_hex(32)).encode(),
            redis_url=redis_url, model_websocket_base_url=model_websocket_base_url,
            keys=KeyStore(store.redis, store.p),
            browser=BrowserSessionStore(store.redis, store.p, settings.browser_session_ttl_s),
            limiter=RateLimiter(store.redis, store.p),
            idempotency=IdempotencyStore(store.redis, store.p, settings.idempotency_ttl_s),
            twilio=TwilioRest(settings.twilio_api_base_url, settings.twilio_timeout_s),
            governance=governance_client,
            media_link_key=settings.media_link_key.get_secret_value() if settings.media_link_key else None,
            links=Links(settings.media_link_coalesce_ms / 1000) if settings.media_link_mux else None,
        )
        # Call setup must not wait for a worker process, nor for Redis handshakes: be ready only
        # once the actor pool is warm and the Redis connections are open.
        await asyncio.gather(registry.warm_up(), redis_client.warm(store.redis, REDIS_WARM_CONNECTIONS))
        registry.start()
        webhook_worker = DeliveryWorker.from_settings(WebhookStore(store.redis, store.p), settings).start()
        frozen = gc_pauses.settle()  # start-up's objects: full collections during a burst skip them
        gc_pauses.PROCESS_PAUSES.install()
        log.info("gateway_ready", frozen_objects=frozen)
        try:
            yield
        finally:
            if app.state.runtime.links is not None:
                await app.state.runtime.links.close()
            await registry.stop()
            await webhook_worker.stop()
            await app.state.runtime.twilio.close()
            await governance_client.close()
            await store.close()

    app = FastAPI(title="voxray", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(reject_unknown_query)],
                  openapi_url="/api-docs/openapi.json",
                  description="Voice AI agents on phone lines. Versioning: /docs/versioning; changes: /docs/changelog.")
    # Twilio's form-encoded webhooks check their own type and size (they need the raw form).
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes,
                       form_paths=frozenset({"/api/v1/incoming-call", "/api/v1/outbound-answer", "/api/v1/call-status",
                                             "/api/v1/dial-result"}))
    app.add_middleware(AccessLogMiddleware)  # inside RequestIdMiddleware (added by errors.install): sees the id
    errors.install(app)
    governance.install(app)
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problem_responses(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    for module in (twilio_voice, calls, media, ops, call_logs, voice_sessions, admin_tenants, admin_keys, auth_sessions,
                   access_requests, docs, webhooks, governance, phone_routes, handoff, metrics_route, admin_console):
        app.include_router(module.router)
    app.include_router(readiness.router)
    return app
