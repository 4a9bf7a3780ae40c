"""One error shape for the whole API: RFC 9457 problem+json with a stable ``code``."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM = "application/problem+json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class ApiError(Exception):
    """``retryable``: whether repeating the request could end differently (an idempotency key is
    released for those); False when the outcome is unknown and a repeat could act twice."""

    def __init__(self, status: int, code: str, title: str, detail: str | None = None, *,
                 retryable: bool | None = None) -> None:
        super().__init__(title)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.retryable = status >= 500 or status == 429 if retryable is None else retryable


def problem_body(request: Request, status: int, code: str, title: str, detail: str | None = None,
                 errors: list[dict[str, object]] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"type": f"https://voxray.dev/problems/{code}", "title": title, "status": status,
                               "code": code, "request_id": getattr(request.state, "request_id", None)}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    return body


def problem(request: Request, status: int, code: str, title: str, detail: str | None = None,
            errors: list[dict[str, object]] | None = None) -> JSONResponse:
    return JSONResponse(problem_body(request, status, code, title, detail, errors), status_code=status,
                        media_type=PROBLEM)


class RequestIdMiddleware:
    """Accept a well-formed ``X-Request-Id`` or mint one; echo it on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.append((b"x-request-id", rid.encode()))
                # Set by handlers and dependencies (rate limits) even when the response is an error.
                for name, value in scope["state"].get("response_headers", {}).items():
                    headers.append((name.lower().encode(), value.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


def install(app: FastAPI) -> None:
    app.add_middleware(RequestIdMiddleware)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        response = problem(request, exc.status, exc.code, exc.title, exc.detail)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return problem(request, 422, "validation_failed", "The request is not valid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status_code, "http_error")
        return problem(request, exc.status_code, code, str(exc.detail))
