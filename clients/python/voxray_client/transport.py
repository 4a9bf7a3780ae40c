"""An httpx transport that adds a request id to every request and retries what is safe to retry.

- ``X-Request-Id`` on every request (kept if the caller set one), so every attempt of one logical
  request shares an id the server logs and echoes in errors.
- 429: waits ``Retry-After`` (capped) and retries, whatever the method: the server did nothing.
- 5xx and connection errors: retried only for idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE,
  or any request carrying an ``Idempotency-Key``), with exponential backoff.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Callable

import httpx

from voxray_client.errors import retry_after_seconds

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    backoff_s: float = 0.25
    max_backoff_s: float = 8.0
    max_retry_after_s: float = 30.0


def new_request_id() -> str:
    return "req_" + uuid.uuid4().hex


def is_idempotent(request: httpx.Request) -> bool:
    return request.method in IDEMPOTENT_METHODS or "idempotency-key" in request.headers


class RetryingTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport | None = None, policy: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.policy = policy
        self.sleep = sleep
        self.last_response: httpx.Response | None = None

    def delay(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None to give up and return ``response``."""
        if attempt >= self.policy.max_attempts:
            return None
        backoff: float = min(self.policy.max_backoff_s, self.policy.backoff_s * 2.0 ** (attempt - 1))
        if response is not None and response.status_code == 429:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            if wait is None:
                return backoff
            return wait if wait <= self.policy.max_retry_after_s else None
        return backoff

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers.setdefault("X-Request-Id", new_request_id())
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError:
                if not is_idempotent(request) or (wait := self.delay(attempt, None)) is None:
                    raise
                self.sleep(wait)
                continue
            retryable = response.status_code == 429 or (response.status_code >= 500 and is_idempotent(request))
            wait = self.delay(attempt, response) if retryable else None
            if wait is None:
                self.last_response = response
                return response
            response.read()
            response.close()
            self.sleep(wait)

    def close(self) -> None:
        self.inner.close()
