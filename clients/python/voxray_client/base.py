"""What the tenant and admin clients share: the generated client behind a retrying transport, and
one way to call a generated operation that returns its typed result or raises ``ApiProblem``."""

from __future__ import annotations

import time
from typing import Any, Callable, Protocol, TypeVar

import httpx

from voxray_client.errors import ApiProblem
from voxray_client.transport import RetryingTransport, RetryPolicy

T = TypeVar("T")


class Answer(Protocol):
    """What a generated ``sync_detailed`` returns (``types.Response``), read-only."""

    @property
    def status_code(self) -> int: ...
    @property
    def content(self) -> bytes: ...
    @property
    def headers(self) -> Any: ...
    @property
    def parsed(self) -> Any: ...


class GeneratedClient(Protocol):
    def get_httpx_client(self) -> httpx.Client: ...


def httpx_args(policy: RetryPolicy, transport: httpx.BaseTransport | None,
               sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    return {"transport": RetryingTransport(transport, policy, sleep)}


def _transport(generated: GeneratedClient) -> RetryingTransport | None:
    transport = generated.get_httpx_client()._transport  # noqa: SLF001 - httpx keeps no public accessor
    return transport if isinstance(transport, RetryingTransport) else None


def timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


class BaseClient:
    """``client.call(generated.sync_detailed, ...)``: the parsed 2xx body, or ``ApiProblem``."""

    _generated: GeneratedClient
    last_headers: Any = None  # the headers of the last 2xx answer (e.g. Idempotent-Replayed)

    def call(self, operation: Callable[..., Answer], *args: Any, **kwargs: Any) -> Any:
        try:
            answer = operation(*args, client=self._generated, **kwargs)
        except (ValueError, KeyError, TypeError):
            # The generated parser expects a problem+json body on errors; a proxy's HTML 502
            # (or any other body) still becomes an ApiProblem with the status and request id.
            transport = _transport(self._generated)
            last = transport.last_response if transport is not None else None
            if last is None or last.status_code < 400:
                raise
            raise ApiProblem.from_answer(last.status_code, last.headers, last.read()) from None
        status = int(answer.status_code)
        if status >= 400:
            raise ApiProblem.from_answer(status, answer.headers, answer.content)
        self.last_headers = answer.headers
        return answer.parsed

    def close(self) -> None:
        self._generated.get_httpx_client().close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
