"""Refuse JSON API bodies of the wrong type (415) or too large (413) before anything parses them.

Twilio's form-encoded webhooks check their own limits (their routes need the raw form for the
signature). A chunked body with no Content-Length is counted as it streams and cut off at the
limit, so no size of upload can reach a handler.
"""

from __future__ import annotations

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import PROBLEM

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
_JSON_TYPES = ("application/json", "application/merge-patch+json")


class _TooLarge(HTTPException):
    """An HTTPException so FastAPI's body reader passes it on (it turns other errors into 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request bodies are limited to {limit} bytes")


def _problem(scope: Scope, status: int, code: str, title: str) -> bytes:
    return orjson.dumps({"type": f"https://voxray.dev/problems/{code}", "title": title, "status": status,
                         "code": code, "request_id": scope.get("state", {}).get("request_id")})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, form_paths: frozenset[str], prefix: str = "/api/v1/") -> None:
        self.app, self.max_bytes, self.form_paths, self.prefix = app, max_bytes, form_paths, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"].encode() not in _BODY_METHODS
                or not scope["path"].startswith(self.prefix) or scope["path"] in self.form_paths):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        has_body = chunked or (length is not None and length != b"0")
        ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if has_body and ctype not in _JSON_TYPES:
            await self._refuse(scope, send, 415, "unsupported_media_type", "Request bodies must be application/json")
            return
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, send, 413, "payload_too_large", f"Request bodies are limited to {self.max_bytes} bytes")
            return
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        # The app's HTTPException handler answers the 413 in the shared problem shape.
        await self.app(scope, counted_receive, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, code: str, title: str) -> None:
        body = _problem(scope, status, code, title)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
