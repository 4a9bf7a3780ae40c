"""Call a tenant's tool endpoint: a signed JSON POST with bounded time, retries and response size.

The request is signed with Standard Webhooks (https://www.standardwebhooks.com/): ``webhook-id``
is the same on every attempt of one invocation so the tenant can de-duplicate retries;
``webhook-timestamp`` and ``webhook-signature`` are per attempt. A tool's failure is never
raised: ``invoke`` returns a ``ToolOutcome`` whose ``model_output()`` is what the model reads.
SSRF protection is the client's job: pass an ``httpx.AsyncClient`` built on
``voxray.egress.webhook_transport`` with ``follow_redirects=False``.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import orjson
from standardwebhooks import Webhook

from actors.tools.arguments import (
    ArgumentIssue,
    InvalidArguments,
    check_arguments,
    parse_arguments,
)
from voxray.records import ToolSpec

MAX_RESPONSE_BYTES = 64 * 1024
MAX_ERROR_DETAIL_BYTES = 2 * 1024
USER_AGENT = "voxray-tools/1"

ToolStatus = Literal["ok", "error", "timeout", "invalid_arguments"]
ErrorCode = Literal["invalid_arguments", "timeout", "connection_error", "http_error", "bad_response", "bad_endpoint"]


@dataclass(frozen=True)
class ToolError:
    """A compact, structured error for the model (and the call record)."""

    code: ErrorCode
    message: str
    http_status: int | None = None
    detail: Any = None  # the tenant's small JSON error body, if it sent one
    issues: tuple[ArgumentIssue, ...] = ()  # invalid_arguments only

    def to_model(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.http_status is not None:
            out["http_status"] = self.http_status
        if self.detail is not None:
            out["detail"] = self.detail
        if self.code == "invalid_arguments":
            out["errors"] = [{"path": i.path, "message": i.message} for i in self.issues]
        return out


@dataclass(frozen=True)
class ToolOutcome:
    status: ToolStatus
    result: Any = None  # the endpoint's JSON body when status == "ok"
    error: ToolError | None = None
    attempts: int = 0
    latency_ms: float = 0.0
    webhook_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def model_output(self) -> str:
        """The ``function_call_output.output`` string: the tool's JSON body, or the structured error."""
        if self.ok:
            value = {"ok": True} if self.result is None else self.result
        else:
            value = self.error.to_model() if self.error else {"error": self.status}
        return orjson.dumps(value).decode()


@dataclass(frozen=True)
class _Attempt:
    result: Any = None
    error: ToolError | None = None
    retryable: bool = False


def max_duration_s(spec: ToolSpec) -> float:
    """Upper bound of one ``invoke`` of ``spec``: every attempt's timeout plus the backoffs between them."""
    return (spec.retries + 1) * spec.timeout_s + sum(spec.retry_backoff_s * 2 ** n for n in range(spec.retries))


def new_webhook_id() -> str:
    return "msg_" + secrets.token_hex(16)


async def invoke(
    spec: ToolSpec, arguments: str | Mapping[str, Any], *, call_id: str, call_sid: str, session_id: str,
    tenant_id: str, signing_secret: str, http: httpx.AsyncClient, clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    webhook_id: str | None = None,
) -> ToolOutcome:
    """Check ``arguments`` (the model's JSON string, or an object) and POST them to ``spec.endpoint``.

    Retries timeouts, connection errors, 429 and 5xx up to ``spec.retries`` times, waiting
    ``retry_backoff_s * 2**n``; other answers are final. Invalid arguments never reach the endpoint.
    """
    started = clock()
    args = parse_arguments(arguments, spec.parameters) if isinstance(arguments, str) \
        else check_arguments(dict(arguments), spec.parameters)
    if isinstance(args, InvalidArguments):
        error = ToolError("invalid_arguments", args.message, issues=args.issues)
        return ToolOutcome("invalid_arguments", error=error, latency_ms=_ms(clock() - started))
    body = orjson.dumps({"tool": spec.name, "arguments": args, "call_id": call_id, "call_sid": call_sid,
                         "session_id": session_id, "tenant_id": tenant_id})
    msg_id = webhook_id or new_webhook_id()
    signer = Webhook(signing_secret)
    attempt = _Attempt()
    attempts = 0
    for n in range(spec.retries + 1):
        if n:
            await sleep(spec.retry_backoff_s * 2 ** (n - 1))
        attempts += 1
        attempt = await _post(http, spec, body, _headers(signer, msg_id, int(wall_clock()), body))
        if attempt.error is None or not attempt.retryable:
            break
    latency = _ms(clock() - started)
    if attempt.error is None:
        return ToolOutcome("ok", result=attempt.result, attempts=attempts, latency_ms=latency, webhook_id=msg_id)
    status: ToolStatus = "timeout" if attempt.error.code == "timeout" else "error"
    return ToolOutcome(status, error=attempt.error, attempts=attempts, latency_ms=latency, webhook_id=msg_id)


def _headers(signer: Webhook, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    at = datetime.fromtimestamp(timestamp, UTC)
    return {"content-type": "application/json", "user-agent": USER_AGENT, "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp), "webhook-signature": signer.sign(msg_id, at, body.decode())}


async def _post(http: httpx.AsyncClient, spec: ToolSpec, body: bytes, headers: dict[str, str]) -> _Attempt:
    """One attempt, bounded by ``spec.timeout_s`` as a whole (httpx's timeouts are per phase)."""
    try:
        async with asyncio.timeout(spec.timeout_s):
            async with http.stream("POST", spec.endpoint, content=body, headers=headers,
                                   timeout=spec.timeout_s) as response:
                raw = await _read_capped(response)
    except (TimeoutError, httpx.TimeoutException):
        return _Attempt(error=ToolError("timeout", f"the tool did not answer within {spec.timeout_s:g} s"),
                        retryable=True)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        return _Attempt(error=ToolError("bad_endpoint", f"the tool's endpoint is not usable: {exc}"))
    except httpx.TransportError as exc:
        return _Attempt(error=ToolError("connection_error", f"could not reach the tool ({type(exc).__name__})"),
                        retryable=True)
    except _TooLarge:
        return _Attempt(error=ToolError("bad_response", f"the tool's answer is larger than {MAX_RESPONSE_BYTES} bytes"))
    return _interpret(response.status_code, raw)


def _interpret(status: int, raw: bytes) -> _Attempt:
    if 200 <= status < 300:
        if status == 204:  # No Content: the tool did it and has nothing to say
            return _Attempt(result=None)
        try:
            return _Attempt(result=orjson.loads(raw))
        except orjson.JSONDecodeError:
            return _Attempt(error=ToolError("bad_response", "the tool's answer is not JSON", http_status=status))
    detail = _small_json(raw)
    error = ToolError("http_error", f"the tool answered HTTP {status}", http_status=status, detail=detail)
    return _Attempt(error=error, retryable=status == 429 or status >= 500)


def _small_json(raw: bytes) -> Any:
    if not raw or len(raw) > MAX_ERROR_DETAIL_BYTES:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


class _TooLarge(Exception):
    pass


async def _read_capped(response: httpx.Response) -> bytes:
    length = response.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
