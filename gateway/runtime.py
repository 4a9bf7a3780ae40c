"""What request handlers share: settings, the store, the session registry, the token secret."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, WebSocket

from actors.link_mux import Links
from actors.registry import SessionRegistry
from gateway.browser_sessions import BrowserSessionStore
from gateway.idempotency import IdempotencyStore
from gateway.ratelimit import RateLimiter
from gateway.twilio_rest import TwilioRest
from governance.client import GovernanceClient
from voxray.keys import KeyStore
from voxray.settings import Settings
from voxray.store import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    registry: SessionRegistry
    stream_secret: bytes
    redis_url: str
    model_websocket_base_url: str | None
    keys: KeyStore
    browser: BrowserSessionStore
    limiter: RateLimiter
    idempotency: IdempotencyStore
    twilio: TwilioRest
    governance: GovernanceClient | None = None  # launch governance: routes, rollouts, audit
    media_link_key: str | None = None  # the cluster's media-link secret (TLS to the actors)
    links: Links | None = None  # shared connections to the actors (VOXRAY_MEDIA_LINK_MUX), else one per call
    draining: bool = False  # SIGTERM: /readyz says 503, no new calls, live ones finish
    media_streams: int = 0  # websockets this gateway carries now (a drain waits for them)


# Dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in its thread
# pool, a thread hand-off per request that showed up in the webhook's profile under a burst.
async def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def ws_runtime(websocket: WebSocket) -> Runtime:
    return websocket.app.state.runtime  # type: ignore[no-any-return]
