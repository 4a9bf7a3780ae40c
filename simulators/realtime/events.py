"""Server-event helpers: ids, event stamping, and the few GA events ``pipelines.realtime_events`` lacks.

Every server event carries a fresh ``event_id`` as the real API does. Events without a class in
``pipelines.realtime_events`` (content parts, argument deltas, text output, rate limits) are built
as ``LocalEvent``: same ``dump()``, fields given by name, checked against the SDK's models in tests.
"""

from __future__ import annotations

import secrets
import string
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict

from pipelines.realtime_events import ErrorEvent, ErrorInfo

_ALPHABET = string.ascii_letters + string.digits
E = TypeVar("E", bound=BaseModel)


def new_id(prefix: str) -> str:
    """An id shaped like OpenAI's: ``sess_``, ``item_``, ``resp_``, ``call_``, ``event_`` + 20 chars."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(20))


class LocalEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    type: str
    event_id: str | None = None

    def dump(self) -> str:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True)).decode()


def stamp(cls: type[E], **fields: Any) -> E:
    return cls(event_id=new_id("event"), **fields)


def local(kind: str, **fields: Any) -> LocalEvent:
    return LocalEvent(type=kind, event_id=new_id("event"), **fields)


def error_event(code: str | None, message: str, *, param: str | None = None, kind: str = "invalid_request_error",
                client_event_id: str | None = None) -> ErrorEvent:
    return stamp(ErrorEvent, error=ErrorInfo(type=kind, code=code, message=message, param=param,
                                             event_id=client_event_id))
