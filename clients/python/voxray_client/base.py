"""What the tenant and admin clients share: the generated client behind a retrying transport, and
one way to call a generated operation that returns its typed result or raises ``ApiProblem``."""

from __future__ import annotations

from typing import Any, Callable, Protocol, TypeVar

import httpx

from voxray_client.errors import ApiProblem
from voxray_client.transport import RetryingTransport, RetryPolicy

T = TypeVar("T")


class Answer(Protocol):
    status_code: int
    content: bytes
    headers: Any
    parsed: Any


class GeneratedClient(Protocol):
    def get_httpx_client(self) -> httpx.Client: ...


def httpx_args(policy: RetryPolicy, transport: httpx.BaseTransport | None) -> dict[str, Any]:
    return {"transport": RetryingTransport(transport, policy)}


def timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


class BaseClient:
    """``client.call(generated.sync_detailed, ...)``: the parsed 2xx body, or ``ApiProblem``."""

    _generated: GeneratedClient
    last_headers: Any = None  # the headers of the last 2xx answer (e.g. Idempotent-Replayed)

    def call(self, operation: Callable[..., Answer], *args: Any, **kwargs: Any) -> Any:
        answer = operation(*args, client=self._generated, **kwargs)
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
