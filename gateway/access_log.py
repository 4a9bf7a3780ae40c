"""One access log line (and request metrics) per HTTP request or websocket session.

Sits inside ``RequestIdMiddleware`` (which puts the request id in ``scope["state"]``) and binds
it to the log context, so every line logged while serving the request carries it. The line has
the path but never the query string (it may carry tokens) and never headers.
"""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import metrics
from voxray import tracing
from voxray.logging import bind_request

log = structlog.get_logger("voxray.access")
# Probes and scrapes would drown the log: they are logged at debug.
QUIET_PATHS = frozenset({"/metrics", "/healthz", "/livez", "/readyz"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "WS"})


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v1/call-logs/{call_sid}``): bounded, unlike paths."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        # RequestIdMiddleware names HTTP requests; a websocket session gets its own id here.
        request_id = scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        bind_request(request_id)
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "websocket.close":
                status = int(message.get("code", 1000))
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)

        method = scope.get("method", "WS") if scope["type"] == "http" else "WS"
        with tracing.span(f"{method} {scope.get('path', '')}", request_id=request_id) as span:
            try:
                await self.app(scope, receive, send_and_watch)
            finally:
                self._record(scope, status, time.perf_counter() - started)
                span.update_name(f"{method} {route_template(scope)}")
                span.set_attribute("http.status_code", status)
                call_sid = structlog.contextvars.get_contextvars().get("call_sid")
                if call_sid:
                    span.set_attribute("call_sid", str(call_sid))

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "") if scope["type"] == "http" else "WS"
        method = method if method in METHODS else "OTHER"
        route = route_template(scope)
        metrics.http_request(method, route, status, seconds)
        client = scope.get("client")
        fields = dict(method=method, path=scope.get("path", ""), route=route, status=status,
                      duration_ms=round(seconds * 1000, 2), client=client[0] if client else None)
        if scope.get("path") in QUIET_PATHS:
            log.debug("request", **fields)
        else:
            log.info("request", **fields)
