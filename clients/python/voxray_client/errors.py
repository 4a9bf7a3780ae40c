"""Typed API errors: every non-2xx answer becomes an ``ApiProblem`` carrying the problem+json fields."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class ApiProblem(Exception):
    """An RFC 9457 problem answer. Switch on ``code`` (stable); quote ``request_id`` to support."""

    status: int
    code: str
    title: str
    detail: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    retry_after_s: float | None = None

    def __str__(self) -> str:
        text = f"{self.status} {self.code}: {self.title}"
        if self.detail:
            text += f" ({self.detail})"
        return text + (f" [request {self.request_id}]" if self.request_id else "")

    @classmethod
    def from_answer(cls, status: int, headers: Mapping[str, str], content: bytes) -> ApiProblem:
        """Build from any error answer; a non-problem body still gives a status, a code and the request id."""
        body: Any = None
        try:
            body = json.loads(content) if content else None
        except ValueError:
            body = None
        request_id = headers.get("x-request-id")
        retry_after = retry_after_seconds(headers.get("retry-after"))
        if not isinstance(body, dict) or "code" not in body:
            return cls(status=status, code=f"http_{status}", title=content[:200].decode("utf-8", "replace") or "Error",
                       request_id=request_id, retry_after_s=retry_after)
        errors = [FieldError(str(e.get("field", "")), str(e.get("message", ""))) for e in body.get("errors") or []
                  if isinstance(e, dict)]
        return cls(status=status, code=str(body["code"]), title=str(body.get("title", "")),
                   detail=body.get("detail"), request_id=body.get("request_id") or request_id, errors=errors,
                   retry_after_s=retry_after)


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` in seconds (this API sends delta-seconds); None when absent or unreadable."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
