"""One error shape for the whole API: RFC 9457 problem+json with a stable ``code``.

Whatever fails underneath, no route answers a plain-text 500: an unhandled exception becomes
problem+json (``internal_error``), and a dependency that is down (Redis, Ray, governance)
becomes ``503`` with ``Retry-After``. Twilio's voice webhooks are answered with TwiML instead:
a spoken apology and a hangup, so a caller never meets a carrier error tone.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import ray.exceptions
import structlog
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from governance.errors import GovernanceUnavailable

PROBLEM = "application/problem+json"
log = structlog.get_logger("voxray.gateway")
# Twilio webhooks that must answer TwiML: what the caller hears when we cannot serve the call.
TWIML_WEBHOOKS = frozenset({"/api/v1/incoming-call", "/api/v1/outbound-answer", "/api/v1/dial-result"})
SPOKEN_FALLBACK = "We are sorry, we cannot take your call right now. Please call again in a few minutes. Goodbye."
RETRY_AFTER_S = 5
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class ApiError(Exception):
    """``retryable``: whether repeating the request could end differently (an idempotency key is
    released for those); False when the outcome is unknown and a repeat could act twice."""

    def __init__(self, status: int, code: str, title: str, detail: str | None = None, *,
                 retryable: bool | None = None, retry_after_s: int | None = None) -> None:
        super().__init__(title)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.retryable = status >= 500 or status == 429 if retryable is None else retryable
        self.retry_after_s = retry_after_s


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


@dataclass(frozen=True)
class Failure:
    """How an exception nobody handled is answered."""

    status: int
    code: str
    title: str
    retry_after_s: int | None = None


# Dependencies that can be down for a while: 503, try again shortly.
UNAVAILABLE: tuple[tuple[tuple[type[Exception], ...], Failure], ...] = (
    ((RedisConnectionError, RedisTimeoutError),
     Failure(503, "store_unavailable", "The record store is unavailable; try again shortly", RETRY_AFTER_S)),
    ((GovernanceUnavailable,),
     Failure(503, "governance_unavailable", "Launch governance is unavailable; try again shortly", RETRY_AFTER_S)),
    ((ray.exceptions.RayError,),
     Failure(503, "runtime_unavailable", "The call runtime is unavailable; try again shortly", RETRY_AFTER_S)),
)
INTERNAL = Failure(500, "internal_error", "Internal error")


def classify(exc: BaseException) -> Failure:
    """The answer for an unhandled exception (its cause chain counts: a wrapped Redis error is one)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            break
        for kinds, failure in UNAVAILABLE:
            if isinstance(seen, kinds):
                return failure
        seen = seen.__cause__ or seen.__context__
    return INTERNAL


def spoken_fallback() -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><Response><Say>{SPOKEN_FALLBACK}</Say>'
            "<Hangup/></Response>")


def failure_response(request: Request, exc: BaseException, *, outermost: bool = False) -> Response:
    """problem+json (or the spoken fallback for a Twilio voice webhook) for an unhandled exception."""
    failure = classify(exc)
    rid = getattr(request.state, "request_id", None)
    if failure is INTERNAL:
        log.error("unhandled_error", path=request.url.path, request_id=rid, error=type(exc).__name__,
                  exc_info=exc)
    else:
        log.warning("dependency_unavailable", path=request.url.path, request_id=rid, code=failure.code,
                    error=f"{type(exc).__name__}: {exc}"[:200])
    if request.url.path in TWIML_WEBHOOKS and request.method == "POST":
        response: Response = Response(spoken_fallback(), media_type="text/xml")
    else:
        response = problem(request, failure.status, failure.code, failure.title)
        if failure.retry_after_s is not None:
            response.headers["Retry-After"] = str(failure.retry_after_s)
    if rid and outermost:  # the catch-all runs outside RequestIdMiddleware, which would add it
        response.headers["X-Request-Id"] = rid
    return response


def install(app: FastAPI) -> None:
    app.add_middleware(RequestIdMiddleware)

    async def _unavailable(request: Request, exc: Exception) -> Response:
        return failure_response(request, exc)

    async def _anything(request: Request, exc: Exception) -> Response:
        return failure_response(request, exc, outermost=True)

    # Raised in a route or a dependency: answered inside the middleware stack (headers kept).
    for kinds, _ in UNAVAILABLE:
        for kind in kinds:
            app.add_exception_handler(kind, _unavailable)
    # Anything else, or raised in a middleware: Starlette's outermost handler (it re-raises
    # afterwards so the server logs it; the client already has its problem+json).
    app.add_exception_handler(Exception, _anything)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        if exc.status >= 500 and request.method == "POST" and request.url.path in TWIML_WEBHOOKS:
            # e.g. no session could take the call: the caller hears why, not a carrier error tone.
            log.warning("webhook_answered_with_fallback", path=request.url.path, code=exc.code)
            return Response(spoken_fallback(), media_type="text/xml")
        response: Response = problem(request, exc.status, exc.code, exc.title, exc.detail)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if exc.retry_after_s is not None:
            response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        return problem(request, 422, "validation_failed", "The request is not valid", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(exc.status_code, "http_error")
        return problem(request, exc.status_code, code, str(exc.detail))
